"""Notifications: an in-app `Notification` row per user (created inside the writer's
transaction) and an e-mail through Django's mail backend, sent on commit.

Nothing identifying ever goes into a notice: the kind of event, the case number and a link.
E-mail links use `settings.GUGUS_BASE_URL` (falls back to http://localhost:8000).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gugus.accounts.models import Membership
from gugus.accounts.roles import ROLE_PERMISSIONS

from .models import ActionItem, Notification, Referral, Status

log = logging.getLogger(__name__)
_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("gugus_referral_mail_muted", default=False)


@contextlib.contextmanager
def mail_muted():
    """Within this block no e-mail is sent (in-app notices are still created). For the demo."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def roles_with(perms: set[str] | frozenset[str]) -> list[str]:
    return [role for role, granted in ROLE_PERMISSIONS.items() if granted & set(perms)]


def users_of(org_id, perms) -> list:
    from gugus.accounts.models import User

    ids = Membership.objects.filter(
        organisation_id=org_id, active=True, role__in=roles_with(perms), user__is_active=True
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def base_url() -> str:
    return getattr(settings, "GUGUS_BASE_URL", "http://localhost:8000").rstrip("/")


def referral_path(ref: Referral) -> str:
    return reverse("referrals:detail", args=[ref.pk])


def _notify(users, *, kind: str, message: str, url: str, at=None, referral=None, action_item=None) -> None:
    at = at or timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                kind=kind,
                message=message[:300],
                url=url,
                referral=referral,
                action_item=action_item,
                created_at=at,
            )
            for u in users
        ]
    )


def _mail(users, *, subject: str, body: str) -> None:
    """One message per recipient (never a shared recipient list), sent after commit."""
    if _muted.get():
        return
    recipients = [u.email for u in users if u.email]
    if not recipients:
        return

    def send() -> None:
        messages = [EmailMessage(subject=subject, body=body, to=[r]) for r in recipients]
        try:
            with get_connection() as conn:
                conn.send_messages(messages)
        except Exception:  # noqa: BLE001 - mail trouble must not break the hand-over
            log.exception("referral mail failed", extra={"recipients": len(recipients)})

    transaction.on_commit(send)


def _what(ref: Referral) -> str:
    return "Pengalihan tanggung jawab" if ref.kind == "transfer" else "Rujukan"


def on_sent(ref: Referral, *, at=None) -> None:
    users = users_of(ref.to_org_id, {"referral.act"})
    number = ref.case.case_number
    path = referral_path(ref)
    text = f"{_what(ref)} baru untuk kasus {number} menunggu keputusan Anda."
    _notify(users, kind=f"{ref.kind}_sent", message=text, url=path, at=at, referral=ref)
    _mail(
        users,
        subject=f"[Gugus] {_what(ref)} baru: kasus {number}",
        body=f"{text}\n\nBuka: {base_url()}{path}\n\n"
        "Pesan ini sengaja tidak memuat data korban. Masuk ke Gugus untuk melihat rinciannya.",
    )


def on_decided(ref: Referral, *, at=None) -> None:
    users = users_of(ref.from_org_id, {"referral.send"})
    number = ref.case.case_number
    path = referral_path(ref)
    verb = "diterima" if ref.status == Status.ACCEPTED else "ditolak"
    text = f"{_what(ref)} kasus {number} {verb} oleh organisasi tujuan."
    _notify(users, kind=f"{ref.kind}_{ref.status}", message=text, url=path, at=at, referral=ref)
    _mail(
        users,
        subject=f"[Gugus] {_what(ref)} {verb}: kasus {number}",
        body=f"{text}\n\nBuka: {base_url()}{path}\n\nPesan ini sengaja tidak memuat data korban.",
    )


def on_closed(ref: Referral, *, by_org, at=None) -> None:
    """Completed or cancelled: tell the other side (in the app; cancelled also by e-mail)."""
    other = ref.to_org_id if by_org.pk == ref.from_org_id else ref.from_org_id
    perms = {"referral.act"} if other == ref.to_org_id else {"referral.send"}
    users = users_of(other, perms)
    number = ref.case.case_number
    path = referral_path(ref)
    verb = "dibatalkan" if ref.status == Status.CANCELLED else "dinyatakan selesai"
    text = f"{_what(ref)} kasus {number} {verb}."
    _notify(users, kind=f"{ref.kind}_{ref.status}", message=text, url=path, at=at, referral=ref)
    if ref.status == Status.CANCELLED:
        _mail(
            users,
            subject=f"[Gugus] {_what(ref)} {verb}: kasus {number}",
            body=f"{text}\n\nBuka: {base_url()}{path}\n\nPesan ini sengaja tidak memuat data korban.",
        )


def on_action_item(item: ActionItem) -> None:
    from .services import ACTION_ITEM_PERMS

    users = users_of(item.owner_org_id, ACTION_ITEM_PERMS)
    path = reverse("referrals:meeting_detail", args=[item.meeting_id])
    _notify(
        users,
        kind="action_item",
        message=f"Tindak lanjut rapat koordinasi baru untuk organisasi Anda (tenggat {item.deadline:%d-%m-%Y}).",
        url=path,
        action_item=item,
    )
