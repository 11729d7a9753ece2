"""The demo: closings with gaps, context values, targets, a rebuild; deterministic."""

from __future__ import annotations

import pytest

from gugus.core.demo import DemoContext
from gugus.monitoring import demo, engine
from gugus.monitoring.models import ContextValue, IndicatorTarget, MonthClosing

pytestmark = pytest.mark.django_db


def test_demo_populates_closings_with_gaps_context_targets_and_builds(personas):
    ctx = DemoContext(seed=3, victims=0)
    ctx.users.update(personas.ctx.users)
    demo.populate(ctx)
    assert engine.active_generation() is not None
    assert MonthClosing.objects.filter(on_time=False).exists() and MonthClosing.objects.filter(on_time=True).exists()
    assert not MonthClosing.objects.filter(region_id="52.03").exists()  # never reports
    assert MonthClosing.objects.filter(region_id="32.12").exists()
    assert ContextValue.objects.filter(series_id="migrant_departures", is_demo=True).count() > 1000
    assert IndicatorTarget.objects.filter(note__startswith="DEMO").count() >= 3
    first = sorted(MonthClosing.objects.values_list("region_id", "month", "on_time"))
    # Deterministic for a seed.
    MonthClosing.objects.all().delete()
    ctx2 = DemoContext(seed=3, victims=0)
    ctx2.users.update(personas.ctx.users)
    demo.populate(ctx2)
    assert sorted(MonthClosing.objects.values_list("region_id", "month", "on_time")) == first
