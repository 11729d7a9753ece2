"""Writes of the exchange app: spreadsheet imports (upload → validate → commit → undo).

Every record an import creates is created by the owning app's service (see importers.py);
this module keeps the batch, its rows and the external-id records, each step audited.

Plain functions the benchmark can call without HTTP:
    batch = import_upload(actor=user, kind="victims", fileobj=f, filename="x.xlsx")
    import_validate_run(batch.pk); import_commit_run(batch.pk, user.pk, "valid_only")
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from gugus.accounts.crypto import keyed_hash
from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.cases.bulk import insert_rows
from gugus.core.errors import Conflict

from .importers import EXTERNAL_ID, Importer, RowError, convert_row, importer_for, staging, validation_errors
from .lookups import Lookups
from .models import CommitMode, ImportBatch, ImportRecord, ImportRow, ImportStatus, ImportUpload, RowStatus
from .parsing import (
    HEADER_SCAN_ROWS,
    FileRejected,
    Formula,
    check_size,
    clean_text,
    data_rows,
    match_header,
    open_table,
    sniff_format,
)

log = logging.getLogger(__name__)
ROW_BATCH = 500
COMMIT_CHUNK = 200  # rows per transaction, one service call per row
BULK_CHUNK = 2500  # rows per transaction for importers that write a chunk at once (victims)
UNDO_CHUNK = 500
# SQLite page cache of the import worker's connection while an import runs (KiB): the case table's
# indexes are large and written at random places; with the default 2 MB cache every chunk reads
# and rewrites most of them. Only this connection, only while the import runs (the server's
# settings and memory stay as they are); the worker's memory budget (1 GiB) allows it.
IMPORT_CACHE_KIB = 256 * 1024
# WAL pages written before a checkpoint while an import runs: the default (1,000) makes every
# chunk's commit copy the WAL back into the database file; one checkpoint at the end instead.
IMPORT_WAL_PAGES = 100_000
UNDO_LABEL = "Pembatalan impor"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in settings.FIELD_ENCRYPTION_KEYS])


# --------------------------------------------------------------------------- permissions


def import_organisation(actor, importer: Importer, organisation: Organisation | None = None) -> Organisation:
    """The organisation on whose behalf `actor` imports this kind; ValidationError if none."""
    scope = scope_for(actor)
    allowed = scope.orgs_with("import.run") & scope.orgs_with(importer.perm)
    if organisation is not None:
        if organisation.pk not in allowed:
            raise ValidationError({"kind": "Anda tidak dapat mengimpor data ini atas nama organisasi tersebut."})
        return organisation
    for g in scope.grants:
        if g.organisation_id in allowed:
            return Organisation.objects.get(pk=g.organisation_id)
    raise ValidationError({"kind": f"Peran Anda tidak mengizinkan impor {importer.label.lower()}."})


def kinds_for(actor) -> list[Importer]:
    from .importers import available_importers

    scope = scope_for(actor)
    out = []
    for imp in available_importers():
        if scope.orgs_with("import.run") & scope.orgs_with(imp.perm):
            out.append(imp)
    return out


# --------------------------------------------------------------------------- upload


def import_upload(
    *, actor, kind: str, fileobj, filename: str, size: int | None = None, organisation: Organisation | None = None
) -> ImportBatch:
    """Accept a file: check who, what and how big, store it encrypted, create the batch.
    The caller enqueues validation (`tasks.validate_import`). Nothing is read beyond 8 bytes."""
    importer = importer_for(kind)
    if importer is None or not importer.available() or not importer.fields:
        raise ValidationError({"kind": "Jenis data impor tidak dikenal atau belum tersedia."})
    org = import_organisation(actor, importer, organisation)
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    try:
        check_size(size)
        fileobj.seek(0)
        fmt = sniff_format(fileobj.read(8), filename)
    except FileRejected as exc:
        raise ValidationError({"file": str(exc)})
    fileobj.seek(0)
    data = fileobj.read(size + 1)
    if len(data) > size:
        raise ValidationError({"file": "Ukuran berkas tidak sesuai dengan yang dinyatakan."})
    safe_name = clean_text(filename).replace("/", "_").replace("\\", "_")[-200:] or "berkas"
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind, organisation=org, created_by=actor, filename=safe_name, file_format=fmt, size_bytes=size
        )
        ImportUpload.objects.create(batch=batch, data=_fernet().encrypt(data))
        record(
            "import_upload",
            actor=actor,
            object_type="import",
            object_id=batch.pk,
            organisation_id=org.pk,
            region_code=org.region_id,
            detail={"kind": kind, "format": fmt, "bytes": size},
        )
    return batch


# --------------------------------------------------------------------------- validation


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _canonical(values: dict) -> str:
    def enc(v):
        if isinstance(v, dt.date | Decimal):
            return str(v)
        return v

    return json.dumps(
        {k: enc(v) for k, v in sorted(values.items()) if k != EXTERNAL_ID.key and v not in (None, "", [])},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )


def external_id_for(values: dict, cells: dict) -> str:
    """The row's stable id: the user's 'ID Eksternal', else a keyed hash of the row's values
    (a keyed hash, so the id reveals nothing of the identities it was computed from)."""
    ext = values.get(EXTERNAL_ID.key)
    if ext:
        return "x:" + ext.strip()[:180]
    basis = (
        _canonical(values)
        if any(v not in (None, "", []) for v in values.values())
        else json.dumps({k: clean_text(v) for k, v in sorted(cells.items())}, ensure_ascii=False)
    )
    return "h:" + keyed_hash(basis, "import_row")[:40]


def _estimate_rows(table, blob: bytes, header_row: int) -> int:
    if table.file_format == "csv":
        return max(0, blob.count(b"\n") - header_row + 1)
    return max(0, table.estimated_rows - header_row)


def _set(batch: ImportBatch, **fields) -> None:
    for k, v in fields.items():
        setattr(batch, k, v)
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


@contextlib.contextmanager
def _import_connection():
    """Tune the worker's own database connection for an import, and put it back afterwards."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        cache = cur.fetchone()[0]
        cur.execute("PRAGMA wal_autocheckpoint")
        wal = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = {-int(IMPORT_CACHE_KIB)}")
        cur.execute(f"PRAGMA wal_autocheckpoint = {int(IMPORT_WAL_PAGES)}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(cache)}")
            cur.execute(f"PRAGMA wal_autocheckpoint = {int(wal)}")
            with contextlib.suppress(Exception):
                cur.execute("PRAGMA wal_checkpoint(PASSIVE)")


