"""Indicators: checking a definition (at definition time) and computing values (at read time).

value = numerator ÷ denominator × factor, where numerator and denominator are formulas over
data-element codes (optionally `code[category:option]`) and other indicators' codes. A zero or
missing denominator gives no value ("tidak ada data"), never an error or infinity.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from . import formula
from .formula import FormulaError, Ref
from .models import DataElement, Indicator, IndicatorTarget
from .periods import KINDS, Period

MAX_FACTOR = Decimal("1000000")
NO_DATA = "tidak ada data"


@dataclass
class Compiled:
    indicator: Indicator
    numerator: object
    denominator: object
    element_refs: set = field(default_factory=set)  # {(code, disagg)} including nested indicators'
    indicator_refs: set = field(default_factory=set)
    error: str = ""


@dataclass
class IndicatorValue:
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str = ""  # "" | "no_data" | "period" (period finer than the indicator's type)

    @property
    def display_missing(self) -> str:
        return "tidak tersedia untuk periode ini" if self.reason == "period" else NO_DATA


def _parse(text: str, field_name: str, errors: dict) -> object | None:
    try:
        return formula.parse(text)
    except FormulaError as exc:
        errors.setdefault(field_name, []).append(f"Rumus tidak sah: {exc}")
        return None


def check_refs(
    node,
    field_name: str,
    elements: dict[str, DataElement],
    indicator_codes: set[str],
    errors: dict,
    *,
    period_type: str,
) -> set[str]:
    """Unknown codes, unknown disaggregations and per-year elements in sub-year indicators."""
    used_indicators = set()
    for ref in formula.references(node):
        if ref.code in elements:
            el = elements[ref.code]
            if ref.category:
                cats = el.categories()
                if ref.category not in cats:
                    known = ", ".join(sorted(cats)) or "tidak ada"
                    errors.setdefault(field_name, []).append(
                        f"Elemen '{ref.code}' tidak memiliki rincian '{ref.category}' (yang ada: {known})."
                    )
                elif ref.option not in cats[ref.category]:
                    errors.setdefault(field_name, []).append(
                        f"Rincian '{ref.category}' pada elemen '{ref.code}' tidak memiliki opsi '{ref.option}'."
                    )
            if el.grain == "year" and period_type != "year":
                errors.setdefault("period_type", []).append(
                    f"Elemen '{ref.code}' hanya tersedia per tahun; jenis periode indikator harus tahunan."
                )
        elif ref.code in indicator_codes:
            if ref.category:
                errors.setdefault(field_name, []).append(f"Indikator '{ref.code}' tidak dapat dirinci ([…]).")
            used_indicators.add(ref.code)
        else:
            errors.setdefault(field_name, []).append(
                f"Kode '{ref.code}' tidak dikenal: bukan elemen data maupun indikator."
            )
    for pos in formula.zero_divisions(node):
        errors.setdefault(field_name, []).append(f"Pembagian dengan nol (posisi {pos + 1}).")
    return used_indicators


def _graph() -> dict[str, set[str]]:
    graph = {}
    for ind in Indicator.objects.all():
        refs = set()
        for text in (ind.numerator, ind.denominator):
            with contextlib.suppress(FormulaError):
                refs |= {r.code for r in formula.references(formula.parse(text))}
        graph[ind.code] = refs
    return graph


def find_cycle(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start → … → start through indicator references, or None."""
    path: list[str] = []
    seen: set[str] = set()

    def dfs(node: str) -> bool:
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if nxt == start:
                path.append(nxt)
                return True
            if nxt in seen:
                continue
            seen.add(nxt)
            path.append(nxt)
            if dfs(nxt):
                return True
            path.pop()
        return False

    path.append(start)
    return path if dfs(start) else None


def _decimal(value, field_name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field_name, []).append("Harus berupa angka.")
        return None
    if not d.is_finite():
        errors.setdefault(field_name, []).append("Harus berupa angka.")
        return None
    return d


