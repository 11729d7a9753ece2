"""What each kind of spreadsheet holds and how a row becomes a record: one `Importer` per kind.

An importer names its columns (`Field`: header label, aliases, type, code list), turns a row
into the payload of the owning app's service (`build`), commits it through that service
(`commit`) and reverses it through a service (`undo`). Exchange never writes another app's
models itself.

Kinds: victims (cases.services.victim_register; committed in bulk through
cases.bulk.VictimBulkRegistration, undone with cases.bulk.victims_discard), and, when their apps
provide the services, services (care), budgets, prevention activities and trainings (registry).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .lookups import Lookups, region_code
from .parsing import (
    CellError,
    ColumnSpec,
    Formula,
    clean_text,
    is_empty,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    split_multi,
)

MAX_TEXT = 2000


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | date | int | money | bool | region | country | code | codes | choice
    required: bool = False
    list_key: str = ""
    aliases: tuple[str, ...] = ()
    identity: bool = False  # never echo the value in a message
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for kind "choice"
    help: str = ""
    max_length: int = 300
    levels: tuple[int, ...] = (1, 2)
    example: str = ""

    def spec(self) -> ColumnSpec:
        return ColumnSpec(self.key, self.label, self.aliases)


EXTERNAL_ID = Field(
    "external_id",
    "ID Eksternal",
    aliases=(
        "ID baris",
        "Nomor register",
        "No register",
        "No. register",
        "Nomor registrasi",
        "ID",
        "Kode baris",
        "External ID",
    ),
    max_length=120,
    help="Nomor unik baris di sistem/catatan Anda. Mencegah duplikat bila berkas diimpor ulang.",
    example="REG-2025-001",
)


class RowError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("baris tidak valid")
        self.errors = errors


def _safe(msg: str) -> str:
    """A message without the quoted cell value (for identity columns)."""
    return re.sub(r"'[^']*'", "nilai ini", msg)


def _module(path: str):
    try:
        return importlib.import_module(path)
    except ImportError:
        return None


@dataclass
class Importer:
    kind: str
    label: str
    perm: str
    object_type: str
    fields: list[Field]
    build: Callable  # (values: dict, lookups) -> payload ; raises RowError
    commit: Callable  # (actor, payload, organisation) -> (object_type, object_id)
    undo: Callable | None  # (actor, object_id, reason) -> None; refusals (ValidationError …) keep the record
    description: str = ""
    services_module: str = ""
    needs: tuple[str, ...] = ()  # names that must exist in services_module
    key_fields: tuple[str, ...] = field(default_factory=tuple)
    dry_run: bool = False  # validate each row by calling the service in a rolled-back transaction
    service_field_map: dict[str, str] = field(default_factory=dict)  # service error key -> field key
    # Bulk commit: `session(actor, organisation, source)` gives an object with `flush()`; while it
    # is active (`staging(session)`), `commit` only validates and queues the row, and `flush()`
    # (inside the chunk's transaction) writes the whole chunk. None: one service call per row.
    session: Callable | None = None
    # The payload for committing (the service validates it again); None: `build`.
    prepare: Callable | None = None
    # Bulk undo: (actor, object_ids, reason) -> (undone ids, {kept id: why}).
    undo_many: Callable | None = None
    undo_module: str = ""
    undo_needs: tuple[str, ...] = ()  # names that must exist in undo_module for undo to be offered

    def available(self) -> bool:
        if not self.services_module:
            return True
        mod = _module(self.services_module)
        return mod is not None and all(hasattr(mod, n) for n in self.needs)

    def undo_available(self) -> bool:
        """Undo is offered once the owning app has the delete service (checked at call time)."""
        if self.undo is None and self.undo_many is None:
            return False
        if not self.available():
            return False
        if not self.undo_needs:
            return True
        mod = _module(self.undo_module or self.services_module)
        return mod is not None and all(hasattr(mod, n) for n in self.undo_needs)

    @property
    def all_fields(self) -> list[Field]:
        return [EXTERNAL_ID, *self.fields]

    def field_by_key(self, key: str) -> Field | None:
        return next((f for f in self.all_fields if f.key == key), None)

    def label_for(self, key: str) -> str:
        key = self.service_field_map.get(key, key)
        f = self.field_by_key(key)
        return f.label if f else "Baris"


# --------------------------------------------------------------------------- cell conversion


CACHED_KINDS = {"date", "region", "country", "code", "codes", "choice", "money", "int", "bool"}
MEMO_LIMIT = 100_000


def convert(f: Field, raw, lookups: Lookups):
    """One cell to a value for `f`; raises CellError. Repeated texts (regions, codes, dates)
    are converted once per run (memoised on the lookups)."""
    if f.kind in CACHED_KINDS and not f.identity and isinstance(raw, str | int | float):
        key = (f.key, raw)
        hit = lookups.memo.get(key)
        if hit is None:
            try:
                hit = (True, _convert(f, raw, lookups))
            except CellError as exc:
                hit = (False, str(exc))
            if len(lookups.memo) < MEMO_LIMIT:
                lookups.memo[key] = hit
        if hit[0]:
            value = hit[1]
            return list(value) if isinstance(value, list) else value
        raise CellError(hit[1])
    return _convert(f, raw, lookups)


def _convert(f: Field, raw, lookups: Lookups):
    if isinstance(raw, Formula):
        raise CellError("Sel berisi rumus; rumus tidak dihitung. Ketik nilainya.")
    if is_empty(raw):
        if f.required:
            raise CellError("Wajib diisi.")
        return [] if f.kind == "codes" else None
    try:
        if f.kind == "text":
            text = clean_text(raw)
            if len(text) > f.max_length:
                raise CellError(f"Terlalu panjang (maksimal {f.max_length} karakter).")
            return text
        if f.kind == "date":
            return parse_date(raw)
        if f.kind == "int":
            return parse_int(raw)
        if f.kind == "money":
            value = parse_decimal(raw)
            if value is not None and value < 0:
                raise CellError("Jumlah uang tidak boleh negatif.")
            if value is not None and value >= 10**14:
                raise CellError("Jumlah uang tidak masuk akal (terlalu besar).")
            return value.quantize(type(value)("0.01")) if value is not None else None
        if f.kind == "bool":
            return parse_bool(raw)
        if f.kind == "region":
            return region_code(raw, levels=f.levels)
        if f.kind == "country":
            return lookups.countries.get(raw)
        if f.kind == "code":
            return lookups.code(f.list_key).get(raw)
        if f.kind == "codes":
            out = []
            for part in split_multi(raw):
                code = lookups.code(f.list_key).get(part)
                if code and code not in out:
                    out.append(code)
            return out
        if f.kind == "choice":
            text = clean_text(raw)
            from .parsing import fold

            for value, label in f.choices:
                if fold(text) in (fold(value), fold(label), fold(value.replace("_", " "))):
                    return value
            raise CellError(f"'{text[:60]}' bukan pilihan yang sah ({', '.join(lbl for _, lbl in f.choices)}).")
    except CellError as exc:
        raise CellError(_safe(str(exc)) if f.identity else str(exc))
    raise CellError("Jenis kolom tidak dikenal.")


def convert_row(importer: Importer, cells: dict[str, object], lookups: Lookups) -> tuple[dict, dict[str, list[str]]]:
    """All cells of a row; (values by field key, errors by field label)."""
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for f in importer.all_fields:
        try:
            values[f.key] = convert(f, cells.get(f.key), lookups)
        except CellError as exc:
            errors.setdefault(f.label, []).append(str(exc))
            values[f.key] = None
    return values, errors


def validation_errors(
    importer: Importer, exc: ValidationError, *, identity_keys: set[str] = frozenset()
) -> dict[str, list[str]]:
    """A service's ValidationError as errors by column label (identity values never echoed)."""
    out: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for key, errs in exc.error_dict.items():
            label = importer.label_for(key) if key != "__all__" else "Baris"
            f = importer.field_by_key(importer.service_field_map.get(key, key))
            for e in errs:
                for m in e.messages:
                    out.setdefault(label, []).append(_safe(m) if (f and f.identity) or key in identity_keys else m)
    else:
        out["Baris"] = [_safe(m) for m in exc.messages]
    return out


