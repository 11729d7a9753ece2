"""Reads of cases and victims, always through the user's scope. Out of scope = 404.

Scope of case-level records (`case_scope_q`) is one OR of index-friendly terms: the user's
organisations as owner or registrar, the cases granted to them (CaseAccess, referral or
transfer), and the region subtrees their role covers (handling region or region of origin).
Lists page by keyset (identification date, case number), count with a cap, and never use
DISTINCT over joins: multi-valued filters are `Exists`/`IN` subqueries.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from gugus.accounts.scope import Scope, scope_for
from gugus.audit.services import record
from gugus.reference.models import ROOT_CODE
from gugus.reference.regions import RegionLookupError

from .matching import document_hash, nik_hash, normalise_nik, normalise_phone, phone_hash, query_phonetic_hashes
from .models import Case, CaseAccess, CaseEvent, CaseStatus, Identity, NameToken, Victim

# Above this many granted cases the grant arm becomes a subquery instead of a literal list.
_ACCESS_LITERAL_MAX = 2000
# Counts stop here: "1000+" is as useful to a person as an exact number and costs nothing.
COUNT_CAP = 1000
MAX_LIMIT = 200
MAX_OFFSET = 5_000_000
# Beyond this offset a scope with a large arm is paged by the database (SQL OFFSET: memory stays
# flat, time grows with depth); the cursor stays fast at any depth.
ARM_OFFSET_MAX = 1000
# A scope arm with at most this many rows is fetched whole (ids and sort keys) and sorted here.
ARM_SMALL = 3000


# --- scope ---------------------------------------------------------------------------------


def _code_path(field: str) -> str:
    """`region_id` → `region__pk`: lookups other than exact need the related key's path (Django
    still reads the local column, no join)."""
    return field[:-3] + "__pk" if field.endswith("_id") else field


def region_subtree_q(field: str, code: str) -> Q:
    """`field` (a region code column) inside `code`'s subtree, in a form the database can answer
    from an index: PostgreSQL uses LIKE 'x.%' (Django adds a pattern-ops index for FK codes);
    SQLite's LIKE never uses an index, so a byte range ['x.', 'x/') is used ('/' follows '.')."""
    if code == ROOT_CODE:
        return Q(**{f"{field}__isnull": False})
    return Q(**{field: code}) | _descendants_q(field, code)


def _access_arm(orgs, levels=None) -> Q:
    grants = CaseAccess.objects.filter(organisation__in=list(orgs), revoked_at__isnull=True)
    if levels:
        grants = grants.filter(level__in=levels)
    ids = list(grants.values_list("case_id", flat=True)[: _ACCESS_LITERAL_MAX + 1])
    if len(ids) > _ACCESS_LITERAL_MAX:
        return Q(pk__in=grants.values("case_id"))
    return Q(pk__in=ids) if ids else Q(pk__in=[])


@dataclass(frozen=True)
class ScopeArm:
    """One index-friendly part of a scope: a filter whose rows the database can read in order
    (`big` arms are read through the date index; small ones are fetched whole and sorted)."""

    q: Q
    big: bool = False
    root: bool = False
    selective: bool = False


def scope_arms(scope: Scope, perm: str = "victim.view") -> list[ScopeArm]:
    """The scope as a list of simple filters whose union is `case_scope_q`. Listing pages merges
    the arms' first rows instead of asking the database to order one large OR, which it cannot
    read from any index."""
    if not scope.has(perm):
        return []
    arms: list[ScopeArm] = []
    own = scope.orgs_with(perm, reach=("org", "region"))
    if own:
        # The registrar keeps sight of what it registered; after a transfer it also holds a grant.
        arms += [ScopeArm(Q(owner_org__in=own)), ScopeArm(Q(registering_org__in=own) & ~Q(owner_org__in=own))]
    granted = scope.orgs_with(perm, reach=("org", "region", "referred"))
    if granted:
        access = _access_arm(granted)
        if access.children != [("pk__in", [])]:
            arms.append(ScopeArm(access))
    regions = scope.regions_with(perm)
    not_draft = ~Q(status=CaseStatus.DRAFT)
    if ROOT_CODE in regions:
        # Drafts are the registering organisation's work in progress, not yet part of the region's record.
        return [*arms, ScopeArm(not_draft, big=True, root=True)]
    for code in sorted(regions):
        big = "." not in code  # below a province: a large share of all cases
        for field_name in ("region_id", "origin_region_id"):
            arms.append(ScopeArm(Q(**{field_name: code}) & not_draft))
            arms.append(ScopeArm(_descendants_q(field_name, code) & not_draft, big=big))
    return arms


