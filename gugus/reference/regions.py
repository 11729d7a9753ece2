"""Resolve region names as people really write them.

"Kab. Indramayu", "KABUPATEN INDRAMAYU", "Indramayu, Kab.", "Kota Bogor", "32.12", "3212" all
land on the right Kemendagri code. A name that fits several regions is reported as ambiguous,
never guessed.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

KIND_WORDS = {
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kabup": "kabupaten",
    "regency": "kabupaten",
    "kota": "kota",
    "kotamadya": "kota",
    "kodya": "kota",
    "kot": "kota",
    "city": "kota",
    "provinsi": "provinsi",
    "propinsi": "provinsi",
    "prov": "provinsi",
    "province": "provinsi",
    "kecamatan": "kecamatan",
    "kec": "kecamatan",
}
NOISE_WORDS = {"administrasi", "adm", "daerah", "khusus", "ibukota", "istimewa", "dki", "di", "d"}
# Words that only ever appear in a province's name ("DKI Jakarta", "DI Yogyakarta").
PROVINCE_WORDS = {"daerah", "khusus", "ibukota", "istimewa", "dki", "di"}
# Abbreviations people write for words of region names.
ABBREVIATIONS = {"kep": "kepulauan", "kepl": "kepulauan", "kpl": "kepulauan"}
LEVEL_NAMES = {0: "negara", 1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}
CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
COMPACT_CODE_RE = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$")


class RegionLookupError(ValueError):
    def __init__(
        self,
        value: str,
        reason: str,
        candidates: list[str] | None = None,
        levels: tuple[int, ...] | None = None,
        codes: list[str] | None = None,
    ):
        self.value = value
        self.reason = reason  # "unknown" | "ambiguous" | "malformed" | "wrong_level"
        self.candidates = candidates or []
        self.codes = codes or []  # the candidates' codes, for an ambiguous name
        if reason == "ambiguous":
            msg = f"Nama wilayah '{value}' ambigu: bisa {', '.join(self.candidates)}. Sebutkan Kab./Kota atau kodenya."
        elif reason == "wrong_level":
            msg = f"Wilayah '{value}' bukan tingkat yang diminta ({', '.join(LEVEL_NAMES[lv] for lv in levels or ())})."
        elif reason == "malformed":
            msg = f"Kode wilayah '{value}' tidak sah (contoh yang benar: 32.12)."
        else:
            msg = f"Wilayah '{value}' tidak dikenal."
        super().__init__(msg)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("\u00a0", " ")
    # Dotted initials become one word: "D.I." -> "di", "D.K.I." -> "dki".
    text = re.sub(r"\b([a-z])\.\s?(?=[a-z]\.)", r"\1", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_keys(text: str) -> list[tuple[str, str | None]]:
    """Readings of `text` as (normalised name without kind words, kind named in the text or None),
    the likeliest first.

    A kind word counts only at either end ("Kab. Indramayu", "Indramayu, Kab."): inside a name it
    is part of the name ("Kab. Lima Puluh Kota", "Kota Baru"). A trailing kind word may still be
    part of the name ("Lima Puluh Kota"), so that reading comes second. A province word ("DKI",
    "Daerah Istimewa") with no kind word means a province."""
    tokens = _fold(text).split()
    province_hint = any(tok in PROVINCE_WORDS for tok in tokens)
    tokens = [tok for tok in tokens if tok not in NOISE_WORDS]
    kind = None
    if tokens and tokens[0] in KIND_WORDS:
        kind = KIND_WORDS[tokens.pop(0)]
    readings = []
    if kind is None and len(tokens) > 1 and tokens[-1] in KIND_WORDS:
        readings.append((tokens[:-1], KIND_WORDS[tokens[-1]]))
    readings.append((tokens, kind))
    out = []
    for words, k in readings:
        if k is None and province_hint:
            k = "provinsi"
        out.append((" ".join(ABBREVIATIONS.get(tok, tok) for tok in words), k))
    return out


def name_key(text: str) -> tuple[str, str | None]:
    """The likeliest reading of `text` (see name_keys)."""
    return name_keys(text)[0]


def compact_key(key: str) -> str:
    """Spacing never distinguishes two regions: "Bau-Bau" = "Baubau", "Pematang Siantar" = "Pematangsiantar"."""
    return key.replace(" ", "")


def normalise_code(value: str) -> str | None:
    v = value.strip()
    if CODE_RE.match(v):
        return v
    if COMPACT_CODE_RE.match(v):
        parts = [v[0:2], v[2:4], v[4:6], v[6:10]]
        return ".".join(p for p in parts if p)
    return None


@dataclass(frozen=True)
class _Entry:
    code: str
    kind: str
    level: int
    name: str


class _Index:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, list[_Entry]] | None = None
        self._codes: dict[str, _Entry] = {}

    def clear(self) -> None:
        with self._lock:
            self._by_key = None
            self._codes = {}

    def load(self) -> dict[str, list[_Entry]]:
        with self._lock:
            if self._by_key is None:
                from .models import Region

                by_key: dict[str, list[_Entry]] = {}
                codes: dict[str, _Entry] = {}
                for code, name, kind, level, short in Region.objects.filter(level__lte=3).values_list(
                    "code", "name", "kind", "level", "short_name"
                ):
                    entry = _Entry(code, kind, level, name)
                    codes[code] = entry
                    keys = {compact_key(name_key(name)[0])}
                    if short:
                        keys.add(compact_key(name_key(short)[0]))
                    for k in keys:
                        by_key.setdefault(k, []).append(entry)
                self._by_key, self._codes = by_key, codes
            return self._by_key

    def code_exists(self, code: str) -> bool:
        self.load()
        if code in self._codes:
            return True
        from .models import Region

        return Region.objects.filter(code=code).exists()


INDEX = _Index()


def resolve_region_code(value: str, *, levels: tuple[int, ...] = (1, 2), within: str | None = None) -> str:
    """The code of the region `value` names. Raises RegionLookupError (unknown, ambiguous, malformed)."""
    raw = (value or "").strip()
    if not raw:
        raise RegionLookupError(value, "unknown")
    if raw.upper() == "ID" or _fold(raw) in {"indonesia", "nasional"}:
        return "ID"
    if re.fullmatch(r"[\d.\s]+", raw):
        code = normalise_code(raw.replace(" ", ""))
        if code is None:
            raise RegionLookupError(value, "malformed")
        if not INDEX.code_exists(code):
            raise RegionLookupError(value, "unknown")
        if code.count(".") + 1 not in levels:
            raise RegionLookupError(value, "wrong_level", levels=levels)
        if within and within != "ID" and not (code == within or code.startswith(within + ".")):
            raise RegionLookupError(value, "unknown")
        return code
    candidates = []
    for key, kind in name_keys(raw):
        if not key:
            continue
        candidates = [e for e in INDEX.load().get(compact_key(key), []) if e.level in levels]
        if within and within != "ID":
            candidates = [e for e in candidates if e.code == within or e.code.startswith(within + ".")]
        if kind:
            candidates = [e for e in candidates if e.kind == kind]
        if candidates:
            break
    if not candidates:
        raise RegionLookupError(value, "unknown")
    if len(candidates) > 1:
        raise RegionLookupError(
            value, "ambiguous", [f"{e.name} ({e.code})" for e in candidates], codes=[e.code for e in candidates]
        )
    return candidates[0].code