# --------------------------------------------------------------------------- victims and cases

SCOPE_CHOICES = (("domestic", "Dalam negeri"), ("transnational", "Lintas negara"))
STATUS_CHOICES = (("possible", "Diduga korban"), ("actual", "Korban"), ("not_a_victim", "Bukan korban"))

VICTIM_FIELDS = [
    Field(
        "identification_date",
        "Tanggal identifikasi",
        "date",
        required=True,
        aliases=("Tgl identifikasi", "Tanggal lapor", "Tanggal pengaduan", "Tgl pengaduan", "Tanggal"),
        help="Tanggal korban diidentifikasi/melapor, mis. 25/08/2015.",
        example="25/08/2025",
    ),
    Field(
        "identification_channel",
        "Jalur identifikasi",
        "code",
        required=True,
        list_key="identification_channel",
        aliases=("Sumber rujukan", "Jalur", "Sumber laporan"),
        example="Hotline / SAPA 129",
    ),
    Field(
        "full_name",
        "Nama lengkap",
        identity=True,
        aliases=("Nama", "Nama korban", "Nama lengkap korban"),
        max_length=200,
        example="(nama korban)",
    ),
    Field("aliases", "Nama lain", identity=True, aliases=("Alias", "Nama panggilan"), max_length=500),
    Field(
        "sex",
        "Jenis kelamin",
        "code",
        required=True,
        list_key="sex",
        aliases=("JK", "L/P", "Kelamin", "Sex"),
        example="Perempuan",
    ),
    Field("nik", "NIK", identity=True, aliases=("No KTP", "Nomor induk kependudukan", "No. NIK"), max_length=40),
    Field("birth_date", "Tanggal lahir", "date", identity=True, aliases=("Tgl lahir", "Tanggal lahir korban")),
    Field(
        "estimated_age",
        "Perkiraan usia",
        "int",
        aliases=("Usia", "Umur", "Usia (tahun)", "Umur (th)"),
        help="Isi bila tanggal lahir tidak diketahui.",
        example="17",
    ),
    Field(
        "phone", "Telepon", identity=True, aliases=("No HP", "No. HP", "Nomor telepon", "HP", "No telp"), max_length=40
    ),
    Field("address", "Alamat", identity=True, aliases=("Alamat korban", "Alamat lengkap"), max_length=500),
    Field(
        "domicile_region",
        "Wilayah domisili",
        "region",
        aliases=("Domisili", "Kab/Kota domisili"),
        levels=(1, 2, 3),
        example="Kab. Indramayu (32.12)",
    ),
    Field(
        "origin_region",
        "Wilayah asal",
        "region",
        aliases=("Daerah asal", "Asal", "Kab/Kota asal", "Asal korban"),
        levels=(1, 2, 3),
        example="Kab. Indramayu (32.12)",
    ),
    Field(
        "citizenship_status",
        "Status kewarganegaraan",
        "code",
        list_key="citizenship_status",
        aliases=("WNI/WNA",),
        example="WNI",
    ),
    Field(
        "citizenship",
        "Negara kewarganegaraan",
        "country",
        aliases=("Kewarganegaraan", "Warga negara", "Negara asal"),
        example="Indonesia",
    ),
    Field("education", "Pendidikan", "code", list_key="education", aliases=("Pendidikan terakhir",)),
    Field("occupation", "Pekerjaan", "code", list_key="occupation"),
    Field("disability", "Disabilitas", "code", list_key="disability"),
    Field(
        "exploitation_forms",
        "Bentuk eksploitasi",
        "codes",
        list_key="exploitation",
        aliases=("Jenis eksploitasi", "Eksploitasi"),
        help="Boleh lebih dari satu, pisahkan dengan titik koma (;).",
        example="Kerja atau pelayanan paksa",
    ),
    Field("means", "Cara", "codes", list_key="means", aliases=("Modus", "Cara perdagangan orang")),
    Field("acts", "Tindakan", "codes", list_key="act", aliases=("Tindakan perdagangan orang",)),
    Field("sector", "Sektor kerja", "code", list_key="labour_sector", aliases=("Sektor",)),
    Field("exploitation_start", "Mulai eksploitasi", "date", aliases=("Tanggal mulai eksploitasi",)),
    Field("exploitation_end", "Akhir eksploitasi", "date", aliases=("Tanggal akhir eksploitasi",)),
    Field(
        "recruiter_relation",
        "Hubungan dengan perekrut",
        "code",
        list_key="recruiter_relation",
        aliases=("Hubungan perekrut", "Perekrut"),
    ),
    Field("recruiting_agency", "Agen perekrut", aliases=("Perusahaan perekrut", "PT perekrut", "Agen"), max_length=200),
    Field(
        "destination_country",
        "Negara tujuan",
        "country",
        aliases=("Negara tujuan eksploitasi", "Tujuan"),
        example="Malaysia",
    ),
    Field("scope", "Lingkup", "choice", choices=SCOPE_CHOICES, aliases=("Dalam/luar negeri",)),
    Field("trafficking_status", "Status korban", "choice", choices=STATUS_CHOICES),
    Field("guardian_name", "Nama wali", identity=True, aliases=("Nama orang tua/wali", "Wali"), max_length=200),
    Field("guardian_phone", "Telepon wali", identity=True, aliases=("HP wali",), max_length=40),
    Field("guardian_relation", "Hubungan wali", aliases=("Hubungan dengan wali",), max_length=60),
]
VICTIM_IDENTITY_KEYS = {f.key for f in VICTIM_FIELDS if f.identity}