def import_validate_run(batch_id) -> ImportBatch:
    """Read and check every row; store each row's result. Runs as a background task."""
    batch = ImportBatch.objects.select_related("organisation").get(pk=batch_id)
    if not ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.UPLOADED).update(status=ImportStatus.VALIDATING):
        return batch
    batch.status = ImportStatus.VALIDATING
    importer = importer_for(batch.kind)
    table = None
    try:
        upload = ImportUpload.objects.filter(batch=batch).first()
        if upload is None:
            raise FileRejected("Berkas unggahan tidak ditemukan; unggah ulang.")
        blob = _fernet().decrypt(bytes(upload.data))
        table = open_table(io.BytesIO(blob), batch.filename, size=len(blob))
        _validate_rows(batch, importer, table, blob)
    except FileRejected as exc:
        ImportRow.objects.filter(batch=batch).delete()
        _set(batch, status=ImportStatus.REJECTED, message=str(exc)[:500], rows_valid=0, rows_invalid=0, rows_already=0)
    except Exception:  # noqa: BLE001 - the server stays up; the user gets a clear message
        log.exception("import validation failed", extra={"batch": str(batch.pk)})
        ImportRow.objects.filter(batch=batch).delete()
        _set(
            batch,
            status=ImportStatus.REJECTED,
            message="Berkas tidak dapat diproses. Periksa formatnya atau gunakan templat.",
        )
    finally:
        if table is not None and callable(table.close):
            with contextlib.suppress(Exception):
                table.close()
        ImportUpload.objects.filter(batch=batch).delete()
    batch.refresh_from_db()
    with transaction.atomic():
        record(
            "import_validate",
            actor=batch.created_by,
            object_type="import",
            object_id=batch.pk,
            organisation_id=batch.organisation_id,
            region_code=batch.organisation.region_id,
            detail={
                "kind": batch.kind,
                "status": batch.status,
                "rows": batch.rows_total,
                "valid": batch.rows_valid,
                "invalid": batch.rows_invalid,
                "already": batch.rows_already,
            },
        )
    return batch


