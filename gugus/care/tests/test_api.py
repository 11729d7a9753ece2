"""The care API: shapes, 422 with field errors, 409 on stale versions, 404 out of scope, paging."""

import uuid

import pytest

from gugus.audit.models import AuditEvent
from gugus.care import services
from gugus.care.models import RestitutionPayment, ServiceRecord

from .conftest import days

pytestmark = pytest.mark.django_db


def test_service_lifecycle(personas, make_case, orgs, api_for):
    case = make_case()
    api = api_for(personas.cw_a)
    url = f"/api/v1/cases/{case.pk}/services"
    body = {
        "service_type": "health_physical",
        "provider_org": str(orgs["puskesmas-3212"].pk),
        "requested_on": days(5).isoformat(),
        "funding_source": "bpjs_jkn",
        "cost": "1500000",
    }
    r = api.post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["cost"] == "1500000.00" and data["warnings"] and data["provider_org"]["type"] == "puskesmas"
    sid = data["id"]
    r = api.patch(
        f"/api/v1/services/{sid}",
        {"version": 1, "bpjs_claim_refused": True, "alt_funding_source": "lpsk"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["bpjs_claim_refused"] and not r.json()["unfunded"]
    r = api.patch(f"/api/v1/services/{sid}", {"version": 1, "outcome": "x"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["current_version"] == 2
    listing = api.get(url + "?limit=1000").json()
    assert listing["count"] == 1 and listing["limit"] == 200


def test_bad_service_answers_422_with_field_errors(personas, make_case, orgs, api_for):
    case = make_case()
    api = api_for(personas.cw_a)
    body = {
        "service_type": "health_physical",
        "provider_org": str(orgs["polres-3212"].pk),
        "requested_on": days(5).isoformat(),
        "status": "completed",
        "started_on": days(3).isoformat(),
        "completed_on": days(4).isoformat(),
        "cost": "-10",
    }
    r = api.post(f"/api/v1/cases/{case.pk}/services", body, content_type="application/json")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors) >= {"provider_org", "completed_on", "cost"}
    assert r.json()["detail"] == "Data tidak valid."
    assert not ServiceRecord.objects.exists()
    r = api.post(f"/api/v1/cases/{case.pk}/services", {"service_type": "x"}, content_type="application/json")
    assert r.status_code == 422  # shape (missing fields)


def test_out_of_scope_and_missing_look_the_same(personas, make_case, orgs, api_for):
    case = make_case()
    s = services.service_create(
        actor=personas.cw_a, case=case, service_type="legal_aid", provider_org=orgs["lpsk"], requested_on=days(2)
    )
    api = api_for(personas.cw_b)
    hidden = api.get(f"/api/v1/services/{s.pk}")
    missing = api.get(f"/api/v1/services/{uuid.uuid4()}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Tidak ditemukan."}
    assert api.get(f"/api/v1/cases/{case.pk}/services").status_code == 404
    assert api_for(None).get(f"/api/v1/services/{s.pk}").status_code == 401


def test_shelters_show_occupancy_never_location(personas, make_case, orgs, api_for):
    case = make_case(personas.cw_batam)
    services.shelter_admit(actor=personas.cw_batam, case=case, shelter=orgs["rumah-aman-2171"], admitted_on=days(1))
    r = api_for(personas.executive).get("/api/v1/shelters?region=21")
    assert r.status_code == 200
    row = next(x for x in r.json()["items"] if x["id"] == str(orgs["rumah-aman-2171"].pk))
    assert row["occupied"] == 1 and row["capacity"] == 6 and row["free"] == 5
    assert "Rahasia" not in r.content.decode() and "location" not in row
    r = api_for(personas.cw_batam).get(f"/api/v1/shelters/{orgs['rumah-aman-2171'].pk}/location")
    assert r.status_code == 200 and "Rahasia" in r.json()["location"]
    assert AuditEvent.objects.filter(action="shelter_location_view").count() == 1
    assert api_for(personas.executive).get(f"/api/v1/shelters/{orgs['rumah-aman-2171'].pk}/location").status_code == 404


def test_stays_and_discharge(personas, make_case, orgs, api_for):
    case = make_case(personas.cw_batam)
    api = api_for(personas.cw_batam)
    r = api.post(
        f"/api/v1/cases/{case.pk}/shelter-stays",
        {"shelter": str(orgs["rumah-aman-2171"].pk), "admitted_on": days(4).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 201
    stay = r.json()
    r = api.post(
        f"/api/v1/shelter-stays/{stay['id']}/discharge",
        {"discharged_on": days(6).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 422 and "discharged_on" in r.json()["errors"]
    r = api.post(
        f"/api/v1/shelter-stays/{stay['id']}/discharge",
        {"discharged_on": days(1).isoformat(), "version": 1},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["discharged_on"] == days(1).isoformat()


def test_followups_and_overdue(personas, make_case, orgs, api_for):
    case = make_case()
    services.reintegration_plan_create(
        actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=days(70)
    )
    api = api_for(personas.cw_a)
    plan = api.get(f"/api/v1/cases/{case.pk}/reintegration").json()
    assert [f["month"] for f in plan["followups"]] == [1, 3, 6, 12]
    overdue = api.get("/api/v1/followups/overdue").json()
    assert overdue["count"] == 1 and overdue["items"][0]["overdue"]
    vid = overdue["items"][0]["id"]
    r = api.post(
        f"/api/v1/followups/{vid}/visit",
        {"visited_on": days(1).isoformat(), "outcome": "needs_support"},
        content_type="application/json",
    )
    assert r.status_code == 200 and not r.json()["overdue"]
    assert api.get("/api/v1/followups?overdue=true").json()["count"] == 0
    assert api_for(personas.police).get("/api/v1/followups").status_code == 404


def test_rights_api(personas, make_case, api_for):
    case = make_case()
    api = api_for(personas.cw_a)
    rights = api.get(f"/api/v1/cases/{case.pk}/rights").json()
    assert len(rights) == 15 and {r["right"] for r in rights} >= {"restitution", "legal_aid"}
    r = api.put(
        f"/api/v1/cases/{case.pk}/rights/legal_aid", {"status": "refused_by_victim"}, content_type="application/json"
    )
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    r = api.put(
        f"/api/v1/cases/{case.pk}/rights/legal_aid",
        {"status": "refused_by_victim", "reason": "menolak"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "refused_by_victim" and r.json()["source"] == "manual"
    r = api.put(
        f"/api/v1/cases/{case.pk}/rights/repatriation",
        {"applied_on": days(10).isoformat()},
        content_type="application/json",
    )
    assert r.json()["overdue"] is True and r.json()["due_on"] == days(3).isoformat()


def test_legal_and_restitution_api(personas, make_case, orgs, api_for):
    case = make_case(personas.cw_batam)
    police = api_for(personas.police)
    r = police.put(
        f"/api/v1/cases/{case.pk}/legal",
        {
            "police_report_number": "LP/9",
            "police_report_date": days(50).isoformat(),
            "police_unit": str(orgs["polres-2171"].pk),
        },
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["police_report_number"] == "LP/9"
    r = police.post(
        f"/api/v1/cases/{case.pk}/legal/events",
        {
            "stage": "verdict",
            "date": days(40).isoformat(),
            "verdict": "convicted",
            "articles": "Pasal 2",
            "sentence_months": 48,
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["articles"] == ["2"]
    assert api_for(personas.cw_batam).get(f"/api/v1/cases/{case.pk}/legal").json()["stage"] == "verdict"
    assert (
        api_for(personas.cw_batam)
        .post(
            f"/api/v1/cases/{case.pk}/legal/events",
            {"stage": "trial", "date": days(3).isoformat()},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    r = police.put(
        f"/api/v1/cases/{case.pk}/restitution",
        {"requested_on": days(45).isoformat(), "ordered_on": days(40).isoformat(), "ordered_amount": "5000000"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["overdue"] and r.json()["outstanding"] == "5000000.00"
    r = police.post(
        f"/api/v1/cases/{case.pk}/restitution/payments",
        {"paid_on": days(2).isoformat(), "amount": "5000001"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "amount" in r.json()["errors"]
    assert not RestitutionPayment.objects.exists()
    overdue = police.get("/api/v1/restitution/overdue").json()
    assert [x["case_id"] for x in overdue] == [str(case.pk)]
    r = police.post(
        f"/api/v1/cases/{case.pk}/restitution/payments",
        {"paid_on": days(2).isoformat(), "amount": "5000000"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "paid_full" and not r.json()["overdue"]


def test_summary_is_aggregate_only(personas, make_case, orgs, api_for):
    case = make_case()
    services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="health_physical",
        provider_org=orgs["puskesmas-3212"],
        requested_on=days(9),
        status="in_progress",
        started_on=days(5),
        funding_source="none",
    )
    r = api_for(personas.executive).get(f"/api/v1/care/summary?region=32&year={days(9).year}")
    assert r.status_code == 200
    s = r.json()["services"]
    assert s["total"] == 1 and s["unfunded"] == 1 and s["started_within_7_days"] == 1
    assert s["by_type"] == {"health_physical": 1}
    assert str(case.pk) not in r.content.decode()
    assert api_for(personas.executive).get("/api/v1/care/summary?region=99").status_code == 404
