"""Facts monitoring reads, the portrait's assembly and the case figures (aggregates only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gugus.reference.models import Region
from gugus.registry import selectors as sel
from gugus.registry import services as svc
from gugus.registry.case_figures import case_figures, victims_by_child
from gugus.registry.portrait import build_portrait, children_facts

pytestmark = pytest.mark.django_db


def test_rad_status_by_year(personas):
    svc.plan_create(
        actor=personas.gt_kab,
        region_code="32.12",
        title="RAD lama",
        period_start=2020,
        period_end=2024,
        status="expired",
        legal_basis="Perbup 1/2020",
    )
    svc.plan_create(
        actor=personas.province,
        region_code="32",
        title="Rancangan",
        period_start=2026,
        period_end=2030,
        status="drafting",
    )
    assert sel.rad_status_by_region(2022) == {"32.12": "enacted", "32": "drafting"}
    assert sel.rad_status_by_region(2026)["32.12"] == "expired"
    assert sel.regions_with_enacted_rad(2023) == {"32.12"}
    assert sel.regions_with_enacted_rad(2026) == set()


def test_budget_facts_zero_versus_unreported(personas, today):
    y = today.year
    svc.budget_create(
        actor=personas.gt_kab, region_code="32.12", year=y, source="apbd", programme="coordination", allocated="5000000"
    )
    svc.budget_create(
        actor=personas.province,
        region_code="32",
        year=y,
        source="apbd",
        programme="prevention",
        allocated="250000000.50",
    )
    svc.budget_create(
        actor=personas.province, region_code="32", year=y, source="dak", programme="prevention", allocated="0.50"
    )
    assert sel.prevention_budget_by_region(y) == {"32.12": Decimal("0.00"), "32": Decimal("250000001.00")}
    rows = sel.zero_budget_regions(personas.executive, year=y, programme="prevention", within="32")
    states = {r["code"]: r["state"] for r in rows}
    assert states["32.12"] == "zero" and states["32.01"] == "unreported" and "32" not in states
    rows = sel.zero_budget_regions(personas.executive, year=y, programme="handling_repatriation", level=1)
    assert {r["code"]: r["state"] for r in rows}["32"] == "zero" and len(rows) == 38


def test_beds_staff_and_rollup(personas, today):
    beds = sel.shelter_beds_by_region()
    assert beds["32.12"] == 30  # UPTD PPA (10) + RPTC (20): organisations' capacity
    svc.unit_profile_save(actor=personas.gt_kab, organisation=personas.orgs["uptd-3212"], beds=14)
    assert sel.shelter_beds_by_region()["32.12"] == 34  # the registry profile wins
    assert sel.rollup(sel.shelter_beds_by_region(), "ID")["32"] == 34 + 12  # + Kab. Bogor
    unit = personas.orgs["uptd-3212"]
    svc.staff_count_set(
        actor=personas.gt_kab, organisation=unit, year=today.year - 1, function="case_manager", total=4, trained=1
    )
    svc.staff_count_set(
        actor=personas.gt_kab, organisation=unit, year=today.year - 1, function="psychologist", total=1, trained=1
    )
    svc.staff_count_set(
        actor=personas.gt_kab, organisation=unit, year=today.year, function="case_manager", total=5, trained=4
    )
    # latest count per unit and function up to the year
    assert sel.trained_staff_by_region(today.year)["32.12"] == (6, 5)
    assert sel.trained_staff_by_region(today.year - 1)["32.12"] == (5, 2)
    assert sel.subtree_total(sel.trained_staff_by_region(today.year), "32") == (6, 5)


def test_child_code_of():
    assert sel.child_code_of("32.12", "ID") == "32"
    assert sel.child_code_of("32.12.05", "32") == "32.12"
    assert sel.child_code_of("32", "32") is None
    assert sel.child_code_of("33.01", "32") is None


def _victim(
    personas,
    *,
    when,
    sex="female",
    age=16,
    origin="32.12",
    forms=("forced_labour_or_services",),
    citizenship="ID",
    scope="domestic",
    destination=None,
    user=None,
):
    from gugus.cases.services import VictimData, victim_register

    return victim_register(
        actor=user or personas.cw_a,
        data=VictimData(
            sex=sex,
            identification_date=when,
            identification_channel="hotline",
            full_name="Siti Rahasia Contoh",
            estimated_age=age,
            origin_region=origin,
            exploitation_forms=list(forms),
            citizenship=citizenship,
            citizenship_status="wni" if citizenship == "ID" else "wna",
            scope=scope,
            destination_country=destination,
        ),
    )


def test_case_figures_aggregates_only(personas, today, client_for):
    when = today - dt.timedelta(days=2)
    _victim(personas, when=when)
    _victim(
        personas,
        when=when,
        sex="male",
        age=30,
        origin="33.01",
        forms=("prostitution",),
        scope="transnational",
        destination="MY",
    )
    _victim(personas, when=when, origin="32.12", user=personas.cw_b)  # handled in Bogor, from Indramayu
    f = case_figures(Region.objects.get(pk="32.12"), today.year)
    assert f["handled"] == 2 and f["origin"] == 2 and f["children"] == 1 and f["transnational"] == 1
    assert dict(f["by_sex"]) == {"Perempuan": 1, "Laki-laki": 1}
    assert dict(f["by_destination"]) == {"Malaysia": 1}
    assert f["trend"][-1] == (today.year, 2)
    assert case_figures(Region.objects.get(pk="32"), today.year)["handled"] == 3
    assert victims_by_child(Region.objects.get(pk="32"), today.year) == {"32.12": 2, "32.01": 1}
    assert victims_by_child(Region.objects.get(pk="ID"), today.year) == {"32": 3}
    # the page shows counts, never a name; executives see them too
    for user in (personas.executive, personas.gt_kab):
        html = client_for(user).get("/wilayah/32.12/").content.decode()
        assert "Korban TPPO" in html and "Rahasia" not in html


def test_portrait_and_children_facts(personas, kab_tf, today):
    svc.budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=today.year,
        source="apbd",
        programme="coordination",
        allocated="1000000",
    )
    p = build_portrait(personas.executive, Region.objects.get(pk="32.12"), today.year)
    assert p.taskforce == kab_tf and p.taskforce_status == "active" and not p.can_edit
    labels = [label for _, label in p.flags]
    assert f"Anggaran pencegahan {today.year} nol" in labels and "Belum ada RAD" in labels
    kids = {k["code"]: k for k in children_facts(personas.executive, Region.objects.get(pk="32"), today.year)}
    assert kids["32.12"]["taskforce"] == "active" and kids["32.12"]["prevention"] == Decimal("0.00")
    assert kids["32.01"]["taskforce"] is None and kids["32.01"]["prevention"] is None
    assert kids["32.12"]["beds"] == 30 and kids["32.01"]["beds"] == 12
    assert len(kids) == Region.objects.filter(parent_id="32").count()
    p91 = build_portrait(personas.national, Region.objects.get(pk="91"), today.year)
    assert p91.taskforce is None and ("bad", "Belum ada gugus tugas") in p91.flags


def test_region_search(personas):
    assert [r.code for r in sel.region_search(personas.cw_a, "Kab. Indramayu")] == ["32.12"]
    assert [r.code for r in sel.region_search(personas.cw_a, "3212")] == ["32.12"]
    assert {"32.01", "32.71"} <= {r.code for r in sel.region_search(personas.cw_a, "bogor")}  # ambiguous: both
    assert sel.region_search(personas.cw_a, "zzzz-tidak-ada") == []