def _victim_data(values: dict):
    from gugus.cases.services import VictimData

    citizenship = values.get("citizenship")
    cstatus = values.get("citizenship_status") or ("wna" if citizenship and citizenship != "ID" else "wni")
    dest = values.get("destination_country")
    scope = values.get("scope") or ("transnational" if dest and dest != "ID" else "domestic")
    return VictimData(
        sex=values.get("sex") or "",
        identification_date=values.get("identification_date"),
        identification_channel=values.get("identification_channel") or "",
        full_name=values.get("full_name") or "",
        aliases=[a.strip() for a in re.split(r"[;\n]+", values.get("aliases") or "") if a.strip()],
        nik=values.get("nik") or "",
        birth_date=values.get("birth_date"),
        estimated_age=values.get("estimated_age"),
        phone=values.get("phone") or "",
        address=values.get("address") or "",
        domicile_region=values.get("domicile_region"),
        citizenship_status=cstatus,
        citizenship=citizenship if cstatus == "wna" else ("ID" if cstatus == "wni" else None),
        disability=values.get("disability"),
        education=values.get("education"),
        occupation=values.get("occupation"),
        guardian_name=values.get("guardian_name") or "",
        guardian_phone=values.get("guardian_phone") or "",
        guardian_relation=values.get("guardian_relation") or "",
        exploitation_forms=values.get("exploitation_forms") or [],
        means=values.get("means") or [],
        acts=values.get("acts") or [],
        sector=values.get("sector"),
        exploitation_start=values.get("exploitation_start"),
        exploitation_end=values.get("exploitation_end"),
        recruiter_relation=values.get("recruiter_relation"),
        recruiting_agency=values.get("recruiting_agency") or "",
        destination_country=dest,
        origin_region=values.get("origin_region"),
        scope=scope,
        trafficking_status=values.get("trafficking_status") or "possible",
    )


