"""Point 7 of issue 8: an independent computation straight from the raw records (tests/oracle.py,
plain Python over ORM rows) agrees with the engine on every shipped indicator, for a seeded data
set, at every level (kab/kota, province, national) and for months, quarters and years; and on
every flow data element with each of its disaggregations."""

from __future__ import annotations

import math

import pytest

from gugus.monitoring import engine
from gugus.monitoring.models import DataElement, Indicator
from gugus.monitoring.periods import Period
from gugus.monitoring.query import indicator_values

from .oracle import Oracle
from .seed import seed

pytestmark = pytest.mark.django_db

SCOPES = ["ID", "32", "21", "53", "32.12", "32.01", "21.71", "53.71", "53.03", "11.01"]
PERIODS = [
    Period.whole_year(2025),
    Period.whole_year(2026),
    Period.quarter(2025, 1),
    Period.quarter(2026, 3),
    Period.month(2025, 3),
    Period.month(2026, 2),
    Period.month(2026, 9),
]


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@pytest.fixture
def seeded(personas):
    seed(n=140)
    engine.rebuild_all()
    return Oracle()


def test_engine_agrees_with_an_independent_computation(seeded):
    """One seeded data set (seeding is the slow part), three checks."""
    check_every_shipped_indicator_at_every_level(seeded)
    check_every_flow_element_and_disaggregation(seeded)
    check_children_values_sum_to_the_parent()


def check_every_shipped_indicator_at_every_level(oracle):
    shipped = list(Indicator.objects.filter(origin=Indicator.Origin.SHIPPED).values_list("code", flat=True))
    assert len(shipped) >= 30
    mismatches = []
    non_trivial = set()
    for scope in SCOPES:
        vals = indicator_values(shipped, scope, PERIODS)
        for p in PERIODS:
            for code in shipped:
                got = vals[p.code][None][code].value
                want = oracle.indicator(code, scope, p)
                if not close(got, want):
                    mismatches.append((code, scope, p.code, got, want))
                if want not in (None, 0):
                    non_trivial.add(code)
    assert not mismatches, mismatches[:20]
    # The seed exercises every indicator with a real (non-zero) value somewhere.
    assert set(shipped) - non_trivial == set()


def check_every_flow_element_and_disaggregation(oracle):
    checked = 0
    mismatches = []
    for el in DataElement.objects.filter(available=True, time_aggregation="sum", grain="month"):
        if el.source in ("reference", "accounts", "closings") or el.code in (
            "training_participants",
            "prevention_reached",
        ):
            continue
        disaggs = [""] + [f"{d['category']}:{o[0]}" for d in el.disaggregations for o in d["options"]]
        refs = {(el.code, d) for d in disaggs}
        for scope in ("ID", "32", "32.12", "21.71"):
            vals = engine.element_values(refs, scope, PERIODS)
            for p in PERIODS:
                for d in disaggs:
                    got = vals[p.code][None][(el.code, d)]
                    want = oracle.flow(el.code, d, scope, p)
                    checked += 1
                    if not close(got, want):
                        mismatches.append((el.code, d, scope, p.code, got, want))
    assert not mismatches, mismatches[:20]
    assert checked > 2000


def check_children_values_sum_to_the_parent():
    """Roll-ups are sums of the kab/kota × month values: province = Σ its kab/kota (+ its own
    province-level records), nation = Σ provinces (+ national-level records)."""
    from gugus.reference.models import Region

    refs = {("victims_identified", ""), ("cases_served", "spm:health"), ("referrals_sent", "")}
    p = Period.whole_year(2026)
    kids = list(Region.objects.filter(parent_id="32").values_list("code", flat=True))
    by_child = engine.element_values(refs, "32", [p], children=kids)[p.code]
    own = engine.element_values(refs, "32", [p])[p.code][None]
    province_level = engine.fetch(refs, "32", p.first_month, p.last_month, group="region")
    for ref in refs:
        kab_sum = sum(by_child[k][ref] for k in kids)
        prov_own = sum(province_level.get(ref, {}).get("32", {}).values())
        assert math.isclose(own[ref], kab_sum + prov_own)
