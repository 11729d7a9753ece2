"""Append to a case's timeline. Other apps' services call this inside their transaction."""

from __future__ import annotations

from django.utils import timezone

from .models import Case, CaseEvent


def timeline_add(
    *,
    case: Case,
    kind: str,
    summary: str,
    actor=None,
    organisation=None,
    object_type: str = "",
    object_id: object = "",
    at=None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        kind=kind,
        summary=summary[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        organisation=organisation,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
    )
