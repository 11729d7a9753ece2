"""In-memory lookups for validating many rows without a query per cell: code lists, countries,
regions (through `reference.regions.resolve_region_code`, itself cached)."""

from __future__ import annotations

import re
from functools import cached_property

from gugus.reference.models import Code, Country
from gugus.reference.regions import RegionLookupError, resolve_region_code

from .parsing import CellError, clean_text, fold

# Extra ways people write some codes (folded text -> code).
SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {
        "p": "female",
        "pr": "female",
        "prp": "female",
        "wanita": "female",
        "f": "female",
        "w": "female",
        "l": "male",
        "lk": "male",
        "laki laki": "male",
        "laki": "male",
        "pria": "male",
        "m": "male",
        "tidak tahu": "unknown",
        "tdk diketahui": "unknown",
    },
    "citizenship_status": {
        "indonesia": "wni",
        "warga negara indonesia": "wni",
        "asing": "wna",
        "warga negara asing": "wna",
    },
    "identification_channel": {"sapa 129": "hotline", "129": "hotline", "polisi": "police_operation"},
}

_CODE_IN_PARENS = re.compile(r"\(([A-Za-z0-9_.\-]+)\)\s*$")


class CodeLookup:
    """Accepts a code ('female'), its Indonesian or English label ('Perempuan'), the template's
    drop-down text ('Perempuan (female)') or a known synonym ('P', 'L')."""

    def __init__(self, list_key: str):
        self.list_key = list_key

    @cached_property
    def _map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for code, label_id, label_en in Code.objects.filter(code_list_id=self.list_key, active=True).values_list(
            "code", "label_id", "label_en"
        ):
            for k in (fold(code), fold(code.replace("_", " ")), fold(label_id), fold(label_en)):
                out.setdefault(k, code)
        for k, code in SYNONYMS.get(self.list_key, {}).items():
            if code in out.values():
                out.setdefault(fold(k), code)
        return out

    def options(self) -> list[tuple[str, str]]:
        return list(Code.objects.filter(code_list_id=self.list_key, active=True).values_list("code", "label_id"))

    def get(self, value) -> str | None:
        text = clean_text(value)
        if not text:
            return None
        m = _CODE_IN_PARENS.search(text)
        if m and fold(m.group(1)) in self._map:
            return self._map[fold(m.group(1))]
        code = self._map.get(fold(text))
        if code is None:
            raise CellError(f"'{text[:60]}' tidak ada dalam daftar. Pilih dari daftar pada templat.")
        return code


class CountryLookup:
    @cached_property
    def _map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for code, a3, en, name_id in Country.objects.values_list("code", "alpha3", "name_en", "name_id"):
            for k in (fold(code), fold(a3), fold(en), fold(name_id)):
                out.setdefault(k, code)
        out.update(
            {
                "ri": "ID",
                "nkri": "ID",
                "wni": "ID",
                "indonesia": "ID",
                "malaysia": "MY",
                "hongkong": "HK",
                "hong kong": "HK",
                "taiwan": "TW",
                "arab saudi": "SA",
                "saudi arabia": "SA",
                "kamboja": "KH",
                "myanmar": "MM",
                "singapura": "SG",
                "brunei": "BN",
                "uae": "AE",
                "uni emirat arab": "AE",
            }
        )
        return out

    def get(self, value) -> str | None:
        text = clean_text(value)
        if not text:
            return None
        m = _CODE_IN_PARENS.search(text)
        if m and fold(m.group(1)) in self._map:
            return self._map[fold(m.group(1))]
        code = self._map.get(fold(text))
        if code is None:
            raise CellError(f"Negara '{text[:60]}' tidak dikenal (gunakan nama atau kode ISO, mis. MY).")
        return code


def region_code(value, *, levels: tuple[int, ...] = (1, 2)) -> str | None:
    """'Kab. Indramayu', 'KOTA KUPANG', '32.12', '3212' or the template's 'Kab. Indramayu (32.12)'."""
    text = clean_text(value)
    if not text:
        return None
    m = _CODE_IN_PARENS.search(text)
    if m and re.fullmatch(r"[\d.]+", m.group(1)):
        text = m.group(1)
    try:
        return resolve_region_code(text, levels=levels)
    except RegionLookupError as exc:
        raise CellError(str(exc))


class Lookups:
    """One per validation run: code lookups by list, countries."""

    def __init__(self, *, actor=None, organisation=None) -> None:
        self._codes: dict[str, CodeLookup] = {}
        self.countries = CountryLookup()
        self.actor = actor
        self.organisation = organisation
        self.memo: dict = {}

    def code(self, list_key: str) -> CodeLookup:
        if list_key not in self._codes:
            self._codes[list_key] = CodeLookup(list_key)
        return self._codes[list_key]