def validate_definition(data: dict, *, current: Indicator | None = None) -> dict:
    """Check an indicator definition; returns the cleaned values or raises ValidationError with
    a field dict of messages in Bahasa Indonesia."""
    import re

    errors: dict[str, list[str]] = {}
    elements = {e.code: e for e in DataElement.objects.all()}
    code = (data.get("code") or (current.code if current else "")).strip()
    if current is None:
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", code):
            errors.setdefault("code", []).append(
                "Kode wajib: huruf kecil, angka dan garis bawah, diawali huruf (2–60 karakter)."
            )
        elif code in elements:
            errors.setdefault("code", []).append("Kode sudah dipakai oleh elemen data.")
        elif Indicator.objects.filter(code=code).exists():
            errors.setdefault("code", []).append("Kode indikator sudah ada.")
    cleaned = {"code": code}
    for f, label, maxlen, required in [
        ("name_id", "Nama", 200, True),
        ("name_en", "Nama (Inggris)", 200, False),
        ("definition", "Definisi", 5000, True),
        ("definition_en", "Definisi (Inggris)", 5000, False),
        ("group", "Kelompok", 40, False),
        ("numerator_label", "Keterangan pembilang", 200, False),
        ("denominator_label", "Keterangan penyebut", 200, False),
        ("unit_label", "Satuan", 40, False),
        ("legal_basis", "Dasar hukum", 200, False),
    ]:
        value = data.get(f, getattr(current, f, "") if current else "")
        value = (value or "").strip()
        if required and not value:
            errors.setdefault(f, []).append(f"{label} wajib diisi.")
        if len(value) > maxlen:
            errors.setdefault(f, []).append(f"{label} paling banyak {maxlen} karakter.")
        cleaned[f] = value
    if not cleaned["name_en"]:
        cleaned["name_en"] = cleaned["name_id"]
    period_type = data.get("period_type", current.period_type if current else "year") or "year"
    if period_type not in KINDS:
        errors.setdefault("period_type", []).append("Jenis periode: month, quarter atau year.")
    cleaned["period_type"] = period_type
    direction = data.get("direction", current.direction if current else "higher") or "higher"
    if direction not in Indicator.Direction.values:
        errors.setdefault("direction", []).append("Arah: higher, lower atau neutral.")
    cleaned["direction"] = direction
    factor = _decimal(data.get("factor", current.factor if current else 1), "factor", errors)
    if factor is not None and not (0 < factor <= MAX_FACTOR):
        errors.setdefault("factor", []).append(
            "Faktor harus lebih dari 0 dan paling besar 1.000.000 (mis. 100 untuk persen, 100000 per 100.000 penduduk)."
        )
    cleaned["factor"] = factor if factor is not None else Decimal("1")
    lo = _decimal(data.get("min_value", current.min_value if current else None), "min_value", errors)
    hi = _decimal(data.get("max_value", current.max_value if current else None), "max_value", errors)
    if lo is not None and hi is not None and lo >= hi:
        errors.setdefault("max_value", []).append("Nilai maksimum harus lebih besar dari nilai minimum.")
    cleaned["min_value"], cleaned["max_value"] = lo, hi
    decimals = data.get("decimals", current.decimals if current else 1)
    try:
        decimals = int(decimals)
        if not 0 <= decimals <= 4:
            raise ValueError
    except (TypeError, ValueError):
        errors.setdefault("decimals", []).append("Desimal 0–4.")
        decimals = 1
    cleaned["decimals"] = decimals
    indicator_codes = set(Indicator.objects.values_list("code", flat=True)) | {code}
    used = set()
    for f in ("numerator", "denominator"):
        text = (data.get(f, getattr(current, f, "") if current else "") or "").strip()
        if f == "denominator" and not text:
            text = "1"
        if f == "numerator" and not text:
            errors.setdefault(f, []).append("Pembilang wajib diisi.")
            cleaned[f] = text
            continue
        cleaned[f] = text
        node = _parse(text, f, errors)
        if node is None:
            continue
        used |= check_refs(node, f, elements, indicator_codes, errors, period_type=period_type)
        if f == "denominator" and not formula.references(node):
            v = formula._const(node)
            if v == 0:
                errors.setdefault(f, []).append("Penyebut selalu nol.")
    if code in used:
        errors.setdefault("numerator", []).append(f"Indikator tidak boleh merujuk dirinya sendiri ('{code}').")
    elif used and "code" not in errors:
        graph = _graph()
        graph[code] = used
        cycle = find_cycle(graph, code)
        if cycle:
            errors.setdefault("numerator", []).append("Rujukan melingkar antar-indikator: " + " → ".join(cycle) + ".")
    # Targets already set must stay in the new range.
    if current is not None and (lo is not None or hi is not None):
        for t in current.targets.exclude(value__isnull=True):
            if (lo is not None and t.value < lo) or (hi is not None and t.value > hi):
                errors.setdefault("min_value", []).append(
                    f"Target tahun {t.year} ({t.value}) berada di luar rentang baru."
                )
                break
    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_target(indicator: Indicator, year, value) -> tuple[int, Decimal | None]:
    errors: dict[str, list[str]] = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = ["Tahun target harus antara 2000 dan 2100."]
        year = 0
    v = _decimal(value, "value", errors)
    if v is not None:
        lo, hi = indicator.min_value, indicator.max_value
        if lo is not None and v < lo or hi is not None and v > hi:
            rng = f"{lo if lo is not None else '-∞'} – {hi if hi is not None else '∞'}"
            errors.setdefault("value", []).append(f"Target di luar rentang indikator ({rng}).")
        if abs(v) >= Decimal("1e14"):
            errors.setdefault("value", []).append("Target terlalu besar.")
    if errors:
        raise ValidationError(errors)
    return year, v