class _Rollback(Exception):
    pass


def _dry_run(importer: Importer, batch: ImportBatch, payload) -> None:
    """Run the owning service on the row and roll it back: the service's own checks, nothing kept."""
    from django.http import Http404

    try:
        with transaction.atomic():
            importer.commit(batch.created_by, payload, batch.organisation)
            raise _Rollback
    except _Rollback:
        pass
    except Http404:
        raise ValidationError({"__all__": "Di luar cakupan Anda."})


def _validate_rows(batch: ImportBatch, importer: Importer, table, blob: bytes) -> None:
    head = list(islice(table.rows, HEADER_SCAN_ROWS))
    specs = [f.spec() for f in importer.all_fields]
    match = match_header(head, specs)
    if match is None:
        expected = ", ".join(f.label for f in importer.fields[:6])
        raise FileRejected(
            f"Baris judul kolom tidak ditemukan. Gunakan templat {importer.label.lower()} "
            f"(kolom yang diharapkan antara lain: {expected})."
        )
    found = set(match.mapping.values())
    missing = [f.label for f in importer.fields if f.required and f.key not in found]
    if missing:
        raise FileRejected(
            f"Kolom wajib tidak ada: {', '.join(missing)}. Apakah ini templat yang benar ({importer.label.lower()})?"
        )
    warnings = list(table.warnings)
    if match.unknown:
        warnings.append(
            f"{len(match.unknown)} kolom tidak dikenal dan diabaikan: {', '.join(match.unknown[:10])}"[:300]
        )
    _set(
        batch,
        header_row=match.row_number,
        header=match.header_cells[:200],
        mapping={str(i): k for i, k in match.mapping.items()},
        unknown_columns=match.unknown[:50],
        encoding=table.encoding,
        delimiter=table.delimiter,
        progress_total=_estimate_rows(table, blob, match.row_number),
        progress_done=0,
    )
    rest = chain((r for r in head if r[0] > match.row_number), table.rows)
    lookups = Lookups(actor=batch.created_by, organisation=batch.organisation)
    seen: dict[str, int] = {}
    buffer: list[ImportRow] = []
    counts = {"total": 0, "valid": 0, "invalid": 0, "already": 0}
    width = max(len(match.header_cells), (max(match.mapping) + 1) if match.mapping else 0)

    def flush() -> None:
        if not buffer:
            return
        ids = [r.external_id for r in buffer if r.status == RowStatus.VALID]
        done = set(
            ImportRecord.objects.filter(
                kind=batch.kind, organisation=batch.organisation, undone_at__isnull=True, external_id__in=ids
            ).values_list("external_id", flat=True)
        )
        for r in buffer:
            if r.status == RowStatus.VALID and r.external_id in done:
                r.status = RowStatus.ALREADY
            counts[{"valid": "valid", "invalid": "invalid", "already": "already"}[r.status]] += 1
        insert_rows(ImportRow, buffer)
        buffer.clear()
        _set(batch, progress_done=counts["total"], progress_total=max(batch.progress_total, counts["total"]))

    for row_number, cells in data_rows(rest):
        counts["total"] += 1
        cellmap = {key: cells[idx] for idx, key in match.mapping.items() if idx < len(cells)}
        values, errors = convert_row(importer, cellmap, lookups)
        if not errors:
            try:
                payload = importer.build(values, lookups)
                if importer.dry_run:
                    _dry_run(importer, batch, payload)
            except RowError as exc:
                errors = exc.errors
            except ValidationError as exc:
                errors = validation_errors(importer, exc)
        ext = external_id_for(values, cellmap)
        if ext in seen:
            what = "ID eksternal sama" if ext.startswith("x:") else "Isi baris sama persis"
            errors = {**errors, EXTERNAL_ID.label: [f"{what} dengan baris {seen[ext]}; baris ganda tidak diimpor."]}
        else:
            seen[ext] = row_number
        raw = json.dumps([_cell_text(c) for c in cells[: max(width, len(cells))][:200]], ensure_ascii=False)
        buffer.append(
            ImportRow(
                batch=batch,
                row_number=row_number,
                external_id=ext[:200],
                status=RowStatus.INVALID if errors else RowStatus.VALID,
                errors=errors,
                raw=raw,
            )
        )
        if len(buffer) >= ROW_BATCH:
            flush()
    flush()
    if counts["total"] == 0:
        raise FileRejected("Tidak ada baris data di bawah judul kolom.")
    _set(
        batch,
        status=ImportStatus.VALIDATED,
        validated_at=timezone.now(),
        rows_total=counts["total"],
        rows_valid=counts["valid"],
        rows_invalid=counts["invalid"],
        rows_already=counts["already"],
        progress_done=counts["total"],
        progress_total=counts["total"],
        warnings=warnings[:20],
    )


