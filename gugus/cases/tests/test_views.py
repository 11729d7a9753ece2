"""The pages: list/search (no identity in URLs), register (sections, draft, duplicate gate, errors in
Indonesian), case file (all sections and registered panels), edit with a conflict message."""

import datetime as dt
import re

import pytest

from gugus.cases import panels
from gugus.cases.models import Case, CaseStatus, Consent, Perpetrator, VictimMerge
from gugus.cases.tests.helpers import make_nik, register

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Rina Marlina",
    "sex": "female",
    "birth_date": "2001-04-05",
    "identification_date": "2026-02-01",
    "identification_channel": "deportation",
    "domicile_region": "32.12",
    "citizenship_status": "wni",
    "exploitation_forms": ["forced_labour_or_services"],
    "sector": "domestic_work",
    "scope": "transnational",
    "destination_country": "Malaysia",
    "trafficking_status": "possible",
    "route_1_stage": "recruitment",
    "route_1_place": "Kab. Indramayu",
    "route_2_stage": "transit",
    "route_2_place": "21.71",
    "route_3_stage": "exploitation",
    "route_3_place": "Malaysia",
}


def test_register_page_sections_and_save(personas, client_for):
    c = client_for(personas.cw_a)
    page = c.get("/kasus/daftar/")
    html = page.content.decode()
    assert page.status_code == 200
    for title in ("Identitas korban", "Data diri", "Orang tua/wali", "Identifikasi", "Eksploitasi", "Rute"):
        assert title in html
    assert 'hx-post="/kasus/cek-duplikat/"' in html and "Simpan draf" in html and "cdn" not in html.lower()
    assert len(page.content) < 60_000  # small page for slow connections
    r = c.post("/kasus/daftar/", {**FORM, "action": "register"})
    assert r.status_code == 302
    case = Case.objects.get()
    assert r["Location"] == f"/kasus/{case.pk}/"
    assert case.status == CaseStatus.REGISTERED and case.victim.domicile_region_id == "32.12"
    assert [leg.country_id or leg.region_id for leg in case.route.all()] == ["32.12", "21.71", "MY"]


def test_register_errors_are_indonesian_and_nothing_saved(personas, client_for):
    c = client_for(personas.cw_a)
    bad = {**FORM, "nik": "1234", "birth_date": "2026-05-01", "domicile_region": "Atlantis", "action": "register"}
    r = c.post("/kasus/daftar/", bad)
    html = r.content.decode()
    assert r.status_code == 200 and Case.objects.count() == 0
    assert "NIK harus 16 digit angka." in html
    assert "Tanggal lahir tidak boleh" in html
    assert "tidak dikenal" in html


def test_draft_saves_incomplete(personas, client_for):
    c = client_for(personas.cw_a)
    r = c.post("/kasus/daftar/", {"full_name": "Ani", "action": "draft"})
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT
    page = c.get(f"/kasus/{case.pk}/ubah/")
    assert "Simpan &amp; daftarkan" in page.content.decode()


def test_duplicate_gate_then_acknowledge(personas, client_for):
    register(
        personas.cw_b,
        full_name="Rina Marlina",
        birth_date=dt.date(2001, 4, 5),
        origin_region="32.01",
        domicile_region="32.01",
    )
    c = client_for(personas.cw_a)
    frag = c.post("/kasus/cek-duplikat/", {"full_name": "Rina Marlina", "birth_date": "2001-04-05"})
    assert "dipegang oleh <strong>UPTD PPA Kabupaten Bogor</strong>" in frag.content.decode()
    assert "3201-" not in frag.content.decode()
    r = c.post("/kasus/daftar/", {**FORM, "action": "register"})
    assert r.status_code == 200 and Case.objects.count() == 1
    assert "Kemungkinan data yang sudah ada dipegang oleh" in r.content.decode()
    r = c.post("/kasus/daftar/", {**FORM, "action": "register", "dup_ack": "on"})
    assert r.status_code == 302 and Case.objects.count() == 2


def test_case_file_shows_everything_and_all_panels(personas, client_for, monkeypatch):
    monkeypatch.setitem(
        panels.CASE_PANELS,
        "zz_test",
        panels.CasePanel("zz_test", 999, lambda request, case: f"<p>panel uji {case.case_number}</p>"),
    )
    case = register(personas.cw_a, nik=make_nik(dt.date(2000, 5, 17), "female"))
    from gugus.cases import services

    services.perpetrator_add(actor=personas.cw_a, case=case, name="Pak Calo", role="sponsor")
    services.consent_record(
        actor=personas.cw_a, case=case, purpose="services", granted=True, given_by="victim", date=dt.date(2026, 3, 2)
    )
    html = client_for(personas.cw_a).get(f"/kasus/{case.pk}/").content.decode()
    for section in (
        'id="ringkasan"',
        'id="identitas"',
        'id="eksploitasi"',
        'id="rute"',
        'id="pelaku"',
        'id="persetujuan"',
        'id="status"',
        'id="linimasa"',
        f"panel uji {case.case_number}",
    ):
        assert section in html
    assert "Siti Aminah" in html and "Pak Calo" in html and "Korban didaftarkan" in html
    # Without identity rights: the same page, identity and perpetrator names masked.
    html = client_for(personas.gt_kab).get(f"/kasus/{case.pk}/").content.decode()
    assert "Siti Aminah" not in html and "Pak Calo" not in html and "disamarkan" in html
    assert f"panel uji {case.case_number}" in html
    assert client_for(personas.gt_kab).get(f"/kasus/{case.pk}/identitas/").status_code == 403
    assert client_for(personas.cw_a).get(f"/kasus/{case.pk}/identitas/").status_code == 200
    assert client_for(personas.cw_b).get(f"/kasus/{case.pk}/").status_code == 404


