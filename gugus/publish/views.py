"""Public pages (open data at /data-terbuka/, help directory at /bantuan/) and the annual
report pages (/laporan/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gugus.accounts.scope import scope_for
from gugus.reference.models import Region

from . import opendata, selectors, services, tasks
from .models import Release
from .report import default_year


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errs in exc.error_dict.values() for e in errs for m in e.messages]
    return list(exc.messages)


def _release(request) -> Release:
    rid = request.GET.get("rilis")
    rel = selectors.release_get(rid) if rid else selectors.latest_release()
    if rel is None:
        raise Http404
    return rel


# --------------------------------------------------------------------------- open data (public)


def opendata_index(request):
    release = selectors.latest_release()
    rid = request.GET.get("rilis")
    if rid:
        release = selectors.release_get(rid)
    datasets = []
    if release:
        for slug in release.tables:
            ds = opendata.DATASETS[slug]
            datasets.append({"ds": ds, "meta": opendata.metadata(ds, release)})
    return render(
        request,
        "publish/opendata_index.html",
        {
            "release": release,
            "datasets": datasets,
            "releases": selectors.releases_published()[:20],
            "can_publish": scope_for(request.user).has("opendata.publish"),
        },
    )


def opendata_dataset(request, slug: str):
    release = _release(request)
    if slug not in release.tables:
        raise Http404
    ds = opendata.DATASETS[slug]
    table = opendata.Table.from_dict(slug, release.tables[slug])
    rows = list(zip(table.row_labels, table.values, strict=True))
    return render(
        request,
        "publish/opendata_dataset.html",
        {
            "release": release,
            "ds": ds,
            "table": table,
            "rows": rows,
            "meta": opendata.metadata(ds, release),
            "rid": request.GET.get("rilis", ""),
        },
    )


def opendata_csv(request, slug: str):
    release = _release(request)
    if slug not in release.tables:
        raise Http404
    ds = opendata.DATASETS[slug]
    content = opendata.table_csv(ds, opendata.Table.from_dict(slug, release.tables[slug]))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response


def opendata_datapackage(request):
    release = _release(request)
    return JsonResponse(
        opendata.datapackage(release, request.build_absolute_uri("/data-terbuka/")),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def opendata_synthetic(request):
    release = _release(request)
    if not release.synthetic_csv:
        raise Http404
    response = HttpResponse(release.synthetic_csv.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="korban-sintetis.csv"'
    return response


@login_required
def opendata_publish(request):
    if not scope_for(request.user).has("opendata.publish"):
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        years = [y for y in request.POST.get("years", "").replace(",", " ").split() if y]
        try:
            rel = services.release_create(
                actor=request.user,
                method=request.POST.get("method", "suppression"),
                epsilon=request.POST.get("epsilon") or None,
                synthetic_epsilon=request.POST.get("synthetic_epsilon") or None,
                years=years or None,
                title=request.POST.get("title", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            if rel.tables:
                messages.success(request, "Rilis data terbuka diterbitkan.")
            else:
                # Suppression publishes only years with ≥ k victims nationally; with fewer records
                # the release holds no table at all, which the publisher must be told plainly.
                messages.warning(
                    request,
                    f"Rilis diterbitkan tanpa tabel: belum ada tahun dengan sedikitnya {rel.threshold} korban "
                    "teridentifikasi secara nasional, sehingga tidak ada angka yang aman untuk diterbitkan.",
                )
            return redirect(f"/data-terbuka/?rilis={rel.pk}")
    return render(
        request,
        "publish/opendata_publish.html",
        {"errors": errors, "methods": Release.Method.choices},
        status=422 if errors else 200,
    )


# --------------------------------------------------------------------------- help directory (public)


def help_directory(request):
    q = (request.GET.get("q") or "").strip()[:100]
    code = (request.GET.get("wilayah") or "").strip()[:13]
    region, units, suggestions = selectors.help_directory(q, code) if (q or code) else (None, [], [])
    provinces = Region.objects.filter(level=1).order_by("name")
    return render(
        request,
        "publish/help.html",
        {
            "q": q,
            "region": region,
            "units": units,
            "suggestions": suggestions,
            "provinces": provinces,
            "searched": bool(q or code),
        },
    )


# --------------------------------------------------------------------------- annual report


@login_required
def report_index(request):
    regions = selectors.report_regions(request.user)
    if not regions:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        if not selectors.can_generate(request.user):
            raise Http404
        try:
            job = services.report_request(
                actor=request.user, region_code=request.POST.get("region", ""), year=request.POST.get("year", "")
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            tasks.generate_report.enqueue(str(job.pk))
            return redirect("publish:report_detail", job_id=job.pk)
    scope = scope_for(request.user)
    choices = []
    for code in sorted(scope.regions_with("report.generate")):
        region = Region.objects.filter(code=code).first()
        if region:
            choices.append(region)
            choices.extend(Region.objects.filter(parent_id=code, level__lte=2).order_by("code"))
    jobs = selectors.reports_visible_to(request.user).order_by("-created_at")[:50]
    return render(
        request,
        "publish/report_index.html",
        {
            "jobs": jobs,
            "choices": choices,
            "errors": errors,
            "year": default_year(),
            "can_generate": selectors.can_generate(request.user),
        },
        status=422 if errors else 200,
    )


@login_required
def report_detail(request, job_id):
    job = selectors.report_get_for_user(request.user, job_id)
    return render(request, "publish/report_detail.html", {"job": job})


@login_required
def report_progress(request, job_id):
    job = selectors.report_get_for_user(request.user, job_id)
    if not job.running and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "publish/_report_progress.html", {"job": job})


@login_required
def report_file(request, job_id, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    job = selectors.report_get_for_user(request.user, job_id)
    from .models import ReportJob

    full = ReportJob.objects.filter(pk=job.pk).values_list("pdf", "xlsx", "status").first()
    if full is None or full[2] != ReportJob.Status.DONE:
        raise Http404
    content = full[0] if fmt == "pdf" else full[1]
    if not content:
        raise Http404
    services.report_download_audit(actor=request.user, job=job, fmt=fmt)
    mime = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(bytes(content), content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="laporan-tahunan-{job.region_id}-{job.year}.{fmt}"'
    return response


@login_required
@require_POST
def release_withdraw(request, release_id):
    if not scope_for(request.user).has("opendata.publish"):
        raise Http404
    release = selectors.release_get(release_id)
    services.release_withdraw(actor=request.user, release=release)
    messages.success(request, "Rilis ditarik dari portal.")
    return redirect("publish:opendata")
