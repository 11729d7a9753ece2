"""`/api/v1/me` (who am I) and `/api/v1/tokens` (my personal tokens: list, revoke)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404
from ninja import Router, Schema

from .middleware import user_needs_mfa
from .models import ApiToken
from .roles import Role
from .scope import scope_for
from .services import token_revoke, tokens_of

router = Router(tags=["accounts"])


class OrganisationRef(Schema):
    id: uuid.UUID
    name: str
    type: str
    region: str


class MembershipOut(Schema):
    organisation: OrganisationRef
    role: str
    role_label: str
    region: str
    identity_access: bool


class MeOut(Schema):
    username: str
    is_superuser: bool
    mfa_required: bool
    memberships: list[MembershipOut]
    permissions: list[str]


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


def _token_out(t: ApiToken) -> dict:
    from django.utils import timezone

    active = t.revoked_at is None and (t.expires_at is None or t.expires_at > timezone.now())
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
        "active": active,
    }


@router.get("/me", response=MeOut, summary="Siapa saya: keanggotaan dan izin")
def me(request):
    user = request.user
    scope = scope_for(user)
    memberships = [
        {
            "organisation": {
                "id": m.organisation.pk,
                "name": m.organisation.name,
                "type": m.organisation.type_code,
                "region": m.organisation.region_id,
            },
            "role": m.role,
            "role_label": Role(m.role).label,
            "region": m.region_id,
            "identity_access": m.identity_access,
        }
        for m in user.memberships.filter(active=True, organisation__active=True).select_related("organisation")
    ]
    return {
        "username": user.get_username(),
        "is_superuser": user.is_superuser,
        "mfa_required": user_needs_mfa(user),
        "memberships": memberships,
        "permissions": sorted({p for g in scope.grants for p in g.perms}),
    }


@router.get("/tokens", response=list[TokenOut], summary="Token API pribadi saya")
def tokens_list(request):
    return [_token_out(t) for t in tokens_of(request.user)[:200]]


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Cabut token saya")
def tokens_revoke(request, token_id: str):
    try:
        token = tokens_of(request.user).filter(pk=uuid.UUID(token_id)).first()
    except ValueError:
        token = None
    if token is None:
        from gugus.audit.services import record

        record("access_denied_or_missing", actor=request.user, object_type="api_token", object_id=token_id[:64])
        raise Http404
    return _token_out(token_revoke(actor=request.user, token=token))
