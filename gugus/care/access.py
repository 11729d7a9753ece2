"""How far a user reaches over the care records of a case.

Built on the cases contracts (`cases_visible_to`, `access_level_for`):
- "all": the owning/registering organisation, a `full` grant, or region reach (secretariats,
  law enforcement): every care record of the case;
- "own": an organisation the case was referred to (`CaseAccess` level `service`, e.g. a
  hospital or a safe house): only the records its own organisation provides or is responsible for;
- "read": a former owner after a transfer (`read` grant): sees, never writes;
- None: out of scope (callers answer 404, the same as for a missing record).
"""

from __future__ import annotations

from django.db.models import Exists, Q
from django.http import Http404

from gugus.accounts.scope import scope_for
from gugus.cases.models import Case, CaseAccess
from gugus.cases.selectors import access_level_for, case_ids_visible_to, cases_visible_to

from .rules import region_q

ALL, OWN, READ = "all", "own", "read"


def user_org_ids(user) -> set:
    return {g.organisation_id for g in scope_for(user).grants}


def care_access(user, case: Case, perm: str) -> str | None:
    scope = scope_for(user)
    if not scope.has(perm) or not cases_visible_to(user, perm).filter(pk=case.pk).exists():
        return None
    # A grant access_level_for does not name counts as the narrowest reach (OWN).
    return _reach_of(access_level_for(user, case))


def _reach_of(level: str | None) -> str:
    if level in ("owner", "full", "region"):
        return ALL
    if level == "read":
        return READ
    return OWN


def care_access_many(user, case: Case, perms) -> dict[str, str | None]:
    """`care_access` for several permissions at once: one visibility query for all of them and
    one access-level lookup (a case page asks about four permissions)."""
    scope = scope_for(user)
    out: dict[str, str | None] = dict.fromkeys(perms)
    held = [p for p in perms if scope.has(p)]
    if not held:
        return out
    checks = {f"v{i}": Exists(cases_visible_to(user, p).filter(pk=case.pk)) for i, p in enumerate(held)}
    row = Case.objects.filter(pk=case.pk).values(**checks).first()
    if not row or not any(row.values()):
        return out
    reach = _reach_of(access_level_for(user, case))
    for i, p in enumerate(held):
        if row[f"v{i}"]:
            out[p] = reach
    return out


def require_write(user, case: Case, perm: str) -> str:
    """ALL or OWN, or Http404 (the same answer as for a case that does not exist)."""
    reach = care_access(user, case, perm)
    if reach not in (ALL, OWN):
        raise Http404
    return reach


def full_case_ids(user, perm: str):
    """Cases on which the user sees every care record (not only through a `service` referral)."""
    scope = scope_for(user)
    orgs = user_org_ids(user)
    q = Q(owner_org__in=orgs) | Q(registering_org__in=orgs)
    q |= Q(
        pk__in=CaseAccess.objects.filter(
            organisation__in=orgs, level__in=["full", "read"], revoked_at__isnull=True
        ).values("case_id")
    )
    for code in scope.regions_with(perm):
        q |= region_q("region", code) | region_q("origin_region", code)
    return Case.objects.filter(q).order_by().values("pk")


def care_q(user, perm: str, *org_fields: str, case_field: str = "case_id") -> Q:
    """The filter for care records the user may see with `perm`: records of visible cases, all of
    them where the user has full reach, else only those whose `org_fields` name the user's orgs."""
    scope = scope_for(user)
    if not scope.has(perm):
        return Q(pk__in=[])
    visible = case_ids_visible_to(user, perm)
    orgs = user_org_ids(user)
    mine = Q(pk__in=[])
    for f in org_fields:
        mine |= Q(**{f"{f}__in": orgs})
    return Q(**{f"{case_field}__in": visible}) & (Q(**{f"{case_field}__in": full_case_ids(user, perm)}) | mine)