# --------------------------------------------------------------------------- commit


def _row_values(batch: ImportBatch, importer: Importer, row: ImportRow, lookups: Lookups):
    cells = json.loads(row.raw or "[]")
    cellmap = {key: cells[int(idx)] for idx, key in batch.mapping.items() if int(idx) < len(cells)}
    values, errors = convert_row(importer, cellmap, lookups)
    if errors:
        raise RowError(errors)
    return (importer.prepare or importer.build)(values, lookups)


def import_commit(*, actor, batch: ImportBatch, mode: str) -> ImportBatch:
    """Check the request and mark the batch for committing; the caller enqueues the work."""
    importer = importer_for(batch.kind)
    import_organisation(actor, importer, batch.organisation)
    if mode not in CommitMode.values:
        raise ValidationError({"mode": "Pilih cara menyimpan: baris valid saja, atau semua-atau-tidak-sama-sekali."})
    if batch.status != ImportStatus.VALIDATED:
        raise ValidationError({"__all__": f"Impor ini tidak dapat disimpan (status: {batch.get_status_display()})."})
    if mode == CommitMode.ALL_OR_NOTHING and batch.rows_invalid:
        raise ValidationError(
            {
                "mode": f"Masih ada {batch.rows_invalid} baris tidak valid. Perbaiki berkas dan unggah "
                "ulang, atau pilih 'Simpan baris yang valid saja'."
            }
        )
    if not batch.rows_valid:
        raise ValidationError({"__all__": "Tidak ada baris valid yang dapat disimpan."})
    with transaction.atomic():
        if not ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.VALIDATED).update(
            status=ImportStatus.COMMITTING,
            commit_mode=mode,
            committed_by=actor,
            progress_done=0,
            progress_total=batch.rows_valid,
        ):
            raise Conflict("Impor ini sedang atau sudah diproses oleh pengguna lain.")
        record(
            "import_commit_start",
            actor=actor,
            object_type="import",
            object_id=batch.pk,
            organisation_id=batch.organisation_id,
            detail={"kind": batch.kind, "mode": mode},
        )
    batch.refresh_from_db()
    return batch


def _row_failure(importer: Importer, exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, RowError):
        return exc.errors
    if isinstance(exc, ValidationError):
        return validation_errors(importer, exc)
    if isinstance(exc, Conflict):
        return {"Baris": [exc.message]}
    if isinstance(exc, Http404):
        return {"Baris": ["Di luar cakupan Anda."]}
    return {EXTERNAL_ID.label: ["Baris ini baru saja diimpor oleh proses lain."]}