def _descendants_q(field: str, code: str) -> Q:
    """Strictly below `code` (its subtree without itself)."""
    path = _code_path(field)
    if connection.vendor == "sqlite":
        return Q(**{f"{path}__gte": code + ".", f"{path}__lt": code + "/"})
    return Q(**{f"{path}__startswith": code + "."})


def case_scope_q(scope: Scope, perm: str = "victim.view") -> Q:
    """The filter on Case for records the scope may see with `perm`. Self-contained (needs no
    annotation). Other apps filter their case-level records with
    `case_id__in=case_ids_visible_to(user, perm)`."""
    q = Q(pk__in=[])
    for arm in scope_arms(scope, perm):
        q |= arm.q
    return q


def cases_visible_to(user, perm: str = "victim.view") -> QuerySet[Case]:
    scope = scope_for(user)
    if not scope.has(perm):
        return Case.objects.none()
    return Case.objects.filter(case_scope_q(scope, perm))


def case_ids_visible_to(user, perm: str = "victim.view"):
    """A subquery of visible case ids, for other apps' selectors (`case_id__in=...`)."""
    return cases_visible_to(user, perm).order_by().values("pk")


def case_get_for_user(user, case_id, perm: str = "victim.view") -> Case:
    """The case, or Http404 — the same answer for absent and out of scope (audited)."""
    try:
        uuid.UUID(str(case_id))
    except ValueError:
        record("access_denied_or_missing", actor=user, object_type="case", object_id=str(case_id)[:64],
               detail={"reason": "malformed"})
        raise Http404
    case = (
        cases_visible_to(user, perm)
        .filter(pk=case_id)
        .select_related("victim", "owner_org", "registering_org", "region", "origin_region")
        .first()
    )
    if case is None:
        record("access_denied_or_missing", actor=user, object_type="case", object_id=str(case_id)[:64])
        raise Http404
    return case


def case_allows(user, case: Case, perm: str) -> bool:
    """Whether `user` holds `perm` over this (already visible) case."""
    scope = scope_for(user)
    if not scope.has(perm):
        return False
    return Case.objects.filter(case_scope_q(scope, perm), pk=case.pk).exists()


def victims_visible_to(user) -> QuerySet[Victim]:
    return Victim.objects.filter(Exists(cases_visible_to(user).filter(victim=OuterRef("pk"))))


def access_level_for(user, case: Case) -> str | None:
    """'owner' | 'full' | 'service' | 'read' | 'region' | None for this user's best access."""
    scope = scope_for(user)
    orgs = {g.organisation_id for g in scope.grants}
    if case.owner_org_id in orgs or case.registering_org_id in orgs:
        return "owner"
    grants = set(
        CaseAccess.objects.filter(case=case, organisation__in=orgs, revoked_at__isnull=True).values_list(
            "level", flat=True
        )
    )
    for level in ("full", "service", "read"):
        if level in grants:
            return level
    if scope.covers_region("victim.view", case.region_id) or scope.covers_region("victim.view", case.origin_region_id):
        return "region"
    return None


# --- identity ------------------------------------------------------------------------------


def _identity_by_region(scope: Scope, case: Case) -> bool:
    return any(
        c == ROOT_CODE or case.region_id == c or (case.region_id or "").startswith(c + ".")
        for c in scope.identity_region_codes()
    )


