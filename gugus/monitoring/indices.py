"""Composite indices: the task-force performance index and the kab/kota vulnerability index.

Each index is data (CompositeIndex + IndexComponent: indicator or context series, weight,
normalisation, orientation, window in years). For a set of regions compared together:

    score_i(r)  = value as is, clipped to 0–100            (normalisation "percent")
                = (v − min) ÷ (max − min) × 100 over the set (normalisation "minmax"; 50 if all equal)
    score_i(r)  = 100 − score_i(r)                           (when `invert`)
    index(r)    = Σ w_i·score_i(r) ÷ Σ w_i over components with a value for r
    coverage(r) = Σ w_i with a value ÷ Σ w_i

Regions with coverage below MIN_COVERAGE are shown but not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .indicators import compile_indicators
from .models import CompositeIndex, ContextValue
from .periods import Period
from .query import indicator_values

MIN_COVERAGE = 0.5
CONTEXT_LAG_YEARS = 3  # use the latest context value up to this many years old


@dataclass
class ComponentValue:
    key: str
    label: str
    weight: float
    value: float | None
    score: float | None = None


@dataclass
class IndexResult:
    region: str
    value: float | None
    coverage: float
    components: list[ComponentValue] = field(default_factory=list)
    rank: int | None = None


def component_label(comp) -> str:
    if comp.label:
        return comp.label
    if comp.indicator_id:
        return comp.indicator.name_id + (f" ({comp.years} tahun)" if comp.years > 1 else "")
    if comp.context_series_id:
        return comp.context_series.name_id + (" per 100.000 penduduk" if comp.context_per_100k else "")
    return comp.key


def _context_values(series_code: str, regions: list[str], year: int, per_100k: bool) -> dict[str, float]:
    from gugus.reference.models import Region

    rows = ContextValue.objects.filter(
        series_id=series_code, region_id__in=regions, year__lte=year, year__gt=year - CONTEXT_LAG_YEARS
    ).order_by("year")
    latest: dict[str, float] = {}
    for region, value in rows.values_list("region_id", "value"):
        latest[region] = float(value)  # later years overwrite earlier ones
    if per_100k:
        pops = dict(Region.objects.filter(code__in=list(latest)).values_list("code", "population_total"))
        latest = {r: v / pops[r] * 100000 for r, v in latest.items() if pops.get(r)}
    return latest


def compute(
    index: CompositeIndex, parent_code: str, regions: list[str], year: int, *, group: str | None = None
) -> dict[str, IndexResult]:
    """The index for each of `regions` (children of `parent_code`, or with group="region" any
    analytics regions under it) in `year`."""
    components = list(index.components.select_related("indicator", "context_series").order_by("sort"))
    compiled = compile_indicators()
    raw: dict[str, dict[str, float | None]] = {c.key: {} for c in components}
    by_years: dict[int, list] = {}
    for comp in components:
        if comp.indicator_id:
            by_years.setdefault(comp.years, []).append(comp)
    for years, comps in by_years.items():
        period = Period.whole_year(year, years)
        codes = [c.indicator.code for c in comps]
        vals = indicator_values(codes, parent_code, [period], children=regions, group=group, compiled=compiled)
        slot = vals.get(period.code, {})
        for comp in comps:
            for r in regions:
                iv = slot.get(r, {}).get(comp.indicator.code)
                raw[comp.key][r] = iv.value if iv is not None else None
    for comp in components:
        if comp.context_series_id:
            ctx = _context_values(comp.context_series_id, regions, year, comp.context_per_100k)
            raw[comp.key] = {r: ctx.get(r) for r in regions}
    total_weight = sum(float(c.weight) for c in components) or 1.0
    scores: dict[str, dict[str, float | None]] = {}
    for comp in components:
        vals = raw[comp.key]
        present = [v for v in vals.values() if v is not None]
        lo, hi = (min(present), max(present)) if present else (0.0, 0.0)
        out = {}
        for r, v in vals.items():
            if v is None:
                out[r] = None
                continue
            if comp.normalisation == "percent":
                s = min(100.0, max(0.0, v))
            else:
                s = 50.0 if hi == lo else (v - lo) / (hi - lo) * 100
            out[r] = 100.0 - s if comp.invert else s
        scores[comp.key] = out
    results: dict[str, IndexResult] = {}
    for r in regions:
        parts = []
        wsum = ssum = 0.0
        for comp in components:
            w = float(comp.weight)
            v, s = raw[comp.key].get(r), scores[comp.key].get(r)
            parts.append(ComponentValue(comp.key, component_label(comp), w, v, s))
            if s is not None and w > 0:
                wsum += w
                ssum += w * s
        value = ssum / wsum if wsum else None
        results[r] = IndexResult(r, value, wsum / total_weight, parts)
    ranked = sorted(
        (x for x in results.values() if x.value is not None and x.coverage >= MIN_COVERAGE), key=lambda x: -x.value
    )
    for n, res in enumerate(ranked, start=1):
        res.rank = n
    return results