ROW_FAILURES = (RowError, ValidationError, IntegrityError, Conflict, Http404)


def _record_for(batch, row: ImportRow, obj_type: str, obj_id: str) -> ImportRecord:
    return ImportRecord(
        kind=batch.kind,
        organisation=batch.organisation,
        external_id=row.external_id,
        object_type=obj_type,
        object_id=obj_id,
        batch=batch,
        row_number=row.row_number,
    )


def _commit_rows(
    batch, importer, actor, rows: list[ImportRow], lookups, *, atomic_all: bool, session=None
) -> tuple[int, int]:
    """Commit one chunk (the caller holds its transaction). With a bulk `session`, each row is
    checked and queued by the importer's `commit`, then the chunk is written at once; if that
    write fails (a concurrent import of the same external id …) the rows are retried one by one
    so only the offending row fails."""
    ok = failed = 0
    live = set(
        ImportRecord.objects.filter(
            kind=batch.kind,
            organisation=batch.organisation,
            undone_at__isnull=True,
            external_id__in=[r.external_id for r in rows],
        ).values_list("external_id", flat=True)
    )
    staged: list[tuple[ImportRow, object, str, str]] = []

    def fail(row: ImportRow, exc: Exception) -> None:
        nonlocal failed
        row.status, row.errors = RowStatus.FAILED, _row_failure(importer, exc)
        failed += 1
        if atomic_all:
            raise _AllOrNothingFailed(row)

    for row in rows:
        if row.external_id in live:
            row.status, row.errors = RowStatus.ALREADY, {}
            continue
        if session is not None:
            try:
                payload = _row_values(batch, importer, row, lookups)
                with staging(session):
                    obj_type, obj_id = importer.commit(actor, payload, batch.organisation)
                staged.append((row, payload, obj_type, obj_id))
            except ROW_FAILURES as exc:
                fail(row, exc)
            continue
        try:
            with transaction.atomic():
                payload = _row_values(batch, importer, row, lookups)
                obj_type, obj_id = importer.commit(actor, payload, batch.organisation)
                _record_for(batch, row, obj_type, obj_id).save(force_insert=True)
            row.status, row.object_type, row.object_id, row.errors = RowStatus.COMMITTED, obj_type, obj_id, {}
            ok += 1
        except ROW_FAILURES as exc:
            fail(row, exc)
    if not staged:
        return ok, failed
    try:
        with transaction.atomic():
            session.flush()
            insert_rows(ImportRecord, [_record_for(batch, r, t, i) for r, _, t, i in staged])
        done = [(r, t, i) for r, _, t, i in staged]
    except IntegrityError:
        session.discard_pending()
        done = []
        for row, payload, _, _ in staged:
            try:
                with transaction.atomic():
                    with staging(session):
                        obj_type, obj_id = importer.commit(actor, payload, batch.organisation)
                    session.flush()
                    _record_for(batch, row, obj_type, obj_id).save(force_insert=True)
                done.append((row, obj_type, obj_id))
            except ROW_FAILURES as exc:
                session.discard_pending()
                fail(row, exc)
    for row, obj_type, obj_id in done:
        row.status, row.object_type, row.object_id, row.errors = RowStatus.COMMITTED, obj_type, obj_id, {}
    return ok + len(done), failed


def _save_rows(rows: list[ImportRow]) -> None:
    """Store each row's outcome: plain UPDATEs per status, per-row values only where needed."""
    by_status: dict[str, list[ImportRow]] = {}
    for r in rows:
        by_status.setdefault(r.status, []).append(r)
    for status, group in by_status.items():
        if status == RowStatus.COMMITTED:
            # The object ids are on the import records just written: one UPDATE, no per-row CASE.
            for obj_type in {r.object_type for r in group}:
                ImportRow.objects.filter(pk__in=[r.pk for r in group if r.object_type == obj_type]).update(
                    status=status,
                    errors={},
                    object_type=obj_type,
                    object_id=Subquery(
                        ImportRecord.objects.filter(
                            batch_id=OuterRef("batch_id"), row_number=OuterRef("row_number"), undone_at__isnull=True
                        ).values("object_id")[:1]
                    ),
                )
        elif status == RowStatus.FAILED:
            ImportRow.objects.bulk_update(group, ["status", "errors"], batch_size=500)
        else:
            ImportRow.objects.filter(pk__in=[r.pk for r in group]).update(status=status, errors={})


