"""Normalising identity values for keyed-hash search, and folding Indonesian names.

Names are encrypted, so search and duplicate detection never read them from the database:
each name is cut into tokens, each token is folded to a spelling-independent key
(REFERENCE.md §11), and only keyed hashes (HMAC, `accounts.crypto.keyed_hash`) of the tokens
and of their keys are stored (`NameToken`). A query is cut and hashed the same way.

Folding, in order:
- honorifics, titles and connectors are not names: H., Hj., Ir., Drs., Dr., S.Pd., bin, binti …;
- fixed variants: Muhammad / Mohammad / Muhamad / Moh. / Moch. / Mhd. / M. → one key;
  Nur / Noor / Nurul / Nor → one; Siti / St. → one; Abdul / Abd. → one;
- old spelling (EYD 1972): oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh, and the old j→y
  (so Djoko, Joko → one key; Jahja, Yahya → one key);
- common equivalences: kh→h, sy→s, dh→d, th→t, ph/v→f, q→k, z→s, x→ks, ae→ai, y→i,
  ie→i at the end (Yanie/Yani), a final h after a vowel (Fatimah/Fatima);
- doubled letters collapse (Saleh/Salleh, Abdullah/Abdulah).
Order of names, single names and missing parts are handled by comparing token sets.
"""

from __future__ import annotations

import re
import unicodedata

from gugus.accounts.crypto import keyed_hash

# Not names: titles, honorifics, academic degrees, forms of address, patronymic connectors.
HONORIFICS = frozenset(
    [
        "h",
        "hj",
        "hjh",
        "haji",
        "hajah",
        "hajjah",
        "kh",
        "ir",
        "drs",
        "dra",
        "dr",
        "drg",
        "prof",
        "ny",
        "nn",
        "nona",
        "tn",
        "tuan",
        "sdr",
        "sdri",
        "sdra",
        "bpk",
        "bapak",
        "ibu",
        "bu",
        "pak",
        "mbak",
        "mas",
        "kak",
        "ust",
        "ustad",
        "ustadz",
        "ustadzah",
        "almarhum",
        "alm",
        "almh",
        "spd",
        "pd",
        "se",
        "sh",
        "mh",
        "mm",
        "mpd",
        "mkes",
        "skm",
        "skep",
        "ked",
        "skom",
        "kom",
        "amd",
        "ssos",
        "sos",
        "sag",
        "ag",
        "sip",
        "ip",
        "mt",
        "ssi",
        "si",
        "sthi",
        "msi",
        "shi",
        "bin",
        "binti",
        "bt",
        "bte",
    ]
)
# Parts that are names but identify little on their own (REFERENCE.md §11): Balinese birth-order
# names, the commonest Muslim name elements, Batak clan names. Matching never rests on them alone.
LOW_WEIGHT = frozenset(
    [
        "i",
        "ni",
        "luh",
        "gede",
        "wayan",
        "made",
        "nyoman",
        "ketut",
        "putu",
        "kadek",
        "komang",
        "nengah",
        "mhd",
        "siti",
        "nur",
        "abdul",
        "ahmad",
        "siregar",
        "nasution",
        "simanjuntak",
        "harahap",
        "lubis",
        "sitompul",
        "hutagalung",
        "pardede",
        "sinaga",
        "situmorang",
        "simatupang",
        "sihombing",
        "panjaitan",
        "tambunan",
        "manurung",
        "hutapea",
        "silalahi",
        "sitorus",
        "pasaribu",
        "napitupulu",
        "saragih",
        "damanik",
        "purba",
        "tarigan",
        "ginting",
        "sembiring",
        "karokaro",
        "perangin",
    ]
)
_MUHAMMAD = frozenset(
    [
        "m",
        "mhd",
        "mhmd",
        "moh",
        "mohd",
        "moch",
        "mochd",
        "mochamad",
        "mochammad",
        "mohamad",
        "mohammad",
        "mohamed",
        "muh",
        "muhd",
        "muhamad",
        "muhammad",
        "muhammed",
        "muhamat",
        "muchamad",
        "muchammad",
        "muhamed",
        "mukhamad",
        "mukhammad",
    ]
)
_VARIANTS = {
    "st": "siti",
    "sitti": "siti",
    "noor": "nur",
    "nor": "nur",
    "nurul": "nur",
    "noer": "nur",
    "noerul": "nur",
    "abd": "abdul",
    "abdoel": "abdul",
    "achmad": "ahmad",
    "akhmad": "ahmad",
    "ahmat": "ahmad",
}
_WORD = re.compile(r"[a-z]+")


