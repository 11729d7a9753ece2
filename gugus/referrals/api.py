"""API: hand-overs (referrals and transfers, one resource with a `kind`), notifications,
coordination meetings and action items, measures. Thin: parse → service/selector → schema."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from gugus.accounts.models import Organisation
from gugus.cases.selectors import case_get_for_user

from . import selectors as sel
from . import services
from .models import ActionItem, Meeting, Referral

router = Router(tags=["referrals"])

MAX_LIMIT = 200


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404


def _page(qs, limit: int, offset: int):
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


def _org(org_id) -> Organisation | None:
    if org_id is None:
        return None
    org = Organisation.objects.filter(pk=_uuid(org_id), active=True).first()
    if org is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"to_org": "Organisasi tidak dikenal atau tidak aktif."})
    return org


# ---------------------------------------------------------------- schemas


class OrgOut(Schema):
    id: uuid.UUID
    name: str
    type: str
    region: str
    country: str | None

    @staticmethod
    def of(org: Organisation) -> dict:
        return {
            "id": org.pk,
            "name": org.name,
            "type": org.type_code,
            "region": org.region_id,
            "country": org.country_id,
        }


class HistoryOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    by: str | None
    organisation: str | None
    note: str


class ReferralOut(Schema):
    id: uuid.UUID
    kind: str
    case_id: uuid.UUID
    case_number: str
    from_org: OrgOut
    to_org: OrgOut
    service_type: str | None
    service_label: str | None
    reason: str
    due_date: dt.date
    status: str
    status_label: str
    overdue: bool
    consent_basis: str
    sent_at: dt.datetime
    accepted_at: dt.datetime | None
    declined_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    decline_reason: str
    cancel_reason: str
    outcome_note: str
    days_to_accept: float | None
    version: int


class ReferralDetailOut(ReferralOut):
    history: list[HistoryOut]


def _referral_out(ref: Referral, today: dt.date, with_history: bool = False) -> dict:
    out = {
        "id": ref.pk,
        "kind": ref.kind,
        "case_id": ref.case_id,
        "case_number": ref.case.case_number,
        "from_org": OrgOut.of(ref.from_org),
        "to_org": OrgOut.of(ref.to_org),
        "service_type": ref.service_type.code if ref.service_type_id else None,
        "service_label": ref.service_type.label_id if ref.service_type_id else None,
        "reason": ref.reason,
        "due_date": ref.due_date,
        "status": ref.status,
        "status_label": ref.get_status_display(),
        "overdue": ref.is_overdue(today),
        "consent_basis": ref.consent_basis,
        "sent_at": ref.sent_at,
        "accepted_at": ref.accepted_at,
        "declined_at": ref.declined_at,
        "completed_at": ref.completed_at,
        "cancelled_at": ref.cancelled_at,
        "decline_reason": ref.decline_reason,
        "cancel_reason": ref.cancel_reason,
        "outcome_note": ref.outcome_note,
        "days_to_accept": ref.days_to_accept,
        "version": ref.version,
    }
    if with_history:
        out["history"] = [
            {
                "from_status": h.from_status,
                "to_status": h.to_status,
                "at": h.at,
                "by": h.by.get_username() if h.by_id else None,
                "organisation": h.organisation.name if h.organisation_id else None,
                "note": h.note,
            }
            for h in sel.referral_history(ref)
        ]
    return out


class ReferralPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReferralOut]


class ReferralIn(Schema):
    case_id: uuid.UUID
    to_org_id: uuid.UUID
    kind: str = "referral"
    service_type: str | None = Field(None, max_length=48)
    reason: str = Field(..., max_length=2000)
    due_date: dt.date
    consent_override_reason: str = Field("", max_length=1000)
    from_org_id: uuid.UUID | None = None


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)
    expected_version: int | None = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=1000)
    expected_version: int | None = None


# ---------------------------------------------------------------- referrals


@router.get("/referrals", response=ReferralPage, summary="Rujukan dan pengalihan dalam cakupan")
def referral_list(
    request,
    box: str = "all",
    kind: str | None = None,
    status: str | None = None,
    case_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """`box`: inbox (menunggu keputusan organisasi saya), progress (diterima organisasi saya,
    belum selesai), sent (dikirim organisasi saya), overdue (lewat batas waktu, belum
    diterima/selesai), all (semua yang terlihat)."""
    if box not in sel.BOXES:
        from django.core.exceptions import ValidationError

        raise ValidationError({"box": f"box harus salah satu dari: {', '.join(sel.BOXES)}."})
    today = timezone.localdate()
    qs = sel.referrals_box(request.auth, box, kind=kind, status=status, today=today)
    if case_id:
        qs = qs.filter(case_id=case_id)
    page = _page(qs, limit, offset)
    page["items"] = [_referral_out(r, today) for r in page["items"]]
    return page


@router.post("/referrals", response={201: ReferralDetailOut}, summary="Kirim rujukan atau pengalihan")
def referral_create(request, payload: ReferralIn):
    user = request.auth
    case = case_get_for_user(user, payload.case_id)
    from_org = None
    if payload.from_org_id:
        from_org = Organisation.objects.filter(pk=payload.from_org_id).first()
        if from_org is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"from_org": "Organisasi pengirim tidak dikenal."})
    ref = services.referral_send(
        actor=user,
        case=case,
        from_org=from_org,
        data=services.HandoverData(
            to_org=_org(payload.to_org_id),
            due_date=payload.due_date,
            reason=payload.reason,
            kind=payload.kind,
            service_type=payload.service_type,
            consent_override_reason=payload.consent_override_reason,
        ),
    )
    ref = sel.referral_get_for_user(user, ref.pk)
    return Status(201, _referral_out(ref, timezone.localdate(), with_history=True))


@router.get("/referrals/{referral_id}", response=ReferralDetailOut, summary="Rincian rujukan")
def referral_detail(request, referral_id: str):
    ref = sel.referral_get_for_user(request.auth, referral_id)
    return _referral_out(ref, timezone.localdate(), with_history=True)


def _act(request, referral_id: str, fn, **kwargs):
    user = request.auth
    ref = sel.referral_get_for_user(user, referral_id)
    fn(actor=user, referral=ref, **kwargs)
    ref = sel.referral_get_for_user(user, referral_id)
    return _referral_out(ref, timezone.localdate(), with_history=True)


@router.post("/referrals/{referral_id}/accept", response=ReferralDetailOut, summary="Terima")
def referral_accept(request, referral_id: str, payload: DecisionIn):
    return _act(
        request, referral_id, services.referral_accept, note=payload.note, expected_version=payload.expected_version
    )


@router.post("/referrals/{referral_id}/decline", response=ReferralDetailOut, summary="Tolak (alasan wajib)")
def referral_decline(request, referral_id: str, payload: ReasonIn):
    return _act(
        request,
        referral_id,
        services.referral_decline,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/referrals/{referral_id}/complete", response=ReferralDetailOut, summary="Nyatakan selesai")
def referral_complete(request, referral_id: str, payload: DecisionIn):
    return _act(
        request, referral_id, services.referral_complete, note=payload.note, expected_version=payload.expected_version
    )


@router.post("/referrals/{referral_id}/cancel", response=ReferralDetailOut, summary="Batalkan (pengirim)")
def referral_cancel(request, referral_id: str, payload: ReasonIn):
    return _act(
        request, referral_id, services.referral_cancel, reason=payload.reason, expected_version=payload.expected_version
    )


class MeasureOut(Schema):
    key: str
    label: str
    sent: int
    accepted: int
    declined: int
    completed: int
    cancelled: int
    waiting: int
    in_progress: int
    overdue: int
    overdue_unanswered: int
    overdue_in_progress: int
    median_days_to_accept: float | None
    mean_days_to_accept: float | None
    share_declined: float | None
    share_completed: float | None


class MeasureFilter(Schema):
    by: str = "org"
    level: int = 2
    side: str = "receiver"
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/referral-measures", response=list[MeasureOut], summary="Ukuran rujukan per organisasi/wilayah")
def referral_measures(request, filters: Query[MeasureFilter]):
    from django.core.exceptions import ValidationError

    if filters.by not in ("org", "region") or filters.level not in (1, 2) or filters.side not in ("receiver", "sender"):
        raise ValidationError({"by": "by: org|region; level: 1|2; side: receiver|sender."})
    rows = sel.referral_measures_visible_to(
        request.auth,
        by=filters.by,
        level=filters.level,
        side=filters.side,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    if rows is None:
        raise Http404
    return [m.as_dict() for m in rows]


# ---------------------------------------------------------------- notifications


class NotificationOut(Schema):
    id: uuid.UUID
    kind: str
    message: str
    url: str
    referral_id: uuid.UUID | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[NotificationOut]


@router.get("/notifications", response=NotificationPage, summary="Pemberitahuan saya")
def notification_list(request, unread_only: bool = False, limit: int = 50, offset: int = 0):
    qs = sel.notifications_for(request.auth)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = _page(qs, limit, offset)
    page["unread"] = sel.unread_count(request.auth)
    return page


@router.post("/notifications/{notification_id}/read", response=NotificationOut, summary="Tandai dibaca")
def notification_read(request, notification_id: str):
    n = sel.notification_get_for_user(request.auth, notification_id)
    return services.notification_mark_read(actor=request.auth, notification=n)


@router.post("/notifications/read-all", summary="Tandai semua dibaca")
def notification_read_all(request):
    return {"updated": services.notifications_mark_all_read(actor=request.auth)}


# ---------------------------------------------------------------- meetings and action items


class ActionItemOut(Schema):
    id: uuid.UUID
    meeting_id: uuid.UUID
    description: str
    owner_org: OrgOut
    deadline: dt.date
    status: str
    status_label: str
    overdue: bool
    done_on: dt.date | None
    status_note: str
    version: int


def _item_out(item: ActionItem, today: dt.date) -> dict:
    return {
        "id": item.pk,
        "meeting_id": item.meeting_id,
        "description": item.description,
        "owner_org": OrgOut.of(item.owner_org),
        "deadline": item.deadline,
        "status": item.status,
        "status_label": item.get_status_display(),
        "overdue": item.is_overdue(today),
        "done_on": item.done_on,
        "status_note": item.status_note,
        "version": item.version,
    }


class MeetingOut(Schema):
    id: uuid.UUID
    region: str
    region_name: str
    secretariat: OrgOut
    date: dt.date
    title: str
    decisions: str
    notes: str
    participants: list[OrgOut]
    version: int


class MeetingDetailOut(MeetingOut):
    action_items: list[ActionItemOut]


def _meeting_out(m: Meeting, with_items: bool = False) -> dict:
    out = {
        "id": m.pk,
        "region": m.region_id,
        "region_name": m.region.name,
        "secretariat": OrgOut.of(m.secretariat),
        "date": m.date,
        "title": m.title,
        "decisions": m.decisions,
        "notes": m.notes,
        "participants": [OrgOut.of(o) for o in m.participants.order_by("name")],
        "version": m.version,
    }
    if with_items:
        today = timezone.localdate()
        out["action_items"] = [_item_out(i, today) for i in m.action_items.select_related("owner_org")]
    return out


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


class MeetingIn(Schema):
    region: str = Field(..., max_length=13)
    date: dt.date
    title: str = Field(..., max_length=200)
    participant_ids: list[uuid.UUID] = Field(..., max_length=200)
    decisions: str = Field("", max_length=5000)
    notes: str = Field("", max_length=5000)
    secretariat_id: uuid.UUID | None = None


class MeetingPatch(Schema):
    expected_version: int
    date: dt.date | None = None
    title: str | None = Field(None, max_length=200)
    participant_ids: list[uuid.UUID] | None = Field(None, max_length=200)
    decisions: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=5000)


def _orgs(ids) -> list[Organisation] | None:
    if ids is None:
        return None
    found = list(Organisation.objects.filter(pk__in=set(ids), active=True))
    if len(found) != len(set(ids)):
        from django.core.exceptions import ValidationError

        raise ValidationError({"participants": "Ada organisasi peserta yang tidak dikenal atau tidak aktif."})
    return found


@router.get("/meetings", response=MeetingPage, summary="Rapat koordinasi dalam cakupan")
def meeting_list(request, region: str | None = None, limit: int = 50, offset: int = 0):
    qs = sel.meetings_visible_to(request.auth).select_related("region", "secretariat").order_by("-date")
    if region:
        from gugus.reference.models import subtree_q

        qs = qs.filter(subtree_q("region_id", region))
    page = _page(qs, limit, offset)
    page["items"] = [_meeting_out(m) for m in page["items"]]
    return page


@router.post("/meetings", response={201: MeetingDetailOut}, summary="Catat rapat koordinasi")
def meeting_create(request, payload: MeetingIn):
    secretariat = Organisation.objects.filter(pk=payload.secretariat_id).first() if payload.secretariat_id else None
    m = services.meeting_create(
        actor=request.auth,
        region_code=payload.region,
        date=payload.date,
        title=payload.title,
        participants=_orgs(payload.participant_ids),
        decisions=payload.decisions,
        notes=payload.notes,
        secretariat=secretariat,
    )
    return Status(201, _meeting_out(sel.meeting_get_for_user(request.auth, m.pk), with_items=True))


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut, summary="Rincian rapat")
def meeting_detail(request, meeting_id: str):
    return _meeting_out(sel.meeting_get_for_user(request.auth, meeting_id), with_items=True)


@router.patch("/meetings/{meeting_id}", response=MeetingDetailOut, summary="Ubah rapat")
def meeting_update(request, meeting_id: str, payload: MeetingPatch):
    m = sel.meeting_get_for_user(request.auth, meeting_id)
    services.meeting_update(
        actor=request.auth,
        meeting=m,
        expected_version=payload.expected_version,
        date=payload.date,
        title=payload.title,
        decisions=payload.decisions,
        notes=payload.notes,
        participants=_orgs(payload.participant_ids),
    )
    return _meeting_out(sel.meeting_get_for_user(request.auth, meeting_id), with_items=True)


class ActionItemIn(Schema):
    description: str = Field(..., max_length=2000)
    owner_org_id: uuid.UUID
    deadline: dt.date


@router.post("/meetings/{meeting_id}/action-items", response={201: ActionItemOut}, summary="Tambah tindak lanjut")
def action_item_add(request, meeting_id: str, payload: ActionItemIn):
    m = sel.meeting_get_for_user(request.auth, meeting_id)
    owner = Organisation.objects.filter(pk=payload.owner_org_id).first()
    item = services.action_item_add(
        actor=request.auth, meeting=m, description=payload.description, owner_org=owner, deadline=payload.deadline
    )
    return Status(201, _item_out(sel.action_item_get_for_user(request.auth, item.pk), timezone.localdate()))


class ActionItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ActionItemOut]


@router.get("/action-items", response=ActionItemPage, summary="Tindak lanjut rapat")
def action_item_list(request, box: str = "all", limit: int = 50, offset: int = 0):
    """`box`: mine (milik organisasi saya), secretariat (rapat sekretariat saya), overdue
    (lewat tenggat, milik saya atau sekretariat saya), all."""
    if box not in sel.ITEM_BOXES:
        from django.core.exceptions import ValidationError

        raise ValidationError({"box": f"box harus salah satu dari: {', '.join(sel.ITEM_BOXES)}."})
    today = timezone.localdate()
    page = _page(sel.action_items_box(request.auth, box, today=today), limit, offset)
    page["items"] = [_item_out(i, today) for i in page["items"]]
    return page


@router.get("/action-items/{item_id}", response=ActionItemOut, summary="Rincian tindak lanjut")
def action_item_detail(request, item_id: str):
    return _item_out(sel.action_item_get_for_user(request.auth, item_id), timezone.localdate())


class ActionStatusIn(Schema):
    status: str = Field(..., max_length=12)
    note: str = Field("", max_length=500)
    expected_version: int | None = None


@router.patch("/action-items/{item_id}", response=ActionItemOut, summary="Ubah status tindak lanjut")
def action_item_update(request, item_id: str, payload: ActionStatusIn):
    item = sel.action_item_get_for_user(request.auth, item_id)
    services.action_item_set_status(
        actor=request.auth,
        item=item,
        status=payload.status,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _item_out(sel.action_item_get_for_user(request.auth, item_id), timezone.localdate())
