"""Reporting completeness and timeliness (DHIS2's reporting rates), live from the closings.

expected  = kab/kota in the region × months of the period that have ended (from the policy's
            first month to be closed)
closed    = months closed (not reopened); on time = closed by the due day of the next month
Regions that did not report (at least one expected month not closed) are listed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.utils import timezone

from gugus.reference.models import Region, subtree_q

from .elements.closings import expected_months
from .models import MonthClosing
from .periods import Period, add_months, month_label, month_range
from .services import reporting_policy


@dataclass
class Rates:
    expected: int = 0
    closed: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> float | None:
        return self.closed / self.expected * 100 if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.expected * 100 if self.expected else None


@dataclass
class Completeness:
    region: str
    period: str
    months: list[int]
    total: Rates
    by_child: list[tuple[Region, Rates]] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)  # kab/kota with missing months


def completeness(region: Region, period: Period) -> Completeness:
    months = [m for m in period.months if m in set(expected_months())]
    kabkota = list(
        Region.objects.filter(subtree_q("code", region.code), level=2)
        .order_by("code")
        .values_list("code", "name", "parent_id")
    )
    closings = {}
    if months:
        for code, month, on_time in MonthClosing.objects.filter(
            subtree_q("region_id", region.code), month__in=months, reopened_at__isnull=True
        ).values_list("region_id", "month", "on_time"):
            closings[(code, month)] = on_time
    total = Rates()
    per_region: dict[str, Rates] = {}
    missing = []
    for code, name, parent in kabkota:
        r = Rates(expected=len(months))
        gaps = []
        for m in months:
            if (code, m) in closings:
                r.closed += 1
                r.on_time += 1 if closings[(code, m)] else 0
            else:
                gaps.append(m)
        per_region[code] = r
        total.expected += r.expected
        total.closed += r.closed
        total.on_time += r.on_time
        if gaps:
            missing.append(
                {
                    "code": code,
                    "name": name,
                    "province": parent,
                    "count": len(gaps),
                    "months": [month_label(m, short=True) for m in gaps],
                    "never": r.closed == 0,
                }
            )
    missing.sort(key=lambda x: (-x["count"], x["code"]))
    by_child: list[tuple[Region, Rates]] = []
    if region.level == 0:
        provinces = {p.code: p for p in Region.objects.filter(level=1)}
        agg: dict[str, Rates] = {}
        for code, _name, parent in kabkota:
            a = agg.setdefault(parent, Rates())
            r = per_region[code]
            a.expected += r.expected
            a.closed += r.closed
            a.on_time += r.on_time
        by_child = [(provinces[c], agg[c]) for c in sorted(agg) if c in provinces]
    elif region.level == 1:
        regions = {r.code: r for r in Region.objects.filter(parent=region)}
        by_child = [(regions[c], per_region[c]) for c in sorted(per_region) if c in regions]
    return Completeness(region.code, period.code, months, total, by_child, missing)


# ---------------------------------------------------------------- early warning


@dataclass
class Warning:
    region: str
    name: str
    month: int
    value: float
    mean: float
    sd: float
    threshold: float
    history: list[float]

    @property
    def month_label(self) -> str:
        return month_label(self.month)


def last_complete_month(period: Period) -> int:
    from .periods import month_key

    current = month_key(timezone.localdate())
    return min(period.last_month, add_months(current, -1))


def usual_range(history: list[float], k: float) -> tuple[float, float, float]:
    """(mean, sd, upper bound mean + k·sd) of the previous months (sample sd; 0 if < 2 values)."""
    mean = statistics.fmean(history) if history else 0.0
    sd = statistics.stdev(history) if len(history) >= 2 else 0.0
    return mean, sd, mean + k * sd


def early_warnings(region: Region, period: Period) -> list[Warning]:
    """Kab/kota whose monthly count (policy element, default victims identified) in the period's
    last complete month rises above the usual range of the previous months: value ≥ minimum count
    and value > mean + k·sd of the previous `window` months."""
    from django.db.models import Sum

    from . import engine

    policy = reporting_policy()
    gen = engine.active_generation()
    if gen is None:
        return []
    month = last_complete_month(period)
    window = month_range(add_months(month, -policy.warning_window), add_months(month, -1))
    qs = engine.RegionSet(region.code).apply(  # base rows (split by analytics region)
        engine.value_model(gen).objects.filter(
            element=policy.warning_element, disagg="", period__gte=window[0], period__lte=month
        ),
        child="region",
    )
    series: dict[str, dict[int, float]] = {}
    for row in qs.values("region", "period").annotate(v=Sum("value")).order_by():
        if row["region"].count(".") != 1:
            continue
        series.setdefault(row["region"], {})[row["period"]] = row["v"]
    k = float(policy.warning_sd)
    names = dict(Region.objects.filter(code__in=list(series)).values_list("code", "name"))
    out = []
    for code, s in series.items():
        value = s.get(month, 0.0)
        if value < policy.warning_min_count:
            continue
        history = [s.get(m, 0.0) for m in window]
        mean, sd, upper = usual_range(history, k)
        if value > upper:
            out.append(Warning(code, names.get(code, code), month, value, mean, sd, upper, history))
    out.sort(key=lambda w: -(w.value - w.threshold))
    return out
