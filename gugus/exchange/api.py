"""Partner API of the exchange app (under /api/v1/): imports, exports, standard exports.

Tokens act as their user: the same scope, the same permissions; out of scope or not permitted
answers 404. Streams (CSV/XLSX) are returned as files.
"""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gugus.accounts.scope import scope_for

from . import services, tasks, views
from .importers import importer_for
from .selectors import can_download_error_sheet, import_get_for_user, import_rows, imports_visible_to
from .sheets import XLSX_MIME, error_sheet, template_xlsx

router = Router(tags=["exchange"])


class ImportOut(Schema):
    id: uuid.UUID
    kind: str
    status: str
    status_label: str
    filename: str
    file_format: str
    created_at: dt.datetime
    organisation_id: uuid.UUID
    message: str
    warnings: list[str]
    header_row: int | None
    rows_total: int
    rows_valid: int
    rows_invalid: int
    rows_already: int
    rows_committed: int
    rows_failed: int
    progress_done: int
    progress_total: int
    commit_mode: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class RowOut(Schema):
    row_number: int
    status: str
    errors: dict[str, list[str]]
    object_type: str
    object_id: str


class CommitIn(Schema):
    mode: str = "valid_only"


class ExportIn(Schema):
    format: str = "csv"
    identities: bool = False
    password: str = ""
    year: int | None = None


class KindOut(Schema):
    kind: str
    label: str
    template_url: str


def _raise_404_on(exc: ValidationError):
    raise Http404


@router.get("/imports/kinds", response=list[KindOut], summary="Jenis data yang dapat Anda impor")
def import_kinds(request):
    return [
        {"kind": k.kind, "label": k.label, "template_url": f"/api/v1/imports/templates/{k.kind}.xlsx"}
        for k in services.kinds_for(request.user)
    ]


@router.get("/imports/templates/{kind}.xlsx", summary="Templat impor (.xlsx, dengan daftar pilihan)")
def import_template(request, kind: str):
    importer = importer_for(kind)
    if importer is None or importer not in services.kinds_for(request.user):
        raise Http404
    response = HttpResponse(template_xlsx(importer), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="templat-{kind}.xlsx"'
    return response


@router.get("/imports", response=list[ImportOut], summary="Impor organisasi Anda")
@paginate(LimitOffsetPagination)
def import_list(request):
    if not scope_for(request.user).has("import.run"):
        raise Http404
    return imports_visible_to(request.user).order_by("-created_at")


@router.post(
    "/imports",
    response={201: ImportOut},
    summary="Unggah berkas impor (multipart: kind, file)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["kind", "file"],
                        "properties": {
                            "kind": {
                                "type": "string",
                                "enum": ["victims", "budgets", "prevention", "trainings", "services"],
                            },
                            "file": {"type": "string", "format": "binary"},
                        },
                    }
                }
            }
        }
    },
)
def import_create(request):
    if not services.kinds_for(request.user):
        raise Http404
    if views.too_large(request):
        raise ValidationError({"file": "Berkas terlalu besar."})
    f = request.FILES.get("file")
    if f is None:
        raise ValidationError({"file": "Berkas wajib diunggah."})
    batch = services.import_upload(
        actor=request.user, kind=request.POST.get("kind", ""), fileobj=f, filename=f.name, size=f.size
    )
    tasks.validate_import.enqueue(str(batch.pk))
    batch.refresh_from_db()
    return Status(201, batch)


@router.get("/imports/{batch_id}", response=ImportOut, summary="Status dan hasil pemeriksaan impor")
def import_detail(request, batch_id: uuid.UUID):
    return import_get_for_user(request.user, batch_id)


@router.get("/imports/{batch_id}/rows", response=list[RowOut], summary="Baris impor dan kesalahannya")
@paginate(LimitOffsetPagination)
def import_row_list(request, batch_id: uuid.UUID, status: str = ""):
    batch = import_get_for_user(request.user, batch_id)
    return import_rows(batch, status=status or None)


@router.get("/imports/{batch_id}/errors", summary="Berkas unggahan dengan kolom kesalahan (hanya pengunggah)")
def import_error_sheet(request, batch_id: uuid.UUID):
    batch = import_get_for_user(request.user, batch_id)
    if not can_download_error_sheet(request.user, batch) or not batch.rows_total:
        raise Http404
    services.error_sheet_audit(actor=request.user, batch=batch)
    content, mime, filename = error_sheet(batch)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post("/imports/{batch_id}/commit", response=ImportOut, summary="Simpan: valid_only atau all_or_nothing")
def import_commit(request, batch_id: uuid.UUID, payload: CommitIn):
    batch = import_get_for_user(request.user, batch_id)
    batch = services.import_commit(actor=request.user, batch=batch, mode=payload.mode)
    tasks.commit_import.enqueue(str(batch.pk), request.user.pk, payload.mode)
    batch.refresh_from_db()
    return batch


@router.post("/imports/{batch_id}/cancel", response=ImportOut, summary="Jangan simpan apa pun")
def import_cancel(request, batch_id: uuid.UUID):
    batch = import_get_for_user(request.user, batch_id)
    return services.import_cancel(actor=request.user, batch=batch)


@router.post("/imports/{batch_id}/undo", response=ImportOut, summary="Urungkan impor yang tersimpan")
def import_undo(request, batch_id: uuid.UUID):
    batch = import_get_for_user(request.user, batch_id)
    batch = services.import_undo(actor=request.user, batch=batch)
    tasks.undo_import.enqueue(str(batch.pk), request.user.pk)
    batch.refresh_from_db()
    return batch


@router.get("/exports/ctdc", summary="Ekspor CTDC (dipisah ';'), anonimitas-k k=11 kecuali k=0")
def export_ctdc(request, k: int | None = None):
    return _standard(request, "ctdc", k)


@router.get("/exports/htcds", summary="Ekspor IOM HTCDS v2.0, anonimitas-k k=11 kecuali k=0")
def export_htcds(request, k: int | None = None):
    return _standard(request, "htcds", k)


def _standard(request, standard: str, k: int | None):
    scope = scope_for(request.user)
    if not (scope.has("export.list") and scope.has("victim.view")):
        raise Http404
    return views.standard_response(user=request.user, standard=standard, raw=k == 0)


@router.get("/exports/{kind}.csv", summary="Ekspor daftar (CSV, tanpa identitas)")
def export_csv(request, kind: str, year: int | None = None):
    return _export(request, kind, "csv", year)


@router.get("/exports/{kind}.xlsx", summary="Ekspor daftar (XLSX, tanpa identitas)")
def export_xlsx(request, kind: str, year: int | None = None):
    return _export(request, kind, "xlsx", year)


def _export(request, kind: str, fmt: str, year: int | None):
    try:
        return views.export_response(user=request.user, kind=kind, fmt=fmt, filters={"year": year} if year else None)
    except ValidationError:
        raise Http404


@router.post(
    "/exports/{kind}", summary="Ekspor daftar; dengan identitas wajib kata sandi (berkas .enc, OpenSSL AES-256)"
)
def export_post(request, kind: str, payload: ExportIn):
    from .exports import may_export, spec_for

    spec = spec_for(kind)
    if spec is None or not may_export(request.user, spec):
        raise Http404
    return views.export_response(
        user=request.user,
        kind=kind,
        fmt=payload.format,
        identities=payload.identities,
        password=payload.password,
        filters={"year": payload.year} if payload.year else None,
    )
