"""Exports of the lists a user can see, as CSV or XLSX, streamed.

- Rows come from the owning app's selector (the user's scope), read in chunks
  (`.values().iterator(chunk_size=…)`), never all in memory.
- CSV streams as it is produced; XLSX is written by xlsxwriter in constant_memory mode to a
  temporary file, then streamed.
- Every text cell passes `escape_formula` (formula injection).
- Identity columns (cases only) are filled only when asked for, only for a user who may export
  identities, and only on the rows whose identity that user may read (the rule of
  `cases.selectors.can_view_identity`, as one query per chunk). Such an export must be
  encrypted with a password the user sets (`crypto.OpenSSLEncryptor`).

Plain functions for the benchmark: `export_rows(user, kind)`, `csv_chunks(header, rows)`,
`write_xlsx(header, rows, fileobj)`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from gugus.accounts.scope import scope_for
from gugus.audit.services import record

from .sheets import escape_formula

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str  # a values() path, or a computed key filled by the spec's `enrich`
    label: str
    kind: str = "text"  # text | date | int | money | bool
    identity: bool = False


@dataclass
class ExportSpec:
    kind: str
    label: str
    view_perm: str
    columns: list[Column]
    queryset: Callable  # (user) -> QuerySet
    enrich: Callable | None = None  # (rows: list[dict], user, identities: bool) -> None
    identity_columns: list[Column] = field(default_factory=list)
    module: str = ""
    order_by: tuple[str, ...] = ()

    def available(self) -> bool:
        if not self.module:
            return True
        import importlib

        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True


# --------------------------------------------------------------------------- code labels


_LABELS: dict[str, str] = {}


def code_label(key: str | None) -> str:
    if not key:
        return ""
    if not _LABELS:
        from gugus.reference.models import Code

        _LABELS.update(dict(Code.objects.values_list("key", "label_id")))
    return _LABELS.get(key, key.split(".", 1)[-1])


# --------------------------------------------------------------------------- cases


def _cases_qs(user):
    from gugus.cases.selectors import cases_visible_to

    return cases_visible_to(user, "victim.view")


CASE_COLUMNS = [
    Column("case_number", "Nomor kasus"),
    Column("identification_date", "Tanggal identifikasi", "date"),
    Column("region_id", "Kode wilayah penanganan"),
    Column("region__name", "Wilayah penanganan"),
    Column("origin_region_id", "Kode wilayah asal"),
    Column("origin_region__name", "Wilayah asal"),
    Column("owner_org__name", "Organisasi penanggung jawab"),
    Column("status_label", "Status kasus"),
    Column("trafficking_status_label", "Status korban"),
    Column("sex_label", "Jenis kelamin"),
    Column("age_at_identification", "Usia saat identifikasi", "int"),
    Column("is_child", "Anak", "bool"),
    Column("citizenship", "Kewarganegaraan (ISO)"),
    Column("channel_label", "Jalur identifikasi"),
    Column("exploitation_labels", "Bentuk eksploitasi"),
    Column("means_labels", "Cara"),
    Column("sector_label", "Sektor kerja"),
    Column("recruiter_label", "Hubungan dengan perekrut"),
    Column("destination_country_id", "Negara tujuan (ISO)"),
    Column("scope_label", "Lingkup"),
    Column("closed_at", "Tanggal ditutup", "date"),
]
CASE_IDENTITY_COLUMNS = [
    Column("full_name", "Nama lengkap", identity=True),
    Column("nik", "NIK", identity=True),
    Column("birth_date", "Tanggal lahir", identity=True),
    Column("phone", "Telepon", identity=True),
    Column("address", "Alamat", identity=True),
    Column("guardian_name", "Nama wali", identity=True),
    Column("guardian_phone", "Telepon wali", identity=True),
]
CASE_VALUES = [
    "pk",
    "victim_id",
    "case_number",
    "identification_date",
    "region_id",
    "region__name",
    "origin_region_id",
    "origin_region__name",
    "owner_org__name",
    "status",
    "trafficking_status",
    "victim__sex_id",
    "age_at_identification",
    "is_child",
    "victim__citizenship_id",
    "identification_channel_id",
    "sector_id",
    "recruiter_relation_id",
    "destination_country_id",
    "scope",
    "closed_at",
]


def _m2m(through, ids: list, fk: str = "case_id", code: str = "code_id") -> dict:
    out: dict = {}
    for case_id, key in through.objects.filter(**{f"{fk}__in": ids}).values_list(fk, code):
        out.setdefault(case_id, []).append(key)
    return out


def _enrich_cases(rows: list[dict], user, identities: bool) -> None:
    from gugus.cases.models import Case, CaseStatus, Identity

    ids = [r["pk"] for r in rows]
    forms = _m2m(Case.exploitation_forms.through, ids)
    means = _m2m(Case.means.through, ids)
    status = dict(CaseStatus.choices)
    tstatus = dict(Case.TraffickingStatus.choices)
    scopes = dict(Case.Scope.choices)
    for r in rows:
        r["status_label"] = status.get(r["status"], r["status"])
        r["trafficking_status_label"] = tstatus.get(r["trafficking_status"], r["trafficking_status"])
        r["sex_label"] = code_label(r["victim__sex_id"])
        r["citizenship"] = r["victim__citizenship_id"] or ""
        r["channel_label"] = code_label(r["identification_channel_id"])
        r["sector_label"] = code_label(r["sector_id"])
        r["recruiter_label"] = code_label(r["recruiter_relation_id"])
        r["scope_label"] = scopes.get(r["scope"], r["scope"])
        r["exploitation_labels"] = "; ".join(sorted(code_label(k) for k in forms.get(r["pk"], [])))
        r["means_labels"] = "; ".join(sorted(code_label(k) for k in means.get(r["pk"], [])))
    if identities:
        from .selectors import identity_case_q

        allowed = set(Case.objects.filter(pk__in=ids).filter(identity_case_q(user)).values_list("pk", flat=True))
        victims = {r["victim_id"] for r in rows if r["pk"] in allowed}
        by_victim = {i.victim_id: i for i in Identity.objects.filter(victim_id__in=victims)}
        for r in rows:
            ident = by_victim.get(r["victim_id"]) if r["pk"] in allowed else None
            for c in CASE_IDENTITY_COLUMNS:
                r[c.key] = getattr(ident, c.key, "") if ident else ""


CASES = ExportSpec(
    kind="cases",
    label="Daftar kasus",
    view_perm="victim.view",
    columns=CASE_COLUMNS,
    queryset=_cases_qs,
    enrich=_enrich_cases,
    identity_columns=CASE_IDENTITY_COLUMNS,
    module="gugus.cases.selectors",
    order_by=("identification_date", "case_number"),
)
CASES_VALUES = CASE_VALUES


# --------------------------------------------------------------------------- services (care)


def _services_qs(user):
    from gugus.care.selectors import services_visible_to

    return services_visible_to(user)


SERVICE_COLUMNS = [
    Column("case__case_number", "Nomor kasus"),
    Column("type_label", "Jenis layanan"),
    Column("provider_org__name", "Penyedia layanan"),
    Column("status", "Status"),
    Column("requested_on", "Tanggal permintaan", "date"),
    Column("started_on", "Tanggal mulai", "date"),
    Column("completed_on", "Tanggal selesai", "date"),
    Column("cost", "Biaya (Rp)", "money"),
    Column("funding_label", "Sumber dana"),
    Column("payer_org__name", "Instansi pembayar"),
    Column("unfunded", "Tanpa pendanaan", "bool"),
    Column("case__region_id", "Kode wilayah penanganan"),
]
SERVICE_VALUES = [
    "pk",
    "case__case_number",
    "service_type_id",
    "provider_org__name",
    "status",
    "requested_on",
    "started_on",
    "completed_on",
    "cost",
    "funding_source_id",
    "payer_org__name",
    "unfunded",
    "case__region_id",
]


def _enrich_services(rows: list[dict], user, identities: bool) -> None:
    for r in rows:
        r["type_label"] = code_label(r["service_type_id"])
        r["funding_label"] = code_label(r["funding_source_id"])


SERVICES = ExportSpec(
    kind="services",
    label="Layanan",
    view_perm="service.view",
    columns=SERVICE_COLUMNS,
    queryset=_services_qs,
    enrich=_enrich_services,
    module="gugus.care.selectors",
    order_by=("requested_on", "id"),
)


# --------------------------------------------------------------------------- budgets (registry)


def _budgets_qs(user):
    from gugus.registry.selectors import budgets_visible_to

    return budgets_visible_to(user)


BUDGET_COLUMNS = [
    Column("region_id", "Kode wilayah"),
    Column("region__name", "Wilayah"),
    Column("year", "Tahun anggaran", "int"),
    Column("source_label", "Sumber anggaran"),
    Column("programme_label", "Program"),
    Column("agency__name", "Perangkat daerah / instansi"),
    Column("allocated", "Pagu (Rp)", "money"),
    Column("realised", "Realisasi (Rp)", "money"),
    Column("note", "Catatan"),
]
BUDGET_VALUES = [
    "pk",
    "region_id",
    "region__name",
    "year",
    "source_id",
    "programme_id",
    "agency__name",
    "allocated",
    "realised",
    "note",
]


def _enrich_budgets(rows: list[dict], user, identities: bool) -> None:
    for r in rows:
        r["source_label"] = code_label(r["source_id"])
        r["programme_label"] = code_label(r["programme_id"])


BUDGETS = ExportSpec(
    kind="budgets",
    label="Anggaran",
    view_perm="registry.view",
    columns=BUDGET_COLUMNS,
    queryset=_budgets_qs,
    enrich=_enrich_budgets,
    module="gugus.registry.selectors",
    order_by=("region_id", "year", "id"),
)

SPECS: dict[str, ExportSpec] = {s.kind: s for s in (CASES, SERVICES, BUDGETS)}
VALUES: dict[str, list[str]] = {"cases": CASE_VALUES, "services": SERVICE_VALUES, "budgets": BUDGET_VALUES}


def spec_for(kind: str) -> ExportSpec | None:
    spec = SPECS.get(kind)
    return spec if spec is not None and spec.available() else None


def may_export(user, spec: ExportSpec) -> bool:
    scope = scope_for(user)
    return scope.has("export.list") and scope.has(spec.view_perm)


def specs_for(user) -> list[ExportSpec]:
    return [s for s in SPECS.values() if s.available() and may_export(user, s)]


# --------------------------------------------------------------------------- rows


@dataclass
class Export:
    spec: ExportSpec
    columns: list[Column]
    queryset: QuerySet
    identities: bool
    user: object = None

    @property
    def header(self) -> list[str]:
        return [c.label for c in self.columns]

    def rows(self, chunk_size: int = CHUNK) -> Iterator[list]:
        """Rows as lists of values, in chunks; memory bounded by the chunk."""
        values = VALUES[self.spec.kind]
        buf: list[dict] = []
        for row in self.queryset.values(*values).iterator(chunk_size=chunk_size):
            buf.append(row)
            if len(buf) >= chunk_size:
                yield from self._emit(buf)
                buf = []
        if buf:
            yield from self._emit(buf)

    def _emit(self, buf: list[dict]) -> Iterator[list]:
        if self.spec.enrich:
            self.spec.enrich(buf, self.user, self.identities)
        for r in buf:
            yield [r.get(c.key) for c in self.columns]


def export_build(user, kind: str, *, identities: bool = False, filters: dict | None = None) -> Export:
    """The export a user may have. Raises ValidationError when not permitted (the faces map it
    to 404 for lists the user may not see)."""
    from .selectors import may_export_identities

    spec = spec_for(kind)
    if spec is None or not may_export(user, spec):
        raise ValidationError({"kind": "Ekspor ini tidak tersedia untuk Anda."})
    if identities and not (spec.identity_columns and may_export_identities(user)):
        raise ValidationError({"identities": "Anda tidak berwenang mengekspor identitas."})
    qs = spec.queryset(user)
    filters = filters or {}
    if kind == "cases":
        if filters.get("year"):
            qs = qs.filter(identification_date__year=int(filters["year"]))
        if filters.get("region"):
            from gugus.reference.models import subtree_q

            qs = qs.filter(subtree_q("region_id", filters["region"]))
    if spec.order_by:
        qs = qs.order_by(*spec.order_by)
    columns = spec.columns + (spec.identity_columns if identities else [])
    return Export(spec=spec, columns=columns, queryset=qs, identities=identities, user=user)


def export_audit(*, actor, export: Export, fmt: str, encrypted: bool, standard: str = "") -> int:
    """One audit event per export, before the first byte: who, what, how many rows, identities."""
    count = export.queryset.count()
    detail = {
        "kind": export.spec.kind,
        "format": fmt,
        "rows": count,
        "identity": export.identities,
        "encrypted": encrypted,
    }
    if standard:
        detail["standard"] = standard
    if export.identities:
        from .selectors import identity_case_q

        detail["identity_rows"] = export.queryset.filter(identity_case_q(actor)).count()
    with transaction.atomic():
        record("export", actor=actor, object_type="export", object_id=export.spec.kind, detail=detail)
    return count


# --------------------------------------------------------------------------- writers


def _text(value, kind: str = "text") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    return escape_formula(str(value))


def csv_chunks(
    header: list[str],
    rows: Iterable[list],
    *,
    delimiter: str = ",",
    bom: bool = True,
    prefix_rows: Iterable[list] = (),
    flush_bytes: int = 64 * 1024,
) -> Iterator[bytes]:
    """CSV as a stream of byte chunks (UTF-8, BOM for Excel)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        buf.write("\ufeff")
    writer.writerow([escape_formula(h) for h in header])
    for extra in prefix_rows:
        writer.writerow([escape_formula(str(v)) for v in extra])
    for row in rows:
        writer.writerow([_text(v) for v in row])
        if buf.tell() >= flush_bytes:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def write_xlsx(
    header: list[str],
    rows: Iterable[list],
    fileobj,
    *,
    sheet: str = "Data",
    kinds: list[str] | None = None,
    prefix_rows: Iterable[list] = (),
) -> int:
    """Write an XLSX with xlsxwriter in constant_memory mode (one row in memory at a time)."""
    wb = xlsxwriter.Workbook(
        fileobj,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DCE6F1"})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    for col, h in enumerate(header):
        ws.write_string(0, col, escape_formula(h), bold)
        ws.set_column(col, col, max(10, min(40, len(h) + 2)))
    r = 1
    for extra in prefix_rows:
        for col, v in enumerate(extra):
            ws.write_string(r, col, escape_formula(str(v)))
        r += 1
    n = 0
    for row in rows:
        for col, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, bool):
                ws.write_string(r, col, "ya" if v else "tidak")
            elif isinstance(v, dt.datetime):
                ws.write_datetime(r, col, v.replace(tzinfo=None), datefmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, col, dt.datetime(v.year, v.month, v.day), datefmt)
            elif isinstance(v, Decimal):
                ws.write_number(r, col, float(v), money)
            elif isinstance(v, int | float):
                ws.write_number(r, col, v)
            else:
                ws.write_string(r, col, escape_formula(str(v)))
        r += 1
        n += 1
    ws.freeze_panes(1, 0)
    wb.close()
    return n


def file_chunks(fileobj, size: int = 256 * 1024) -> Iterator[bytes]:
    fileobj.seek(0)
    while True:
        chunk = fileobj.read(size)
        if not chunk:
            break
        yield chunk


def xlsx_chunks(header: list[str], rows: Iterable[list], **kw) -> Iterator[bytes]:
    """Build the workbook in a temporary file (constant memory), then stream it."""
    with tempfile.TemporaryFile() as tmp:
        write_xlsx(header, rows, tmp, **kw)
        yield from file_chunks(tmp)


def encrypted(chunks: Iterable[bytes], password: str) -> Iterator[bytes]:
    from .crypto import OpenSSLEncryptor

    enc = OpenSSLEncryptor(password)
    yield enc.header
    for chunk in chunks:
        out = enc.update(chunk)
        if out:
            yield out
    yield enc.finalize()


def export_rows(user, kind: str, *, identities: bool = False) -> tuple[list[str], Iterator[list]]:
    """(header, rows) for the benchmark and other callers."""
    exp = export_build(user, kind, identities=identities)
    return exp.header, exp.rows()
