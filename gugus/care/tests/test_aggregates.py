"""Aggregates for monitoring and the portrait: counts and sums by region and period."""

import datetime as dt
from decimal import Decimal

import pytest

from gugus.care import aggregates, services

from .conftest import days

pytestmark = pytest.mark.django_db


def test_region_aggregates(personas, make_case, orgs):
    a, b = make_case(), make_case(personas.cw_batam)
    services.service_create(
        actor=personas.cw_a,
        case=a,
        service_type="health_physical",
        provider_org=orgs["puskesmas-3212"],
        requested_on=days(20),
        status="completed",
        started_on=days(18),
        completed_on=days(10),
        cost="1000000",
        funding_source="bpjs_jkn",
        bpjs_claim_refused=True,
    )
    services.service_create(
        actor=personas.cw_a,
        case=a,
        service_type="legal_aid",
        provider_org=orgs["lpsk"],
        requested_on=days(20),
        status="in_progress",
        started_on=days(5),
        funding_source="lpsk",
    )
    services.service_create(
        actor=personas.cw_batam, case=b, service_type="legal_aid", provider_org=orgs["lpsk"], requested_on=days(3)
    )
    services.shelter_admit(actor=personas.cw_a, case=a, shelter=orgs["rptc-3212"], admitted_on=days(10))
    start, end = days(60), days(0)
    s = aggregates.service_summary("32", start, end)
    assert s["total"] == 3  # includes the shelter service
    assert s["unfunded"] == 1 and s["bpjs_refused"] == 1 and s["started"] == 3
    assert s["started_within_7_days"] == 2 and s["cost"] == Decimal("1000000")
    assert s["by_type"] == {"health_physical": 1, "legal_aid": 1, "shelter": 1}
    assert s["by_funding"] == {"bpjs_jkn": 1, "lpsk": 1, "unknown": 1}
    assert aggregates.service_summary("21.71", start, end)["total"] == 1
    assert aggregates.service_summary("ID", start, end)["total"] == 4
    assert aggregates.service_summary("32", days(5), end)["total"] == 0
    assert aggregates.bed_days("32", start, end) == 10
    occ = {r["name"]: r for r in aggregates.shelter_occupancy("32")}
    assert occ["RPTC Indramayu"]["occupied"] == 1
    services.restitution_save(
        actor=personas.police, case=b, requested_on=days(50), ordered_on=days(40), ordered_amount="8000000"
    )
    services.restitution_payment_add(actor=personas.police, case=b, paid_on=days(1), amount="3000000")
    r = aggregates.restitution_summary("21", start, end)
    assert (r["ordered_count"], r["ordered_amount"], r["paid_on_ordered"], r["outstanding"], r["overdue"]) == (
        1,
        Decimal("8000000"),
        Decimal("3000000"),
        Decimal("5000000"),
        1,
    )
    rights = aggregates.rights_summary("32")
    assert rights["by_right"]["health_rehabilitation"] == {"fulfilled": 1}
    assert aggregates.followup_summary("32") == {"due": 0, "done": 0, "overdue": 0}
    legal = aggregates.legal_summary("21", start, end)
    assert legal["by_stage"] == {}
    full = aggregates.care_summary("32", dt.date(2000, 1, 1), end)
    assert full["services"]["total"] == 3


def test_origin_region_is_counted_separately(personas, make_case, orgs):
    from gugus.cases.services import VictimData, victim_register

    case = victim_register(
        actor=personas.cw_batam,
        data=VictimData(
            sex="female",
            identification_date=days(10),
            identification_channel="hotline",
            estimated_age=20,
            full_name="Asal NTT",
            origin_region="53.71",
        ),
    )
    services.service_create(
        actor=personas.cw_batam, case=case, service_type="legal_aid", provider_org=orgs["lpsk"], requested_on=days(5)
    )
    assert aggregates.service_summary("53", days(30), days(0), by="origin")["total"] == 1
    assert aggregates.service_summary("53", days(30), days(0))["total"] == 0
