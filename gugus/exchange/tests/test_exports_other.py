"""Exports of the other lists: budgets (registry) and services (care), when those apps exist."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_budget_export(personas, client_for):
    from gugus.exchange.exports import spec_for

    if spec_for("budgets") is None:
        pytest.skip("registry selectors not available")
    from gugus.registry.services import budget_create

    budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=2025,
        source="apbd",
        programme="prevention",
        allocated=Decimal("150000000"),
        note="=cmd|' /C calc'!A0",
    )
    r = client_for(personas.gt_kab).get("/pertukaran/ekspor/budgets.csv")
    assert r.status_code == 200
    rows = _rows(r)
    assert rows[1][0] == "32.12" and rows[1][6] == "150000000.00"
    assert rows[1][8].startswith("'=")


def test_service_export_is_scoped(personas, client_for):
    from gugus.exchange.exports import spec_for

    if spec_for("services") is None:
        pytest.skip("care selectors not available")
    from gugus.care.services import service_create
    from gugus.cases.services import VictimData, victim_register

    case = victim_register(
        actor=personas.cw_a,
        data=VictimData(
            sex="female",
            identification_date=dt.date(2025, 3, 1),
            identification_channel="hotline",
            full_name="S",
            estimated_age=30,
        ),
    )
    service_create(
        actor=personas.cw_a,
        case=case,
        service_type="accompaniment",
        provider_org=personas.orgs["uptd-3212"],
        requested_on=dt.date(2025, 3, 2),
    )
    rows = _rows(client_for(personas.cw_a).get("/pertukaran/ekspor/services.csv"))
    assert len(rows) == 2 and rows[1][0] == case.case_number
    rows = _rows(client_for(personas.cw_b).get("/pertukaran/ekspor/services.csv"))
    assert len(rows) == 1