def identity_scope_q(scope: Scope) -> Q:
    """The cases whose identity the scope may see, as a filter (mirrors `can_view_identity`).
    Searching by name, NIK or phone is identity access, so it is limited to these cases."""
    id_orgs = scope.identity_orgs()
    referred = scope.identity_referred_orgs()
    q = Q(pk__in=[])
    if id_orgs:
        q |= Q(owner_org__in=id_orgs) | Q(registering_org__in=id_orgs) | _access_arm(id_orgs, ["full", "read"])
    if id_orgs or referred:
        q |= _access_arm(id_orgs | referred, ["service"])
    for code in sorted(scope.identity_region_codes()):
        q |= region_subtree_q("region_id", code)
    return q


def has_identity_rights(scope: Scope) -> bool:
    return bool(scope.identity_orgs() or scope.identity_referred_orgs() or scope.identity_region_codes())


def identity_case_ids(user, cases) -> set:
    """The ids among `cases` whose identity `user` may see (two queries at most, for lists)."""
    scope = scope_for(user)
    id_orgs = scope.identity_orgs()
    referred = scope.identity_referred_orgs()
    out = set()
    rest = []
    for c in cases:
        if c.owner_org_id in id_orgs or c.registering_org_id in id_orgs or _identity_by_region(scope, c):
            out.add(c.pk)
        else:
            rest.append(c.pk)
    if rest and (id_orgs or referred):
        out.update(
            CaseAccess.objects.filter(case_id__in=rest, revoked_at__isnull=True)
            .filter(
                Q(organisation__in=id_orgs, level__in=["full", "read"])
                | Q(organisation__in=referred | id_orgs, level="service")
            )
            .values_list("case_id", flat=True)
        )
    return out


def can_view_identity(user, case: Case) -> bool:
    return case.pk in identity_case_ids(user, [case])


def identity_get_for_user(user, case: Case, *, purpose: str = "view") -> Identity | None:
    """The identity, if this user may see it; the view is audited. None when not permitted."""
    if not can_view_identity(user, case):
        return None
    identity = Identity.objects.filter(victim_id=case.victim_id).first()
    if identity is not None:
        record(
            "identity_view",
            actor=user,
            object_type="victim",
            object_id=case.victim_id,
            region_code=case.region_id,
            detail={"case": str(case.pk), "purpose": purpose},
        )
    return identity


def identities_for_cases(user, cases, *, purpose: str = "list", fields: tuple[str, ...] = ("full_name",)) -> dict:
    """{case id: Identity} for the permitted ones among `cases`; ONE audit event lists the victims.

    Only `fields` are loaded (and so decrypted): a list page needs the name, not the address."""
    allowed = identity_case_ids(user, cases)
    if not allowed:
        return {}
    by_victim = {c.victim_id: c.pk for c in cases if c.pk in allowed}
    identities = {
        i.victim_id: i for i in Identity.objects.filter(victim_id__in=list(by_victim)).only("victim_id", *fields)
    }
    if identities:
        record(
            "identity_view",
            actor=user,
            object_type="victim",
            object_id="",
            detail={
                "purpose": purpose,
                "victims": [str(v) for v in identities],
                "cases": [str(by_victim[v]) for v in identities],
            },
        )
    return {by_victim[v]: ident for v, ident in identities.items()}


# --- search --------------------------------------------------------------------------------

CASE_NUMBER_RE = re.compile(r"^(\d{4})-(\d{4})-(\d{1,6})$")
CASE_PREFIX_RE = re.compile(r"^\d{4}-\d{4}-?$|^\d{4}-\d{4}-\d{1,5}$")
PHONE_RE = re.compile(r"^\+?[\d\s\-()]{9,20}$")
DOCUMENT_RE = re.compile(r"^[A-Za-z]{1,3}\d{5,10}$")

