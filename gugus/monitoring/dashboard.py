"""Dashboard data for a region (national, province, kab/kota) and a period: aggregates only.

`dashboard_data(region, period)` is what the page, the API (/api/v1/dashboards/{region}) and the
CSV downloads use; it is cached on the store's state, so its cost does not grow with the records.
"""

from __future__ import annotations

from django.urls import reverse

from . import charts, engine
from .completeness import completeness, early_warnings, last_complete_month, usual_range
from .indicators import compile_indicators, target_for, target_status
from .indices import compute as compute_index
from .models import CompositeIndex, DataElement, Indicator, IndicatorTarget
from .periods import Period, add_months, month_label, month_range
from .query import cached, indicator_values
from .selectors import children_of
from .services import reporting_policy

HEADLINE = [
    "victims_per_100k",
    "child_share",
    "spm_health",
    "services_within_7d",
    "rights_fulfilled",
    "referral_completion",
    "restitution_paid_ratio",
    "reporting_completeness",
]
RANK_COLUMNS = ["victims_per_100k", "child_share", "spm_health", "referral_completion", "reporting_completeness"]
TREND_MONTHS = 24


def display(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "tidak ada data"
    return charts.fmt(value, charts.auto_decimals([value], decimals))


def _single_ref(text: str) -> str:
    """ "elemen=…&rincian=…" when a formula is one data element (drill-through link), else ""."""
    from urllib.parse import urlencode

    from . import formula

    try:
        node = formula.parse(text)
    except formula.FormulaError:
        return ""
    if isinstance(node, formula.Ref) and node.code in engine.element_meta():
        return urlencode({"elemen": node.code, "rincian": node.disagg})
    return ""


def _indicator_row(ind: Indicator, iv, year: int, region_code: str, targets) -> dict:
    target = target_for(ind, year, region_code, targets.get(ind.id, []))
    return {
        "num_drill": _single_ref(ind.numerator),
        "den_drill": _single_ref(ind.denominator),
        "code": ind.code,
        "name": ind.name_id,
        "name_en": ind.name_en,
        "group": ind.group,
        "unit": ind.unit_label,
        "value": iv.value,
        "display": display(iv.value, ind.decimals) if iv.reason != "period" else "—",
        "numerator": iv.numerator,
        "denominator": iv.denominator,
        "reason": iv.reason,
        "target": float(target) if target is not None else None,
        "status": target_status(ind, iv.value, target),
        "direction": ind.direction,
        "decimals": ind.decimals,
    }


def _element_refs(code: str, category: str) -> list[tuple[str, str, str]]:
    el = DataElement.objects.filter(code=code, available=True).first()
    if el is None:
        return []
    for d in el.disaggregations:
        if d["category"] == category:
            return [(code, f"{category}:{opt}", label) for opt, label in d["options"]]
    return []


def _breakdown(region_code: str, period: Period, code: str, category: str, title: str) -> dict | None:
    refs = _element_refs(code, category)
    if not refs:
        return None
    vals = engine.element_values({(c, d) for c, d, _ in refs}, region_code, [period])
    slot = vals.get(period.code, {}).get(None, {})
    items = [{"label": label, "value": slot.get((c, d)) or 0, "disagg": d} for c, d, label in refs]
    items = [i for i in items if i["value"]]
    rows = [[i["label"], i["value"]] for i in items]
    return {
        "key": f"{code}-{category}",
        "title": title,
        "columns": ["Kategori", "Jumlah"],
        "rows": rows,
        "entries": items,
        "element": code,
        "category": category,
        "svg": charts.hbar_chart([(r[0], r[1]) for r in rows], title=title) if rows else "",
    }


def _trend(region_code: str, period: Period) -> dict:
    policy = reporting_policy()
    end = max(last_complete_month(period), period.first_month)
    months = month_range(add_months(end, -(TREND_MONTHS - 1)), end)
    history_from = add_months(months[0], -policy.warning_window)
    all_months = month_range(history_from, end)
    element = policy.warning_element
    refs = {(element, ""), ("cases_identified", ""), ("months_closed", ""), ("months_expected", "")}
    vals = engine.element_values(refs, region_code, [Period.of_month_key(m) for m in all_months])
    series = {m: vals[Period.of_month_key(m).code][None] for m in all_months}
    k = float(policy.warning_sd)
    rows, values, flags, lo, hi = [], [], [], [], []
    for m in months:
        v = series[m].get((element, "")) or 0.0
        hist = [
            series[x].get((element, "")) or 0.0
            for x in month_range(add_months(m, -policy.warning_window), add_months(m, -1))
        ]
        mean, sd, upper = usual_range(hist, k)
        flag = v >= policy.warning_min_count and v > upper
        expected = series[m].get(("months_expected", "")) or 0
        closed = series[m].get(("months_closed", "")) or 0
        rows.append(
            [
                month_label(m, short=True),
                v,
                series[m].get(("cases_identified", "")) or 0,
                round(mean, 2),
                round(upper, 2),
                "ya" if flag else "",
                f"{int(closed)}/{int(expected)}" if expected else "–",
            ]
        )
        values.append(v)
        flags.append(flag)
        lo.append(max(0.0, mean - k * sd))
        hi.append(upper)
    el = DataElement.objects.filter(code=element).first()
    title = f"{el.name_id if el else element} per bulan"
    return {
        "key": "trend",
        "title": title,
        "columns": [
            "Bulan",
            el.name_id if el else element,
            "Kasus teridentifikasi",
            "Rata-rata 12 bulan sebelumnya",
            "Batas atas rentang biasa",
            "Peringatan",
            "Bulan ditutup (kab/kota)",
        ],
        "rows": rows,
        "svg": charts.bar_chart([r[0] for r in rows], values, title=title, flags=flags, band=(lo, hi)),
    }


def _children_table(region, period: Period, compiled, rank_by: str | None) -> dict | None:
    kids = children_of(region)
    if not kids:
        return None
    codes = [c for c in RANK_COLUMNS if c in compiled]
    year = Period.whole_year(period.year)
    vals = indicator_values(codes, region.code, [period], children=[k.code for k in kids], compiled=compiled)
    slot = vals.get(period.code, {})
    perf = {}
    index = CompositeIndex.objects.filter(code="performance").first()
    if index is not None:
        perf = compute_index(index, region.code, [k.code for k in kids], year.year)
    rows = []
    for k in kids:
        row = {
            "code": k.code,
            "name": k.name,
            "short": k.short_name or k.name,
            "victims": (slot.get(k.code, {}).get("__elements__", {}) or {}).get(("victims_identified", "")),
            "values": {c: slot.get(k.code, {}).get(c) for c in codes},
        }
        res = perf.get(k.code)
        row["index"] = res.value if res else None
        row["coverage"] = res.coverage if res else None
        row["rank"] = res.rank if res else None
        rows.append(row)
    if rank_by and rank_by in codes:
        rows.sort(key=lambda r: (r["values"][rank_by].value is None, -(r["values"][rank_by].value or 0)))
    else:
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    names = {c: compiled[c].indicator.name_id for c in codes}
    table_rows = []
    for r in rows:
        table_rows.append(
            [r["name"], r["code"], r["victims"] or 0]
            + [r["values"][c].value if r["values"][c] else None for c in codes]
            + [round(r["index"], 1) if r["index"] is not None else None, r["rank"]]
        )
    return {
        "key": "ranking",
        "title": "Peringkat " + ("provinsi" if region.level == 0 else "kabupaten/kota"),
        "columns": ["Wilayah", "Kode", "Korban teridentifikasi"]
        + [names[c] for c in codes]
        + ["Indeks kinerja", "Peringkat"],
        "rows": table_rows,
        "codes": codes,
        "names": names,
        "lines": rows,
        "year": year.year,
    }


def _map(region, period: Period, compiled, indicator_code: str) -> dict | None:
    if region.level != 0 or indicator_code not in compiled:
        return None
    kids = children_of(region)
    vals = indicator_values([indicator_code], region.code, [period], children=[k.code for k in kids], compiled=compiled)
    slot = vals.get(period.code, {})
    ind = compiled[indicator_code].indicator
    tiles, rows = [], []
    for k in kids:
        iv = slot.get(k.code, {}).get(indicator_code)
        value = iv.value if iv else None
        tiles.append(
            {
                "code": k.code,
                "short": k.short_name or k.name[:6],
                "name": k.name,
                "col": k.tile_col,
                "row": k.tile_row,
                "value": value,
                "url": reverse("monitoring:region", args=[k.code]) + f"?periode={period.code}",
            }
        )
        rows.append([k.name, k.code, value])
    title = f"{ind.name_id} ({ind.unit_label}), {period.label}"
    return {
        "key": "map",
        "title": title,
        "columns": ["Provinsi", "Kode", ind.name_id],
        "rows": rows,
        "indicator": indicator_code,
        "decimals": charts.auto_decimals([r[2] for r in rows], ind.decimals),
        "svg": charts.tile_map(
            tiles, title=title, decimals=ind.decimals, bad=ind.direction == Indicator.Direction.LOWER
        ),
    }


def build(region, period: Period, *, map_indicator: str = "victims_per_100k", rank_by: str | None = None) -> dict:
    compiled = compile_indicators()
    active = [c for c in compiled if compiled[c].indicator.active]
    vals = indicator_values(
        active,
        region.code,
        [period],
        compiled=compiled,
        extra_refs={("victims_identified", ""), ("cases_identified", "")},
    )
    slot = vals.get(period.code, {}).get(None, {})
    elements = slot.get("__elements__", {})
    targets: dict[int, list] = {}
    for t in IndicatorTarget.objects.filter(year=period.year, indicator__code__in=active):
        targets.setdefault(t.indicator_id, []).append(t)
    rows = [
        _indicator_row(compiled[c].indicator, slot[c], period.year, region.code, targets)
        for c in sorted(active, key=lambda c: (compiled[c].indicator.sort, c))
    ]
    by_code = {r["code"]: r for r in rows}
    kpis = [by_code[c] for c in HEADLINE if c in by_code]
    charts_ = {"trend": _trend(region.code, period)}
    for code, cat, title in [
        ("victims_identified", "sex", "Korban menurut jenis kelamin"),
        ("victims_identified", "age", "Korban anak dan dewasa"),
        ("victims_identified", "citizenship", "Korban menurut kewarganegaraan"),
        ("victims_identified", "exploitation", "Korban menurut bentuk eksploitasi"),
        ("services_given", "service_type", "Layanan menurut jenis"),
        ("services_given", "funding", "Layanan menurut sumber dana"),
    ]:
        b = _breakdown(region.code, period, code, cat, title)
        if b is not None:
            charts_[b["key"]] = b
    ranking = _children_table(region, period, compiled, rank_by)
    if ranking:
        charts_["ranking"] = ranking
    m = _map(region, period, compiled, map_indicator)
    if m:
        charts_["map"] = m
    comp = completeness(region, period)
    warnings = early_warnings(region, period)
    gen = engine.active_generation()
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "period": {"code": period.code, "label": period.label, "kind": period.kind},
        "victims_identified": elements.get(("victims_identified", "")),
        "cases_identified": elements.get(("cases_identified", "")),
        "kpis": kpis,
        "indicators": rows,
        "charts": charts_,
        "completeness": comp,
        "warnings": warnings,
        "computed_at": gen.finished_at if gen else None,
        "generation": gen.id if gen else None,
    }


def dashboard_data(
    region, period: Period, *, map_indicator: str = "victims_per_100k", rank_by: str | None = None
) -> dict:
    return cached(
        ("dash", region.code, period.code, map_indicator, rank_by or ""),
        lambda: build(region, period, map_indicator=map_indicator, rank_by=rank_by),
    )


def portrait_data(region, year) -> dict | None:
    """A short block of indicator values for the region portrait (registry)."""
    if engine.active_generation() is None:
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    period = Period.whole_year(year)
    data = dashboard_data(region, period)
    return {
        "year": year,
        "kpis": data["kpis"],
        "victims": data["victims_identified"],
        "url": reverse("monitoring:region", args=[region.code]) + f"?periode={period.code}",
    }
