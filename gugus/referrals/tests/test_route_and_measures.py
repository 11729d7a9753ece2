"""The route chain on the case file, the case-file panels, and the monitoring measures."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gugus.cases.models import Case
from gugus.cases.panels import CASE_PANELS, render_case_panels
from gugus.referrals import services
from gugus.referrals.models import Referral
from gugus.referrals.selectors import referral_measures, referral_measures_visible_to, referrals_box, route_chain

from .conftest import handover

pytestmark = pytest.mark.django_db


def _request(user):
    req = RequestFactory().get("/kasus/x/")
    req.user = user
    req.htmx = False
    return req


def _batam_kupang_ntt_chain(w):
    """Batam UPTD → rumah aman Batam (shelter) → transfer to UPTD Kota Kupang → LSM NTT."""
    shelter = services.referral_send(
        actor=w.cw, case=w.case_a, data=handover(w.orgs["rumah-aman-2171"], service="shelter")
    )
    services.referral_accept(actor=w.users["ra-2171"], referral=shelter)
    services.referral_complete(actor=w.users["ra-2171"], referral=shelter, note="Keluar dari rumah aman")
    transfer = services.referral_send(
        actor=w.cw, case=w.case_a, data=handover(w.orgs["uptd-5371"], kind="transfer", service="social_reintegration")
    )
    services.referral_accept(actor=w.p.cw_kupang, referral=transfer)
    case = Case.objects.get(pk=w.case_a.pk)
    lsm = services.referral_send(
        actor=w.p.cw_kupang, case=case, data=handover(w.orgs["lsm-5371"], service="social_reintegration")
    )
    return case, shelter, transfer, lsm


def test_route_chain_origin_transit_destination_with_actors(w):
    case, shelter, transfer, lsm = _batam_kupang_ntt_chain(w)
    stops = route_chain(w.p.cw_kupang, case)
    labels = [(s.stage, s.region_code or s.country_code) for s in stops]
    assert labels[0] == ("Asal / Perekrutan", "53.03")
    assert labels[1] == ("Transit", "21.71")
    assert labels[2] == ("Eksploitasi", "MY")
    assert labels[3] == ("Penanganan", "53.71")
    batam = stops[1]
    assert [a.org.name for a in batam.actors] == [w.orgs["uptd-2171"].name, w.orgs["rumah-aman-2171"].name]
    kupang = stops[3]
    assert [a.org for a in kupang.actors] == [w.orgs["uptd-5371"], w.orgs["lsm-5371"]]
    assert kupang.actors[0].role == "Pengalihan tanggung jawab"
    assert kupang.actors[1].status == "sent"


def test_route_chain_abroad_organisation_is_its_own_stop(w):
    services.referral_send(actor=w.cw, case=w.case_b, data=handover(w.orgs["kbri-kl"], service="repatriation"))
    stops = route_chain(w.cw, w.case_b)
    assert stops[-1].country_code == "MY" and stops[-1].actors[0].org == w.orgs["kbri-kl"]


def test_case_panels_registered_and_scoped(w):
    assert {"route", "referrals"} <= set(CASE_PANELS)
    ref = services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["polres-2171"], service="other"))
    owner_panels = dict(render_case_panels(_request(w.cw), w.case_a))
    assert "Rute dan rantai penanganan" in owner_panels["route"]
    assert owner_panels["referrals"].count("/rujukan/") >= 3 and "hx-get" in owner_panels["referrals"]
    services.referral_accept(actor=w.p.provider, referral=ref)
    provider_panels = dict(render_case_panels(_request(w.p.provider), w.case_a))
    # The hospital sees its own referral only, not the route and not the referral to the police.
    assert "route" not in provider_panels
    assert str(ref.pk) in provider_panels["referrals"] and "Polresta" not in provider_panels["referrals"]
    assert "hx-get" not in provider_panels["referrals"]
    assert "Korban Uji" not in provider_panels["referrals"]


def _at(days_ago, hours=0):
    return timezone.now() - dt.timedelta(days=days_ago, hours=hours)


def test_measures_per_org_and_region(w):
    today = timezone.localdate()
    rs, ra = w.orgs["rs-2171"], w.orgs["rumah-aman-2171"]

    def send(to, case, service, days_ago, due_in):
        data = services.HandoverData(
            to_org=to, due_date=today + dt.timedelta(days=due_in - days_ago), reason="Rujukan uji", service_type=service
        )
        return services.referral_send(actor=w.cw, case=case, data=data, at=_at(days_ago))

    # hospital: accepted after 1 day and completed; accepted after 3 days (open, overdue); declined; waiting overdue
    r1 = send(rs, w.case_a, "health_physical", 20, 7)
    services.referral_accept(actor=w.p.provider, referral=r1, at=_at(19))
    services.referral_complete(actor=w.p.provider, referral=r1, at=_at(15))
    r2 = send(rs, w.case_a, "health_psychological", 20, 7)
    services.referral_accept(actor=w.p.provider, referral=r2, at=_at(17))
    r3 = send(rs, w.case_b, "health_physical", 10, 7)
    services.referral_decline(actor=w.p.provider, referral=r3, reason="Bukan layanan kami", at=_at(9))
    send(rs, w.case_b, "urgent_first_aid", 10, 3)
    # safe house: waiting, not yet due
    send(ra, w.case_b, "shelter", 1, 7)

    rows = {m.key: m for m in referral_measures(Referral.objects.all(), by="org", today=today)}
    m = rows[str(rs.pk)]
    assert (m.sent, m.accepted, m.declined, m.completed, m.waiting, m.in_progress) == (4, 2, 1, 1, 1, 1)
    assert m.median_days_to_accept == 2.0 and m.mean_days_to_accept == 2.0
    assert m.share_declined == round(1 / 3, 3) and m.share_completed == 0.5
    assert (m.overdue_unanswered, m.overdue_in_progress, m.overdue) == (1, 1, 2)
    s = rows[str(ra.pk)]
    assert (s.sent, s.overdue, s.median_days_to_accept, s.share_declined) == (1, 0, None, None)

    by_region = referral_measures(Referral.objects.all(), by="region", today=today)
    assert [(r.key, r.sent, r.label) for r in by_region] == [("21.71", 5, "Kota Batam")]
    by_prov = referral_measures(Referral.objects.all(), by="region", level=1, today=today)
    assert by_prov[0].key == "21" and by_prov[0].overdue == 2
    by_sender = referral_measures(Referral.objects.all(), by="org", side="sender", today=today)
    assert by_sender[0].key == str(w.orgs["uptd-2171"].pk) and by_sender[0].sent == 5

    # overdue box: visible and open past due
    assert referrals_box(w.cw, "overdue", today=today).count() == 2
    assert referrals_box(w.p.provider, "overdue", today=today).count() == 2
    # scoped measures: the Kupang worker sees none; the executive (aggregates only) in Jawa Barat sees none;
    # the national secretariat sees them all
    assert referral_measures_visible_to(w.p.cw_kupang) == []
    assert referral_measures_visible_to(w.p.executive) == []
    assert sum(r.sent for r in referral_measures_visible_to(w.p.national, by="region")) == 5
    # aggregate-only roles get counts over their aggregate region (the administrator: the whole country)
    assert sum(r.sent for r in referral_measures_visible_to(w.p.admin)) == 5


def test_accepted_transfer_counts_as_done_not_overdue(w):
    today = timezone.localdate()
    data = services.HandoverData(
        to_org=w.orgs["uptd-5371"],
        due_date=today - dt.timedelta(days=5),
        reason="Reintegrasi di daerah asal",
        kind="transfer",
    )
    ref = services.referral_send(actor=w.cw, case=w.case_a, data=data, at=_at(10))
    services.referral_accept(actor=w.p.cw_kupang, referral=ref, at=_at(8))
    m = referral_measures(Referral.objects.all(), by="org", today=today)[0]
    assert (m.completed, m.overdue, m.in_progress, m.share_completed) == (1, 0, 0, 1.0)
    assert not referrals_box(w.p.cw_kupang, "overdue", today=today).exists()
    assert not referrals_box(w.p.cw_kupang, "progress", today=today).exists()


def test_case_file_page_shows_panels(w, client_for):
    services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"]))
    page = client_for(w.cw).get(f"/kasus/{w.case_a.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rute dan rantai penanganan" in html and "Rujukan dan pengalihan" in html
    assert f"/rujukan/kasus/{w.case_a.pk}/baru/" in html