class _AllOrNothingFailed(Exception):
    def __init__(self, row: ImportRow):
        super().__init__("row failed")
        self.row = row


def _actor(actor_id):
    from gugus.accounts.models import User

    return User.objects.get(pk=actor_id)


def import_commit_run(batch_id, actor_id, mode: str) -> ImportBatch:
    """Create the records through the owning app's services. Valid-only: in chunks, a row the
    service refuses is marked failed and the rest go on. All-or-nothing: one transaction."""
    with _import_connection():
        return _import_commit_run(batch_id, actor_id, mode)


def _import_commit_run(batch_id, actor_id, mode: str) -> ImportBatch:
    batch = ImportBatch.objects.select_related("organisation").get(pk=batch_id)
    if batch.status != ImportStatus.COMMITTING:
        return batch
    actor = _actor(actor_id)
    importer = importer_for(batch.kind)
    lookups = Lookups(actor=actor, organisation=batch.organisation)
    committed = failed = 0
    session = None
    chunk = COMMIT_CHUNK
    if importer.session is not None:
        try:
            session = importer.session(actor, batch.organisation, f"import:{batch.pk}")
        except ValidationError:
            # The actor lost the right to register for this organisation since starting the commit.
            _set(batch, status=ImportStatus.FAILED, message="Anda tidak lagi berwenang menyimpan impor ini.")
            batch.refresh_from_db()
            return batch
        chunk = BULK_CHUNK
    try:
        if mode == CommitMode.ALL_OR_NOTHING:
            try:
                with transaction.atomic():
                    last = 0
                    while True:
                        rows = list(batch.rows.filter(status=RowStatus.VALID, id__gt=last).order_by("id")[:chunk])
                        if not rows:
                            break
                        last = rows[-1].id
                        ok, _ = _commit_rows(batch, importer, actor, rows, lookups, atomic_all=True, session=session)
                        committed += ok
                        _save_rows(rows)
                    record(
                        "import_commit",
                        actor=actor,
                        object_type="import",
                        object_id=batch.pk,
                        organisation_id=batch.organisation_id,
                        region_code=batch.organisation.region_id,
                        detail={"kind": batch.kind, "mode": mode, "committed": committed, "failed": 0},
                    )
                    _set(
                        batch,
                        status=ImportStatus.COMMITTED,
                        committed_at=timezone.now(),
                        rows_committed=committed,
                        rows_failed=0,
                        progress_done=batch.progress_total,
                    )
            except _AllOrNothingFailed as exc:
                ImportRow.objects.filter(pk=exc.row.pk).update(status=RowStatus.FAILED, errors=exc.row.errors)
                with transaction.atomic():
                    record(
                        "import_commit_failed",
                        actor=actor,
                        object_type="import",
                        object_id=batch.pk,
                        organisation_id=batch.organisation_id,
                        detail={"kind": batch.kind, "row": exc.row.row_number},
                    )
                _set(
                    batch,
                    status=ImportStatus.FAILED,
                    rows_committed=0,
                    rows_failed=1,
                    message=f"Baris {exc.row.row_number} ditolak saat disimpan; tidak ada yang disimpan "
                    "(semua atau tidak sama sekali).",
                )
        else:
            last = 0
            while True:
                rows = list(batch.rows.filter(status=RowStatus.VALID, id__gt=last).order_by("id")[:chunk])
                if not rows:
                    break
                last = rows[-1].id
                # One transaction per chunk: a crash loses at most the chunk in progress, and
                # running the commit again skips what was saved (external ids).
                with transaction.atomic():
                    ok, bad = _commit_rows(batch, importer, actor, rows, lookups, atomic_all=False, session=session)
                    _save_rows(rows)
                committed += ok
                failed += bad
                _set(
                    batch,
                    progress_done=min(batch.progress_total, batch.progress_done + len(rows)),
                    rows_committed=committed,
                    rows_failed=failed,
                )
            with transaction.atomic():
                record(
                    "import_commit",
                    actor=actor,
                    object_type="import",
                    object_id=batch.pk,
                    organisation_id=batch.organisation_id,
                    region_code=batch.organisation.region_id,
                    detail={"kind": batch.kind, "mode": mode, "committed": committed, "failed": failed},
                )
                _set(
                    batch,
                    status=ImportStatus.COMMITTED,
                    committed_at=timezone.now(),
                    rows_committed=committed,
                    rows_failed=failed,
                    progress_done=batch.progress_total,
                    rows_invalid=batch.rows.filter(status=RowStatus.INVALID).count(),
                )
    except Exception:  # noqa: BLE001
        log.exception("import commit failed", extra={"batch": str(batch.pk)})
        if mode == CommitMode.ALL_OR_NOTHING:
            _set(batch, status=ImportStatus.FAILED, message="Kesalahan sistem saat menyimpan; tidak ada yang disimpan.")
        else:
            _set(
                batch,
                status=ImportStatus.COMMITTED,
                committed_at=timezone.now(),
                message="Kesalahan sistem saat menyimpan; sebagian baris mungkin belum tersimpan. Impor ulang berkas "
                "yang sama: baris yang sudah tersimpan tidak akan digandakan.",
            )
    batch.refresh_from_db()
    return batch


