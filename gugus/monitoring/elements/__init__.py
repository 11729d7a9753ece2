"""Data elements: what they are and how each is extracted from the records.

Each source (cases, reference, accounts, care, referrals, registry, monitoring) lives in its own
module with:

    SOURCE = "cases"
    def specs() -> list[ElementSpec]          # raises SourceUnavailable if its models are missing
    def extract(flt: Filter) -> Iterable[Row] # set-based SQL GROUP BY; rows may over-cover `flt`
    def records(spec, disagg, region_code, period) -> QuerySet[Case] | None   # drill-through
    REGION_WIDE_KINDS / CELL_KINDS            # which `record_changed` kinds touch this source

so that a missing or changed model in one app breaks only that module's elements (it is marked
unavailable and its failure is logged), never the engine.

Rows are (element, raw_region_code, period_key, disagg, value): the engine maps the region to
the analytics region (kab/kota, or the record's own level when coarser) and sums duplicates.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

SOURCE_MODULES = ["cases", "reference", "accounts", "care", "referrals", "registry", "closings"]


class SourceUnavailable(Exception):
    """The models this source reads are not (yet) there."""


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    options: tuple[tuple[str, str], ...]
    multi: bool = False  # a record may fall in several options (sums exceed the total)

    def as_json(self) -> dict:
        return {
            "category": self.key,
            "label": self.label,
            "options": [list(o) for o in self.options],
            "multi": self.multi,
        }


@dataclass(frozen=True)
class ElementSpec:
    code: str
    name_id: str
    name_en: str
    description: str
    source: str
    unit: str = "count"
    time_aggregation: str = "sum"  # "sum" (flow) | "cumulative" (stock: sum of changes up to period end)
    grain: str = "month"  # "month" | "year" (key yyyy00) | "none" (key 0)
    region_basis: str = ""
    categories: tuple[Category, ...] = ()
    distinct_persons: bool = False
    sort: int = 0


@dataclass(frozen=True)
class Filter:
    """What to compute: everything (region None), one analytics region (month 0 = every month),
    or one analytics region × month."""

    region: str | None = None
    month: int = 0
    persons_only: bool = False  # cases source: only the person counts (a related cell's refresh)

    @property
    def everything(self) -> bool:
        return self.region is None


Row = tuple[str, str, int, str, float]


@dataclass
class Source:
    name: str
    module: object | None
    specs: list[ElementSpec] = field(default_factory=list)
    error: str = ""

    @property
    def available(self) -> bool:
        return self.module is not None and not self.error

    def extract(self, flt: Filter) -> Iterable[Row]:
        return self.module.extract(flt)

    def region_wide_kinds(self) -> set[str]:
        return set(getattr(self.module, "REGION_WIDE_KINDS", ()))

    def cell_kinds(self) -> set[str]:
        return set(getattr(self.module, "CELL_KINDS", ()))


def load_sources() -> list[Source]:
    """Every source module, with its specs; an unavailable source carries its error."""
    out = []
    for name in SOURCE_MODULES:
        try:
            module = importlib.import_module(f"gugus.monitoring.elements.{name}")
        except Exception as exc:  # noqa: BLE001 - one broken source must not break the others
            log.warning("monitoring source %s cannot be imported: %s", name, type(exc).__name__)
            out.append(Source(name, None, error=f"{type(exc).__name__}: {exc}"[:300]))
            continue
        try:
            specs = list(module.specs())
        except SourceUnavailable as exc:
            out.append(Source(name, module, error=str(exc)[:300]))
            continue
        except Exception as exc:  # noqa: BLE001
            log.warning("monitoring source %s has no specs: %s", name, type(exc).__name__)
            out.append(Source(name, module, error=f"{type(exc).__name__}: {exc}"[:300]))
            continue
        out.append(Source(name, module, specs))
    return out


def all_specs(sources: list[Source] | None = None) -> dict[str, ElementSpec]:
    return {s.code: s for src in (sources or load_sources()) for s in src.specs}


def marginals(key_total: tuple, dims: dict[str, object], value: float, acc: dict, element: str) -> None:
    """Add `value` to the total row and to one row per disaggregation option in `dims`."""
    region, period = key_total
    k = (element, region, period, "")
    acc[k] = acc.get(k, 0.0) + value
    for cat, opt in dims.items():
        if opt is None or opt == "":
            continue
        k = (element, region, period, f"{cat}:{opt}")
        acc[k] = acc.get(k, 0.0) + value


def code_suffix(code_key: str | None, default: str = "unknown") -> str:
    """'sex.female' → 'female'."""
    if not code_key:
        return default
    return code_key.split(".", 1)[1] if "." in code_key else code_key
