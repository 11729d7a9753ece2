"""Writes of the publish app: open-data releases and annual report jobs, each audited."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.reference.models import Region

from . import opendata
from .models import Release, ReportJob

log = logging.getLogger(__name__)
MAX_EPSILON = 10.0
SYNTHETIC_MIN_RECORDS = 200


def _float(value, field: str, errors: dict) -> float | None:
    if value in (None, ""):
        return None
    try:
        v = float(str(value).replace(",", "."))
    except ValueError:
        errors[field] = "Harus berupa angka, mis. 1 atau 0,5."
        return None
    if not 0 < v <= MAX_EPSILON:
        errors[field] = f"ε harus lebih dari 0 dan paling besar {MAX_EPSILON:g}."
        return None
    return v


def release_create(
    *,
    actor,
    method: str = "suppression",
    epsilon=None,
    synthetic_epsilon=None,
    years: list[int] | None = None,
    title: str = "",
    is_demo: bool = False,
) -> Release:
    """Compute and publish a release. Only `opendata.publish`."""
    if not scope_for(actor).has("opendata.publish"):
        raise ValidationError({"__all__": "Peran Anda tidak dapat menerbitkan data terbuka."})
    errors: dict[str, str] = {}
    if method not in Release.Method.values:
        errors["method"] = "Metode tidak dikenal."
    eps = _float(epsilon, "epsilon", errors)
    syn = _float(synthetic_epsilon, "synthetic_epsilon", errors)
    if method == "dp" and eps is None and "epsilon" not in errors:
        errors["epsilon"] = "Anggaran privasi ε wajib diisi untuk metode privasi diferensial."
    today = timezone.localdate()
    if years:
        try:
            years = sorted({int(y) for y in years})
        except (TypeError, ValueError):
            errors["years"] = "Tahun tidak sah."
            years = []
        if any(y < 1990 or y > today.year for y in years):
            errors["years"] = f"Tahun harus antara 1990 dan {today.year}."
    if errors:
        raise ValidationError(errors)
    k = opendata.threshold()
    records = opendata.victim_records()
    if method == "dp":
        years = years or list(range(today.year - 4, today.year + 1))
        tables, accounting = opendata.dp_tables(records, k, years, eps)
    else:
        allowed = opendata.publishable_years(records, k)
        years = [y for y in (years or allowed) if y in allowed]
        tables = opendata.suppressed_tables(records, k, years)
        accounting = {"method": "suppression", "threshold": k}
        eps = None
    synthetic, synthetic_meta = "", {}
    if syn is not None:
        if len(records) >= SYNTHETIC_MIN_RECORDS:
            try:
                synthetic, synthetic_meta = opendata.synthetic_csv(records, syn)
            except ValueError as exc:
                synthetic_meta = {"epsilon": syn, "note": str(exc)}
        else:
            synthetic_meta = {"epsilon": syn, "note": f"Tidak dibuat: kurang dari {SYNTHETIC_MIN_RECORDS} rekaman."}
    title = (title or "").strip()[:200] or f"Rilis data terbuka {today:%d-%m-%Y}"
    with transaction.atomic():
        rel = Release.objects.create(
            created_by=actor,
            title=title,
            method=method,
            threshold=k,
            epsilon=eps,
            synthetic_epsilon=syn if synthetic else None,
            years=years,
            tables={slug: t.to_dict() for slug, t in tables.items()},
            accounting=accounting,
            synthetic_csv=synthetic,
            synthetic_meta=synthetic_meta,
            is_demo=is_demo,
        )
        record(
            "opendata_release",
            actor=actor,
            object_type="release",
            object_id=rel.pk,
            detail={
                "method": method,
                "epsilon": eps,
                "synthetic_epsilon": rel.synthetic_epsilon,
                "years": years,
                "threshold": k,
                "datasets": sorted(tables),
            },
        )
    return rel


def release_withdraw(*, actor, release: Release) -> Release:
    if not scope_for(actor).has("opendata.publish"):
        raise ValidationError({"__all__": "Peran Anda tidak dapat menarik rilis data terbuka."})
    with transaction.atomic():
        Release.objects.filter(pk=release.pk).update(published=False)
        record("opendata_withdraw", actor=actor, object_type="release", object_id=release.pk)
    release.refresh_from_db()
    return release


# --------------------------------------------------------------------------- annual report


def report_request(*, actor, region_code: str, year) -> ReportJob:
    """Queue an annual report for a region the actor covers with `report.generate`."""
    errors: dict[str, str] = {}
    region = Region.objects.filter(code=region_code, level__lte=2).first()
    if region is None:
        errors["region"] = "Wilayah tidak dikenal (provinsi atau kabupaten/kota)."
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors["year"] = "Tahun tidak sah."
        year = 0
    today = timezone.localdate()
    if year and not 2000 <= year <= today.year:
        errors["year"] = f"Tahun harus antara 2000 dan {today.year}."
    if errors:
        raise ValidationError(errors)
    if not scope_for(actor).covers_region("report.generate", region.code):
        raise ValidationError({"region": "Anda tidak berwenang membuat laporan untuk wilayah ini."})
    with transaction.atomic():
        job = ReportJob.objects.create(region=region, year=year, requested_by=actor, step="Menunggu giliran")
        record(
            "report_request",
            actor=actor,
            object_type="report",
            object_id=job.pk,
            region_code=region.code,
            detail={"year": year},
        )
    return job


def _step(job: ReportJob, progress: int, step: str) -> None:
    ReportJob.objects.filter(pk=job.pk).update(progress=progress, step=step)


def report_generate_run(job_id) -> ReportJob:
    """Build the PDF and XLSX (background task); progress is written as it goes."""
    from . import report

    job = ReportJob.objects.select_related("region", "requested_by").get(pk=job_id)
    if not ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.QUEUED).update(status=ReportJob.Status.RUNNING):
        return job
    try:
        _step(job, 10, "Menghimpun data")
        data = report.report_data(job.requested_by, job.region, job.year)
        _step(job, 40, "Menyusun PDF")
        pdf = report.report_pdf(data)
        _step(job, 80, "Menyusun XLSX")
        xlsx = report.report_xlsx(data)
        ReportJob.objects.filter(pk=job.pk).update(
            pdf=pdf, xlsx=xlsx, status=ReportJob.Status.DONE, progress=100, step="Selesai", finished_at=timezone.now()
        )
        with transaction.atomic():
            record(
                "report_generate",
                actor=job.requested_by,
                object_type="report",
                object_id=job.pk,
                region_code=job.region_id,
                detail={"year": job.year, "victims": data["total"]},
            )
    except Exception:  # noqa: BLE001 - the job records the failure; the server stays up
        log.exception("annual report failed", extra={"job": str(job.pk)})
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED,
            step="Gagal",
            message="Laporan gagal dibuat. Coba lagi atau hubungi admin.",
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def report_download_audit(*, actor, job: ReportJob, fmt: str) -> None:
    with transaction.atomic():
        record(
            "report_download",
            actor=actor,
            object_type="report",
            object_id=job.pk,
            region_code=job.region_id,
            detail={"year": job.year, "format": fmt},
        )
