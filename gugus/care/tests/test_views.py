"""Pages and htmx panels: forms post to services, errors shown in Indonesian, nothing half-saved."""

import pytest
from django.test import RequestFactory

from gugus.audit.models import AuditEvent
from gugus.care import services
from gugus.care.models import ServiceRecord
from gugus.cases.panels import CASE_PANELS, render_case_panels
from gugus.registry.portrait_sections import PORTRAIT_SECTIONS

from .conftest import days

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_panels_and_portrait_are_registered():
    assert {f"care_{k}" for k in ("services", "shelter", "repatriation", "reintegration", "rights", "legal")} <= set(
        CASE_PANELS
    )
    assert "care" in PORTRAIT_SECTIONS


def _request(user):
    req = RequestFactory().get("/kasus/x/")
    req.user = user
    req.htmx = False
    return req


def test_case_file_panels_follow_scope(personas, make_case, orgs, refer):
    case = make_case(personas.cw_batam)
    services.shelter_admit(actor=personas.cw_batam, case=case, shelter=orgs["rumah-aman-2171"], admitted_on=days(2))
    keys = {k for k, _ in render_case_panels(_request(personas.cw_batam), case)}
    assert {"care_services", "care_shelter", "care_rights", "care_legal"} <= keys
    police = {k for k, _ in render_case_panels(_request(personas.police), case)}
    assert police & {"care_services", "care_shelter"} == set() and {"care_rights", "care_legal"} <= police
    assert not {k for k, _ in render_case_panels(_request(personas.cw_a), case) if k.startswith("care_")}
    html = "".join(h for _, h in render_case_panels(_request(personas.cw_batam), case))
    assert orgs["rumah-aman-2171"].secret_location not in html  # only on request, audited
    assert "Tampilkan lokasi rahasia" in html


def test_add_service_with_htmx(personas, make_case, orgs, client_for):
    case = make_case()
    c = client_for(personas.cw_a)
    url = f"/layanan/kasus/{case.pk}/layanan/"
    bad = {
        "service_type": "health_physical",
        "provider_org": orgs["polres-3212"].pk,
        "status": "completed",
        "requested_on": days(5),
        "started_on": days(3),
        "completed_on": days(4),
        "cost": "-1",
    }
    r = c.post(url, bad, **HTMX)
    body = r.content.decode()
    assert r.status_code == 200 and 'id="care-services"' in body
    assert "tidak dapat memberikan layanan" in body and "Tanggal selesai tidak boleh sebelum tanggal mulai." in body
    assert "Jumlah tidak boleh negatif." in body
    assert not ServiceRecord.objects.exists()
    good = dict(
        bad, provider_org=orgs["puskesmas-3212"].pk, completed_on=days(1), cost="1.250.000", funding_source="none"
    )
    r = c.post(url, good, **HTMX)
    assert r.status_code == 200 and "tanpa pendanaan" in r.content.decode()
    s = ServiceRecord.objects.get()
    assert s.cost == 1250000 and s.unfunded
    # without htmx: errors on the full page (422), success redirects
    r = c.post(url, bad)
    assert r.status_code == 422 and "Jumlah tidak boleh negatif." in r.content.decode()
    r = c.post(url, good)
    assert r.status_code == 302 and r["Location"].startswith(f"/layanan/kasus/{case.pk}/")


def test_service_edit_page(personas, make_case, orgs, client_for):
    case = make_case()
    s = services.service_create(
        actor=personas.cw_a, case=case, service_type="legal_aid", provider_org=orgs["lpsk"], requested_on=days(9)
    )
    c = client_for(personas.cw_a)
    page = c.get(f"/layanan/layanan/{s.pk}/")
    assert page.status_code == 200 and "Bantuan hukum" in page.content.decode()
    form = {
        "service_type": "legal_aid",
        "provider_org": orgs["lpsk"].pk,
        "status": "in_progress",
        "requested_on": days(9),
        "started_on": days(10),
        "version": 1,
    }
    r = c.post(f"/layanan/layanan/{s.pk}/", form)
    assert r.status_code == 422 and "Tanggal mulai tidak boleh sebelum tanggal permintaan." in r.content.decode()
    r = c.post(f"/layanan/layanan/{s.pk}/", dict(form, started_on=days(8)))
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.version) == ("in_progress", 2)
    r = c.post(f"/layanan/layanan/{s.pk}/", dict(form, started_on=days(7)))  # stale version 1
    assert r.status_code == 422 and "telah diubah" in r.content.decode()
    assert client_for(personas.gt_kab).post(f"/layanan/layanan/{s.pk}/", form).status_code == 404