# ---------------------------------------------------------------- computing


def compile_indicators(indicators=None) -> dict[str, Compiled]:
    """Parse every (active) indicator; nested indicator references are expanded into element refs."""
    if indicators is None:
        indicators = list(Indicator.objects.filter(active=True))
    by_code = {i.code: i for i in indicators}
    # Indicators referenced by active ones must be compiled too, even if inactive.
    out: dict[str, Compiled] = {}
    elements = set(DataElement.objects.values_list("code", flat=True))
    pending = list(by_code.values())
    while pending:
        ind = pending.pop()
        if ind.code in out:
            continue
        try:
            num, den = formula.parse(ind.numerator), formula.parse(ind.denominator or "1")
        except FormulaError as exc:
            out[ind.code] = Compiled(ind, None, None, error=str(exc))
            continue
        c = Compiled(ind, num, den)
        for ref in formula.references(num) + formula.references(den):
            if ref.code in elements:
                c.element_refs.add((ref.code, ref.disagg))
            else:
                c.indicator_refs.add(ref.code)
                if ref.code not in by_code:
                    other = Indicator.objects.filter(code=ref.code).first()
                    if other:
                        by_code[other.code] = other
                        pending.append(other)
        out[ind.code] = c

    # Expand nested element refs (cycles are refused at definition time; guard anyway).
    def expand(code, stack):
        c = out.get(code)
        if c is None or code in stack:
            return set()
        refs = set(c.element_refs)
        for sub in c.indicator_refs:
            refs |= expand(sub, stack | {code})
        return refs

    for code, c in out.items():
        c.element_refs = expand(code, frozenset())
    return out


def needed_refs(compiled: dict[str, Compiled], codes) -> set:
    refs = set()
    for code in codes:
        c = compiled.get(code)
        if c is not None:
            refs |= c.element_refs
    return refs


def evaluate(
    compiled: dict[str, Compiled],
    code: str,
    values: dict,
    period: Period | None = None,
    _stack: frozenset = frozenset(),
) -> IndicatorValue:
    """The indicator's value given element values {(code, disagg): float | None}."""
    c = compiled.get(code)
    if c is None or c.error or code in _stack:
        return IndicatorValue(None, None, None, "no_data")
    if period is not None and KINDS.index(period.kind) < KINDS.index(c.indicator.period_type):
        return IndicatorValue(None, None, None, "period")

    def resolve(ref: Ref):
        if ref.code in compiled and (ref.code, ref.disagg) not in values:
            return evaluate(compiled, ref.code, values, None, _stack | {code}).value
        return values.get((ref.code, ref.disagg))

    num = formula.evaluate(c.numerator, resolve)
    den = formula.evaluate(c.denominator, resolve)
    if num is None or den is None or den == 0:
        return IndicatorValue(None, num, den, "no_data")
    return IndicatorValue(num / den * float(c.indicator.factor), num, den)


def target_for(indicator: Indicator, year: int, region_code: str, targets: list[IndicatorTarget] | None = None):
    """The most specific target for a region and year: the region's own, then each ancestor's,
    then the national default (region empty). None when no target is set."""
    if targets is None:
        targets = list(indicator.targets.filter(year=year))
    by_region = {t.region_id: t for t in targets if t.year == year and t.value is not None}
    code = region_code
    while code:
        if code in by_region:
            return by_region[code].value
        if code == "ID":
            break
        code = code.rsplit(".", 1)[0] if "." in code else "ID"
    return by_region[None].value if None in by_region else None


def target_status(indicator: Indicator, value: float | None, target) -> str:
    """ "met" | "not_met" | "" (no target, no value or neutral direction)."""
    if value is None or target is None or indicator.direction == Indicator.Direction.NEUTRAL:
        return ""
    t = float(target)
    if indicator.direction == Indicator.Direction.HIGHER:
        return "met" if value >= t else "not_met"
    return "met" if value <= t else "not_met"
