"""Monitoring pages: dashboards (national → province → kab/kota), indicators (catalogue, add and
edit without code, targets), data elements, completeness and month closing, scorecard and
vulnerability index, drill-through to the records, context data, settings.
Thin: parse → selector/service → render. Aggregates only, except the drill-through."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.core.errors import Conflict

from . import selectors as sel
from . import services
from .completeness import completeness
from .dashboard import dashboard_data, display
from .forms import ClosingForm, ContextImportForm, IndicatorForm, PolicyForm, ReopenForm, TargetForm
from .indicators import compile_indicators, target_for, target_status
from .indices import compute as compute_index
from .models import CompositeIndex, ContextSeries, ContextValue, DataElement, Indicator
from .periods import Period, PeriodError, add_months, month_key, parse_period
from .query import indicator_values


def _require(user, perm: str) -> None:
    if not scope_for(user).has(perm):
        raise PermissionDenied("Anda tidak berwenang membuka halaman ini.")


def _period(request, default_kind: str = "year") -> Period:
    raw = request.GET.get("periode")
    if raw:
        try:
            return parse_period(raw)
        except PeriodError:
            messages.error(request, "Periode tidak dikenal; ditampilkan tahun berjalan.")
    today = timezone.localdate()
    if default_kind == "month":
        return Period.of_month_key(add_months(month_key(today), -1))
    return Period.whole_year(today.year)


def _errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


def _apply_errors(form, exc: ValidationError) -> None:
    for field, msgs in _errors(exc).items():
        form.add_error(field if field in form.fields else None, msgs)


def _period_choices(period: Period) -> list[tuple[str, str]]:
    today = timezone.localdate()
    out = []
    for y in range(today.year, today.year - 6, -1):
        out.append((str(y), f"Tahun {y}"))
    cur = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    for p in cur.previous(8)[::-1]:
        out.append((p.code, p.label))
    cur_m = Period.of_month_key(month_key(today))
    for p in cur_m.previous(18)[::-1]:
        out.append((p.code, p.label))
    if period.code not in {c for c, _ in out}:
        out.insert(0, (period.code, period.label))
    return out


def _breadcrumbs(region) -> list:
    from gugus.reference.models import Region

    codes = [c for c in region.ancestors_codes() if c != region.code]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


@login_required
def home(request):
    _require(request.user, "monitoring.view")
    code = sel.default_region_code(request.user)
    if code is None:
        raise Http404
    return redirect("monitoring:region", code=code)


@login_required
def region_dashboard(request, code):
    _require(request.user, "monitoring.view")
    region = sel.region_get_for_user(request.user, code)
    period = _period(request)
    map_indicator = request.GET.get("peta", "victims_per_100k")
    rank_by = request.GET.get("urutkan") or None
    data = dashboard_data(region, period, map_indicator=map_indicator, rank_by=rank_by)
    crumbs = [r for r in _breadcrumbs(region) if sel.can_view_region(request.user, r.code)]
    map_choices = list(Indicator.objects.filter(active=True).values_list("code", "name_id"))
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "region": region,
            "period": period,
            "data": data,
            "crumbs": crumbs,
            "periods": _period_choices(period),
            "can_drill": sel.can_drill(request.user),
            "map_choices": map_choices,
            "map_indicator": map_indicator,
            "rank_by": rank_by or "",
            "can_close": scope_for(request.user).has("monitoring.close"),
        },
    )


@login_required
def chart_csv(request, code, key):
    """The data of one chart as CSV (the same numbers as the table beside it)."""
    _require(request.user, "monitoring.view")
    region = sel.region_get_for_user(request.user, code)
    period = _period(request)
    data = dashboard_data(
        region,
        period,
        map_indicator=request.GET.get("peta", "victims_per_100k"),
        rank_by=request.GET.get("urutkan") or None,
    )
    if key == "indicators":
        columns = ["kode", "indikator", "nilai", "satuan", "pembilang", "penyebut", "target", "status"]
        rows = [
            [r["code"], r["name"], r["value"], r["unit"], r["numerator"], r["denominator"], r["target"], r["status"]]
            for r in data["indicators"]
        ]
    elif key == "completeness":
        comp = data["completeness"]
        columns = ["wilayah", "kode", "diharapkan", "ditutup", "tepat_waktu", "kelengkapan_persen", "ketepatan_persen"]
        rows = [
            [r.name, r.code, rt.expected, rt.closed, rt.on_time, rt.completeness, rt.timeliness]
            for r, rt in comp.by_child
        ]
    elif key in data["charts"]:
        chart = data["charts"][key]
        columns, rows = chart["columns"], chart["rows"]
    else:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gugus-{region.code}-{period.code}-{key}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return response


# ---------------------------------------------------------------- indicators


@login_required
def indicator_list(request):
    _require(request.user, "monitoring.view")
    indicators = Indicator.objects.order_by("sort", "code")
    return render(
        request,
        "monitoring/indicators.html",
        {
            "indicators": indicators,
            "can_edit": scope_for(request.user).has("indicator.edit"),
        },
    )


def _indicator(code) -> Indicator:
    ind = Indicator.objects.filter(code=code).first()
    if ind is None:
        raise Http404
    return ind


@login_required
def indicator_detail(request, code):
    _require(request.user, "monitoring.view")
    ind = _indicator(code)
    region_code = request.GET.get("wilayah") or sel.default_region_code(request.user)
    region = sel.region_get_for_user(request.user, region_code)
    compiled = compile_indicators()
    today = timezone.localdate()
    years = [Period.whole_year(y) for y in range(today.year - 4, today.year + 1)]
    values, children_rows = [], []
    targets = list(ind.targets.select_related("region").order_by("-year", "region_id"))
    if ind.code in compiled:
        vals = indicator_values([ind.code], region.code, years, compiled=compiled)
        for p in years:
            iv = vals.get(p.code, {}).get(None, {}).get(ind.code)
            t = target_for(ind, p.year, region.code, targets)
            values.append(
                {
                    "period": p,
                    "iv": iv,
                    "display": display(iv.value, ind.decimals) if iv else "—",
                    "target": t,
                    "status": target_status(ind, iv.value if iv else None, t),
                }
            )
        kids = sel.children_of(region)
        if kids:
            period = years[-1]
            kv = indicator_values([ind.code], region.code, [period], children=[k.code for k in kids], compiled=compiled)
            for k in kids:
                iv = kv.get(period.code, {}).get(k.code, {}).get(ind.code)
                children_rows.append(
                    {"region": k, "iv": iv, "display": display(iv.value if iv else None, ind.decimals)}
                )
            children_rows.sort(
                key=lambda r: (
                    r["iv"] is None or r["iv"].value is None,
                    -(r["iv"].value or 0) if r["iv"] and r["iv"].value is not None else 0,
                )
            )
    error = compiled[ind.code].error if ind.code in compiled else ""
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "ind": ind,
            "region": region,
            "values": values,
            "children_rows": children_rows,
            "targets": targets,
            "can_edit": scope_for(request.user).has("indicator.edit"),
            "target_form": TargetForm(),
            "error": error,
            "elements": DataElement.objects.filter(available=True),
        },
    )


@login_required
def indicator_create(request):
    _require(request.user, "indicator.edit")
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ind = services.indicator_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Indikator {ind.code} ditambahkan.")
            return redirect("monitoring:indicator", code=ind.code)
    return render(
        request,
        "monitoring/indicator_form.html",
        {
            "form": form,
            "elements": DataElement.objects.order_by("sort", "code"),
            "creating": True,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def indicator_edit(request, code):
    _require(request.user, "indicator.edit")
    ind = _indicator(code)
    initial = {f: getattr(ind, f) for f in services.EDITABLE} | {"active": ind.active}
    form = IndicatorForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version") or ind.version)
            services.indicator_update(
                actor=request.user, indicator=ind, data=form.cleaned_data, expected_version=version
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Indikator disimpan.")
            return redirect("monitoring:indicator", code=ind.code)
    return render(
        request,
        "monitoring/indicator_form.html",
        {
            "form": form,
            "ind": ind,
            "elements": DataElement.objects.order_by("sort", "code"),
            "creating": False,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def indicator_target(request, code):
    _require(request.user, "indicator.edit")
    ind = _indicator(code)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_target_set(
                actor=request.user,
                indicator=ind,
                year=form.cleaned_data["year"],
                value=form.cleaned_data["value"],
                region_code=form.cleaned_data["region"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for msgs in _errors(exc).values():
                for m in msgs:
                    messages.error(request, m)
        else:
            messages.success(request, "Target disimpan.")
    else:
        for msgs in form.errors.values():
            for m in msgs:
                messages.error(request, m)
    return redirect("monitoring:indicator", code=ind.code)


@login_required
def element_list(request):
    _require(request.user, "monitoring.view")
    return render(request, "monitoring/elements.html", {"elements": DataElement.objects.order_by("sort", "code")})


# ---------------------------------------------------------------- completeness and closing


@login_required
def completeness_page(request):
    _require(request.user, "monitoring.view")
    region = sel.region_get_for_user(request.user, request.GET.get("wilayah") or sel.default_region_code(request.user))
    period = _period(request)
    comp = completeness(region, period)
    from gugus.reference.models import Region, subtree_q

    closings = (
        sel.closings_visible_to(request.user)
        .filter(subtree_q("region_id", region.code))
        .filter(month__in=comp.months or [0])
        .order_by("-month", "region_id")[:300]
    )
    can_close = scope_for(request.user).has("monitoring.close")
    closable = []
    if can_close:
        closable = [
            r
            for r in Region.objects.filter(subtree_q("code", region.code), level=2).order_by("code")
            if scope_for(request.user).covers_region("monitoring.close", r.code)
        ][:600]
    default_month = Period.of_month_key(add_months(month_key(timezone.localdate()), -1)).code
    return render(
        request,
        "monitoring/completeness.html",
        {
            "region": region,
            "period": period,
            "comp": comp,
            "closings": closings,
            "can_close": can_close,
            "closable": closable,
            "form": ClosingForm(initial={"month": default_month}),
            "periods": _period_choices(period),
            "policy": services.reporting_policy(),
        },
    )


@login_required
@require_POST
def close_month(request):
    form = ClosingForm(request.POST)
    back = reverse("monitoring:completeness") + f"?wilayah={request.POST.get('region', '')}"
    if not form.is_valid():
        for msgs in form.errors.values():
            for m in msgs:
                messages.error(request, m)
        return redirect(back)
    try:
        closing = services.closing_close(
            actor=request.user,
            region_code=form.cleaned_data["region"],
            month=form.cleaned_data["month"],
            note=form.cleaned_data["note"],
            no_new_cases=form.cleaned_data["no_new_cases"],
        )
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{Period.of_month_key(closing.month).label} ditutup"
            f"{' (nihil)' if closing.no_new_cases else ''}"
            f"{'' if closing.on_time else ' — terlambat'}.",
        )
    return redirect(back)


@login_required
@require_POST
def reopen_month(request, pk):
    closing = sel.closing_get_for_user(request.user, pk)
    form = ReopenForm(request.POST)
    back = reverse("monitoring:completeness") + f"?wilayah={closing.region_id}"
    if not form.is_valid():
        messages.error(request, "Sebutkan alasan membuka kembali.")
        return redirect(back)
    try:
        services.closing_reopen(
            actor=request.user,
            closing=closing,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version") or closing.version,
        )
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Bulan dibuka kembali; tutup lagi setelah data diperbaiki.")
    return redirect(back)


# ---------------------------------------------------------------- scorecard and vulnerability


@login_required
def scorecard(request):
    _require(request.user, "monitoring.view")
    region = sel.region_get_for_user(request.user, request.GET.get("wilayah") or sel.default_region_code(request.user))
    year = _year(request)
    index = CompositeIndex.objects.filter(code="performance").first()
    if index is None:
        raise Http404
    from .query import cached

    kids = sel.children_of(region)
    codes = [k.code for k in kids]
    # Cached on the store's state like the dashboards: a refresh or a weight change moves the key.
    results = (
        cached(("score", region.code, year), lambda: compute_index(index, region.code, codes, year)) if kids else {}
    )
    rows = sorted(
        ((k, results.get(k.code)) for k in kids),
        key=lambda x: (x[1] is None or x[1].rank is None, x[1].rank if x[1] and x[1].rank else 0, x[0].code),
    )
    return render(
        request,
        "monitoring/scorecard.html",
        {
            "region": region,
            "year": year,
            "index": index,
            "rows": rows,
            "components": index.components.select_related("indicator", "context_series").order_by("sort"),
            "years": _years(),
        },
    )


@login_required
def vulnerability(request):
    _require(request.user, "monitoring.view")
    region = sel.region_get_for_user(request.user, request.GET.get("wilayah") or sel.default_region_code(request.user))
    year = _year(request)
    index = CompositeIndex.objects.filter(code="vulnerability").first()
    if index is None:
        raise Http404
    from gugus.reference.models import Region, subtree_q

    from .query import cached

    # Compared with every kab/kota of the nation (min–max over all), shown for the user's region.
    def ranked_rows():
        all_kabkota = list(Region.objects.filter(level=2).order_by("code").values_list("code", flat=True))
        results = cached(("vuln", year), lambda: compute_index(index, "ID", all_kabkota, year, group="region"))
        mine = {
            r.code: r for r in Region.objects.filter(subtree_q("code", region.code), level=2).select_related("parent")
        }
        return sorted(
            ((mine[c], results.get(c)) for c in mine),
            key=lambda x: (x[1] is None or x[1].value is None, -(x[1].value or 0) if x[1] else 0, x[0].code),
        )

    if request.GET.get("format") == "csv":
        rows = ranked_rows()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="gugus-kerentanan-{region.code}-{year}.csv"'
        response.write("\ufeff")
        w = csv.writer(response)
        comps = list(index.components.order_by("sort"))
        w.writerow(["kode", "kabupaten_kota", "indeks", "cakupan"] + [c.key for c in comps])
        for r, res in rows:
            w.writerow(
                [
                    r.code,
                    r.name,
                    "" if not res or res.value is None else round(res.value, 2),
                    "" if not res else round(res.coverage, 2),
                ]
                + ["" if not res else ("" if cv.value is None else round(cv.value, 4)) for cv in res.components]
            )
        return response
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    # The ranked table (every kab/kota of the user's region) is the costly part of the page to
    # render; it depends only on the region, the year and the store's state: cached with them.
    table = cached(
        ("vuln-table", region.code, year),
        lambda: render_to_string("monitoring/_vulnerability_table.html", {"rows": ranked_rows()[:600]}),
    )
    return render(
        request,
        "monitoring/vulnerability.html",
        {
            "region": region,
            "year": year,
            "index": index,
            "table": mark_safe(table),  # noqa: S308 - our own template's autoescaped output
            "components": index.components.select_related("indicator", "context_series").order_by("sort"),
            "years": _years(),
        },
    )


def _year(request) -> int:
    try:
        y = int(request.GET.get("tahun") or timezone.localdate().year)
        if not 2000 <= y <= 2100:
            raise ValueError
        return y
    except ValueError:
        return timezone.localdate().year


def _years() -> list[int]:
    y = timezone.localdate().year
    return list(range(y, y - 6, -1))


# ---------------------------------------------------------------- drill-through


class CappedPaginator(Paginator):
    """Counts at most CAP rows: a national figure stands for ~100,000 cases, and an exact COUNT of
    them costs seconds while nobody pages that far (narrow the region or the period instead)."""

    CAP = 1_000
    capped = False

    @cached_property
    def count(self) -> int:
        n = self.object_list.order_by()[: self.CAP + 1].count()
        self.capped = n > self.CAP
        return min(n, self.CAP)


@login_required
def drill(request):
    """The records behind a figure, for a user allowed to see them (victim.view, scoped)."""
    _require(request.user, "monitoring.view")
    if not sel.can_drill(request.user):
        raise Http404
    code = request.GET.get("elemen", "")
    el = DataElement.objects.filter(code=code, available=True).first()
    if el is None:
        raise Http404
    region = sel.region_get_for_user(request.user, request.GET.get("wilayah"))
    try:
        period = parse_period(request.GET.get("periode"))
    except PeriodError:
        raise Http404
    disagg = request.GET.get("rincian", "")
    if disagg and disagg.split(":", 1)[0] not in el.categories():
        raise Http404
    qs = sel.drill_cases(request.user, el, disagg, region.code, period)
    page = None
    if qs is not None:
        page = CappedPaginator(
            qs.select_related("region").order_by("-identification_date", "case_number"), 50
        ).get_page(request.GET.get("hal"))
        record(
            "monitoring_drill",
            actor=request.user,
            object_type="data_element",
            object_id=el.code,
            region_code=region.code,
            detail={"period": period.code, "disagg": disagg, "rows": page.paginator.count},
        )
    from .engine import element_values

    figure = (
        element_values({(el.code, disagg)}, region.code, [period])
        .get(period.code, {})
        .get(None, {})
        .get((el.code, disagg))
    )
    return render(
        request,
        "monitoring/drill.html",
        {
            "element": el,
            "region": region,
            "period": period,
            "disagg": disagg,
            "page": page,
            "figure": figure,
        },
    )


# ---------------------------------------------------------------- context data and settings


@login_required
def context_page(request):
    _require(request.user, "monitoring.view")
    can_edit = scope_for(request.user).has("indicator.edit")
    form = ContextImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _require(request.user, "indicator.edit")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 5 * 1024 * 1024:
                form.add_error("file", "Berkas terlalu besar (maksimal 5 MB).")
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    form.add_error("file", "Berkas harus CSV dengan pengodean UTF-8.")
                else:
                    try:
                        res = services.context_import(
                            actor=request.user,
                            series_code=form.cleaned_data["series"],
                            text=text,
                            source_note=form.cleaned_data["source_note"],
                        )
                    except ValidationError as exc:
                        _apply_errors(form, exc)
                    else:
                        messages.success(request, f"{res['rows']} nilai diimpor.")
                        return redirect("monitoring:context")
    series = []
    regions = sel.monitoring_regions(request.user)
    for s in ContextSeries.objects.order_by("code"):
        qs = ContextValue.objects.filter(series=s).filter(sel.visible_region_q(request.user, "region_id"))
        series.append({"series": s, "count": qs.count(), "years": sorted(set(qs.values_list("year", flat=True)))})
    return render(
        request,
        "monitoring/context.html",
        {"series": series, "form": form, "can_edit": can_edit, "regions": regions},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def settings_page(request):
    _require(request.user, "indicator.edit")
    policy = services.reporting_policy()
    form = PolicyForm(
        request.POST or None,
        initial={
            "closing_due_day": policy.closing_due_day,
            "closing_start": policy.closing_start,
            "warning_element": policy.warning_element,
            "warning_window": policy.warning_window,
            "warning_sd": policy.warning_sd,
            "warning_min_count": policy.warning_min_count,
            "version": policy.version,
        },
    )
    indices = CompositeIndex.objects.prefetch_related("components").order_by("code")
    if request.method == "POST" and request.POST.get("what") == "policy":
        if form.is_valid():
            try:
                services.policy_update(
                    actor=request.user,
                    data={k: v for k, v in form.cleaned_data.items() if k != "version"},
                    expected_version=form.cleaned_data.get("version") or policy.version,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Kebijakan pelaporan disimpan.")
                return redirect("monitoring:settings")
    elif request.method == "POST" and request.POST.get("what") == "weights":
        index = CompositeIndex.objects.filter(code=request.POST.get("index")).first()
        if index is None:
            raise Http404
        weights = {k[2:]: v for k, v in request.POST.items() if k.startswith("w_")}
        try:
            services.index_weights_update(
                actor=request.user,
                index=index,
                weights=weights,
                expected_version=int(request.POST.get("version") or index.version),
            )
        except ValidationError as exc:
            for msgs in _errors(exc).values():
                for m in msgs:
                    messages.error(request, m)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Bobot {index.name_id} disimpan.")
        return redirect("monitoring:settings")
    return render(
        request,
        "monitoring/settings.html",
        {
            "form": form,
            "indices": indices,
            "sum": {i.code: sum((c.weight for c in i.components.all()), Decimal(0)) for i in indices},
        },
        status=422 if request.method == "POST" else 200,
    )