def test_shelter_panel_admit_full_and_location(personas, make_case, orgs, client_for):
    shelter = orgs["rumah-aman-2171"]
    shelter.capacity = 1
    shelter.save(update_fields=["capacity"])
    first, second = make_case(personas.cw_batam), make_case(personas.cw_batam)
    c = client_for(personas.cw_batam)
    assert (
        c.post(
            f"/layanan/kasus/{first.pk}/rumah-aman/", {"shelter": shelter.pk, "admitted_on": days(3)}, **HTMX
        ).status_code
        == 200
    )
    r = c.post(f"/layanan/kasus/{second.pk}/rumah-aman/", {"shelter": shelter.pk, "admitted_on": days(2)}, **HTMX)
    assert "memerlukan alasan" in r.content.decode()
    r = c.post(f"/layanan/rumah-aman/{shelter.pk}/lokasi/", **HTMX)
    assert r.status_code == 200 and "Rahasia" in r.content.decode()
    assert AuditEvent.objects.filter(action="shelter_location_view", actor=personas.cw_batam).exists()
    page = c.get("/layanan/rumah-aman/").content.decode()
    assert "Rumah Aman Batam" in page and "penuh" in page and "Rahasia" not in page


def test_followups_page_lists_overdue_for_the_org(personas, make_case, orgs, client_for):
    case = make_case()
    plan = services.reintegration_plan_create(
        actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=days(40)
    )
    page = client_for(personas.cw_a).get("/layanan/tindak-lanjut/?terlambat=1").content.decode()
    assert case.case_number in page and "terlambat" in page
    assert case.case_number not in client_for(personas.cw_b).get("/layanan/tindak-lanjut/").content.decode()
    v = plan.visits.get(month=1)
    prefix = f"v{v.pk.hex[:8]}"
    r = client_for(personas.cw_a).post(
        f"/layanan/tindak-lanjut/{v.pk}/",
        {f"{prefix}-visited_on": days(2), f"{prefix}-outcome": "stable", "from": "list"},
        **HTMX,
    )
    assert "Kunjungan dicatat" in r.content.decode()


def test_legal_panel_forms(personas, make_case, orgs, client_for):
    case = make_case(personas.cw_batam)
    c = client_for(personas.police)
    r = c.post(
        f"/layanan/kasus/{case.pk}/hukum/tahap/", {"stage": "verdict", "date": days(3), "verdict": "convicted"}, **HTMX
    )
    body = r.content.decode()
    assert "Putusan pidana menyebut pasal" in body and "Isi lama pidana" in body
    r = c.post(
        f"/layanan/kasus/{case.pk}/hukum/tahap/",
        {
            "stage": "verdict",
            "date": days(3),
            "verdict": "convicted",
            "articles": "Pasal 2 ayat (1)",
            "sentence_months": 60,
        },
        **HTMX,
    )
    assert "Pasal 2(1)" in r.content.decode() and "60 bulan" in r.content.decode()
    page = client_for(personas.cw_batam).get(f"/layanan/kasus/{case.pk}/").content.decode()
    assert "Proses hukum" in page and "Tambah tahap perkara" not in page  # case workers read only


def test_index_and_restitution_pages(personas, client_for):
    assert client_for(personas.executive).get("/layanan/").status_code == 200
    assert client_for(personas.police).get("/layanan/restitusi/").status_code == 200
    assert client_for(personas.provider).get("/layanan/restitusi/").status_code == 404


