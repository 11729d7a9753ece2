"""Reads of cases and victims, always through the user's scope. Out of scope = 404."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from gugus.accounts.scope import Scope, scope_for
from gugus.audit.services import record

from .models import Case, CaseAccess, Identity, Victim


def _active_access(orgs, levels=None):
    qs = CaseAccess.objects.filter(case=OuterRef("pk"), organisation__in=orgs, revoked_at__isnull=True)
    if levels:
        qs = qs.filter(level__in=levels)
    return Exists(qs)


def case_scope_q(scope: Scope, perm: str = "victim.view") -> Q:
    """The filter on Case for records the scope may see with `perm`. Used by every app for
    case-level records (prefix the fields through their relation with `case__`)."""
    if not scope.has(perm):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    own = scope.orgs_with(perm, reach=("org", "region"))
    if own:
        q |= Q(owner_org__in=own) | Q(registering_org__in=own) | Q(_access_own=True)
    referred = scope.orgs_with(perm, reach=("referred",))
    if referred:
        q |= Q(_access_referred=True)
    q |= scope.region_q(perm, "region_id", "origin_region_id")
    return q


def cases_visible_to(user, perm: str = "victim.view") -> QuerySet[Case]:
    scope = scope_for(user)
    if not scope.has(perm):
        return Case.objects.none()
    qs = Case.objects.all()
    own = scope.orgs_with(perm, reach=("org", "region"))
    referred = scope.orgs_with(perm, reach=("referred",))
    if own:
        qs = qs.annotate(_access_own=_active_access(own))
    if referred:
        qs = qs.annotate(_access_referred=_active_access(referred))
    return qs.filter(case_scope_q(scope, perm))


def case_ids_visible_to(user, perm: str = "victim.view"):
    """A subquery of visible case ids, for other apps' selectors (`case_id__in=...`)."""
    return cases_visible_to(user, perm).values("pk")


def case_get_for_user(user, case_id, perm: str = "victim.view") -> Case:
    try:
        uuid.UUID(str(case_id))
    except ValueError:
        raise Http404
    case = cases_visible_to(user, perm).filter(pk=case_id).select_related(
        "victim", "owner_org", "registering_org", "region", "origin_region"
    ).first()
    if case is None:
        record("access_denied_or_missing", actor=user, object_type="case", object_id=str(case_id)[:64])
        raise Http404
    return case


def victims_visible_to(user) -> QuerySet[Victim]:
    return Victim.objects.filter(cases__in=cases_visible_to(user)).distinct()


def access_level_for(user, case: Case) -> str | None:
    """'owner' | 'full' | 'service' | 'read' | 'region' | None for this user's best access."""
    scope = scope_for(user)
    orgs = {g.organisation_id for g in scope.grants}
    if case.owner_org_id in orgs or case.registering_org_id in orgs:
        return "owner"
    grants = set(
        CaseAccess.objects.filter(case=case, organisation__in=orgs, revoked_at__isnull=True).values_list("level", flat=True)
    )
    for level in ("full", "service", "read"):
        if level in grants:
            return level
    if scope.covers_region("victim.view", case.region_id) or scope.covers_region("victim.view", case.origin_region_id):
        return "region"
    return None


def can_view_identity(user, case: Case) -> bool:
    scope = scope_for(user)
    id_orgs = scope.identity_orgs()
    if case.owner_org_id in id_orgs or case.registering_org_id in id_orgs:
        return True
    grants = CaseAccess.objects.filter(case=case, revoked_at__isnull=True)
    if grants.filter(organisation__in=id_orgs, level__in=["full", "read"]).exists():
        return True
    if grants.filter(organisation__in=scope.identity_referred_orgs() | id_orgs, level="service").exists():
        return True
    return any(
        c for c in scope.identity_region_codes()
        if case.region_id == c or case.region_id.startswith(c + ".") or c == "ID"
    )


def identity_get_for_user(user, case: Case, *, purpose: str = "view") -> Identity | None:
    """The identity, if this user may see it; the view is audited. None when not permitted."""
    if not can_view_identity(user, case):
        return None
    identity = Identity.objects.filter(victim_id=case.victim_id).first()
    if identity is not None:
        record("identity_view", actor=user, object_type="victim", object_id=case.victim_id,
               region_code=case.region_id, detail={"case": str(case.pk), "purpose": purpose})
    return identity
