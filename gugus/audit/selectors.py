"""Who may browse which audit events.

- administrators (role `admin` or superuser): everything;
- roles with `audit.view` and organisation reach (supervisors): events recorded for their
  organisation and events whose actor is a member of it;
- roles with `audit.view` and region reach (province/national secretariats): events in their
  region's subtree, for their organisation, and by members of organisations in the subtree.
Everyone else: nothing (`None`, which the faces turn into 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gugus.accounts.roles import Role
from gugus.accounts.scope import scope_for
from gugus.reference.models import ROOT_CODE, subtree_q

from .models import AuditEvent


def _is_admin(user, scope) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(
        g.role == Role.ADMIN and "audit.view" in g.perms for g in scope.grants
    )


def can_view_audit(user) -> bool:
    scope = scope_for(user)
    return scope.has("audit.view") or (scope.authenticated and bool(getattr(user, "is_superuser", False)))


def audit_events_visible_to(user) -> QuerySet[AuditEvent] | None:
    from gugus.accounts.models import Membership, Organisation

    scope = scope_for(user)
    if not can_view_audit(user):
        return None
    if _is_admin(user, scope):
        return AuditEvent.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants_with("audit.view"):
        q |= Q(organisation_id=g.organisation_id)
        if g.reach == "region":
            if g.region_code == ROOT_CODE:
                return AuditEvent.objects.all()
            q |= subtree_q("region_code", g.region_code)
            orgs = Organisation.objects.filter(subtree_q("region_id", g.region_code)).values("pk")
            q |= Q(organisation_id__in=orgs)
            members = Membership.objects.filter(organisation__in=orgs)
        else:
            members = Membership.objects.filter(organisation_id=g.organisation_id)
        q |= Q(actor_id__in=members.values("user_id"))
    return AuditEvent.objects.filter(q)


@dataclass
class AuditFilter:
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    actor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_events_filtered(user, f: AuditFilter) -> QuerySet[AuditEvent] | None:
    """The visible events narrowed by `f`; dates are local (Asia/Jakarta) calendar days."""
    from django.utils import timezone

    qs = audit_events_visible_to(user)
    if qs is None:
        return None
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.actor:
        qs = qs.filter(actor_label=f.actor)
    tz = timezone.get_current_timezone()
    if f.since:
        qs = qs.filter(at__gte=dt.datetime.combine(f.since, dt.time.min, tzinfo=tz))
    if f.until:
        qs = qs.filter(at__lt=dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-id")


def audit_actions() -> list[str]:
    """The action names known so far (for the filter's choices)."""
    return sorted(set(AuditEvent.objects.order_by().values_list("action", flat=True).distinct()))
