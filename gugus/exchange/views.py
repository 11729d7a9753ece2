"""Pages of the exchange app (/pertukaran/): imports with progress, templates, exports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gugus.accounts.scope import scope_for
from gugus.core.errors import Conflict

from . import exports, services, standards, tasks
from .crypto import check_password, decrypt_command
from .importers import importer_for
from .models import CommitMode, ImportStatus, RowStatus
from .parsing import human_size, max_upload_bytes
from .selectors import (
    can_download_error_sheet,
    import_get_for_user,
    import_rows,
    imports_visible_to,
    may_export_identities,
)
from .sheets import XLSX_MIME, error_sheet, template_xlsx


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errs in exc.error_dict.values() for e in errs for m in e.messages]
    return list(exc.messages)


def _require_any(user) -> None:
    scope = scope_for(user)
    if not (scope.has("import.run") or scope.has("export.list")):
        raise Http404


@login_required
def index(request):
    _require_any(request.user)
    scope = scope_for(request.user)
    batches = imports_visible_to(request.user).order_by("-created_at")
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/index.html",
        {
            "page": page,
            "kinds": services.kinds_for(request.user),
            "can_import": scope.has("import.run"),
            "export_specs": exports.specs_for(request.user),
            "can_standard": scope.has("export.list") and scope.has("victim.view"),
            "may_identities": may_export_identities(request.user),
        },
    )


@login_required
def template_download(request, kind: str):
    importer = importer_for(kind)
    if importer is None or importer not in services.kinds_for(request.user):
        raise Http404
    response = HttpResponse(template_xlsx(importer), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="templat-{kind}.xlsx"'
    return response


def too_large(request) -> bool:
    """Refuse an oversized upload from its Content-Length, before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_upload_bytes() + 64 * 1024


@login_required
def upload(request):
    kinds = services.kinds_for(request.user)
    if not kinds:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        if too_large(request):
            errors.append(f"Berkas terlalu besar; batas unggahan {human_size(max_upload_bytes())}.")
            return render(
                request,
                "exchange/upload.html",
                {"kinds": kinds, "errors": errors, "limit": human_size(max_upload_bytes())},
                status=413,
            )
        f = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if f is None:
            errors.append("Pilih berkas .xlsx atau .csv.")
        else:
            try:
                batch = services.import_upload(actor=request.user, kind=kind, fileobj=f, filename=f.name, size=f.size)
            except ValidationError as exc:
                errors.extend(_errors(exc))
            else:
                tasks.validate_import.enqueue(str(batch.pk))
                return redirect("exchange:detail", batch_id=batch.pk)
    return render(
        request,
        "exchange/upload.html",
        {
            "kinds": kinds,
            "errors": errors,
            "limit": human_size(max_upload_bytes()),
            "selected": request.GET.get("jenis") or request.POST.get("kind", ""),
        },
        status=422 if errors else 200,
    )


def _detail_context(request, batch):
    importer = importer_for(batch.kind)
    invalid = import_rows(batch, status=RowStatus.INVALID)[:200]
    failed = import_rows(batch, status=RowStatus.FAILED)[:200]
    return {
        "batch": batch,
        "importer": importer,
        "invalid": invalid,
        "failed": failed,
        "modes": CommitMode.choices,
        "can_error_sheet": can_download_error_sheet(request.user, batch),
        "kept": import_rows(batch, status=RowStatus.KEPT)[:200],
        "can_undo": batch.status == ImportStatus.COMMITTED
        and services._undo_supported(importer)
        and batch.rows_committed > 0,
    }


@login_required
def detail(request, batch_id):
    batch = import_get_for_user(request.user, batch_id)
    return render(request, "exchange/detail.html", _detail_context(request, batch))


@login_required
def progress(request, batch_id):
    batch = import_get_for_user(request.user, batch_id)
    if not batch.running and request.htmx:
        # Finished: ask htmx to reload the whole page for the result.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "exchange/_progress.html", {"batch": batch})


@login_required
@require_POST
def commit(request, batch_id):
    batch = import_get_for_user(request.user, batch_id)
    mode = request.POST.get("mode", "")
    try:
        batch = services.import_commit(actor=request.user, batch=batch, mode=mode)
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("exchange:detail", batch_id=batch.pk)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("exchange:detail", batch_id=batch.pk)
    tasks.commit_import.enqueue(str(batch.pk), request.user.pk, mode)
    return redirect("exchange:detail", batch_id=batch.pk)


@login_required
@require_POST
def cancel(request, batch_id):
    batch = import_get_for_user(request.user, batch_id)
    try:
        services.import_cancel(actor=request.user, batch=batch)
        messages.success(request, "Impor dibatalkan; tidak ada data yang disimpan.")
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect("exchange:detail", batch_id=batch.pk)