SORTS: dict[str, tuple[str, str]] = {
    # key: (field, tie-break); every sort ends on the unique case number, so keyset paging is exact.
    "-date": ("-identification_date", "-case_number"),
    "date": ("identification_date", "case_number"),
    "-number": ("-case_number", ""),
    "number": ("case_number", ""),
    "-updated": ("-updated_at", "-case_number"),
    "updated": ("updated_at", "case_number"),
}
SORT_LABELS = {
    "-date": "Tanggal identifikasi (terbaru)",
    "date": "Tanggal identifikasi (terlama)",
    "-number": "Nomor kasus (menurun)",
    "number": "Nomor kasus (menaik)",
    "-updated": "Terakhir diubah",
    "updated": "Paling lama tidak diubah",
}


@dataclass
class CasePage:
    items: list
    count: int
    count_capped: bool
    has_more: bool
    next_cursor: str | None = None
    limit: int = 50
    offset: int = 0
    warnings: list = field(default_factory=list)

    @property
    def count_label(self) -> str:
        return f"{self.count:,}+".replace(",", ".") if self.count_capped else f"{self.count:,}".replace(",", ".")


def _resolve_merged(victim_ids) -> list:
    """Victim ids with merged ones replaced by the record they were merged into."""
    ids = set(victim_ids)
    for _ in range(5):
        moved = dict(Victim.objects.filter(pk__in=ids, merged_into__isnull=False).values_list("pk", "merged_into_id"))
        if not moved:
            break
        ids = (ids - set(moved)) | set(moved.values())
    return list(ids)


def victim_ids_by_name(name: str, *, limit: int = 300):
    """Victims whose name (or alias) has every token of `name` (spelling folded): a list of ids,
    or, for a common name, a subquery the database joins itself. (A merge moves the merged
    record's name tokens to the record it was merged into, so no mapping is needed here.)"""
    hashes = query_phonetic_hashes(name)
    if not hashes:
        return []
    from django.db.models import Count

    rows = NameToken.objects.filter(token_hash__in=hashes)
    if len(hashes) > 1:
        rows = rows.values("victim_id").annotate(n=Count("token_hash", distinct=True)).filter(n__gte=len(hashes))
    rows = rows.values_list("victim_id", flat=True)
    ids = list(rows[: limit + 1])
    if len(ids) > limit:
        return rows
    return list(set(ids))


def _victims_by_hash(field_name: str, value: str) -> list:
    ids = list(Identity.objects.filter(**{field_name: value}).values_list("victim_id", flat=True)[:1000])
    return _resolve_merged(ids)


def _to_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set):
        out = []
        for v in value:
            out.extend(_to_list(v))
        return out
    return [v.strip() for v in str(value).split(",") if v.strip()]