def import_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    """Discard a validated batch without saving anything (the "nothing" choice)."""
    import_organisation(actor, importer_for(batch.kind), batch.organisation)
    with transaction.atomic():
        if not ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportStatus.VALIDATED, ImportStatus.REJECTED, ImportStatus.FAILED]
        ).update(status=ImportStatus.CANCELLED):
            raise ValidationError({"__all__": "Impor ini tidak dapat dibatalkan pada status ini."})
        ImportRow.objects.filter(batch=batch).update(raw="")
        record(
            "import_cancel",
            actor=actor,
            object_type="import",
            object_id=batch.pk,
            organisation_id=batch.organisation_id,
            detail={"kind": batch.kind},
        )
    batch.refresh_from_db()
    return batch


# --------------------------------------------------------------------------- undo


def import_undo(*, actor, batch: ImportBatch) -> ImportBatch:
    importer = importer_for(batch.kind)
    import_organisation(actor, importer, batch.organisation)
    if not _undo_supported(importer):
        raise ValidationError(
            {
                "__all__": f"Pembatalan impor belum didukung untuk {importer.label.lower()} "
                "(layanan penghapusannya belum tersedia)."
            }
        )
    if batch.status != ImportStatus.COMMITTED:
        raise ValidationError(
            {"__all__": f"Hanya impor yang tersimpan dapat dibatalkan (status: {batch.get_status_display()})."}
        )
    with transaction.atomic():
        if not ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.COMMITTED).update(
            status=ImportStatus.UNDOING,
            progress_done=0,
            progress_total=batch.records.filter(undone_at__isnull=True).count(),
        ):
            raise Conflict("Impor ini sedang diproses oleh pengguna lain.")
        record(
            "import_undo_start",
            actor=actor,
            object_type="import",
            object_id=batch.pk,
            organisation_id=batch.organisation_id,
            detail={"kind": batch.kind},
        )
    batch.refresh_from_db()
    return batch


def _undo_supported(importer: Importer) -> bool:
    return importer is not None and importer.undo_available()


