"""Indicator values for regions and periods, from the analytics store (aggregates only)."""

from __future__ import annotations

from django.core.cache import cache

from . import engine
from .indicators import IndicatorValue, compile_indicators, evaluate, needed_refs
from .periods import Period


def indicator_values(
    codes: list[str],
    region_code: str,
    periods: list[Period],
    *,
    children: list[str] | None = None,
    group: str | None = None,
    compiled=None,
    extra_refs: set | None = None,
) -> dict:
    """{period_code: {child_or_None: {code: IndicatorValue}}} plus the raw element values under
    the key "__elements__" of each slot."""
    compiled = compiled if compiled is not None else compile_indicators()
    refs = needed_refs(compiled, codes) | (extra_refs or set())
    values = engine.element_values(refs, region_code, periods, children=children, group=group)
    out: dict = {}
    by_code = {p.code: p for p in periods}
    for pcode, slots in values.items():
        for child, vals in slots.items():
            row = {code: evaluate(compiled, code, vals, by_code[pcode]) for code in codes}
            row["__elements__"] = vals
            out.setdefault(pcode, {})[child] = row
    return out


def one(code: str, region_code: str, period: Period, compiled=None) -> IndicatorValue:
    res = indicator_values([code], region_code, [period], compiled=compiled)
    return res.get(period.code, {}).get(None, {}).get(code) or IndicatorValue(None, None, None, "no_data")


def cache_key(*parts) -> str | None:
    gen = engine.active_generation()
    if gen is None:
        return None
    stamp = gen.started_at.timestamp() if gen.started_at else 0
    return "mon:" + ":".join(str(p) for p in (gen.id, stamp, gen.data_version, *parts))


def cached(key_parts: tuple, compute, timeout: int = 600):
    """Cache a computation on the store's state (generation and data version): any refresh or
    rebuild changes the key, so a cached figure is never stale."""
    key = cache_key(*key_parts)
    if key is None:
        return compute()
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    cache.set(key, value, timeout)
    return value
