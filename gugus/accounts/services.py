"""Writes for accounts: tokens, memberships, organisations. Each audited in its transaction."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gugus.audit.services import record

from .crypto import token_hash
from .models import ApiToken, Membership, Organisation, User
from .roles import IDENTITY_GRANTABLE, Role

TOKEN_PREFIX = "ggs_"


def token_create(*, actor: User, user: User, name: str = "token", expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal token. The clear token is returned once and never stored."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise ValidationError("Token hanya dapat dibuat oleh pemiliknya atau administrator.")
    name = (name or "token").strip()[:80] or "token"
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=clear[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(clear), expires_at=expires_at
        )
        record("token_create", actor=actor, object_type="api_token", object_id=token.pk, detail={"for_user": user.pk})
    return token, clear


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise ValidationError("Token ini bukan milik Anda.")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record("token_revoke", actor=actor, object_type="api_token", object_id=token.pk)
    return token


def token_authenticate(clear: str) -> User | None:
    """The active user behind a token, or None. Failed attempts are audited."""
    if not clear or not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        record("token_rejected", actor=None, object_type="api_token", detail={"reason": "format"})
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(clear)).first()
    now = timezone.now()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        record("token_rejected", actor=None, object_type="api_token", detail={"reason": "unknown_or_revoked"})
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def membership_grant(
    *, actor: User, user: User, organisation: Organisation, role: str, region_code: str | None = None,
    identity_access: bool = False,
) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"Peran '{role}' tidak dikenal.")
    if identity_access and role not in IDENTITY_GRANTABLE:
        raise ValidationError("Peran ini tidak dapat diberi akses identitas.")
    with transaction.atomic():
        m, created = Membership.objects.update_or_create(
            user=user, organisation=organisation, role=role,
            defaults={"region_id": region_code or organisation.region_id, "identity_access": identity_access, "active": True},
        )
        record(
            "permission_grant" if created else "permission_change",
            actor=actor, object_type="membership", object_id=m.pk, organisation_id=organisation.pk,
            region_code=m.region_id, detail={"user": user.pk, "role": role, "identity_access": identity_access},
        )
    return m


def membership_revoke(*, actor: User, membership: Membership) -> Membership:
    with transaction.atomic():
        membership.active = False
        membership.save(update_fields=["active"])
        record("permission_revoke", actor=actor, object_type="membership", object_id=membership.pk,
               organisation_id=membership.organisation_id, detail={"user": membership.user_id, "role": membership.role})
    return membership
