"""Who may browse which audit events: supervisors their organisation's, secretariats and
administrators their region's subtree (admins everything)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gugus.accounts.roles import Role
from gugus.accounts.scope import scope_for
from gugus.reference.models import subtree_q

from .models import AuditEvent


def audit_events_visible_to(user) -> QuerySet[AuditEvent] | None:
    scope = scope_for(user)
    if not scope.has("audit.view") and not getattr(user, "is_superuser", False):
        return None
    if getattr(user, "is_superuser", False) or any(g.role == Role.ADMIN for g in scope.grants):
        return AuditEvent.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants_with("audit.view"):
        if g.reach == "region":
            q |= subtree_q("region_code", g.region_code)
        q |= Q(organisation_id=g.organisation_id)
    return AuditEvent.objects.filter(q)
