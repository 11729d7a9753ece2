"""Writes for accounts: tokens, organisations, users' privileges and memberships.

Each write runs in one transaction with its audit event. Permission changes (grant, change,
revoke of a membership; staff/superuser/active flags of a user) are audited whether they come
from a service call, the Django admin (which calls these functions) or the API.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gugus.audit.services import record
from gugus.reference.models import Region

from .crypto import token_hash
from .models import ApiToken, Membership, Organisation, User
from .roles import IDENTITY_GRANTABLE, Role

TOKEN_PREFIX = "ggs_"
TOKEN_MAX_LEN = 200
# Fields of a user whose change is a permission change.
PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser")
ORG_AUDITED_FIELDS = (
    "name",
    "org_type",
    "region",
    "country",
    "capacity",
    "listed_publicly",
    "active",
    "public_address",
    "public_phone",
    "public_hours",
    "public_services",
    "email",
    "facilities",
)


def _forget_scope(user) -> None:
    """Drop the scope cached on a user object so the next check sees the new memberships."""
    if user is not None:
        user.__dict__.pop("_gugus_scope", None)


def require_admin(actor) -> None:
    """Only administrators manage organisations and memberships."""
    from .scope import scope_for

    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError("Hanya administrator yang dapat mengubah akun dan hak akses.")
    if actor.is_superuser or scope_for(actor).has("admin.manage"):
        return
    raise ValidationError("Hanya administrator yang dapat mengubah akun dan hak akses.")


# --- tokens ---------------------------------------------------------------------------------


def token_create(
    *, actor: User, user: User, name: str = "token", expires_at: datetime | None = None, via: str = ""
) -> tuple[ApiToken, str]:
    """A new personal token. The clear token is returned once and never stored."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise ValidationError("Token hanya dapat dibuat oleh pemiliknya atau administrator.")
    if not user.is_active:
        raise ValidationError("Pengguna tidak aktif.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Tanggal kedaluwarsa harus di masa depan."})
    name = (name or "token").strip()[:80] or "token"
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=clear[: len(TOKEN_PREFIX) + 6],
            token_hash=token_hash(clear),
            expires_at=expires_at,
        )
        detail = {"for_user": user.pk}
        if via:
            detail["via"] = via
        record("token_create", actor=actor, object_type="api_token", object_id=token.pk, detail=detail)
    return token, clear


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise ValidationError("Token ini bukan milik Anda.")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(
                "token_revoke",
                actor=actor,
                object_type="api_token",
                object_id=token.pk,
                detail={"for_user": token.user_id},
            )
    return token


def token_authenticate(clear: str) -> User | None:
    """The active user behind a token, or None. Every rejected token is audited (by its
    non-secret prefix only, never the token itself)."""
    if not clear or not clear.startswith(TOKEN_PREFIX) or len(clear) > TOKEN_MAX_LEN:
        record("token_rejected", actor=None, object_type="api_token", detail={"reason": "format"})
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(clear)).first()
    now = timezone.now()
    if token is None:
        record("token_rejected", actor=None, object_type="api_token", detail={"reason": "unknown"})
        return None
    reason = ""
    if token.revoked_at:
        reason = "revoked"
    elif token.expires_at and token.expires_at <= now:
        reason = "expired"
    elif not token.user.is_active:
        reason = "user_inactive"
    if reason:
        record(
            "token_rejected",
            actor=None,
            object_type="api_token",
            object_id=token.pk,
            detail={"reason": reason, "for_user": token.user_id},
        )
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_of(user: User):
    return ApiToken.objects.filter(user=user)


# --- organisations --------------------------------------------------------------------------


def _attname(field: str) -> str:
    return Organisation._meta.get_field(field).attname


def organisation_save(*, actor: User, organisation: Organisation, changed: list[str] | None = None) -> Organisation:
    """Create or change an organisation: validated (`Organisation.clean`) and audited.
    The secret location of a safe house never goes into the audit detail."""
    require_admin(actor)
    organisation.full_clean()
    creating = organisation._state.adding
    if changed is None:
        changed = []
        if not creating:
            before = Organisation.objects.get(pk=organisation.pk)
            changed = [
                f
                for f in (*ORG_AUDITED_FIELDS, "secret_location")
                if getattr(before, _attname(f)) != getattr(organisation, _attname(f))
            ]
    with transaction.atomic():
        organisation.save()
        record(
            "organisation_create" if creating else "organisation_change",
            actor=actor,
            object_type="organisation",
            object_id=organisation.pk,
            organisation_id=organisation.pk,
            region_code=organisation.region_id,
            detail={"fields": sorted(changed), "type": organisation.type_code},
        )
    return organisation


def organisation_deactivate(*, actor: User, organisation: Organisation) -> Organisation:
    """Organisations are never deleted (cases refer to them); they are deactivated."""
    require_admin(actor)
    with transaction.atomic():
        organisation.active = False
        organisation.save(update_fields=["active"])
        record(
            "organisation_deactivate",
            actor=actor,
            object_type="organisation",
            object_id=organisation.pk,
            organisation_id=organisation.pk,
            region_code=organisation.region_id,
        )
    return organisation


# --- users and memberships --------------------------------------------------------------------


def _check_membership(*, role: str, region_code: str, identity_access: bool, organisation: Organisation) -> None:
    errors = {}
    if role not in Role.values:
        errors["role"] = f"Peran '{role}' tidak dikenal."
    if identity_access and role not in IDENTITY_GRANTABLE:
        errors["identity_access"] = "Peran ini tidak dapat diberi akses identitas."
    if not Region.objects.filter(pk=region_code).exists():
        errors["region"] = f"Wilayah '{region_code}' tidak dikenal."
    if not organisation.active:
        errors["organisation"] = "Organisasi tidak aktif."
    if errors:
        raise ValidationError(errors)


