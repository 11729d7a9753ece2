"""API of gugus.monitoring (aggregates only): indicators and their values, data elements,
dashboards, reporting completeness, month closings. Thin: parse → service/selector → schema.
Regions outside the caller's scope answer 404; missing permissions answer 403."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from gugus.accounts.scope import scope_for

from . import selectors as sel
from . import services
from .completeness import completeness
from .dashboard import dashboard_data
from .indicators import compile_indicators, target_for, target_status
from .models import DataElement, Indicator
from .periods import Period, PeriodError, parse_period
from .query import indicator_values

router = Router(tags=["monitoring"])
MAX_LIMIT = 200


def _need(request, perm: str) -> None:
    if not scope_for(request.auth).has(perm):
        raise HttpError(403, "Anda tidak berwenang untuk tindakan ini.")


def _region(request, code: str | None):
    return sel.region_get_for_user(request.auth, code or sel.default_region_code(request.auth))


def _period(raw: str | None) -> Period:
    if not raw:
        return Period.whole_year(dt.date.today().year)
    try:
        return parse_period(raw)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)})


def _page(items: list, limit: int, offset: int) -> dict:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {"count": len(items), "limit": limit, "offset": offset, "items": items[offset : offset + limit]}


# ---------------------------------------------------------------- schemas


class TargetOut(Schema):
    year: int
    region: str | None
    value: float | None


class IndicatorOut(Schema):
    code: str
    name_id: str
    name_en: str
    definition: str
    group: str
    numerator: str
    denominator: str
    factor: float
    unit: str
    period_type: str
    direction: str
    min_value: float | None
    max_value: float | None
    origin: str
    active: bool
    version: int
    targets: list[TargetOut]

    @staticmethod
    def of(i: Indicator) -> dict:
        return {
            "code": i.code,
            "name_id": i.name_id,
            "name_en": i.name_en,
            "definition": i.definition,
            "group": i.group,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "factor": float(i.factor),
            "unit": i.unit_label,
            "period_type": i.period_type,
            "direction": i.direction,
            "min_value": float(i.min_value) if i.min_value is not None else None,
            "max_value": float(i.max_value) if i.max_value is not None else None,
            "origin": i.origin,
            "active": i.active,
            "version": i.version,
            "targets": [
                {"year": t.year, "region": t.region_id, "value": float(t.value) if t.value is not None else None}
                for t in i.targets.all()
            ],
        }


class IndicatorPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[IndicatorOut]


class IndicatorIn(Schema):
    code: str
    name_id: str
    name_en: str = ""
    definition: str
    group: str = ""
    numerator: str
    numerator_label: str = ""
    denominator: str = "1"
    denominator_label: str = ""
    factor: float = 1
    unit_label: str = ""
    period_type: str = "year"
    direction: str = "higher"
    min_value: float | None = None
    max_value: float | None = None
    decimals: int = 1
    legal_basis: str = ""


class TargetIn(Schema):
    year: int
    value: float | None = None
    region: str | None = None
    note: str = ""


class ValueOut(Schema):
    region: str
    region_name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    display: str


class ValuesOut(Schema):
    indicator: str
    period: str
    period_label: str
    region: str
    region_name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    display: str
    unit: str
    target: float | None
    status: str
    children: list[ValueOut]


class ElementOut(Schema):
    code: str
    name_id: str
    name_en: str
    description: str
    source: str
    unit: str
    time_aggregation: str
    grain: str
    region_basis: str
    distinct_persons: bool
    available: bool
    disaggregations: list[dict]


class ElementPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ElementOut]


class RatesOut(Schema):
    region: str
    region_name: str
    expected: int
    closed: int
    on_time: int
    completeness: float | None
    timeliness: float | None


class MissingOut(Schema):
    code: str
    name: str
    count: int
    never: bool
    months: list[str]


class CompletenessOut(Schema):
    region: str
    period: str
    total: RatesOut
    by_child: list[RatesOut]
    not_reporting: list[MissingOut]


class ClosingOut(Schema):
    id: int
    region: str
    region_name: str
    month: str
    closed_at: dt.datetime
    due_date: dt.date
    on_time: bool
    no_new_cases: bool
    cases_count: int
    reopened: bool
    version: int

    @staticmethod
    def of(c) -> dict:
        return {
            "id": c.pk,
            "region": c.region_id,
            "region_name": c.region.name,
            "month": Period.of_month_key(c.month).code,
            "closed_at": c.closed_at,
            "due_date": c.due_date,
            "on_time": c.on_time,
            "no_new_cases": c.no_new_cases,
            "cases_count": c.cases_count,
            "reopened": c.reopened_at is not None,
            "version": c.version,
        }


class ClosingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ClosingOut]


class ClosingIn(Schema):
    region: str
    month: str
    note: str = ""
    no_new_cases: bool | None = None


# ---------------------------------------------------------------- indicators


@router.get("/indicators", response=IndicatorPage)
def indicators_list(request, limit: int = 50, offset: int = 0, group: str | None = None, active: bool | None = None):
    _need(request, "monitoring.view")
    qs = Indicator.objects.prefetch_related("targets").order_by("sort", "code")
    if group:
        qs = qs.filter(group=group)
    if active is not None:
        qs = qs.filter(active=active)
    items = [IndicatorOut.of(i) for i in qs]
    return _page(items, limit, offset)


@router.post("/indicators", response={201: IndicatorOut})
def indicators_create(request, payload: IndicatorIn):
    _need(request, "indicator.edit")
    try:
        ind = services.indicator_create(actor=request.auth, data=payload.dict())
    except PermissionDenied as exc:
        raise HttpError(403, str(exc))
    return Status(201, IndicatorOut.of(ind))


def _indicator(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=code).prefetch_related("targets").first()
    if ind is None:
        from django.http import Http404

        raise Http404
    return ind


@router.get("/indicators/{code}", response=IndicatorOut)
def indicators_get(request, code: str):
    _need(request, "monitoring.view")
    return IndicatorOut.of(_indicator(code))


@router.put("/indicators/{code}/targets", response=IndicatorOut)
def indicators_target(request, code: str, payload: TargetIn):
    _need(request, "indicator.edit")
    ind = _indicator(code)
    services.indicator_target_set(
        actor=request.auth,
        indicator=ind,
        year=payload.year,
        value=payload.value,
        region_code=payload.region,
        note=payload.note,
    )
    return IndicatorOut.of(_indicator(code))


@router.get("/indicators/{code}/values", response=ValuesOut)
def indicators_values(request, code: str, region: str | None = None, period: str | None = None, children: bool = False):
    """The indicator for a region (default: the caller's widest) and a period (2026, 2026Q3,
    2026-10), optionally with one row per province or kab/kota below it."""
    _need(request, "monitoring.view")
    ind = _indicator(code)
    reg = _region(request, region)
    per = _period(period)
    compiled = compile_indicators()
    if ind.code not in compiled:
        compiled = compile_indicators([ind])
    vals = indicator_values([ind.code], reg.code, [per], compiled=compiled)
    iv = vals.get(per.code, {}).get(None, {}).get(ind.code)
    from .dashboard import display

    target = target_for(ind, per.year, reg.code)
    kids_out = []
    if children:
        kids = sel.children_of(reg)
        if kids:
            kv = indicator_values([ind.code], reg.code, [per], children=[k.code for k in kids], compiled=compiled)
            for k in kids:
                x = kv.get(per.code, {}).get(k.code, {}).get(ind.code)
                kids_out.append(
                    {
                        "region": k.code,
                        "region_name": k.name,
                        "value": x.value if x else None,
                        "numerator": x.numerator if x else None,
                        "denominator": x.denominator if x else None,
                        "display": display(x.value if x else None, ind.decimals),
                    }
                )
    return {
        "indicator": ind.code,
        "period": per.code,
        "period_label": per.label,
        "region": reg.code,
        "region_name": reg.name,
        "value": iv.value if iv else None,
        "numerator": iv.numerator if iv else None,
        "denominator": iv.denominator if iv else None,
        "display": display(iv.value if iv else None, ind.decimals)
        if not iv or iv.reason != "period"
        else iv.display_missing,
        "unit": ind.unit_label,
        "target": float(target) if target is not None else None,
        "status": target_status(ind, iv.value if iv else None, target),
        "children": kids_out,
    }


@router.get("/data-elements", response=ElementPage)
def data_elements(request, limit: int = 100, offset: int = 0):
    _need(request, "monitoring.view")
    items = [
        {
            "code": e.code,
            "name_id": e.name_id,
            "name_en": e.name_en,
            "description": e.description,
            "source": e.source,
            "unit": e.unit,
            "time_aggregation": e.time_aggregation,
            "grain": e.grain,
            "region_basis": e.region_basis,
            "distinct_persons": e.distinct_persons,
            "available": e.available,
            "disaggregations": e.disaggregations,
        }
        for e in DataElement.objects.order_by("sort", "code")
    ]
    return _page(items, limit, offset)


# ---------------------------------------------------------------- dashboards and completeness


@router.get("/dashboards/{region}")
def dashboards_get(request, region: str, period: str | None = None):
    """The dashboard of a region as data (aggregates only): headline indicators, every indicator,
    chart data (trend, breakdowns, map, ranking), completeness and early warnings."""
    _need(request, "monitoring.view")
    reg = _region(request, region)
    per = _period(period)
    data = dashboard_data(reg, per)
    comp = data["completeness"]
    charts = {k: {"title": c["title"], "columns": c["columns"], "rows": c["rows"]} for k, c in data["charts"].items()}
    return {
        "region": data["region"],
        "period": data["period"],
        "victims_identified": data["victims_identified"],
        "cases_identified": data["cases_identified"],
        "kpis": data["kpis"],
        "indicators": data["indicators"],
        "charts": charts,
        "completeness": {
            "expected": comp.total.expected,
            "closed": comp.total.closed,
            "on_time": comp.total.on_time,
            "completeness": comp.total.completeness,
            "timeliness": comp.total.timeliness,
            "not_reporting": len(comp.missing),
        },
        "early_warnings": [
            {
                "region": w.region,
                "name": w.name,
                "month": w.month_label,
                "value": w.value,
                "mean": w.mean,
                "threshold": w.threshold,
            }
            for w in data["warnings"]
        ],
        "generation": data["generation"],
    }


def _rates(region, rates) -> dict:
    return {
        "region": region.code,
        "region_name": region.name,
        "expected": rates.expected,
        "closed": rates.closed,
        "on_time": rates.on_time,
        "completeness": rates.completeness,
        "timeliness": rates.timeliness,
    }


@router.get("/completeness", response=CompletenessOut)
def completeness_get(request, region: str | None = None, period: str | None = None):
    _need(request, "monitoring.view")
    reg = _region(request, region)
    per = _period(period)
    comp = completeness(reg, per)
    return {
        "region": reg.code,
        "period": per.code,
        "total": _rates(reg, comp.total),
        "by_child": [_rates(r, rt) for r, rt in comp.by_child],
        "not_reporting": [{k: m[k] for k in ("code", "name", "count", "never", "months")} for m in comp.missing],
    }


@router.get("/closings", response=ClosingPage)
def closings_list(request, region: str | None = None, period: str | None = None, limit: int = 50, offset: int = 0):
    _need(request, "monitoring.view")
    qs = sel.closings_visible_to(request.auth).order_by("-month", "region_id")
    if region:
        reg = _region(request, region)
        from gugus.reference.models import subtree_q

        qs = qs.filter(subtree_q("region_id", reg.code))
    if period:
        per = _period(period)
        qs = qs.filter(month__gte=per.first_month, month__lte=per.last_month)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [ClosingOut.of(c) for c in qs[offset : offset + limit]],
    }


@router.post("/closings", response={201: ClosingOut})
def closings_create(request, payload: ClosingIn):
    """Close a month for a kab/kota: its data is confirmed (including "no new cases")."""
    _need(request, "monitoring.close")
    try:
        closing = services.closing_close(
            actor=request.auth,
            region_code=payload.region,
            month=payload.month,
            note=payload.note,
            no_new_cases=payload.no_new_cases,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc))
    return Status(201, ClosingOut.of(closing))