def search_filter(
    *,
    user=None,
    q: str | None = None,
    nik: str | None = None,
    phone: str | None = None,
    region: str | None = None,
    status=None,
    exploitation=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    child: bool | None = None,
    org=None,
) -> Q:
    """The search filters as one Q (to AND with a scope). Raises ValidationError for bad values.

    Searching by an identity value (name, NIK, phone, passport) is itself identity access: it is
    refused to users without identity rights and limited to the cases whose identity they may see."""
    errors: dict[str, str] = {}
    cond = Q()
    q = (q or "").strip()
    by_identity = bool(nik or phone or (q and not CASE_NUMBER_RE.match(q) and not CASE_PREFIX_RE.match(q)))
    if by_identity:
        scope = scope_for(user)
        if not has_identity_rights(scope):
            raise ValidationError(
                {
                    "q": "Pencarian berdasarkan nama, NIK atau telepon hanya untuk pengguna dengan akses identitas. "
                    "Cari dengan nomor kasus."
                }
            )
        cond &= Q(identity_scope_q(scope))
    if q:
        if len(q) > 200:
            errors["q"] = "Kata kunci terlalu panjang."
        elif m := CASE_NUMBER_RE.match(q):
            cond &= Q(case_number=f"{m.group(1)}-{m.group(2)}-{int(m.group(3)):06d}")
        elif CASE_PREFIX_RE.match(q):
            prefix = q if q.endswith("-") or q.count("-") == 2 else q + "-"
            cond &= Q(case_number__startswith=prefix)
        elif re.fullmatch(r"[\d\s.\-]{16,22}", q) and len(normalise_nik(q)) == 16:
            cond &= Q(victim_id__in=_victims_by_hash("nik_hash", nik_hash(q)))
        elif PHONE_RE.match(q) and 9 <= len(normalise_phone(q)) <= 14:
            cond &= Q(victim_id__in=_victims_by_hash("phone_hash", phone_hash(q)))
        elif DOCUMENT_RE.match(q):
            cond &= Q(victim_id__in=_victims_by_hash("document_hash", document_hash(q))) | Q(
                victim_id__in=victim_ids_by_name(q)
            )
        else:
            ids = victim_ids_by_name(q)
            cond &= Q(victim_id__in=ids) if (not isinstance(ids, list) or ids) else Q(pk__in=[])
    if nik:
        if len(normalise_nik(nik)) != 16:
            errors["nik"] = "NIK harus 16 digit angka."
        else:
            cond &= Q(victim_id__in=_victims_by_hash("nik_hash", nik_hash(nik)))
    if phone:
        cond &= Q(victim_id__in=_victims_by_hash("phone_hash", phone_hash(phone)))
    if region:
        from .validation import resolve_region

        try:
            code = region if region == ROOT_CODE else resolve_region(region, levels=(1, 2, 3))
            cond &= Q(region_subtree_q("region_id", code) | region_subtree_q("origin_region_id", code))
        except RegionLookupError as exc:
            errors["region"] = str(exc)
    statuses = _to_list(status)
    if statuses:
        bad = [s for s in statuses if s not in CaseStatus.values]
        if bad:
            errors["status"] = f"Status '{bad[0]}' tidak dikenal."
        else:
            cond &= Q(status__in=statuses)
    forms = _to_list(exploitation)
    if forms:
        from .validation import code_set

        bad = [f for f in forms if f not in code_set("exploitation")]
        if bad:
            errors["exploitation"] = f"Bentuk eksploitasi '{bad[0]}' tidak dikenal."
        else:
            # `exploitation_codes` mirrors the M2M as "|a|b|": a row test, no subquery per row.
            either = Q(pk__in=[])
            for f in forms:
                either |= Q(exploitation_codes__contains=f"|{f}|")
            cond &= either
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = "Tanggal akhir sebelum tanggal awal."
    if date_from:
        cond &= Q(identification_date__gte=date_from)
    if date_to:
        cond &= Q(identification_date__lte=date_to)
    if child is not None:
        cond &= Q(is_child=child)
    if org:
        cond &= Q(owner_org_id=org)
    if errors:
        raise ValidationError(errors)
    return cond


def apply_filters(qs: QuerySet[Case], *, user=None, **filters) -> QuerySet[Case]:
    """`search_filter` applied to an already scoped queryset."""
    return qs.filter(search_filter(user=user, **filters))


