"""The UI: index, portrait, exports, and entry forms (plain POST and htmx)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gugus.audit.models import AuditEvent
from gugus.registry import services as svc
from gugus.registry.models import ActionPlan, BudgetLine, Decree, StaffCount, TaskForce, Training, UnitProfile

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_pages_need_login_and_exist_for_regions(personas, client_for, client):
    assert client.get("/wilayah/32.12/").status_code == 302
    c = client_for(personas.executive)
    for url in (
        "/wilayah/",
        "/wilayah/ID/",
        "/wilayah/32/",
        "/wilayah/32.12/",
        "/wilayah/anggaran-nol/",
        "/wilayah/praktik-baik/",
        "/wilayah/32.12/anggaran/",
    ):
        assert c.get(url).status_code == 200, url
    for url in ("/wilayah/99/", "/wilayah/32.12.01/", "/wilayah/32.99/", "/wilayah/32/ekspor.pdf"):
        assert c.get(url).status_code == 404, url


def test_index_lists_provinces_and_searches(personas, client_for):
    c = client_for(personas.cw_a)
    html = c.get("/wilayah/").content.decode()
    assert "Jawa Barat" in html and "Papua Pegunungan" in html
    r = c.get("/wilayah/", {"q": "Kab. Indramayu"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results")
    body = r.content.decode()
    assert "/wilayah/32.12/" in body and "<html" not in body


def test_portrait_shows_gaps_and_no_edit_links_for_others(personas, client_for, kab_tf):
    html = client_for(personas.executive).get("/wilayah/32.12/").content.decode()
    assert "188/Kep.12-DP3A/2020" in html and "Belum ada RAD" in html and "Catat RAD" not in html
    assert "Unit PPA Polres Indramayu" in html  # a member
    own = client_for(personas.gt_kab).get("/wilayah/32.12/").content.decode()
    assert "Catat RAD" in own and "/wilayah/32.12/anggaran/baru/" in own
    prov = client_for(personas.province).get("/wilayah/32/").content.decode()
    assert "Kabupaten Indramayu" in prov and "Belum ada gugus tugas" in prov  # province 32 itself has none
    r = client_for(personas.province).get(
        "/wilayah/32/", {"tahun": "2025"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="portrait-body"
    )
    assert "<html" not in r.content.decode() and "2025" in r.content.decode()


def test_safe_house_location_never_shown(personas, client_for):
    c = client_for(personas.national)
    secret = "Jl. Contoh Rahasia"
    for url in (
        "/wilayah/21.71/",
        "/wilayah/21/",
        f"/wilayah/unit/{personas.orgs['rumah-aman-2171'].pk}/",
        "/wilayah/21.71/ekspor.csv",
    ):
        r = c.get(url)
        assert r.status_code == 200 and secret.encode() not in r.content, url
    assert b"lokasi dirahasiakan" in c.get("/wilayah/21.71/").content


def test_exports(personas, client_for, kab_tf, kab_budget, today):
    svc.regulation_create(
        actor=personas.gt_kab,
        region_code="32.12",
        reg_type="perbup",
        number="5",
        year=2020,
        title='=HYPERLINK("http://x")',
    )
    c = client_for(personas.executive)
    r = c.get("/wilayah/32.12/ekspor.xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(r.content))
    assert "Ringkasan" in wb.sheetnames and "SK gugus tugas" in wb.sheetnames
    sheet = wb[f"Anggaran {today.year}"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Pencegahan" and rows[1][3] == 150000000
    reg_rows = list(wb["Peraturan"].iter_rows(values_only=True))
    assert reg_rows[1][3] == '=HYPERLINK("http://x")'  # stored as text, not a formula
    assert "'=HYPERLINK" in c.get("/wilayah/32.12/ekspor.csv").content.decode("utf-8-sig")
    r = c.get("/wilayah/32/ekspor.csv")
    text = r.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["# Ringkasan"] in lines and ["# Wilayah di bawahnya"] in lines
    assert any(row[:2] == ["32.12", "Kabupaten Indramayu"] for row in lines)
    assert AuditEvent.objects.filter(action="portrait_export", object_id="32", actor=personas.executive).exists()


def test_budget_form_plain_and_htmx(personas, client_for, today):
    c = client_for(personas.gt_kab)
    assert c.get("/wilayah/32.12/anggaran/baru/").status_code == 200
    assert c.get("/wilayah/32.01/anggaran/baru/").status_code == 404  # not its region
    data = {
        "year": today.year - 1,
        "source": "apbd",
        "programme": "prevention",
        "allocated": "Rp150.000.000",
        "realised": "180.000.000",
        "note": "",
    }
    r = c.post("/wilayah/32.12/anggaran/baru/", data)
    assert r.status_code == 422 and "melebihi pagu" in r.content.decode()
    assert not BudgetLine.objects.exists()
    r = c.post("/wilayah/32.12/anggaran/baru/", data, **HX)
    assert r.status_code == 200 and "melebihi pagu" in r.content.decode() and "<html" not in r.content.decode()
    data["note"] = "APBD-P"
    r = c.post("/wilayah/32.12/anggaran/baru/", data, **HX)
    assert r.status_code == 200 and r["HX-Redirect"].startswith("/wilayah/32.12/")
    line = BudgetLine.objects.get()
    assert str(line.allocated) == "150000000.00" and str(line.realised) == "180000000.00"
    # edit with the version the form carried; a stale version is a 409
    url = f"/wilayah/anggaran/{line.pk}/ubah/"
    assert "150.000.000" in c.get(url).content.decode()
    r = c.post(url, {**data, "allocated": "200.000.000", "realised": "", "version": line.version})
    assert r.status_code == 302
    r = c.post(url, {**data, "allocated": "210.000.000", "realised": "", "version": line.version})
    assert r.status_code == 409 and "diubah oleh pengguna lain" in r.content.decode()
    assert str(BudgetLine.objects.get().allocated) == "200000000.00"
    # another kab/kota's secretariat cannot even open it
    assert client_for(personas.cw_a).get(url).status_code == 404
    r = c.post(f"/wilayah/anggaran/{line.pk}/hapus/", {"version": line.version + 1})
    assert r.status_code == 302 and not BudgetLine.objects.exists()


def test_taskforce_flow_in_ui(personas, client_for):
    c = client_for(personas.gt_kab)
    r = c.post(
        "/wilayah/32.12/gugus-tugas/baru/",
        {
            "decree_number": "1/2020",
            "decree_date": "2020-02-03",
            "signed_by": "Bupati Indramayu",
            "chair": "Wakil Bupati",
            "secretariat": personas.orgs["gt-3212"].pk,
        },
    )
    assert r.status_code == 302
    tf = TaskForce.objects.get()
    page = f"/wilayah/gugus-tugas/{tf.pk}/"
    assert "1/2020" in c.get(page).content.decode()
    r = c.post(
        f"{page}sk-baru/",
        {"number": "1/2020", "date": "2024-01-01", "signed_by": "Bupati", "chair": "Wakil", "copy_members": "on"},
    )
    assert r.status_code == 422 and "sudah tercatat" in r.content.decode()
    r = c.post(
        f"{page}sk-baru/",
        {"number": "7/2024", "date": "2024-01-01", "signed_by": "Bupati", "chair": "Wakil", "copy_members": "on"},
    )
    assert r.status_code == 302 and Decree.objects.count() == 2
    d = Decree.objects.get(number="7/2024")
    r = c.post(
        f"/wilayah/sk/{d.pk}/anggota/",
        {"organisation": personas.orgs["uptd-3212"].pk, "sub_gt": "social_rehab_repatriation_reintegration"},
    )
    assert r.status_code == 302 and d.members.count() == 1
    tf.refresh_from_db()
    r = c.post(f"{page}ubah/", {"name": "GT PP-TPPO Indramayu", "note": "rapat triwulan", "version": tf.version})
    assert r.status_code == 302 and TaskForce.objects.get().note == "rapat triwulan"
    tf.refresh_from_db()
    r = c.post(f"{page}status/", {"status": "inactive", "date": "2025-01-02", "version": tf.version})
    assert r.status_code == 302
    assert (
        client_for(personas.province)
        .post(f"{page}status/", {"status": "active", "date": "2025-02-01", "version": tf.version + 1})
        .status_code
        == 404
    )


def test_rad_flow_in_ui(personas, client_for, today):
    c = client_for(personas.gt_kab)
    r = c.post(
        "/wilayah/32.12/rad/baru/", {"title": "RAD", "period_start": 2025, "period_end": 2023, "status": "drafting"}
    )
    assert r.status_code == 422 and "sebelum dimulai" in r.content.decode() and not ActionPlan.objects.exists()
    r = c.post(
        "/wilayah/32.12/rad/baru/",
        {
            "title": "RAD",
            "period_start": 2025,
            "period_end": 2029,
            "status": "enacted",
            "legal_basis": "Perbup 3/2025",
            "in_rpjmd": "on",
        },
    )
    plan = ActionPlan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/wilayah/rad/{plan.pk}/"
    r = c.post(f"/wilayah/rad/{plan.pk}/kegiatan/", {"name": "Sosialisasi", "unit": "desa"})
    act = plan.activities.get()
    page = f"/wilayah/kegiatan/{act.pk}/tahun/"
    assert c.get(page).status_code == 200
    assert c.post(page, {"year": 2025, "target": "10", "realisation": "8"}).status_code == 302
    row = act.years.get(year=2025)
    r = c.post(page, {"year": 2025, "target": "11", "realisation": "8"})  # no version: someone filled it
    assert r.status_code == 409
    assert c.post(page, {"year": 2025, "target": "11", "realisation": "8", "version": row.version}).status_code == 302
    assert "8 / 11" in c.get(f"/wilayah/rad/{plan.pk}/").content.decode()


def test_unit_training_practice_in_ui(personas, client_for, today):
    c = client_for(personas.gt_kab)
    unit = personas.orgs["uptd-3212"]
    page = f"/wilayah/unit/{unit.pk}/"
    assert (
        c.post(
            f"{page}profil/", {"beds": 12, "beds_children": 3, "open_24h": "on", "as_of": today.isoformat()}
        ).status_code
        == 302
    )
    assert UnitProfile.objects.get(organisation=unit).beds == 12
    assert (
        c.post(f"{page}staf/", {"year": today.year, "function": "psychologist", "total": 2, "trained": 3}).status_code
        == 422
    )
    assert (
        c.post(f"{page}staf/", {"year": today.year, "function": "psychologist", "total": 2, "trained": 1}).status_code
        == 302
    )
    s = StaffCount.objects.get()
    html = c.get(page, {"tahun": today.year, "fungsi": "psychologist"}).content.decode()
    assert f'name="version" value="{s.version}"' in html
    assert client_for(personas.cw_b).post(f"{page}staf/", {}).status_code == 404
    r = c.post(
        "/wilayah/32.12/pelatihan/baru/",
        {
            "title": "Penegakan hukum berperspektif korban",
            "topic": "victim_centred_law_enforcement",
            "start_date": (today - dt.timedelta(days=3)).isoformat(),
            "organiser_name": "Polda Jabar",
            "p-TOTAL_FORMS": "4",
            "p-INITIAL_FORMS": "0",
            "p-0-agency_type": "police_unit_ppa",
            "p-0-female": "3",
            "p-0-male": "9",
            "p-1-agency_type": "court",
            "p-1-female": "2",
            "p-1-male": "1",
        },
    )
    t = Training.objects.get()
    assert r.status_code == 302 and t.participants.count() == 2
    assert "Polda Jabar" in c.get(f"/wilayah/pelatihan/{t.pk}/").content.decode()
    r = c.post(
        "/wilayah/32.12/praktik-baik/baru/",
        {"title": "Forum anak", "what": "Pelaporan dini", "who": "Forum anak", "evidence": "3 kasus dicegah"},
    )
    assert r.status_code == 302
    practice_url = r["Location"]
    r = c.post(f"{practice_url}replikasi/", {"region": "Kota Kupang", "year": today.year})
    assert r.status_code == 302 and "Kota Kupang" in c.get(practice_url).content.decode()
    r = c.post(f"{practice_url}replikasi/", {"region": "Bogor", "year": today.year})
    assert r.status_code == 422 and "ambigu" in r.content.decode()


def test_zero_budget_page(personas, client_for, today):
    svc.budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=today.year,
        source="apbd",
        programme="coordination",
        allocated="1000",
    )
    c = client_for(personas.executive)
    html = c.get("/wilayah/anggaran-nol/", {"tahun": today.year, "dalam": "32", "keadaan": "zero"}).content.decode()
    assert "Kabupaten Indramayu" in html and "Kabupaten Bogor" not in html
    html = c.get(
        "/wilayah/anggaran-nol/", {"tahun": today.year, "dalam": "32", "keadaan": "unreported"}
    ).content.decode()
    assert "Kabupaten Bogor" in html and "Kabupaten Indramayu" not in html
