"""The demo: many task forces, realistic gaps, budgets 2024–2026, a replicated best practice."""

from __future__ import annotations

import pytest

from gugus.reference.models import Region
from gugus.registry import demo
from gugus.registry import selectors as sel
from gugus.registry.models import (
    ActionPlan,
    BestPractice,
    BudgetLine,
    Decree,
    PreventionActivity,
    Regulation,
    TaskForce,
    Training,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ctx(personas):
    demo.populate(personas.ctx)
    return personas.ctx


def test_demo_has_realistic_gaps(demo_ctx, personas, client_for):
    today = demo_ctx.today
    tf_regions = set(TaskForce.objects.values_list("region_id", flat=True))
    assert {"ID", "32", "53", "21", "32.12", "21.71", "53.71"} <= tf_regions
    assert not tf_regions & {"91", "92", "93", "94", "95", "96", "32.01"}
    assert not TaskForce.objects.filter(region__parent_id__in=["91", "92", "93", "94", "95", "96"]).exists()
    provinces = Region.objects.filter(level=1).count()
    kabkota = Region.objects.filter(level=2).count()
    with_tf = TaskForce.objects.filter(region__level=2).count()
    assert TaskForce.objects.filter(region__level=1).count() == provinces - 6
    assert 0.25 * kabkota < with_tf < 0.7 * kabkota  # many kab/kota still without one
    assert Decree.objects.filter(supersedes__isnull=False).exists()  # renewals kept as history
    assert TaskForce.objects.filter(status="inactive").exists()
    # RADs only in some regions
    rad = sel.rad_status_by_region(today.year)
    assert rad.get("32") == "enacted" and "drafting" in rad.values()
    assert len(rad) < len(tf_regions)
    # budgets 2024–2026 with zero prevention / repatriation somewhere
    assert set(BudgetLine.objects.values_list("year", flat=True)) == {2024, 2025, 2026}
    for year in (2024, 2025, 2026):
        prevention = sel.prevention_budget_by_region(year)
        assert any(v == 0 for v in prevention.values()) and any(v > 0 for v in prevention.values())
        repatriation = sel.budget_by_region(year, "handling_repatriation")
        assert any(v == 0 for v in repatriation.values())
    assert BudgetLine.objects.exclude(note="").filter(realised__gt=0).exists()
    assert Training.objects.filter(topic_id="training_topic.victim_centred_law_enforcement").exists()
    assert Regulation.objects.exists() and PreventionActivity.objects.exists()
    assert BestPractice.objects.filter(replications__isnull=False).exists()
    assert ActionPlan.objects.filter(in_rpjmd=True).exists() and ActionPlan.objects.filter(in_rpjmd=False).exists()
    assert sum(sel.shelter_beds_by_region().values()) > 100
    assert sum(t for _s, t in sel.trained_staff_by_region(today.year).values()) > 0
    c = client_for(personas.executive)
    for url in ("/wilayah/", "/wilayah/ID/", "/wilayah/53/", "/wilayah/52.03/", "/wilayah/94/"):
        assert c.get(url).status_code == 200, url
