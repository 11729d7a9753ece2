"""Scope, computed once per request: what a user may do, and over which records.

Every selector (`…_visible_to(user)`) builds its filter from this object; no view or API
handler decides visibility on its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Q

from gugus.reference.models import ROOT_CODE, region_code_within, subtree_q

from .roles import IDENTITY_GRANTABLE, ROLE_PERMISSIONS, ROLE_REACH


@dataclass(frozen=True)
class Grant:
    organisation_id: uuid.UUID
    organisation_region: str
    role: str
    region_code: str
    reach: str
    perms: frozenset[str]
    identity_access: bool


@dataclass
class Scope:
    user_id: int | None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, perm: str) -> bool:
        return any(perm in g.perms for g in self.grants)

    def grants_with(self, perm: str) -> list[Grant]:
        return [g for g in self.grants if perm in g.perms]

    def orgs_with(self, perm: str, reach: tuple[str, ...] = ("org", "referred", "region")) -> set[uuid.UUID]:
        return {g.organisation_id for g in self.grants if perm in g.perms and g.reach in reach}

    def regions_with(self, perm: str) -> set[str]:
        return {g.region_code for g in self.grants if perm in g.perms and g.reach == "region"}

    def region_q(self, perm: str, *fields: str) -> Q:
        """Records whose region (any of `fields`) lies in a region this user covers for `perm`."""
        q = Q(pk__in=[])
        for code in self.regions_with(perm):
            for f in fields:
                q |= subtree_q(f, code)
        return q

    def covers_region(self, perm: str, region_code: str | None) -> bool:
        return any(region_code_within(region_code, c) for c in self.regions_with(perm))

    def identity_orgs(self) -> set[uuid.UUID]:
        """Organisations through which this user may read identities of the cases they see."""
        return {
            g.organisation_id
            for g in self.grants
            if "identity.view" in g.perms or (g.identity_access and g.role in IDENTITY_GRANTABLE)
        }

    def identity_region_codes(self) -> set[str]:
        return {g.region_code for g in self.grants if g.identity_access and g.role in IDENTITY_GRANTABLE}

    def identity_referred_orgs(self) -> set[uuid.UUID]:
        return {g.organisation_id for g in self.grants if "identity.view_referred" in g.perms}

    @property
    def widest_region(self) -> str | None:
        codes = sorted({g.region_code for g in self.grants}, key=lambda c: (c != ROOT_CODE, c.count("."), c))
        return codes[0] if codes else None


ANONYMOUS = Scope(user_id=None)


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_gugus_scope", None)
    if cached is not None:
        return cached
    from .models import Membership

    grants = []
    for m in Membership.objects.filter(user=user, active=True, organisation__active=True).select_related(
        "organisation"
    ):
        grants.append(
            Grant(
                organisation_id=m.organisation_id,
                organisation_region=m.organisation.region_id,
                role=m.role,
                region_code=m.region_id,
                reach=ROLE_REACH.get(m.role, "org"),
                perms=ROLE_PERMISSIONS.get(m.role, frozenset()),
                identity_access=m.identity_access,
            )
        )
    scope = Scope(user_id=user.pk, grants=tuple(grants))
    user._gugus_scope = scope
    return scope
