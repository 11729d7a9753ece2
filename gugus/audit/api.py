"""`/api/v1/audit/events`: the trail of the caller's scope (holders of `audit.view`)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Router, Schema

from .selectors import AuditFilter, audit_events_filtered

router = Router(tags=["audit"])
MAX_LIMIT = 200


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    organisation_id: str | None = None
    region_code: str
    ip: str | None = None
    detail: dict
    hash: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_organisation_id(obj) -> str | None:
        return str(obj.organisation_id) if obj.organisation_id else None


class AuditPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditEventOut]


@router.get("/events", response=AuditPage, summary="Jejak audit dalam cakupan Anda")
def audit_events(
    request,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
):
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    f = AuditFilter(action=action, object_type=object_type, object_id=object_id, actor=actor, since=since, until=until)
    qs = audit_events_filtered(request.user, f)
    if qs is None:
        raise Http404
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}