def build_victim(values: dict, lookups: Lookups):
    from gugus.cases.validation import validate_victim_data

    data = _victim_data(values)
    try:
        validate_victim_data(data)
    except ValidationError as exc:
        raise RowError(validation_errors(VICTIMS, exc, identity_keys=VICTIM_IDENTITY_KEYS))
    return data


_STAGING: contextvars.ContextVar = contextvars.ContextVar("exchange_staging", default=None)


@contextlib.contextmanager
def staging(session):
    """While active, a bulk-capable importer's `commit` queues rows into `session`."""
    token = _STAGING.set(session)
    try:
        yield session
    finally:
        _STAGING.reset(token)


def prepare_victim(values: dict, lookups: Lookups):
    """The registration to commit; the cases service checks its meaning (again) when it is added."""
    return _victim_data(values)


def victim_session(actor, organisation, source: str = ""):
    from gugus.cases.bulk import VictimBulkRegistration

    return VictimBulkRegistration(actor=actor, organisation=organisation, source=source)


def commit_victim(actor, data, organisation):
    """Register one victim: queued into the chunk's bulk registration when one is staging (the
    import's commit), else through `victim_register`."""
    session = _STAGING.get()
    if session is not None:
        return "case", str(session.add(data))
    from gugus.cases.services import victim_register

    case = victim_register(actor=actor, data=data, organisation=organisation)
    return "case", str(case.pk)


def undo_victims(actor, object_ids: list[str], reason: str):
    """Remove the imported victims nothing has been added to since; keep (and say why) the rest."""
    from gugus.cases.bulk import victims_discard

    return victims_discard(actor=actor, case_ids=object_ids, reason=reason)


