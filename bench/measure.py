"""Timing and the result record every benchmark returns."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def summarise_ms(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples), 2),
        "mean_ms": round(sum(samples) / len(samples), 2),
    }


# Wall-time cap per measured variant: a slow variant is sampled fewer times (never fewer than
# MIN_SAMPLES), so one run of every benchmark stays bounded at full scale. Set by `--variant-budget`.
VARIANT_BUDGET_S = 6.0
MIN_SAMPLES = 5


def time_calls(
    fn: Callable[[int], object], n: int, warmup: int = 3, budget_s: float | None = None
) -> tuple[list[float], list[object]]:
    """Call fn(i) warmup + n times; return the durations in ms and the results of the timed calls.
    Stops early once `budget_s` (default VARIANT_BUDGET_S; 0 = no cap) is spent on timed calls
    and at least MIN_SAMPLES were taken: the sample count is part of every summary (`n`)."""
    budget = VARIANT_BUDGET_S if budget_s is None else budget_s
    for i in range(warmup):
        fn(-1 - i)
    durations, results = [], []
    spent = 0.0
    for i in range(n):
        t = time.perf_counter()
        r = fn(i)
        durations.append((time.perf_counter() - t) * 1000)
        spent += durations[-1] / 1000
        results.append(r)
        if budget and spent > budget and len(durations) >= MIN_SAMPLES:
            break
    return durations, results


@dataclass
class Target:
    metric: str  # key in figures
    op: str  # "<=" or ">="
    value: float
    unit: str
    text: str  # as written in the issue, e.g. "p95 ≤ 50 ms"

    def holds(self, figure: float) -> bool:
        return figure <= self.value if self.op == "<=" else figure >= self.value


@dataclass
class Result:
    name: str
    title: str
    target: Target | None
    status: str = "not_measured"  # pass | fail | partial | info | not_measured
    reason: str = ""
    figures: dict = field(default_factory=dict)
    variants: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def judge(self, *, complete: bool = True, errors: int = 0) -> Result:
        """Set status from the headline figure against the target."""
        if self.target is None:
            self.status = "info"
            return self
        figure = self.figures.get(self.target.metric)
        if figure is None:
            self.status = "not_measured"
            self.reason = self.reason or "no figure"
            return self
        if errors:
            self.status = "fail"
            self.notes.append(f"{errors} request(s) answered with an error status")
            return self
        ok = self.target.holds(figure)
        self.status = ("pass" if ok else "fail") if complete else ("partial" if ok else "fail")
        return self

    @classmethod
    def missing(cls, name: str, title: str, target: Target | None, reason: str) -> Result:
        return cls(name=name, title=title, target=target, status="not_measured", reason=reason)