def test_portrait_section(personas, make_case, orgs):
    from gugus.care.panels import portrait_section
    from gugus.reference.models import Region

    case = make_case()
    services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="health_physical",
        provider_org=orgs["puskesmas-3212"],
        requested_on=days(3),
        funding_source="bpjs_jkn",
        bpjs_claim_refused=True,
    )
    region = Region.objects.get(pk="32")
    html = portrait_section(_request(personas.executive), region, days(3).year)
    assert "Layanan korban" in html and "klaim BPJS/JKN ditolak" in html and case.case_number not in html
    anon = _request(personas.executive)
    from django.contrib.auth.models import AnonymousUser

    anon.user = AnonymousUser()
    assert portrait_section(anon, region, 2026) == ""


def test_case_file_fetches_forms_on_demand(personas, make_case, orgs, client_for, django_assert_max_num_queries):
    """The case file shows records and buttons; each form comes as an htmx fragment (or a page of
    its own without JavaScript) from an endpoint with the same checks as the form's post."""
    case = make_case()
    services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="health_physical",
        provider_org=orgs["puskesmas-3212"],
        requested_on=days(3),
    )
    plan = services.reintegration_plan_create(
        actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=days(1)
    )
    req = _request(personas.cw_a)
    with django_assert_max_num_queries(30):
        html = "".join(h for k, h in render_case_panels(req, case) if k.startswith("care_"))
    assert 'name="provider_org"' not in html and html.count("<select") == 1  # the plan's status only
    form_url = f"/layanan/kasus/{case.pk}/formulir/layanan/"
    assert f'hx-get="{form_url}"' in html and f'href="{form_url}"' in html
    visit = plan.visits.get(month=1)
    assert f"/layanan/kasus/{case.pk}/formulir/kunjungan/{visit.pk}/" in html

    c = client_for(personas.cw_a)
    r = c.get(form_url, **HTMX)
    body = r.content.decode()
    assert r.status_code == 200 and 'name="provider_org"' in body and "<html" not in body
    assert f'hx-post="/layanan/kasus/{case.pk}/layanan/"' in body and 'hx-target="#care-services"' in body
    page = c.get(form_url)
    text = page.content.decode()
    assert page.status_code == 200 and "<html" in text.lower() and 'name="provider_org"' in text
    assert (
        f'action="/layanan/kasus/{case.pk}/layanan/"' in text
        and f'hx-post="/layanan/kasus/{case.pk}/layanan/"' not in text
    )
    r = c.get(f"/layanan/kasus/{case.pk}/formulir/kunjungan/{visit.pk}/", **HTMX)
    assert r.status_code == 200 and f'action="/layanan/tindak-lanjut/{visit.pk}/"' in r.content.decode()
    # A plan exists: no second plan form; unknown kinds and others' records: 404.
    assert c.get(f"/layanan/kasus/{case.pk}/formulir/reintegrasi/", **HTMX).status_code == 404
    assert c.get(f"/layanan/kasus/{case.pk}/formulir/tidak-ada/", **HTMX).status_code == 404
    assert c.get(f"/layanan/kasus/{case.pk}/formulir/kunjungan/{case.pk}/", **HTMX).status_code == 404
    # Out of scope, or allowed to read but not to write: 404 like the post.
    for user in (personas.cw_batam, personas.police):
        assert client_for(user).get(form_url, **HTMX).status_code == 404


def test_htmx_save_answers_with_the_lazy_panel(personas, make_case, orgs, client_for):
    case = make_case()
    c = client_for(personas.cw_a)
    url = f"/layanan/kasus/{case.pk}/layanan/"
    ok = {
        "service_type": "health_physical",
        "provider_org": orgs["puskesmas-3212"].pk,
        "status": "requested",
        "requested_on": days(1),
    }
    body = c.post(url, ok, **HTMX).content.decode()
    assert ServiceRecord.objects.filter(case=case).count() == 1
    assert 'id="care-services"' in body and 'name="provider_org"' not in body
    assert f"/layanan/kasus/{case.pk}/formulir/layanan/" in body
    # With errors the bound form stays open in the panel, errors in Indonesian.
    body = c.post(url, {**ok, "requested_on": ""}, **HTMX).content.decode()
    assert 'name="provider_org"' in body and "<details open>" in body and "errorlist" in body
