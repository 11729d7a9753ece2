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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.http import Http404

from gugus.accounts.scope import Scope, scope_for
from gugus.audit.services import record
from gugus.reference.models import ROOT_CODE, region_code_within
from gugus.reference.regions import RegionLookupError

from .matching import document_hash, nik_hash, normalise_nik, normalise_phone, phone_hash, query_phonetic_hashes
from .models import Case, CaseAccess, CaseEvent, CaseStatus, CodePrefix, Identity, NameToken, Victim

# Above this many granted cases the grant arm becomes a subquery instead of a literal list.
_ACCESS_LITERAL_MAX = 2000
# Counts stop here: "1000+" is as useful to a person as an exact number and costs nothing.
COUNT_CAP = 1000
MAX_LIMIT = 200
MAX_OFFSET = 5_000_000


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
        record(
            "access_denied_or_missing",
            actor=user,
            object_type="case",
            object_id=str(case_id)[:64],
            detail={"reason": "malformed"},
        )
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
            # A range, not LIKE: SQLite's LIKE never reads an index.
            cond &= Q(case_number__gte=prefix, case_number__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
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
    costs the same at any depth; `offset` is kept for simple clients (deep offsets cost time,
    never memory).

    The scope is split into disjoint *members* (`_list_members`), each readable in the sort order
    from one index; one statement merges them (`UNION ALL` under `ORDER BY … LIMIT`, which both
    databases execute as a lazy ordered merge), so a page reads about `offset + limit` rows
    whatever the size of the scope. A first statement without `ORDER BY` takes at most
    COUNT_CAP + 1 rows: it gives the (capped) count and, when the result is small, the whole
    result, which is then sorted here (a narrow filter never makes the database walk a large
    index in order past rows that do not match)."""
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
    after = _decode_cursor(cursor, sort) if cursor else None
    if cursor:
        offset = 0
    order = [f for f in SORTS[sort] if f]
    keys = [f.lstrip("-") for f in order]
    desc = order[0].startswith("-")
    scope = scope_for(user)
    if not scope.has(perm):
        members: list[Member] = []
    elif _selective(filters):
        # A case number, name, NIK or phone narrows the search to a handful of cases: one member
        # driven by that filter, with the scope as a row test.
        members = [Member(case_scope_q(scope, perm), small=True)]
    elif (rare := _rare_forms_q(exploitation)) is not None:
        # So does a rarely recorded form of exploitation (from the form's own index).
        members = [Member(case_scope_q(scope, perm) & rare, small=True)]
    else:
        members = _list_members(scope, perm, _region_code(region))
    # Each member's first COUNT_CAP + 1 rows in order: the (capped) count, and the page itself
    # unless it lies deeper or after a cursor.
    head = COUNT_CAP + 1
    rows, exhausted = _member_heads(members, cond, order, keys, head)
    total = len(rows)
    capped = total > COUNT_CAP or not exhausted
    if after is None and offset + limit + 1 <= head:
        rows.sort(key=lambda r: r[1:], reverse=desc)
        page_ids = [r[0] for r in rows[offset : offset + limit + 1]]
    elif exhausted:
        # The whole result is here: cursor and offset are applied in memory.
        rows.sort(key=lambda r: r[1:], reverse=desc)
        if after is not None:
            mark = tuple(_comparable_key(keys, after))
            rows = [r for r in rows if (tuple(r[1:]) < mark if desc else tuple(r[1:]) > mark)]
        page_ids = [r[0] for r in rows[offset : offset + limit + 1]]
    else:
        keyset = _keyset_q(sort, after) if after is not None else None
        page_ids = _merged_ids(members, cond & keyset if keyset is not None else cond, order, keys, limit + 1, offset)
    has_more = len(page_ids) > limit
    items = _load_page(page_ids[:limit])
    return CasePage(
        items=items,
        count=(COUNT_CAP if capped else total) if count else -1,
        count_capped=bool(capped) and count,
        has_more=has_more,
        next_cursor=_cursor_for(items[-1], sort) if has_more and items else None,
        limit=limit,
        offset=offset,
    )


def _region_code(region: str | None) -> str | None:
    """The region filter as a code (already validated by `search_filter`), or None."""
    if not region:
        return None
    if region == ROOT_CODE:
        return ROOT_CODE
    from .validation import resolve_region

    try:
        return resolve_region(region, levels=(1, 2, 3))
    except RegionLookupError:
        return None


def _region_members(field_name: str, code: str) -> tuple[Q, Q]:
    """(filter read from an index, null-safe form of the same filter for exclusions) for the cases
    whose `field_name` lies in `code`'s subtree. A province or a kab/kota is one equality on
    SUBSTR(code, 1, 2|5) (`models.CodePrefix`), which the expression indexes `cases_case_[ro][pk]_*` read in date,
    number or update order (region codes are "PP", "PP.KK", "PP.KK.CC", …)."""
    if code.count(".") <= 1:
        q = Q(Exact(CodePrefix(field_name, len(code)), code))
        safe = Q(Exact(CodePrefix(Coalesce(field_name, Value("")), len(code)), code))
        return q, safe
    q = region_subtree_q(field_name, code)
    return q, q


@dataclass(frozen=True)
class Member:
    """One disjoint part of a list's scope. A `small` one is read through its filter's own index
    and sorted (its ordering is wrapped so that no planner walks a sort index past rows that do
    not match); the others are read in order from a (member column, sort keys) index."""

    q: Q
    small: bool = False


# An exploitation form recorded for at most this many cases is searched from its own index.
RARE_FORM_MAX = 3000


def _rare_forms_q(exploitation) -> Q | None:
    """`pk IN (cases with one of these forms)` when those are few, else None."""
    forms = _to_list(exploitation)
    if not forms:
        return None
    through = Case.exploitation_forms.through
    rows = through.objects.filter(code_id__in=[f"exploitation.{f}" for f in forms]).order_by()
    if rows[: RARE_FORM_MAX + 1].count() > RARE_FORM_MAX:
        return None
    return Q(pk__in=rows.values("case_id"))


def _list_members(scope: Scope, perm: str, region_code: str | None = None) -> list[Member]:
    """The scope as disjoint filters, each answerable in order from one index (see `case_search`).

    Each member excludes the rows of the members before it (a row test, null-safe), so their
    `UNION ALL` holds every visible case once. A region filter inside a covered region replaces it
    (the intersection of "handled in or originating from" both is the filter's own region)."""
    parts: list[tuple[Q, Q, bool]] = []
    own = scope.orgs_with(perm, reach=("org", "region"))
    for org in sorted(own, key=str):
        # One member per organisation: an equality, which the databases read in order from the
        # (owner, sort keys) indexes (an IN over several would need a sort).
        parts.append((Q(owner_org=org), Q(owner_org=org), False))
    if own:
        # Registered here, owned elsewhere (after a transfer): the partial index holds only these.
        moved = Q(registering_org__in=own) & ~Q(registering_org=F("owner_org"))
        parts.append((moved, moved, True))
    regions = scope.regions_with(perm)
    not_draft = ~Q(status=CaseStatus.DRAFT)
    if ROOT_CODE in regions:
        codes = [region_code] if region_code else [ROOT_CODE]
    else:
        codes = []
        for c in regions:
            codes.append(region_code if region_code and region_code_within(region_code, c) else c)
    # A region inside another covered region adds nothing (and would be walked for nothing).
    codes = sorted({c for c in codes if not any(o != c and region_code_within(c, o) for o in codes)})
    for code in codes:
        if code == ROOT_CODE:
            # Drafts are the registering organisation's work in progress, not yet the region's record.
            parts.append((not_draft, not_draft, False))
            continue
        for field_name in ("region_id", "origin_region_id"):
            q, safe = _region_members(field_name, code)
            parts.append((q & not_draft, safe & not_draft, code.count(".") > 1))
    granted = scope.orgs_with(perm, reach=("org", "region", "referred"))
    if granted:
        # Last, so that its (possibly long) list of ids is not repeated in the others' exclusions.
        access = _access_arm(granted)
        if access.children != [("pk__in", [])]:
            parts.append((access, access, True))
    members = []
    for i, (q, _safe, small) in enumerate(parts):
        for _q, earlier, _small in parts[:i]:
            q &= ~earlier
        members.append(Member(q, small))
    return members


def _member_sqls(
    members: list[Member], cond: Q, keys: list[str], order: list[str] | None = None, upto: int | None = None
) -> list[tuple[str, tuple]]:
    """SQL (and parameters) of each member with the search filters, selecting (pk, *sort keys),
    with `order` its first `upto` rows. A member that cannot match (an empty IN list) is left out."""
    out = []
    for m in members:
        by = list(order or ())
        if m.small and by:
            by = [
                Coalesce(F(o.lstrip("-")), F(o.lstrip("-"))).desc() if o.startswith("-") else Coalesce(F(o), F(o)).asc()
                for o in by
            ]
        qs = Case.objects.filter(m.q).filter(cond).order_by(*by).values_list("pk", *keys)
        if upto is not None:
            qs = qs[:upto]
        try:
            sql, params = qs.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            continue
        out.append((sql, tuple(params)))
    return out


def _union(sqls: list[tuple[str, tuple]]) -> tuple[str, list]:
    # Each member is a derived table of its own: with ORDER BY … LIMIT inside it is planned alone,
    # as a short ordered read of its index. (A flattened UNION ALL would not do: PostgreSQL does
    # not see the member's equality on the leading index column there, and sorts everything.)
    sql = " UNION ALL ".join(f"SELECT * FROM ({s}) AS m{i}" for i, (s, _) in enumerate(sqls))  # noqa: S608
    params = [p for _, ps in sqls for p in ps]
    return f"SELECT * FROM ({sql}) AS u", params  # noqa: S608 - ORM-compiled SQL, values bound


def _member_heads(members, cond, order, keys, head: int) -> tuple[list, bool]:
    """Each member's first `head` rows in `order`, as (pk, *keys), in one statement; and whether
    every member was exhausted (then these rows are the whole result)."""
    sqls = _member_sqls(members, cond, keys, order, head)
    if not sqls:
        return [], True
    parts = [f"SELECT {i} AS m, * FROM ({s}) AS m{i}" for i, (s, _) in enumerate(sqls)]  # noqa: S608
    params = [p for _, ps in sqls for p in ps]
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        raw = cur.fetchall()
    per_member = Counter(r[0] for r in raw)
    return [_typed_row(keys, r[1:]) for r in raw], all(n < head for n in per_member.values())


def _merged_ids(members, cond, order, keys, n: int, offset: int) -> list:
    """The ids of rows offset … offset + n of the members' union in `order`: each member gives its
    first offset + n rows in order (from its index), the database merges them."""
    sqls = _member_sqls(members, cond, keys, order, offset + n)
    if not sqls:
        return []
    sql, params = _union(sqls)
    direction = " DESC" if order[0].startswith("-") else ""
    by = ", ".join(f"{connection.ops.quote_name(k)}{direction}" for k in keys)
    with connection.cursor() as cur:
        cur.execute(f"{sql} ORDER BY {by} LIMIT %s OFFSET %s", [*params, n, offset])
        return [_typed_row(keys, r)[0] for r in cur.fetchall()]


def _typed_row(keys: list[str], row) -> tuple:
    """A raw (pk, *keys) row with Python types (SQLite answers text for UUIDs, dates, datetimes)."""
    out = [row[0] if isinstance(row[0], uuid.UUID) else uuid.UUID(str(row[0]))]
    for k, v in zip(keys, row[1:], strict=True):
        out.append(_typed(k, v))
    return tuple(out)


def _typed(key: str, v):
    if key == "identification_date" and isinstance(v, str):
        return dt.date.fromisoformat(v)
    if key == "updated_at":
        if isinstance(v, str):
            v = dt.datetime.fromisoformat(v)
        if isinstance(v, dt.datetime) and v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
    return v


def _comparable_key(keys: list[str], values: list) -> list:
    return [_typed(k, v) for k, v in zip(keys, values, strict=True)]


def _selective(filters: dict) -> bool:
    return bool(filters.get("q") or filters.get("nik") or filters.get("phone"))


def _load_page(page_ids: list) -> list[Case]:
    """The page's cases in order, with their victim (joined by key), regions, organisations and
    codes attached from a few key lookups (cheaper than joining the reference tables, which the
    planner reads whole for a hash join)."""
    from gugus.accounts.models import Organisation
    from gugus.reference.models import Code, Country, Region

    # The narrative is encrypted and never listed.
    by_id = Case.objects.defer("narrative").select_related("victim").in_bulk(page_ids)
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
