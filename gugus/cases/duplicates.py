"""Possible existing records for a person about to be registered (or edited).

Candidates come from keyed hashes only: the same NIK, phone or passport number, or name tokens
whose spelling-folded keys match (`matching.py`) with a compatible birth year (±2, from the
index). Only those few candidates are decrypted, in memory, and scored with rapidfuzz: names
(order-free, single names, aliases), birth date, sex and origin. A candidate the user may not
see is reported only as "a possible existing record held by <organisation>": no name, no case
number, no date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz

from gugus.audit.services import record

from .matching import (
    document_hash,
    folded_tokens,
    is_low_weight,
    nik_hash,
    normalise_nik,
    phone_hash,
    phonetic_hash,
)
from .models import Case, Identity, NameToken, Victim
from .selectors import _resolve_merged, cases_visible_to, identity_case_ids

YEAR_TOLERANCE = 2
NAME_THRESHOLD = 80
MAX_NAME_CANDIDATES = 60
PER_TOKEN_MAX = 2000


@dataclass
class Candidate:
    victim_id: str
    score: int
    reasons: list[str]
    in_scope: bool
    organisation: str
    case_id: str | None = None
    case_number: str | None = None
    name: str | None = None
    birth_year: int | None = None
    status: str | None = None
    strong: bool = False

    @property
    def message(self) -> str:
        if self.in_scope:
            return f"Kemungkinan sama dengan kasus {self.case_number}"
        return f"Kemungkinan data yang sudah ada dipegang oleh {self.organisation}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["message"] = self.message
        if not self.in_scope:
            # Outside the user's scope nothing but the holder is told.
            return {
                "in_scope": False,
                "organisation": self.organisation,
                "message": self.message,
                "score": self.score,
                "reasons": self.reasons,
            }
        return d


@dataclass
class _Probe:
    names: list[list[str]]
    nik: str = ""
    phone: str = ""
    document: str = ""
    birth_date: dt.date | None = None
    birth_year: int | None = None
    sex: str | None = None
    origin: str | None = None
    exclude: set = field(default_factory=set)


def _probe(data, exclude_victim=None) -> _Probe:
    get = (lambda k, d=None: data.get(k, d)) if isinstance(data, dict) else (lambda k, d=None: getattr(data, k, d))
    names = []
    for n in [get("full_name", "") or "", *(get("aliases", []) or [])]:
        toks = folded_tokens(n)
        if toks:
            names.append(toks)
    birth = get("birth_date")
    if isinstance(birth, str) and birth:
        try:
            birth = dt.date.fromisoformat(birth)
        except ValueError:
            birth = None
    year = birth.year if birth else None
    age = get("estimated_age")
    idate = get("identification_date") or dt.date.today()
    if isinstance(idate, str):
        try:
            idate = dt.date.fromisoformat(idate)
        except ValueError:
            idate = dt.date.today()
    if year is None and age not in (None, ""):
        try:
            year = idate.year - int(age)
        except (TypeError, ValueError):
            year = None
    nik = normalise_nik(get("nik", "") or "")
    origin = get("origin_region") or get("domicile_region") or (f"{nik[:2]}.{nik[2:4]}" if len(nik) == 16 else None)
    return _Probe(
        names=names,
        nik=nik if len(nik) == 16 else "",
        phone=get("phone", "") or "",
        document=get("document_number", "") or "",
        birth_date=birth,
        birth_year=year,
        sex=get("sex") or None,
        origin=origin if origin and origin[:2].isdigit() else None,
        exclude={str(exclude_victim)} if exclude_victim else set(),
    )


def _name_score(a: list[str], b: list[str]) -> float:
    """0–100: how alike two folded names are. Order-free; a single name may match one part of a
    longer name; parts that identify little (Siti, Made, Siregar …) never carry a match alone."""
    if not a or not b:
        return 0.0
    sa = [t for t in a if not is_low_weight(t)] or a
    sb = [t for t in b if not is_low_weight(t)] or b
    short, long_ = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    sims = [max(fuzz.ratio(t, u) for u in long_) for t in short]
    if len(short) == 1:
        return sims[0] * (1.0 if len(long_) == 1 else 0.9)
    matched = sum(1 for s in sims if s >= 85)
    coverage = sum(sims) / len(sims)
    if matched < 2:
        return min(coverage, 60.0)
    return max(coverage, fuzz.token_sort_ratio(" ".join(a), " ".join(b)))


def _name_victims(probe: _Probe) -> list:
    """Victims sharing the most name keys with the probe (birth year within ±2 or unknown).

    One query per key, each an index-only range of `cases_nametoken_hash_year` (token hash,
    birth year, victim) cut at PER_TOKEN_MAX rows, so the cost is bounded however common a name
    is; the keys shared are counted here. A key held by more people than that within five birth
    years identifies little on its own (the NIK, phone and passport checks are exact)."""
    hashes = set()
    for toks in probe.names:
        sig = [t for t in toks if not is_low_weight(t)] or toks
        hashes.update(phonetic_hash(t) for t in sig)
    if not hashes:
        return []
    shared: Counter = Counter()
    for h in sorted(hashes):
        rows = NameToken.objects.filter(token_hash=h)
        if probe.birth_year:
            rows = rows.filter(
                Q(birth_year__gte=probe.birth_year - YEAR_TOLERANCE, birth_year__lte=probe.birth_year + YEAR_TOLERANCE)
                | Q(birth_year__isnull=True)
            )
        shared.update(set(rows.order_by().values_list("victim_id", flat=True)[:PER_TOKEN_MAX]))
    return [v for v, _n in shared.most_common(MAX_NAME_CANDIDATES)]


def find_candidates(user, data, *, exclude_victim=None, limit: int = 10, audit: bool = True) -> list[Candidate]:
    """Possible existing records for `data` (a VictimData or a dict with the same names).

    In-scope candidates carry their case number (and the name, when the user may see identities;
    that view is audited); the others only the organisation that holds them."""
    probe = _probe(data, exclude_victim)
    strong: dict[str, list[str]] = {}

    def add(victims, reason):
        for v in victims:
            strong.setdefault(str(v), []).append(reason)

    if probe.nik:
        add(Identity.objects.filter(nik_hash=nik_hash(probe.nik)).values_list("victim_id", flat=True)[:50], "NIK sama")
    if probe.phone and len(phone_hash(probe.phone)) == 64:
        add(
            Identity.objects.filter(phone_hash=phone_hash(probe.phone)).values_list("victim_id", flat=True)[:50],
            "nomor telepon sama",
        )
    if probe.document:
        add(
            Identity.objects.filter(document_hash=document_hash(probe.document)).values_list("victim_id", flat=True)[
                :50
            ],
            "nomor paspor/dokumen sama",
        )
    name_ids = [str(v) for v in _name_victims(probe)]
    all_ids = set(strong) | set(name_ids)
    if not all_ids:
        return []
    # Merged records answer for the record they were merged into.
    target_of = {}
    for v in all_ids:
        target_of[v] = v
    merged = dict(Victim.objects.filter(pk__in=all_ids, merged_into__isnull=False).values_list("pk", "merged_into_id"))
    for src, dst in merged.items():
        final = _resolve_merged([dst])[0]
        target_of[str(src)] = str(final)
    victims = {
        str(v.pk): v
        for v in Victim.objects.filter(pk__in=set(target_of.values())).only(
            "id", "sex_id", "birth_year", "domicile_region_id"
        )
    }
    identities = {
        str(i.victim_id): i
        for i in Identity.objects.filter(victim_id__in=list(all_ids)).only(
            "victim_id", "full_name", "aliases", "birth_date"
        )
    }
    # Names of records merged into a candidate count as the candidate's names.
    merged_names: dict[str, list[str]] = {}
    merged_sources = dict(
        Victim.objects.filter(merged_into__isnull=False, merged_into__in=list(victims)).values_list(
            "pk", "merged_into_id"
        )
    )
    for ident in Identity.objects.filter(victim_id__in=list(merged_sources)).only("victim_id", "full_name", "aliases"):
        target = str(merged_sources[ident.victim_id])
        merged_names.setdefault(target, []).extend([ident.full_name, *ident.aliases.splitlines()])
    # Score each original id, keep the best per final victim.
    scored: dict[str, tuple[int, list[str], bool]] = {}
    for vid in all_ids:
        final = target_of[vid]
        if final in probe.exclude or vid in probe.exclude:
            continue
        victim = victims.get(final)
        if victim is None:
            continue
        reasons = list(strong.get(vid, []))
        is_strong = bool(reasons)
        ident = identities.get(vid)
        score = 100 if "NIK sama" in reasons else 95 if is_strong else 0
        if ident is not None and probe.names:
            cand_names = [
                folded_tokens(n) for n in [ident.full_name, *ident.aliases.splitlines(), *merged_names.get(final, [])]
            ]
            best = max((_name_score(q, c) for q in probe.names for c in cand_names if c), default=0.0)
            cbirth = dt.date.fromisoformat(ident.birth_date) if ident.birth_date else None
            if not is_strong:
                if best < NAME_THRESHOLD:
                    continue
                if probe.sex and probe.sex != "unknown" and victim.sex_id not in (f"sex.{probe.sex}", "sex.unknown"):
                    continue
                if (
                    probe.birth_year
                    and victim.birth_year
                    and abs(probe.birth_year - victim.birth_year) > YEAR_TOLERANCE
                ):
                    continue
                score = int(best)
                reasons.append("nama mirip")
                if probe.birth_date and cbirth and probe.birth_date == cbirth:
                    score = min(99, score + 10)
                    reasons.append("tanggal lahir sama")
                elif probe.birth_year and victim.birth_year:
                    reasons.append("tahun lahir berdekatan")
            elif best >= NAME_THRESHOLD:
                reasons.append("nama mirip")
        elif not is_strong:
            continue
        prev = scored.get(final)
        if prev is None or score > prev[0]:
            scored[final] = (score, reasons, is_strong)
    if not scored:
        return []
    # Latest case of each candidate, and the origin check (name-only candidates must share it).
    cases = {}
    for c in (
        Case.objects.filter(victim_id__in=list(scored))
        .only(
            "id",
            "victim_id",
            "case_number",
            "status",
            "owner_org_id",
            "registering_org_id",
            "region_id",
            "origin_region_id",
            "identification_date",
        )
        .order_by("victim_id", "-identification_date", "-case_number")
    ):
        cases.setdefault(str(c.victim_id), c)
    visible = {
        str(v) for v in cases_visible_to(user).filter(victim_id__in=list(scored)).values_list("victim_id", flat=True)
    }
    from gugus.accounts.models import Organisation

    org_names = dict(
        Organisation.objects.filter(pk__in={c.owner_org_id for c in cases.values()}).values_list("pk", "name")
    )
    out: list[Candidate] = []
    for vid, (score, reasons, is_strong) in scored.items():
        case = cases.get(vid)
        if case is None:
            continue
        origin = case.origin_region_id or victims[vid].domicile_region_id
        if not is_strong and probe.origin and origin:
            if origin[:2] != probe.origin[:2]:
                continue
            if origin[:5] == probe.origin[:5]:
                score = min(99, score + 5)
                reasons.append("asal sama")
        in_scope = vid in visible
        out.append(
            Candidate(
                victim_id=vid,
                score=score,
                reasons=reasons,
                in_scope=in_scope,
                organisation=org_names.get(case.owner_org_id, ""),
                case_id=str(case.pk) if in_scope else None,
                case_number=case.case_number if in_scope else None,
                birth_year=victims[vid].birth_year if in_scope else None,
                status=case.status if in_scope else None,
                strong=is_strong,
            )
        )
    out.sort(key=lambda c: (not c.strong, -c.score, c.organisation))
    out = out[:limit]
    # Names only for in-scope candidates whose identity this user may see. One audit event: an
    # identity view (listing the victims shown) when names were shown, else the check itself.
    shown = [c for c in out if c.in_scope]
    names_for: list[str] = []
    if shown:
        allowed = identity_case_ids(user, [cases[c.victim_id] for c in shown])
        for c in shown:
            if cases[c.victim_id].pk in allowed and c.victim_id in identities:
                c.name = identities[c.victim_id].full_name or None
                names_for.append(c.victim_id)
    if audit:
        detail = {
            "purpose": "duplicate_check",
            "candidates": len(out),
            "in_scope": len(shown),
            "strong": sum(1 for c in out if c.strong),
        }
        if names_for:
            detail["victims"] = names_for
        record(
            "identity_view" if names_for else "duplicate_check",
            actor=user,
            object_type="victim",
            object_id="",
            detail=detail,
        )
    return out