def test_list_search_keeps_identity_out_of_the_url(personas, client_for):
    case = register(personas.cw_a)
    register(personas.cw_a, full_name="Budi Santoso", sex="male", birth_date=dt.date(1990, 1, 1))
    c = client_for(personas.cw_a)
    r = c.post("/kasus/", {"q": "Siti Aminah", "sort": "-date"})
    assert r.status_code == 302 and "Siti" not in r["Location"] and "Aminah" not in r["Location"]
    html = c.get(r["Location"]).content.decode()
    assert case.case_number in html and "Budi" not in html
    html = c.get("/kasus/?status=registered").content.decode()
    assert "Budi Santoso" in html and "Siti Aminah" in html
    # Executive: an empty list, not an error.
    r = client_for(personas.executive).get("/kasus/")
    assert r.status_code == 200 and "Tidak ada kasus" in r.content.decode()
    assert client_for(None).get("/kasus/").status_code == 302


def test_list_pages_by_cursor(personas, client_for):
    for i in range(53):
        register(personas.cw_a, full_name=f"Korban {i}", identification_date=dt.date(2024, 1, 1) + dt.timedelta(i))
    c = client_for(personas.cw_a)
    html = c.get("/kasus/").content.decode()
    assert html.count("/kasus/") > 50 and "53 kasus" in html
    m = re.search(r'href="\?cursor=([^"]+)"', html)
    assert m
    html2 = c.get(f"/kasus/?cursor={m.group(1)}").content.decode()
    assert "Halaman awal" in html2 and html2.count('<td><a href="/kasus/') == 3


def test_edit_conflict_names_changed_fields_and_overwrites_nothing(personas, client_for):
    case = register(personas.cw_a)
    a, b = client_for(personas.cw_a), client_for(personas.sv_a)
    form_a = a.get(f"/kasus/{case.pk}/ubah/").content.decode()
    form_b = b.get(f"/kasus/{case.pk}/ubah/").content.decode()

    def hidden(html, name):
        return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)

    common = {
        **FORM,
        "full_name": "Siti Aminah",
        "birth_date": "2000-05-17",
        "identification_date": "2026-03-02",
        "identification_channel": "hotline",
        "origin_region": "32.12",
        "route_1_place": "32.12",
        "route_3_place": "MY",
    }
    r = a.post(
        f"/kasus/{case.pk}/ubah/",
        {
            **common,
            "phone": "0813-1111-2222",
            "version": hidden(form_a, "version"),
            "orig": hidden(form_a, "orig"),
            "action": "save",
        },
    )
    assert r.status_code == 302
    r = b.post(
        f"/kasus/{case.pk}/ubah/",
        {
            **common,
            "recruiting_agency": "PT Dua",
            "version": hidden(form_b, "version"),
            "orig": hidden(form_b, "orig"),
            "action": "save",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "BELUM disimpan" in html and "telepon" in html
    case.refresh_from_db()
    assert case.recruiting_agency == ""
    from gugus.cases.models import Identity

    assert Identity.objects.get(victim=case.victim).phone == "081311112222"
    # The form now carries the fresh version: saving again works.
    r = b.post(
        f"/kasus/{case.pk}/ubah/",
        {
            **common,
            "phone": "0813-1111-2222",
            "recruiting_agency": "PT Dua",
            "version": hidden(html, "version"),
            "orig": hidden(html, "orig"),
            "action": "save",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.recruiting_agency == "PT Dua"


def test_status_consent_perpetrator_merge_pages(personas, client_for):
    case = register(personas.cw_a)
    other = register(personas.cw_a, full_name="Sitti Aminah")
    c = client_for(personas.cw_a)
    c.post(f"/kasus/{case.pk}/status/", {"to_status": "assessed", "version": case.version})
    case.refresh_from_db()
    assert case.status == "assessed"
    c.post(
        f"/kasus/{case.pk}/persetujuan/",
        {"purpose": "services", "granted": "1", "given_by": "victim", "method": "written", "date": "2026-03-02"},
    )
    assert Consent.objects.filter(case=case).count() == 1
    c.post(f"/kasus/{case.pk}/pelaku/", {"name": "Pak X", "role": "agen"})
    assert Perpetrator.objects.filter(case=case).count() == 1
    assert c.get(f"/kasus/{case.pk}/gabung/").status_code == 403
    sv = client_for(personas.sv_a)
    page = sv.get(f"/kasus/{case.pk}/gabung/")
    assert page.status_code == 200 and other.case_number in page.content.decode()
    r = sv.post(f"/kasus/{case.pk}/gabung/", {"target_number": other.case_number, "reason": "sama"})
    assert r.status_code == 302
    merge = VictimMerge.objects.get()
    r = sv.post(f"/kasus/gabung/{merge.pk}/batal/", {"reason": "keliru"})
    assert r.status_code == 302
    assert VictimMerge.objects.get().undone_at is not None


def test_place_search_offers_regions_and_countries(personas, client_for):
    c = client_for(personas.cw_a)
    html = c.get("/kasus/tempat/?kind=region&q=indramayu").content.decode()
    assert 'value="32.12"' in html
    html = c.get("/kasus/tempat/?kind=place&q=malay").content.decode()
    assert 'value="MY"' in html