def _undo_chunk(importer: Importer, actor, records: list[ImportRecord], reason: str) -> tuple[list, dict]:
    """Reverse one chunk of records; returns (undone records, {object id: why kept})."""
    ids = [r.object_id for r in records]
    if importer.undo_many is not None:
        gone, kept = importer.undo_many(actor, ids, reason)
    else:
        gone, kept = [], {}
        for oid in ids:
            try:
                with transaction.atomic():
                    importer.undo(actor, oid, reason)
                gone.append(oid)
            except (ValidationError, Conflict, Http404) as exc:
                if isinstance(exc, Conflict):
                    kept[oid] = "Data sudah diubah sejak diimpor."
                elif isinstance(exc, Http404):
                    kept[oid] = "Di luar cakupan Anda."
                else:
                    kept[oid] = "; ".join(exc.messages)[:300]
    gone_set = {str(g) for g in gone}
    return [r for r in records if r.object_id in gone_set], {str(k): v for k, v in kept.items()}


def import_undo_run(batch_id, actor_id) -> ImportBatch:
    """Reverse what the import created, through the owning services, one transaction per chunk.

    A record something has been added to since (an edit, a service, a referral …) is kept and its
    row says why (status `kept`); the rest are removed. If the run stops half-way, every chunk
    is either fully reversed or untouched; undoing again continues with what is left."""
    batch = ImportBatch.objects.select_related("organisation").get(pk=batch_id)
    if batch.status != ImportStatus.UNDOING:
        return batch
    actor = _actor(actor_id)
    importer = importer_for(batch.kind)
    reason = f"Impor dibatalkan ({batch.filename})"[:300]
    undone = kept_n = 0
    try:
        last = 0
        while True:
            records = list(batch.records.filter(undone_at__isnull=True, id__gt=last).order_by("id")[:UNDO_CHUNK])
            if not records:
                break
            last = records[-1].id
            with transaction.atomic():
                gone, kept = _undo_chunk(importer, actor, records, reason)
                now = timezone.now()
                ImportRecord.objects.filter(pk__in=[r.pk for r in gone]).update(undone_at=now)
                batch.rows.filter(row_number__in=[r.row_number for r in gone], status=RowStatus.COMMITTED).update(
                    status=RowStatus.UNDONE
                )
                by_row = {r.row_number: kept[r.object_id] for r in records if r.object_id in kept}
                rows = list(
                    batch.rows.filter(row_number__in=list(by_row), status__in=[RowStatus.COMMITTED, RowStatus.KEPT])
                )
                for row in rows:
                    row.status, row.errors = RowStatus.KEPT, {UNDO_LABEL: [by_row[row.row_number]]}
                ImportRow.objects.bulk_update(rows, ["status", "errors"], batch_size=500)
            undone += len(gone)
            kept_n += len(kept)
            _set(batch, progress_done=min(batch.progress_total, batch.progress_done + len(records)))
        message = ""
        if kept_n:
            message = (
                f"{undone} data dihapus; {kept_n} data dipertahankan karena sudah ada data baru atau perubahan "
                "sejak diimpor (lihat baris yang dipertahankan)."
            )
        with transaction.atomic():
            record(
                "import_undo",
                actor=actor,
                object_type="import",
                object_id=batch.pk,
                organisation_id=batch.organisation_id,
                region_code=batch.organisation.region_id,
                detail={"kind": batch.kind, "reversed": undone, "kept": kept_n},
            )
            _set(
                batch,
                status=ImportStatus.UNDONE,
                undone_at=timezone.now(),
                undone_by=actor,
                progress_done=batch.progress_total,
                message=message[:500],
            )
    except Exception:  # noqa: BLE001
        log.exception("import undo failed", extra={"batch": str(batch.pk)})
        _set(
            batch,
            status=ImportStatus.COMMITTED,
            message=f"Pembatalan terhenti karena kesalahan sistem setelah {undone} data dihapus; "
            "data lainnya tidak diubah. Urungkan lagi untuk melanjutkan.",
        )
    batch.refresh_from_db()
    return batch


def error_sheet_audit(*, actor, batch: ImportBatch) -> None:
    with transaction.atomic():
        record(
            "import_error_sheet",
            actor=actor,
            object_type="import",
            object_id=batch.pk,
            organisation_id=batch.organisation_id,
            detail={"kind": batch.kind, "rows": batch.rows_total},
        )