VICTIMS = Importer(
    kind="victims",
    label="Korban dan kasus",
    perm="victim.create",
    object_type="case",
    fields=VICTIM_FIELDS,
    build=build_victim,
    commit=commit_victim,
    undo=None,
    description="Satu baris per korban: data korban (identitas terenkripsi) dan kasusnya.",
    services_module="gugus.cases.services",
    needs=("victim_register",),
    session=victim_session,
    prepare=prepare_victim,
    undo_many=undo_victims,
    undo_module="gugus.cases.bulk",
    undo_needs=("victims_discard",),
    key_fields=("identification_date", "full_name", "nik", "birth_date", "sex"),
    service_field_map={"route": "origin_region"},
)


# --------------------------------------------------------------------------- registry / care kinds


def _call_service(module: str, name: str, **kwargs):
    fn = getattr(importlib.import_module(module), name)
    return fn(**kwargs)


def _plain(values: dict) -> dict:
    return {k: v for k, v in values.items() if k != "external_id"}


def _registry_commit(service: str, object_type: str):
    def commit(actor, payload, organisation):
        payload = dict(payload)
        region = payload.pop("region_code")
        obj = _call_service(
            "gugus.registry.services",
            service,
            actor=actor,
            region_code=region,
            **{k: v for k, v in payload.items() if v not in (None, "", [])},
        )
        return object_type, str(obj.pk)

    return commit


def _undo_via(module: str, service: str, model: str, param: str, *, with_reason: bool = True):
    """Undo one record through the owning app's delete service, looked up when called (the
    service may arrive later). `expected_version=1`: a record edited since it was imported is
    kept (Conflict), as is one the service refuses."""

    def undo(actor, object_id: str, reason: str) -> None:
        from django.apps import apps
        from django.http import Http404

        fn = getattr(importlib.import_module(module), service)
        obj = apps.get_model(model).objects.filter(pk=object_id).first()
        if obj is None:
            return
        kwargs = {param: obj, "expected_version": 1}
        if with_reason:
            kwargs["reason"] = reason
        try:
            fn(actor=actor, **kwargs)
        except Http404:
            raise ValidationError("Anda tidak berwenang mengubah data ini.")

    return undo


REGION_FIELD = Field(
    "region_code",
    "Wilayah",
    "region",
    required=True,
    aliases=("Kab/Kota", "Kabupaten/Kota", "Provinsi", "Daerah", "Wilayah (kab/kota)"),
    levels=(1, 2),
    example="Kab. Indramayu (32.12)",
    help="Wilayah pemilik data (harus wilayah yang boleh Anda isi).",
)
REGISTRY_FIELD_MAP = {"region": "region_code", "agency": "note", "organiser": "organiser_name"}

BUDGETS = Importer(
    kind="budgets",
    label="Anggaran",
    perm="registry.edit",
    object_type="budget",
    fields=[
        REGION_FIELD,
        Field("year", "Tahun anggaran", "int", required=True, aliases=("Tahun", "TA"), example="2025"),
        Field(
            "source",
            "Sumber anggaran",
            "code",
            required=True,
            list_key="budget_source",
            aliases=("Sumber dana", "Sumber"),
            example="APBD",
        ),
        Field(
            "programme",
            "Program",
            "code",
            required=True,
            list_key="budget_programme",
            aliases=("Program anggaran", "Bidang"),
            example="Pencegahan",
        ),
        Field(
            "allocated",
            "Pagu (Rp)",
            "money",
            required=True,
            aliases=("Pagu", "Alokasi", "Anggaran", "Jumlah anggaran"),
            example="150.000.000",
        ),
        Field("realised", "Realisasi (Rp)", "money", aliases=("Realisasi",)),
        Field("note", "Catatan", aliases=("Keterangan",), max_length=MAX_TEXT),
    ],
    build=lambda values, lookups: _plain(values),
    commit=_registry_commit("budget_create", "budget"),
    undo=_undo_via("gugus.registry.services", "budget_delete", "registry.BudgetLine", "budget", with_reason=False),
    description="Satu baris per pos anggaran TPPO: wilayah, tahun, sumber, program, pagu, realisasi.",
    services_module="gugus.registry.services",
    needs=("budget_create",),
    undo_needs=("budget_delete",),
    dry_run=True,
    service_field_map=REGISTRY_FIELD_MAP,
)