def membership_grant(
    *,
    actor: User,
    user: User,
    organisation: Organisation,
    role: str,
    region_code: str | None = None,
    identity_access: bool = False,
) -> Membership:
    """Give `user` a role in `organisation` (or change/reactivate the existing one)."""
    require_admin(actor)
    region_code = region_code or organisation.region_id
    _check_membership(role=role, region_code=region_code, identity_access=identity_access, organisation=organisation)
    with transaction.atomic():
        m, created = Membership.objects.update_or_create(
            user=user,
            organisation=organisation,
            role=role,
            defaults={"region_id": region_code, "identity_access": identity_access, "active": True},
        )
        record(
            "permission_grant" if created else "permission_change",
            actor=actor,
            object_type="membership",
            object_id=m.pk,
            organisation_id=organisation.pk,
            region_code=m.region_id,
            detail={"user": user.pk, "role": role, "identity_access": identity_access},
        )
    _forget_scope(user)
    return m


def membership_change(
    *,
    actor: User,
    membership: Membership,
    role: str | None = None,
    region_code: str | None = None,
    identity_access: bool | None = None,
    active: bool | None = None,
    organisation: Organisation | None = None,
) -> Membership:
    """Change a membership's role, region, identity access or active flag; audited with before/after."""
    require_admin(actor)
    before = Membership.objects.get(pk=membership.pk)
    new = {
        "role": role if role is not None else membership.role,
        "region_id": region_code if region_code is not None else membership.region_id,
        "identity_access": identity_access if identity_access is not None else membership.identity_access,
        "active": active if active is not None else membership.active,
        "organisation_id": organisation.pk if organisation is not None else membership.organisation_id,
    }
    org = organisation or membership.organisation
    _check_membership(
        role=new["role"], region_code=new["region_id"], identity_access=new["identity_access"], organisation=org
    )
    changes = {k: [str(getattr(before, k)), str(v)] for k, v in new.items() if getattr(before, k) != v}
    if ("role" in changes or "organisation_id" in changes) and Membership.objects.filter(
        user_id=membership.user_id, organisation_id=new["organisation_id"], role=new["role"]
    ).exclude(pk=membership.pk).exists():
        raise ValidationError({"role": "Pengguna sudah memegang peran ini di organisasi tersebut."})
    with transaction.atomic():
        for k, v in new.items():
            setattr(membership, k, v)
        membership.save()
        if changes:
            action = (
                "permission_revoke"
                if changes.get("active") == ["True", "False"] and len(changes) == 1
                else ("permission_change")
            )
            record(
                action,
                actor=actor,
                object_type="membership",
                object_id=membership.pk,
                organisation_id=new["organisation_id"],
                region_code=new["region_id"],
                detail={"user": membership.user_id, "changes": changes},
            )
    _forget_scope(membership.user)
    return membership


def membership_revoke(*, actor: User, membership: Membership) -> Membership:
    require_admin(actor)
    with transaction.atomic():
        membership.active = False
        membership.save(update_fields=["active"])
        record(
            "permission_revoke",
            actor=actor,
            object_type="membership",
            object_id=membership.pk,
            organisation_id=membership.organisation_id,
            region_code=membership.region_id,
            detail={"user": membership.user_id, "role": membership.role},
        )
    _forget_scope(membership.user)
    return membership


def membership_delete(*, actor: User, membership: Membership) -> None:
    """Remove a membership row (the admin's delete); the revocation stays in the trail."""
    require_admin(actor)
    with transaction.atomic():
        record(
            "permission_revoke",
            actor=actor,
            object_type="membership",
            object_id=membership.pk,
            organisation_id=membership.organisation_id,
            region_code=membership.region_id,
            detail={"user": membership.user_id, "role": membership.role, "deleted": True},
        )
        membership.delete()
    _forget_scope(membership.user)


def user_save(*, actor: User, user: User, changed: list[str] | None = None) -> User:
    """Create or change a user account from the admin. Changes of the active/staff/superuser
    flags are permission changes; a password change is recorded without the password."""
    require_admin(actor)
    creating = user._state.adding
    if changed is None:
        changed = []
        if not creating:
            before = User.objects.get(pk=user.pk)
            changed = [
                f
                for f in ("username", "email", "first_name", "last_name", "password", *PRIVILEGE_FIELDS)
                if getattr(before, f) != getattr(user, f)
            ]
    with transaction.atomic():
        user.save()
        if creating:
            record(
                "user_create",
                actor=actor,
                object_type="user",
                object_id=user.pk,
                detail={"username": user.username, **{f: getattr(user, f) for f in PRIVILEGE_FIELDS}},
            )
        else:
            privileges = {f: getattr(user, f) for f in PRIVILEGE_FIELDS if f in changed}
            if privileges:
                record("permission_change", actor=actor, object_type="user", object_id=user.pk, detail=privileges)
            others = sorted(set(changed) - set(PRIVILEGE_FIELDS))
            if others:
                record("user_change", actor=actor, object_type="user", object_id=user.pk, detail={"fields": others})
    _forget_scope(user)
    return user


def user_deactivate(*, actor: User, user: User) -> User:
    """Users who ever acted are never deleted (the audit trail refers to them): deactivated,
    their tokens revoked."""
    require_admin(actor)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(
            "permission_change",
            actor=actor,
            object_type="user",
            object_id=user.pk,
            detail={"is_active": False, "tokens_revoked": True},
        )
    _forget_scope(user)
    return user
