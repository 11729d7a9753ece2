"""Normalising identity values for keyed-hash search. (The cases module refines name matching.)"""

from __future__ import annotations

import re
import unicodedata

from gugus.accounts.crypto import keyed_hash


def normalise_nik(nik: str) -> str:
    return re.sub(r"\D", "", nik or "")


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def name_tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    return [t for t in re.split(r"[^a-z]+", text) if len(t) > 1]


def phonetic_key(token: str) -> str:
    """Fold Indonesian old/new spelling and common variants (REFERENCE.md §11) to one key."""
    t = token.lower()
    for old, new in (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh")):
        t = t.replace(old, new)
    t = t.replace("j", "y")  # old j → y (after dj/tj folded); Jahja → Yahya
    t = re.sub(r"ie$", "i", t)
    t = t.replace("y", "i")
    t = re.sub(r"(.)\1+", r"\1", t)  # doubled letters
    t = t.replace("ph", "f").replace("q", "k").replace("v", "f").replace("z", "s")
    if t.startswith(("muh", "moh", "mukh", "mokh")) or t in {"m", "moch", "mch"}:
        t = "mhd"
    return t


def nik_hash(nik: str) -> str:
    n = normalise_nik(nik)
    return keyed_hash(n, "nik") if n else ""


def phone_hash(phone: str) -> str:
    p = normalise_phone(phone)
    return keyed_hash(p, "phone") if p else ""


def token_hashes(name: str) -> list[tuple[str, str]]:
    """[(kind, hash)] for each name token: exact and phonetic."""
    out = []
    for tok in name_tokens(name):
        out.append(("e", keyed_hash(tok, "name")))
        out.append(("p", keyed_hash(phonetic_key(tok), "name_ph")))
    return sorted(set(out))