AUDIENCE_CHOICES = (
    ("students", "Pelajar/mahasiswa"),
    ("prospective_migrants", "Calon pekerja migran"),
    ("migrant_families", "Keluarga pekerja migran"),
    ("parents", "Orang tua"),
    ("village_officials", "Aparat desa/kelurahan"),
    ("community_leaders", "Tokoh agama/masyarakat"),
    ("general_public", "Masyarakat umum"),
    ("other", "Lainnya"),
)
REACH = [
    ("female_0_17", "Perempuan 0-17"),
    ("female_18_24", "Perempuan 18-24"),
    ("female_25_59", "Perempuan 25-59"),
    ("female_60", "Perempuan 60+"),
    ("male_0_17", "Laki-laki 0-17"),
    ("male_18_24", "Laki-laki 18-24"),
    ("male_25_59", "Laki-laki 25-59"),
    ("male_60", "Laki-laki 60+"),
]

PREVENTION = Importer(
    kind="prevention",
    label="Kegiatan pencegahan",
    perm="registry.edit",
    object_type="prevention_activity",
    fields=[
        REGION_FIELD,
        Field("date", "Tanggal", "date", required=True, aliases=("Tanggal kegiatan", "Tgl"), example="25/08/2025"),
        Field(
            "kind",
            "Jenis kegiatan",
            "code",
            required=True,
            list_key="prevention_kind",
            aliases=("Jenis",),
            example="Sosialisasi",
        ),
        Field(
            "title", "Judul", required=True, aliases=("Nama kegiatan", "Kegiatan"), example="Sosialisasi TPPO di desa"
        ),
        Field(
            "audience",
            "Sasaran",
            "choice",
            required=True,
            choices=AUDIENCE_CHOICES,
            aliases=("Kelompok sasaran",),
            example="Calon pekerja migran",
        ),
        Field("audience_note", "Keterangan sasaran", max_length=200),
        Field("organiser_name", "Penyelenggara", required=True, aliases=("Pelaksana",), max_length=200),
        *[Field(key, f"Peserta {label}", "int", example="10") for key, label in REACH],
        Field("media_audience", "Khalayak media", "int", aliases=("Perkiraan khalayak media",)),
        Field("note", "Catatan", aliases=("Keterangan",), max_length=MAX_TEXT),
    ],
    build=lambda values, lookups: _plain(values),
    commit=_registry_commit("prevention_create", "prevention_activity"),
    undo=_undo_via("gugus.registry.services", "prevention_activity_delete", "registry.PreventionActivity", "activity"),
    undo_needs=("prevention_activity_delete",),
    description="Satu baris per kegiatan pencegahan (KIE, sosialisasi, kelompok sebaya…) dan jangkauannya.",
    services_module="gugus.registry.services",
    needs=("prevention_create",),
    dry_run=True,
    service_field_map=REGISTRY_FIELD_MAP,
)


def _training_build(values: dict, lookups) -> dict:
    out = _plain(values)
    agency = out.pop("participant_agency", None)
    female, male = out.pop("participants_female", None), out.pop("participants_male", None)
    if female or male:
        if not agency:
            raise RowError({"Jenis instansi peserta": ["Wajib diisi bila jumlah peserta diisi."]})
        out["participants"] = [{"agency_type": agency, "female": female or 0, "male": male or 0}]
    return out


TRAININGS = Importer(
    kind="trainings",
    label="Pelatihan",
    perm="registry.edit",
    object_type="training",
    fields=[
        REGION_FIELD,
        Field(
            "title",
            "Judul",
            required=True,
            aliases=("Nama pelatihan", "Pelatihan"),
            example="Pelatihan identifikasi korban",
        ),
        Field("topic", "Topik", "code", required=True, list_key="training_topic", aliases=("Topik pelatihan",)),
        Field("start_date", "Tanggal mulai", "date", required=True, aliases=("Tanggal", "Mulai"), example="25/08/2025"),
        Field("end_date", "Tanggal selesai", "date", aliases=("Selesai",)),
        Field("organiser_name", "Penyelenggara", required=True, aliases=("Pelaksana",), max_length=200),
        Field(
            "participant_agency", "Jenis instansi peserta", "code", list_key="org_type", aliases=("Instansi peserta",)
        ),
        Field("participants_female", "Peserta perempuan", "int", aliases=("Perempuan",)),
        Field("participants_male", "Peserta laki-laki", "int", aliases=("Laki-laki",)),
        Field("note", "Catatan", aliases=("Keterangan",), max_length=MAX_TEXT),
    ],
    build=_training_build,
    commit=_registry_commit("training_create", "training"),
    undo=_undo_via("gugus.registry.services", "training_delete", "registry.Training", "training"),
    undo_needs=("training_delete",),
    description="Satu baris per pelatihan bagi petugas (topik, tanggal, penyelenggara, peserta).",
    services_module="gugus.registry.services",
    needs=("training_create",),
    dry_run=True,
    service_field_map={**REGISTRY_FIELD_MAP, "participants": "participants_female"},
)