def _ascii_lower(text: str) -> str:
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()


def normalise_nik(nik: str) -> str:
    return re.sub(r"\D", "", nik or "")


def normalise_phone(phone: str) -> str:
    """Digits in national form: +62 812-… and 62812… and 0812… are one number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8") and len(digits) >= 9:
        digits = "0" + digits
    return digits


def normalise_document(number: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (number or "").upper())


def raw_tokens(name: str) -> list[str]:
    """Lower-case ASCII words of a name, in order (no folding, no removal)."""
    return _WORD.findall(_ascii_lower(name))


_DEGREES_AFTER_COMMA = re.compile(r",\s*(?:[A-Za-z]{1,4}\.)+[A-Za-z]{0,4}\.?\s*$")


def name_tokens(name: str) -> list[str]:
    """The name's words minus honorifics and initials; canonical variants applied (Moh. → muhammad).

    Academic degrees after a comma ("Budi, S.Pd., M.M.") are dropped. A single-letter word is kept
    only when it stands for Muhammad ("M. Yusuf"), i.e. not as the last word."""
    out: list[str] = []
    text = name or ""
    while True:
        stripped = _DEGREES_AFTER_COMMA.sub("", text)
        if stripped == text:
            break
        text = stripped
    toks = raw_tokens(text)
    for i, tok in enumerate(toks):
        if tok in _MUHAMMAD and (len(tok) > 1 or i < len(toks) - 1):
            out.append("muhammad")
            continue
        if tok in HONORIFICS:
            continue
        if len(tok) < 2:
            continue
        out.append(_VARIANTS.get(tok, tok))
    return out


def phonetic_key(token: str) -> str:
    """Fold Indonesian old/new spelling and common variants (REFERENCE.md §11) to one key."""
    t = _ascii_lower(token)
    if t in _MUHAMMAD or t == "muhammad":
        return "mhd"
    t = _VARIANTS.get(t, t)
    for old, new in (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh")):
        t = t.replace(old, new)
    t = t.replace("j", "y")  # old j → y (after dj/tj are folded): Jahja → Yahya, Djoko/Joko → one key
    for old, new in (
        ("kh", "h"),
        ("sy", "s"),
        ("dh", "d"),
        ("th", "t"),
        ("ph", "f"),
        ("v", "f"),
        ("q", "k"),
        ("z", "s"),
        ("x", "ks"),
        ("ae", "ai"),
    ):
        t = t.replace(old, new)
    t = re.sub(r"ie$", "i", t)
    t = t.replace("y", "i")
    t = re.sub(r"(.)\1+", r"\1", t)  # doubled letters (after the folds above, which can create them)
    if len(t) > 3 and t.endswith("h") and t[-2] in "aiueo":
        t = t[:-1]  # Fatimah / Fatima, Aminah / Amina
    if t in {"nurul", "nor"}:
        t = "nur"
    return t


def folded_tokens(name: str) -> list[str]:
    return [phonetic_key(t) for t in name_tokens(name)]


def folded_name(name: str) -> str:
    """The whole name folded, tokens in their original order (for fuzzy scoring)."""
    return " ".join(folded_tokens(name))


def is_low_weight(folded: str) -> bool:
    return folded in _LOW_WEIGHT_FOLDED


_LOW_WEIGHT_FOLDED = frozenset(phonetic_key(t) for t in LOW_WEIGHT) | {"mhd"}


def nik_hash(nik: str) -> str:
    n = normalise_nik(nik)
    return keyed_hash(n, "nik") if n else ""


def phone_hash(phone: str) -> str:
    p = normalise_phone(phone)
    return keyed_hash(p, "phone") if p else ""


def document_hash(number: str) -> str:
    d = normalise_document(number)
    return keyed_hash(d, "document") if d else ""


def phonetic_hash(folded: str) -> str:
    return keyed_hash(folded, "name_ph")


def exact_hash(token: str) -> str:
    return keyed_hash(token, "name")


def token_hashes(name: str) -> list[tuple[str, str]]:
    """[(kind, hash)] for each name token: exact ("e") and phonetic ("p"). Deduplicated, sorted."""
    out = set()
    for tok in name_tokens(name):
        out.add(("e", exact_hash(tok)))
        out.add(("p", phonetic_hash(phonetic_key(tok))))
    return sorted(out)


def query_phonetic_hashes(name: str) -> list[str]:
    """Phonetic hashes of the tokens a search for `name` must all match (order-free)."""
    return sorted({phonetic_hash(k) for k in folded_tokens(name)})
