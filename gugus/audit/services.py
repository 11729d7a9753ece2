"""`record(...)`: the one way to write an audit event. Call it inside the write's transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .context import current
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organisation_id": str(event.organisation_id) if event.organisation_id else None,
        "region_code": event.region_code,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "detail": event.detail,
        "prev": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record(
    action: str,
    *,
    actor=None,
    object_type: str = "",
    object_id: object = "",
    region_code: str | None = "",
    organisation_id=None,
    detail: dict | None = None,
    ip: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. `detail` must never carry identity values."""
    meta = current.get()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS})
        user = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            at=timezone.now(),
            actor=user,
            actor_label=actor_label if actor_label is not None else (user.get_username() if user else "anonim"),
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id else "",
            organisation_id=organisation_id,
            region_code=region_code or "",
            ip=ip if ip is not None else (meta.ip if meta else None),
            user_agent=meta.user_agent if meta else "",
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save()
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order. Reports the first event whose hash or link does not hold, and
    a missing tail (rows removed at the end) through the head's count and hash."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for ev in rows:
            if ev.prev_hash != prev:
                return VerifyResult(
                    False, checked, ev.id, "tautan ke peristiwa sebelumnya putus (baris dihapus atau diubah)"
                )
            if event_hash(ev) != ev.hash:
                return VerifyResult(False, checked, ev.id, "isi peristiwa berubah")
            prev = ev.hash
            checked += 1
            last_id = ev.id
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return VerifyResult(False, checked, last_id or None, "peristiwa terakhir hilang (ekor rantai dihapus)")
    return VerifyResult(True, checked)