SERVICE_STATUS = (
    ("requested", "Diminta"),
    ("in_progress", "Sedang berjalan"),
    ("completed", "Selesai"),
    ("refused_by_victim", "Ditolak korban"),
    ("not_provided", "Tidak diberikan"),
    ("cancelled", "Dibatalkan"),
)


def _org_by_name(name: str | None, default):
    from gugus.accounts.models import Organisation

    if not name:
        return default
    org = Organisation.objects.filter(name__iexact=name.strip(), active=True).defer("secret_location").first()
    if org is None:
        raise RowError(
            {"Penyedia layanan": [f"Organisasi '{name[:60]}' tidak dikenal (tulis nama persis seperti di Gugus)."]}
        )
    return org


def _service_build(values: dict, lookups) -> dict:
    from gugus.cases.selectors import cases_visible_to

    number = (values.get("case_number") or "").strip()
    case = cases_visible_to(lookups.actor, "service.edit").filter(case_number=number).first() if number else None
    if case is None:
        raise RowError({"Nomor kasus": ["Kasus tidak ditemukan atau di luar cakupan Anda."]})
    out = _plain(values)
    out.pop("case_number")
    out["case"] = case
    out["provider_org"] = _org_by_name(out.pop("provider_name", None), lookups.organisation)
    out["payer_org"] = _org_by_name(out.pop("payer_name", None), None)
    if not out.get("status"):
        out["status"] = (
            "completed" if out.get("completed_on") else ("in_progress" if out.get("started_on") else "requested")
        )
    return out


def _service_commit(actor, payload, organisation):
    from gugus.care.services import service_create

    service = service_create(actor=actor, **{k: v for k, v in payload.items() if v not in (None, "")})
    return "service", str(service.pk)


SERVICES = Importer(
    kind="services",
    label="Layanan",
    perm="service.edit",
    object_type="service",
    fields=[
        Field(
            "case_number",
            "Nomor kasus",
            required=True,
            aliases=("No kasus", "Nomor register kasus"),
            example="3212-2025-000001",
            max_length=24,
        ),
        Field(
            "service_type",
            "Jenis layanan",
            "code",
            required=True,
            list_key="service_type",
            aliases=("Layanan",),
            example="Rehabilitasi kesehatan fisik",
        ),
        Field(
            "provider_name",
            "Penyedia layanan",
            aliases=("Pemberi layanan", "Unit layanan"),
            max_length=200,
            help="Nama organisasi persis seperti di Gugus; kosong = organisasi Anda.",
        ),
        Field("status", "Status", "choice", choices=SERVICE_STATUS),
        Field(
            "requested_on",
            "Tanggal permintaan",
            "date",
            required=True,
            aliases=("Tanggal", "Tgl permintaan"),
            example="25/08/2025",
        ),
        Field("started_on", "Tanggal mulai", "date"),
        Field("completed_on", "Tanggal selesai", "date"),
        Field("outcome", "Hasil", max_length=500),
        Field("cost", "Biaya (Rp)", "money", aliases=("Biaya",)),
        Field("funding_source", "Sumber dana", "code", list_key="funding_source", example="APBD Kabupaten/Kota"),
        Field("payer_name", "Instansi pembayar", max_length=200),
    ],
    build=_service_build,
    commit=_service_commit,
    undo=_undo_via("gugus.care.services", "service_delete", "care.ServiceRecord", "service"),
    undo_needs=("service_delete",),
    description="Satu baris per layanan yang diberikan kepada korban; kasus dirujuk dengan nomor kasus.",
    services_module="gugus.care.services",
    needs=("service_create",),
    dry_run=True,
    service_field_map={"provider_org": "provider_name", "payer_org": "payer_name", "case": "case_number"},
)

IMPORTERS: dict[str, Importer] = {i.kind: i for i in (VICTIMS, SERVICES, BUDGETS, PREVENTION, TRAININGS)}


def importer_for(kind: str) -> Importer | None:
    return IMPORTERS.get(kind)


def available_importers() -> list[Importer]:
    return [i for i in IMPORTERS.values() if i.available() and i.fields]


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