@login_required
@require_POST
def undo(request, batch_id):
    batch = import_get_for_user(request.user, batch_id)
    try:
        batch = services.import_undo(actor=request.user, batch=batch)
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("exchange:detail", batch_id=batch.pk)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("exchange:detail", batch_id=batch.pk)
    tasks.undo_import.enqueue(str(batch.pk), request.user.pk)
    return redirect("exchange:detail", batch_id=batch.pk)


@login_required
def error_sheet_download(request, batch_id):
    batch = import_get_for_user(request.user, batch_id)
    if not can_download_error_sheet(request.user, batch) or batch.status in (
        ImportStatus.UPLOADED,
        ImportStatus.VALIDATING,
        ImportStatus.REJECTED,
    ):
        raise Http404
    services.error_sheet_audit(actor=request.user, batch=batch)
    content, mime, filename = error_sheet(batch)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------- exports


def _stamp() -> str:
    return timezone.localdate().isoformat()


def export_response(
    *, user, kind: str, fmt: str, identities: bool = False, password: str = "", filters: dict | None = None
) -> StreamingHttpResponse:
    """The streamed export (shared by the page and the API). Raises ValidationError."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationError({"format": "Format harus csv atau xlsx."})
    exp = exports.export_build(user, kind, identities=identities, filters=filters)
    if identities:
        check_password(password)
    exports.export_audit(actor=user, export=exp, fmt=fmt, encrypted=bool(identities))
    if fmt == "csv":
        chunks = exports.csv_chunks(exp.header, exp.rows())
        mime = "text/csv; charset=utf-8"
    else:
        chunks = exports.xlsx_chunks(exp.header, exp.rows(), sheet=exp.spec.label)
        mime = XLSX_MIME
    filename = f"{kind}-{_stamp()}.{fmt}"
    if identities:
        chunks = exports.encrypted(chunks, password)
        mime = "application/octet-stream"
        filename += ".enc"
    response = StreamingHttpResponse(chunks, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    if identities:
        response["X-Decrypt-Command"] = decrypt_command(filename)
    return response


def _filters(data) -> dict:
    out = {}
    year = (data.get("year") or "").strip()
    if year.isdigit() and 1990 <= int(year) <= 2100:
        out["year"] = year
    return out


@login_required
def export_download(request, kind: str, fmt: str):
    """GET: an export without identities (a plain link)."""
    try:
        return export_response(user=request.user, kind=kind, fmt=fmt, filters=_filters(request.GET))
    except ValidationError:
        raise Http404


@login_required
def export_form(request):
    specs = exports.specs_for(request.user)
    if not specs:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        fmt = request.POST.get("format", "csv")
        identities = request.POST.get("identities") == "1"
        password = request.POST.get("password", "")
        try:
            if identities:
                check_password(password, request.POST.get("password_confirm", ""))
            return export_response(
                user=request.user,
                kind=kind,
                fmt=fmt,
                identities=identities,
                password=password,
                filters=_filters(request.POST),
            )
        except ValidationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "exchange/export.html",
        {
            "specs": specs,
            "errors": errors,
            "may_identities": may_export_identities(request.user),
            "decrypt": decrypt_command("kasus.csv.enc"),
            "min_password": 12,
        },
        status=422 if errors else 200,
    )


@login_required
def standard_download(request, standard: str):
    """CTDC or HTCDS, k-anonymised by default (k = 11)."""
    scope = scope_for(request.user)
    if standard not in ("ctdc", "htcds") or not (scope.has("export.list") and scope.has("victim.view")):
        raise Http404
    response = standard_response(user=request.user, standard=standard, raw=request.GET.get("k") == "0")
    return response


def standard_response(*, user, standard: str, raw: bool = False) -> StreamingHttpResponse:
    k = None if raw else standards.min_k()
    columns, rows, report = standards.standard_rows(user, standard, k=k)
    from django.db import transaction

    from gugus.audit.services import record

    with transaction.atomic():
        record(
            "export",
            actor=user,
            object_type="export",
            object_id=standard,
            detail={
                "kind": "cases",
                "standard": standard,
                "format": "csv",
                "rows": report["rows_out"],
                "k": report.get("k"),
                "rows_dropped": report.get("rows_dropped", 0),
                "identity": False,
            },
        )
    delimiter = ";" if standard == "ctdc" else ","
    chunks = exports.csv_chunks(
        columns, ([r.get(c, "") for c in columns] for r in rows), delimiter=delimiter, bom=False
    )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{standard}-{dt.date.today().isoformat()}.csv"'
    response["X-K-Anonymity"] = str(report.get("k") or "none")
    response["Cache-Control"] = "no-store"
    return response