def _encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> list:
    try:
        pad = "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(cursor + pad).decode())
        field_name = SORTS[sort][0].lstrip("-")
        if not isinstance(values, list) or len(values) != (2 if SORTS[sort][1] else 1):
            raise ValueError
        if field_name == "identification_date":
            values[0] = dt.date.fromisoformat(values[0])
        elif field_name == "updated_at":
            values[0] = dt.datetime.fromisoformat(values[0])
        if not all(isinstance(v, str) for v in values[1:]):
            raise ValueError
        return values
    except (ValueError, TypeError, KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError({"cursor": "Penanda halaman tidak sah."})


def _keyset_q(sort: str, values: list) -> Q:
    """Rows after `values` in `sort` order. The redundant bound on the first field lets the
    database start its index range there."""
    first, tie = SORTS[sort]
    f1 = first.lstrip("-")
    desc = first.startswith("-")
    op = "lt" if desc else "gt"
    if not tie:
        return Q(**{f"{f1}__{op}": values[0]})
    f2 = tie.lstrip("-")
    op2 = "lt" if tie.startswith("-") else "gt"
    bound = Q(**{f"{f1}__{'lte' if desc else 'gte'}": values[0]})
    return bound & (Q(**{f"{f1}__{op}": values[0]}) | Q(**{f1: values[0], f"{f2}__{op2}": values[1]}))


def _cursor_for(case: Case, sort: str) -> str:
    first, tie = SORTS[sort]
    vals = [getattr(case, first.lstrip("-"))]
    if tie:
        vals.append(getattr(case, tie.lstrip("-")))
    return _encode_cursor(vals)


def case_search(
    user,
    *,
    q: str | None = None,
    nik: str | None = None,
    phone: str | None = None,
    region: str | None = None,
    status=None,
    exploitation=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    child: bool | None = None,
    sort: str = "-date",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
    count: bool = True,
    perm: str = "victim.view",
) -> CasePage:
    """One page of the cases `user` may see, filtered and sorted. Plain function for the UI, the
    API and benchmarks. `cursor` (from the previous page's `next_cursor`) pages by keyset, which
    stays fast at any depth; `offset` is kept for simple clients (deep offsets cost time, never
    memory)."""
    if sort not in SORTS:
        raise ValidationError({"sort": "Urutan tidak dikenal: " + ", ".join(SORTS)})
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": f"limit harus 1–{MAX_LIMIT}."})
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError({"offset": f"offset harus 0–{MAX_OFFSET}; gunakan cursor untuk halaman jauh."})
    filters = {
        "q": q,
        "nik": nik,
        "phone": phone,
        "region": region,
        "status": status,
        "exploitation": exploitation,
        "date_from": date_from,
        "date_to": date_to,
        "child": child,
    }
    cond = search_filter(user=user, **filters)  # validates, and runs hash lookups once
    keyset = _keyset_q(sort, _decode_cursor(cursor, sort)) if cursor else None
    if cursor:
        offset = 0
    arms = [(arm, Case.objects.filter(arm.q & cond)) for arm in scope_arms(scope_for(user), perm)]
    if _selective(filters) and arms:
        # A case number, name, NIK or phone narrows the search to a handful of cases: one query
        # driven by that filter, with the scope as a row test, beats merging the arms.
        arms = [(ScopeArm(Q(), selective=True), cases_visible_to(user, perm).filter(cond))]
    order = [f for f in SORTS[sort] if f]
    keys = [f.lstrip("-") for f in order]
    if offset > ARM_OFFSET_MAX and any(arm.big for arm, _ in arms):
        return _deep_page(user, perm, cond, order, limit, offset, count, arms, sort)
    want = offset + limit + 1
    desc = order[0].startswith("-")
    after = tuple(_decode_cursor(cursor, sort)) if cursor else None
    narrowed = _narrowing(filters)
    date_sort = keys[0] == "identification_date"
    # First pass: arms that are small (or narrowed by the filters) are fetched whole, once: their
    # rows serve the count and the page (the cursor is applied here, in Python).
    plans = []
    for arm, arm_qs in arms:
        whole = None
        if arm.selective or (narrowed and not arm.root) or (not arm.big and not date_sort):
            rows = list(arm_qs.order_by().values_list("pk", *keys)[: ARM_SMALL + 1])
            whole = rows if len(rows) <= ARM_SMALL else None
        plans.append((arm, arm_qs, whole))
    total = capped = None
    if count:
        total, capped = _count_union(plans)
    # Second pass: each arm's first `want` rows in order; the page is the first `want` of their union.
    found: dict = {}
    for arm, arm_qs, whole in plans:
        if whole is not None:
            rows = whole
            if after is not None:
                rows = [r for r in rows if (tuple(r[1:]) < after if desc else tuple(r[1:]) > after)]
        else:
            rows = _arm_first_rows(arm, arm_qs.filter(keyset) if keyset is not None else arm_qs, order, keys, want)
        for row in rows:
            found[row[0]] = row[1:]
    ranked = sorted(found.items(), key=lambda kv: kv[1], reverse=order[0].startswith("-"))[offset:want]
    has_more = len(ranked) > limit
    page_ids = [pk for pk, _ in ranked[:limit]]
    items = _load_page(page_ids)
    return CasePage(
        items=items,
        count=total if total is not None else -1,
        count_capped=bool(capped),
        has_more=has_more,
        next_cursor=_cursor_for(items[-1], sort) if has_more and items else None,
        limit=limit,
        offset=offset,
    )


def _deep_page(user, perm, cond, order, limit, offset, count, arms, sort) -> CasePage:
    """A deep offset page read by the database itself: one query, `limit + 1` rows in memory."""
    total = capped = None
    if count:
        total, capped = _count_union([(arm, qs, None) for arm, qs in arms])
    rows = list(
        cases_visible_to(user, perm)
        .filter(cond)
        .order_by(*order)
        .values_list("pk", flat=True)[offset : offset + limit + 1]
    )
    items = _load_page(rows[:limit])
    has_more = len(rows) > limit
    return CasePage(
        items=items,
        count=total if total is not None else -1,
        count_capped=bool(capped),
        has_more=has_more,
        next_cursor=_cursor_for(items[-1], sort) if has_more and items else None,
        limit=limit,
        offset=offset,
    )


def _selective(filters: dict) -> bool:
    return bool(filters.get("q") or filters.get("nik") or filters.get("phone"))


def _narrowing(filters: dict) -> bool:
    """Filters that may make even a large arm small (so it is worth fetching it whole first)."""
    return bool(
        filters.get("region") or filters.get("exploitation") or filters.get("date_from") or filters.get("date_to")
    )


def _load_page(page_ids: list) -> list[Case]:
    """The page's cases in order, with their regions, organisations and codes attached from a few
    key lookups (cheaper than joining reference tables into the case query)."""
    from gugus.accounts.models import Organisation
    from gugus.reference.models import Code, Country, Region

    by_id = Case.objects.in_bulk(page_ids)
    items = [by_id[pk] for pk in page_ids if pk in by_id]
    if not items:
        return items
    regions = Region.objects.in_bulk({c.region_id for c in items} | ({c.origin_region_id for c in items} - {None}))
    orgs = Organisation.objects.in_bulk({c.owner_org_id for c in items})
    countries = Country.objects.in_bulk({c.destination_country_id for c in items} - {None})
    codes = Code.objects.in_bulk({c.identification_channel_id for c in items})
    for c in items:
        c.region = regions.get(c.region_id)
        c.origin_region = regions.get(c.origin_region_id) if c.origin_region_id else None
        c.owner_org = orgs.get(c.owner_org_id)
        c.destination_country = countries.get(c.destination_country_id) if c.destination_country_id else None
        c.identification_channel = codes.get(c.identification_channel_id)
    return items


def _count_union(plans) -> tuple[int, bool]:
    """How many distinct cases the arms hold, stopping at COUNT_CAP (cheap: no COUNT(*) over a
    large set, no DISTINCT over an OR)."""
    ids: set = set()
    for _arm, arm_qs, whole in plans:
        if whole is not None:
            ids.update(r[0] for r in whole)
        else:
            got = list(arm_qs.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
            ids.update(got)
            if len(got) > COUNT_CAP:
                return COUNT_CAP, True
        if len(ids) > COUNT_CAP:
            return COUNT_CAP, True
    return len(ids), False


def _arm_first_rows(arm: ScopeArm, arm_qs: QuerySet[Case], order: list[str], keys: list[str], want: int) -> list:
    """The arm's first `want` (pk, *sort keys) rows in `order`, read in order by the database: for
    the date sorts straight from a composite index (arm column, date, number) or the date index;
    for the other sorts of a large arm the ordering expression is wrapped, so the database
    collects the arm's rows through its filter and keeps the top ones, instead of walking a whole
    sort index past rows that do not match."""
    if keys[0] == "identification_date" or arm.root:
        return list(arm_qs.order_by(*order).values_list("pk", *keys)[:want])
    exprs = [
        (Coalesce(F(k), F(k)).desc() if o.startswith("-") else Coalesce(F(k), F(k)).asc())
        for o, k in zip(order, keys, strict=True)
    ]
    return list(arm_qs.order_by(*exprs).values_list("pk", *keys)[:want])


def exploitation_labels(cases) -> dict:
    """{case id: [labels]} for a page of cases, in one query."""
    through = Case.exploitation_forms.through
    out: dict = {c.pk: [] for c in cases}
    for case_id, label in through.objects.filter(case_id__in=list(out)).values_list("case_id", "code__label_id"):
        out[case_id].append(label)
    return out


def cases_for_export(user, *, perm: str = "export.list", chunk: int = 1000, **filters) -> Iterator[Case]:
    """Every visible case matching `filters`, oldest first, fetched in keyset chunks so memory
    stays flat however many there are. For exchange (CTDC/HTCDS export) and reports."""
    qs = (
        apply_filters(cases_visible_to(user, perm), user=user, **filters)
        .select_related("victim", "region", "origin_region", "owner_org", "registering_org", "destination_country")
        .prefetch_related("exploitation_forms", "means", "acts", "route")
    )
    last = None
    while True:
        page = qs.order_by("identification_date", "case_number")
        if last is not None:
            page = page.filter(_keyset_q("date", last))
        rows = list(page[:chunk])
        if not rows:
            return
        yield from rows
        last = [rows[-1].identification_date, rows[-1].case_number]


def case_export_row(case: Case) -> dict:
    """Plain, identity-free values of one case (HTCDS/CTDC-shaped names), for exports."""

    def code(key):
        return key.split(".", 1)[1] if key else ""

    victim = case.victim
    return {
        "case_id": str(case.pk),
        "case_number": case.case_number,
        "victim_id": str(case.victim_id),
        "status": case.status,
        "trafficking_status": case.trafficking_status,
        "identification_date": case.identification_date.isoformat(),
        "identification_channel": code(case.identification_channel_id),
        "registering_org": str(case.registering_org_id),
        "owner_org": str(case.owner_org_id),
        "region": case.region_id,
        "origin_region": case.origin_region_id or "",
        "sex": code(victim.sex_id),
        "birth_year": victim.birth_year,
        "age_estimated": victim.age_estimated,
        "age_at_identification": case.age_at_identification,
        "is_child": case.is_child,
        "citizenship_status": code(victim.citizenship_status_id),
        "citizenship": victim.citizenship_id or "",
        "disability": code(victim.disability_id),
        "education": code(victim.education_id),
        "occupation": code(victim.occupation_id),
        "scope": case.scope,
        "exploitation_forms": sorted(code(c.pk) for c in case.exploitation_forms.all()),
        "means": sorted(code(c.pk) for c in case.means.all()),
        "acts": sorted(code(c.pk) for c in case.acts.all()),
        "sector": code(case.sector_id),
        "exploitation_start": case.exploitation_start.isoformat() if case.exploitation_start else "",
        "exploitation_end": case.exploitation_end.isoformat() if case.exploitation_end else "",
        "recruiter_relation": code(case.recruiter_relation_id),
        "destination_country": case.destination_country_id or "",
        "route": [
            {"stage": r.stage, "region": r.region_id or "", "country": r.country_id or ""} for r in case.route.all()
        ],
        "closure_reason": code(case.closure_reason_id),
        "closed_at": case.closed_at.isoformat() if case.closed_at else "",
        "is_demo": case.is_demo,
    }


def case_timeline(case: Case, *, limit: int = 200) -> list[CaseEvent]:
    """The case's events, newest first (the caller already holds the case through its scope)."""
    return list(
        CaseEvent.objects.filter(case=case).select_related("actor", "organisation").order_by("-at", "-id")[:limit]
    )
