"""The API and the pages: inbox, detail, actions, the htmx create form, notifications."""

import datetime as dt

import pytest
from django.utils import timezone

from gugus.referrals import services
from gugus.referrals.models import Referral, Status

from .conftest import handover
from .factories import make_case

pytestmark = pytest.mark.django_db


def _due(days=7):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_api_create_list_detail_and_act(w, api_for):
    cw = api_for(w.cw)
    body = {
        "case_id": str(w.case_a.pk),
        "to_org_id": str(w.orgs["rs-2171"].pk),
        "service_type": "health_physical",
        "reason": "Keluhan nyeri perut",
        "due_date": _due(),
    }
    r = cw.post("/api/v1/referrals", body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    rid = data["id"]
    assert data["status"] == "sent" and data["consent_basis"] == "consent" and data["history"][0]["to_status"] == "sent"
    assert data["to_org"]["type"] == "ppt_hospital" and data["case_number"] == w.case_a.case_number
    # same again: clear error, nothing created
    r = cw.post("/api/v1/referrals", body, content_type="application/json")
    assert r.status_code == 422 and "to_org" in r.json()["errors"]
    assert Referral.objects.count() == 1

    provider = api_for(w.p.provider)
    inbox = provider.get("/api/v1/referrals?box=inbox").json()
    assert inbox["count"] == 1 and inbox["items"][0]["id"] == rid
    assert cw.get("/api/v1/referrals?box=sent").json()["count"] == 1
    assert cw.get("/api/v1/referrals?box=inbox").json()["count"] == 0
    assert cw.get("/api/v1/referrals?box=bogus").status_code == 422
    assert provider.get(f"/api/v1/cases/{w.case_a.pk}").status_code in (404, 405)  # no case access before accepting

    r = provider.post(f"/api/v1/referrals/{rid}/complete", {}, content_type="application/json")
    assert r.status_code == 422 and "belum diterima" in r.json()["errors"]["status"][0]
    r = provider.post(
        f"/api/v1/referrals/{rid}/accept", {"note": "ok", "expected_version": 1}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["version"] == 2
    r = provider.post(f"/api/v1/referrals/{rid}/accept", {}, content_type="application/json")
    assert r.status_code == 422
    assert provider.get("/api/v1/referrals?box=progress").json()["count"] == 1
    r = provider.post(f"/api/v1/referrals/{rid}/complete", {"note": "selesai"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "completed"
    detail = cw.get(f"/api/v1/referrals/{rid}").json()
    assert [h["to_status"] for h in detail["history"]] == ["sent", "accepted", "completed"]
    assert detail["history"][1]["by"] == w.p.provider.username


def test_api_not_addressed_404_or_422(w, api_for):
    ref = services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    # cannot see it at all: 404, the same as a random id
    for user in (w.p.cw_a, w.p.cw_kupang, w.p.executive, w.p.admin):
        c = api_for(user)
        assert c.get(f"/api/v1/referrals/{ref.pk}").status_code == 404
        assert c.post(f"/api/v1/referrals/{ref.pk}/accept", {}, content_type="application/json").status_code == 404
    c = api_for(w.p.cw_a)
    assert c.get("/api/v1/referrals/00000000-0000-0000-0000-000000000000").status_code == 404
    assert c.get("/api/v1/referrals/not-a-uuid").status_code == 404
    # sees it (region secretariat of Kepri, the sender) but it is not theirs to accept: 422
    for user in (w.users["gt-21"], w.cw, w.p.police):
        c = api_for(user)
        assert c.get(f"/api/v1/referrals/{ref.pk}").status_code == 200
        r = c.post(f"/api/v1/referrals/{ref.pk}/accept", {}, content_type="application/json")
        assert r.status_code == 422, user
        assert "tidak ditujukan" in r.json()["errors"]["__all__"][0]
    ref.refresh_from_db()
    assert ref.status == Status.SENT
    assert api_for(None).get("/api/v1/referrals").status_code == 401


def test_api_create_out_of_scope_case_is_404(w, api_for):
    body = {
        "case_id": str(w.case_a.pk),
        "to_org_id": str(w.orgs["rs-5371"].pk),
        "service_type": "health_physical",
        "reason": "Pemeriksaan",
        "due_date": _due(),
    }
    assert api_for(w.p.cw_kupang).post("/api/v1/referrals", body, content_type="application/json").status_code == 404
    body["to_org_id"] = "00000000-0000-0000-0000-000000000000"
    r = api_for(w.cw).post("/api/v1/referrals", body, content_type="application/json")
    assert r.status_code == 422 and "to_org" in r.json()["errors"]


def test_api_transfer_and_measures(w, api_for):
    cw = api_for(w.cw)
    r = cw.post(
        "/api/v1/referrals",
        {
            "case_id": str(w.case_a.pk),
            "to_org_id": str(w.orgs["uptd-5371"].pk),
            "kind": "transfer",
            "reason": "Reintegrasi di daerah asal",
            "due_date": _due(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["kind"] == "transfer" and r.json()["service_type"] is None
    rid = r.json()["id"]
    kupang = api_for(w.p.cw_kupang)
    assert kupang.get("/api/v1/referrals?box=inbox&kind=transfer").json()["count"] == 1
    assert kupang.post(f"/api/v1/referrals/{rid}/accept", {}, content_type="application/json").status_code == 200
    m = api_for(w.p.national).get("/api/v1/referral-measures?by=region&level=1").json()
    assert m == [] or m[0]["key"] == "53"  # the case now lies in NTT
    assert api_for(w.p.national).get("/api/v1/referral-measures?by=nonsense").status_code == 422


def test_api_notifications(w, api_for):
    services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    services.referral_send(actor=w.cw, case=w.case_b, data=handover(w.orgs["rs-2171"]))
    c = api_for(w.p.provider)
    body = c.get("/api/v1/notifications").json()
    assert body["count"] == 2 and body["unread"] == 2
    nid = body["items"][0]["id"]
    assert c.post(f"/api/v1/notifications/{nid}/read").status_code == 200
    assert c.get("/api/v1/notifications?unread_only=true").json()["count"] == 1
    assert api_for(w.cw).post(f"/api/v1/notifications/{nid}/read").status_code == 404  # someone else's
    assert c.post("/api/v1/notifications/read-all").json() == {"updated": 1}
    assert c.get("/api/v1/notifications").json()["unread"] == 0


def test_pages_inbox_detail_and_actions(w, client_for):
    ref = services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    provider = client_for(w.p.provider)
    page = provider.get("/rujukan/")
    html = page.content.decode()
    assert page.status_code == 200 and w.case_a.case_number in html and "Menunggu keputusan" in html
    detail = provider.get(f"/rujukan/{ref.pk}/").content.decode()
    assert "Terima" in detail and "Tolak" in detail and "Korban Uji" not in detail
    r = provider.post(f"/rujukan/{ref.pk}/tolak/", {"reason": ""})
    assert r.status_code == 422
    r = provider.post(f"/rujukan/{ref.pk}/terima/", {"note": "", "version": 1})
    assert r.status_code == 302
    r = provider.post(f"/rujukan/{ref.pk}/terima/", {"note": ""})
    assert r.status_code == 422 and "tidak dapat diterima lagi" in r.content.decode()
    assert "Nyatakan selesai" in provider.get(f"/rujukan/{ref.pk}/").content.decode()
    sender = client_for(w.cw)
    assert sender.get("/rujukan/?box=sent").status_code == 200
    assert sender.post(f"/rujukan/{ref.pk}/terima/", {}).status_code == 422
    r = sender.post(f"/rujukan/{ref.pk}/batal/", {"reason": "Korban sudah pulang"})
    assert r.status_code == 302
    ref.refresh_from_db()
    assert ref.status == Status.CANCELLED
    assert client_for(w.p.cw_a).get(f"/rujukan/{ref.pk}/").status_code == 404
    assert client_for(w.p.executive).get("/rujukan/").status_code == 404
    assert client_for(None).get("/rujukan/").status_code == 302


def test_create_form_htmx_from_case_file(w, client_for):
    c = client_for(w.cw)
    r = c.get(f"/rujukan/kasus/{w.case_a.pk}/baru/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html and 'id="referral-form"' in html and "Persetujuan berbagi data: ada" in html
    assert "Alasan tertulis tanpa persetujuan" not in html  # consent exists: no override field
    r = c.post(
        f"/rujukan/kasus/{w.case_a.pk}/baru/",
        {
            "kind": "referral",
            "to_org": str(w.orgs["uptd-2171"].pk),
            "service_type": "shelter",
            "reason": "Butuh tempat aman",
            "due_date": _due(),
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 422 and "organisasi sendiri" in r.content.decode()
    r = c.post(
        f"/rujukan/kasus/{w.case_a.pk}/baru/",
        {
            "kind": "referral",
            "to_org": str(w.orgs["rumah-aman-2171"].pk),
            "service_type": "shelter",
            "reason": "Butuh tempat aman",
            "due_date": _due(),
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 204
    ref = Referral.objects.get()
    assert r["HX-Redirect"] == f"/rujukan/{ref.pk}/"
    # full page (no htmx) works too; a case without consent shows the override field
    case = make_case(w.orgs["uptd-2171"], user=w.cw, consent=False)
    page = c.get(f"/rujukan/kasus/{case.pk}/baru/").content.decode()
    assert "<html" in page and "Alasan tertulis tanpa persetujuan" in page
    # not the owner: 404
    assert client_for(w.p.provider).get(f"/rujukan/kasus/{w.case_a.pk}/baru/").status_code == 404
    assert client_for(w.p.cw_a).get(f"/rujukan/kasus/{w.case_a.pk}/baru/").status_code == 404


def test_notification_pages_and_badge(w, client_for):
    services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    c = client_for(w.p.provider)
    badge = c.get("/rujukan/notifikasi/lencana/").content.decode()
    assert '<span class="badge bad">1</span>' in badge and "<html" not in badge
    page = c.get("/rujukan/notifikasi/")
    assert page.status_code == 200 and w.case_a.case_number in page.content.decode()
    n = w.p.provider.notifications.get()
    r = c.post(f"/rujukan/notifikasi/{n.pk}/baca/")
    assert r.status_code == 302 and r["Location"] == n.url
    assert "badge bad" not in c.get("/rujukan/notifikasi/lencana/").content.decode()
    assert client_for(w.cw).post(f"/rujukan/notifikasi/{n.pk}/baca/").status_code == 404
    assert c.post("/rujukan/notifikasi/baca-semua/").status_code == 302


def test_measures_page(w, client_for):
    services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    assert "PPT RSUD" in client_for(w.cw).get("/rujukan/ukuran/").content.decode()
    assert client_for(w.p.executive).get("/rujukan/ukuran/?by=region&level=1").status_code == 200


def test_receiver_options_follow_service_and_kind(w, client_for):
    from gugus.accounts.models import Organisation

    Organisation.objects.create(
        name="Kedutaan Besar Vietnam (uji)", org_type_id="org_type.foreign_embassy", region_id="31.71", country_id="VN"
    )
    c = client_for(w.cw)
    url = f"/rujukan/kasus/{w.case_a.pk}/tujuan/"
    html = c.get(url, {"kind": "referral", "service_type": "health_physical"}).content.decode()
    assert "PPT RSUD Embung Fatimah Batam" in html and "Rumah Aman" not in html and "UPTD PPA Kota Batam" not in html
    assert html.index("PPT RSUD Embung Fatimah Batam") < html.index("PPT RS Bhayangkara Kupang")  # same province first
    html = c.get(url, {"kind": "transfer"}).content.decode()
    assert "UPTD PPA Kota Kupang" in html and "RSUD" not in html and "Kedutaan" not in html
    foreign = make_case(w.orgs["uptd-2171"], user=w.cw, foreign=True, citizenship="VN")
    html = c.get(f"/rujukan/kasus/{foreign.pk}/tujuan/", {"service_type": "repatriation"}).content.decode()
    assert "Kedutaan Besar Vietnam" in html and "IOM" in html and "KBRI" not in html
    assert client_for(w.p.provider).get(url).status_code == 404
