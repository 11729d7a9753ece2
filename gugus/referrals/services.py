"""Writes for hand-overs, notifications and meetings. One function per action, keyword-only,
actor first, one transaction, audited; case-file events on the timeline; mail on commit.

Hand-over states: sent → accepted | declined | cancelled; accepted → completed | cancelled
(a transfer is done when accepted: it cannot be completed, and cannot be cancelled once
accepted — hand the case back with a new transfer). Access:
- referral accepted: receiver gets CaseAccess(level="service", source_type="referral");
- referral completed: the service grant is revoked and replaced by a `read` grant (the
  receiver keeps reading the case and what it recorded; a service provider loses identity);
- referral declined: nothing was ever granted; cancelled: every grant it made is revoked;
- transfer accepted: owner_org and region move to the receiver, which gets `full`; the
  sender's earlier `full` grants on the case are revoked and it keeps `read`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.cases.models import Case, CaseAccess, CaseStatus
from gugus.cases.timeline import timeline_add
from gugus.core.signals import announce
from gugus.core.versioning import save_versioned
from gugus.reference.models import Code, Region

from . import notifications
from .models import (
    ACTION_OPEN,
    OPEN_STATUSES,
    ActionItem,
    ActionStatus,
    Kind,
    Meeting,
    Notification,
    Referral,
    ReferralStatusChange,
    Status,
)
from .rules import FOREIGN_REPATRIATION_TYPES, SERVICE_ORG_TYPES, TRANSFER_ORG_TYPES
from .selectors import sender_orgs_for, share_consent_for

MAX_DUE_DAYS = 366
MIN_OVERRIDE_REASON = 15
# Permissions that let a member of an action item's owner organisation update its status.
ACTION_ITEM_PERMS = frozenset(
    {"meeting.edit", "referral.act", "referral.send", "service.edit", "legal.edit", "registry.edit"}
)


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _local(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _fail(field: str, message: str):
    raise ValidationError({field: message})


def _service_label(ref: Referral) -> str:
    if ref.is_transfer:
        return "pengalihan tanggung jawab"
    return f"layanan {ref.service_type.label_id}" if ref.service_type_id else "layanan"


def _what(ref: Referral) -> str:
    return "Pengalihan tanggung jawab" if ref.is_transfer else f"Rujukan {_service_label(ref)}"


def _logged(
    ref: Referral, case: Case, *, actor, org: Organisation, at, event: str, action: str, summary: str, detail=None
) -> None:
    """A hand-over's entry on the case timeline and its audit event (ids only, never identity)."""
    timeline_add(
        case=case,
        kind=event,
        at=at,
        actor=actor,
        organisation=org,
        object_type="referral",
        object_id=ref.pk,
        summary=summary,
    )
    record(
        action,
        actor=actor,
        object_type="referral",
        object_id=ref.pk,
        organisation_id=org.pk,
        region_code=case.region_id,
        detail={"case": str(case.pk), **(detail or {})},
    )


def _clean_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        _fail("reason", f"Alasan {what} wajib diisi (minimal 5 karakter).")
    return reason


def _log_change(ref: Referral, *, old: str, new: str, actor, org: Organisation, at, note: str = "") -> None:
    ReferralStatusChange.objects.create(
        referral=ref,
        from_status=old,
        to_status=new,
        at=at,
        by=actor if getattr(actor, "pk", None) else None,
        organisation=org,
        note=note[:1000],
    )


def _acting_org(
    actor, perm: str, candidates: set, organisation: Organisation | None, *, field: str = "__all__", message: str
) -> Organisation:
    """The organisation among `candidates` on whose behalf `actor` acts with `perm`."""
    mine = scope_for(actor).orgs_with(perm)
    usable = mine & candidates
    if organisation is not None:
        if organisation.pk not in usable:
            _fail(field, message)
        return organisation
    if not usable:
        _fail(field, message)
    if len(usable) > 1:
        _fail(field, "Anda anggota lebih dari satu organisasi yang berhak; pilih organisasi yang bertindak.")
    return Organisation.objects.get(pk=next(iter(usable)))


# ---------------------------------------------------------------- send


@dataclass
class HandoverData:
    to_org: Organisation
    due_date: dt.date
    reason: str
    kind: str = Kind.REFERRAL
    service_type: str | None = None  # service_type code, e.g. "health_physical"
    consent_override_reason: str = ""


def referral_send(
    *,
    actor,
    case: Case,
    data: HandoverData,
    from_org: Organisation | None = None,
    at: dt.datetime | None = None,
    is_demo: bool = False,
) -> Referral:
    """Send a referral (or a transfer, `data.kind="transfer"`) of `case` to `data.to_org`.

    `case` must already be one the actor may see (views pass `case_get_for_user`). `at` is
    for trusted callers only (imports, demo) to record a historical hand-over."""
    at = _now(at)
    today = _local(at)
    senders = {o.pk for o in sender_orgs_for(actor, case)}
    if not scope_for(actor).has("referral.send"):
        _fail("__all__", "Peran Anda tidak mengizinkan mengirim rujukan atau pengalihan.")
    org = _acting_org(
        actor,
        "referral.send",
        senders,
        from_org,
        field="from_org",
        message="Hanya organisasi penanggung jawab kasus (atau yang memegang akses penuh) yang dapat merujuk atau "
        "mengalihkan kasus ini.",
    )
    kind = data.kind
    errors: dict[str, list[str]] = {}

    def err(f: str, m: str) -> None:
        errors.setdefault(f, []).append(m)

    if kind not in Kind.values:
        err("kind", "Jenis harus 'referral' (rujukan) atau 'transfer' (pengalihan).")
    to_org = data.to_org
    if to_org is None:
        err("to_org", "Organisasi tujuan wajib diisi.")
    elif to_org.pk == org.pk:
        err("to_org", "Tidak dapat merujuk atau mengalihkan ke organisasi sendiri.")
    elif not to_org.active:
        err("to_org", "Organisasi tujuan tidak aktif.")
    elif to_org.pk == case.owner_org_id:
        err("to_org", "Organisasi tujuan sudah menjadi penanggung jawab kasus ini.")
    if case.status == CaseStatus.CLOSED:
        err("case", "Kasus sudah ditutup; buka kembali kasus sebelum merujuk.")
    reason = (data.reason or "").strip()
    if len(reason) < 5:
        err("reason", "Alasan/kebutuhan wajib diisi (minimal 5 karakter).")
    elif len(reason) > 2000:
        err("reason", "Alasan terlalu panjang (maksimal 2000 karakter).")
    if data.due_date is None:
        err("due_date", "Batas waktu wajib diisi.")
    elif data.due_date < today:
        err("due_date", "Batas waktu tidak boleh di masa lalu.")
    elif data.due_date > today + dt.timedelta(days=MAX_DUE_DAYS):
        err("due_date", "Batas waktu paling lama satu tahun ke depan.")

    service_code = (data.service_type or "").strip() or None
    service = None
    if service_code:
        service = Code.objects.filter(key=f"service_type.{service_code}", active=True).first()
        if service is None:
            err("service_type", f"Jenis layanan '{service_code[:40]}' tidak dikenal.")
    elif kind == Kind.REFERRAL:
        err("service_type", "Jenis layanan wajib diisi untuk rujukan.")

    if to_org is not None and "to_org" not in errors and kind in Kind.values:
        otype = to_org.type_code
        if kind == Kind.TRANSFER:
            if otype not in TRANSFER_ORG_TYPES:
                err(
                    "to_org",
                    f"Organisasi jenis '{to_org.org_type.label_id}' tidak dapat menerima pengalihan "
                    "tanggung jawab kasus.",
                )
        elif service is not None and otype not in SERVICE_ORG_TYPES.get(service_code, frozenset()):
            err(
                "to_org",
                f"Organisasi jenis '{to_org.org_type.label_id}' tidak memberikan layanan '{service.label_id}'.",
            )
        victim = case.victim
        foreign = victim.citizenship_status_id == "citizenship_status.wna" or (
            victim.citizenship_id not in (None, "ID")
        )
        if "to_org" not in errors:
            if otype == "foreign_embassy":
                if not foreign:
                    err("to_org", "Kedutaan negara asing hanya menerima korban warga negaranya (WNA).")
                elif victim.citizenship_id and to_org.country_id and victim.citizenship_id != to_org.country_id:
                    err("to_org", "Kedutaan ini mewakili negara lain daripada kewarganegaraan korban.")
            if (
                kind == Kind.REFERRAL
                and service_code == "repatriation"
                and foreign
                and (otype not in FOREIGN_REPATRIATION_TYPES)
            ):
                err(
                    "to_org",
                    "Pemulangan korban WNA dirujuk ke kedutaan negaranya, IOM atau Imigrasi (UU 21/2007 Ps 54(2)).",
                )

    consent = share_consent_for(case)
    override = (data.consent_override_reason or "").strip()
    if consent is None:
        if not override:
            err(
                "consent",
                "Korban belum memberi persetujuan berbagi data untuk rujukan (atau telah mencabutnya). "
                "Catat persetujuan pada berkas kasus, atau minta supervisor mengisi alasan tertulis.",
            )
        elif org.pk not in scope_for(actor).orgs_with("referral.override_consent"):
            err("consent", "Hanya supervisor yang dapat merujuk tanpa persetujuan korban.")
        elif len(override) < MIN_OVERRIDE_REASON:
            err("consent_override_reason", f"Alasan tertulis tanpa persetujuan minimal {MIN_OVERRIDE_REASON} karakter.")
    else:
        override = ""  # consent exists: an override reason is not needed and not stored

    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        open_qs = Referral.objects.filter(case=locked, status__in=OPEN_STATUSES)
        if kind == Kind.TRANSFER and open_qs.filter(kind=Kind.TRANSFER, status=Status.SENT).exists():
            _fail("kind", "Kasus ini sudah memiliki pengalihan yang masih berjalan; selesaikan atau batalkan dulu.")
        if (
            kind == Kind.REFERRAL
            and open_qs.filter(kind=Kind.REFERRAL, to_org=to_org, service_type_id=service.pk).exists()
        ):
            _fail("to_org", "Rujukan layanan yang sama ke organisasi ini masih berjalan.")
        ref = Referral.objects.create(
            kind=kind,
            case=locked,
            from_org=org,
            to_org=to_org,
            service_type=service,
            reason=reason,
            due_date=data.due_date,
            status=Status.SENT,
            consent=consent,
            consent_override_reason=override,
            consent_override_by=actor if override else None,
            sent_at=at,
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        _log_change(ref, old="", new=Status.SENT, actor=actor, org=org, at=at)
        _logged(
            ref,
            locked,
            actor=actor,
            org=org,
            at=at,
            event=f"{kind}_sent",
            action=f"{kind}_send",
            summary=f"{_what(ref)} dikirim ke {to_org.name} (batas {data.due_date:%d-%m-%Y})"
            + (" — tanpa persetujuan korban, alasan supervisor dicatat" if override else ""),
            detail={"to_org": str(to_org.pk), "service": service_code, "consent": "override" if override else "given"},
        )
        if override:
            record(
                "consent_override",
                actor=actor,
                object_type="referral",
                object_id=ref.pk,
                organisation_id=org.pk,
                region_code=locked.region_id,
                detail={"case": str(locked.pk), "purpose": "share_referral"},
            )
        notifications.on_sent(ref, at=at)
        announce("referral", locked.region_id, today)
    return ref


# ---------------------------------------------------------------- act


def _lock(ref: Referral, expected_version: int | None) -> Referral:
    """The hand-over's row, locked, at the version the caller saw (else `Conflict`)."""
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "from_org", "to_org", "service_type")
        .get(pk=ref.pk)
    )
    if expected_version is not None and expected_version != locked.version:
        from gugus.core.errors import Conflict

        raise Conflict(current_version=locked.version)
    return locked


def _transition(
    ref: Referral, *, actor, org: Organisation, new: str, at, note: str, fields: dict, expected_version: int | None
) -> None:
    old = ref.status
    for k, v in fields.items():
        setattr(ref, k, v)
    ref.status = new
    save_versioned(
        ref,
        actor=actor,
        expected_version=expected_version if expected_version is not None else ref.version,
        fields=["status", *fields.keys()],
    )
    _log_change(ref, old=old, new=new, actor=actor, org=org, at=at, note=note)


def _grant(case: Case, org: Organisation, level: str, source_type: str, source_id, at) -> CaseAccess:
    grant = CaseAccess.objects.create(
        case=case, organisation=org, level=level, source_type=source_type, source_id=source_id
    )
    if at is not None:
        CaseAccess.objects.filter(pk=grant.pk).update(granted_at=at)
    return grant


def _revoke_grants_of(ref: Referral, at) -> int:
    return CaseAccess.objects.filter(source_type=ref.kind, source_id=ref.pk, revoked_at__isnull=True).update(
        revoked_at=at
    )


def _receiver(actor, ref: Referral, organisation) -> Organisation:
    return _acting_org(
        actor,
        "referral.act",
        {ref.to_org_id},
        organisation,
        message="Rujukan ini tidak ditujukan kepada organisasi Anda, atau peran Anda tidak "
        "mengizinkan menindaklanjutinya.",
    )


def referral_accept(
    *,
    actor,
    referral: Referral,
    note: str = "",
    organisation: Organisation | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    at = _now(at)
    org = _receiver(actor, referral, organisation)
    with transaction.atomic():
        ref = _lock(referral, expected_version)
        if ref.status != Status.SENT:
            _fail("status", f"Rujukan ini sudah berstatus '{ref.get_status_display()}'; tidak dapat diterima lagi.")
        if at < ref.sent_at:
            _fail("status", "Waktu penerimaan tidak boleh sebelum rujukan dikirim.")
        case = Case.objects.select_for_update().get(pk=ref.case_id)
        if ref.is_transfer:
            _accept_transfer(ref, case, actor=actor, org=org, at=at)
        else:
            _grant(case, org, CaseAccess.Level.SERVICE, "referral", ref.pk, at)
        _transition(
            ref,
            actor=actor,
            org=org,
            new=Status.ACCEPTED,
            at=at,
            note=note.strip(),
            fields={"accepted_at": at},
            expected_version=None,
        )
        _logged(
            ref,
            case,
            actor=actor,
            org=org,
            at=at,
            event=f"{ref.kind}_accepted",
            action=f"{ref.kind}_accept",
            summary=f"{_what(ref)} diterima oleh {org.name}",
            detail={"from_org": str(ref.from_org_id)},
        )
        notifications.on_decided(ref, at=at)
        announce("referral", case.region_id, _local(at))
    referral.refresh_from_db()
    return referral


def _accept_transfer(ref: Referral, case: Case, *, actor, org: Organisation, at) -> None:
    sender = ref.from_org
    sender_holds = (
        case.owner_org_id == sender.pk
        or CaseAccess.objects.filter(case=case, organisation=sender, level="full", revoked_at__isnull=True).exists()
    )
    if not sender_holds:
        _fail("status", "Pengirim tidak lagi bertanggung jawab atas kasus ini; pengalihan tidak dapat diterima.")
    old_region = case.region_id
    case.owner_org = org
    case.region_id = org.region_id
    save_versioned(case, actor=actor, expected_version=case.version, fields=["owner_org", "region"])
    # The sender's earlier full grants (from an earlier transfer) give way to read.
    CaseAccess.objects.filter(case=case, organisation=sender, level="full", revoked_at__isnull=True).update(
        revoked_at=at
    )
    _grant(case, org, CaseAccess.Level.FULL, "transfer", ref.pk, at)
    _grant(case, sender, CaseAccess.Level.READ, "transfer", ref.pk, at)
    announce("case", old_region, case.identification_date)
    announce("case", case.region_id, case.identification_date)


def referral_decline(
    *,
    actor,
    referral: Referral,
    reason: str,
    organisation: Organisation | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    at = _now(at)
    org = _receiver(actor, referral, organisation)
    reason = _clean_reason(reason, "penolakan")
    with transaction.atomic():
        ref = _lock(referral, expected_version)
        if ref.status != Status.SENT:
            _fail("status", f"Rujukan ini sudah berstatus '{ref.get_status_display()}'; tidak dapat ditolak.")
        _transition(
            ref,
            actor=actor,
            org=org,
            new=Status.DECLINED,
            at=at,
            note=reason,
            fields={"declined_at": at, "decline_reason": reason[:1000]},
            expected_version=None,
        )
        _revoke_grants_of(ref, at)  # nothing should exist; make sure
        _logged(
            ref,
            ref.case,
            actor=actor,
            org=org,
            at=at,
            event=f"{ref.kind}_declined",
            action=f"{ref.kind}_decline",
            summary=f"{_what(ref)} ditolak oleh {org.name}",
        )
        notifications.on_decided(ref, at=at)
        announce("referral", ref.case.region_id, _local(at))
    referral.refresh_from_db()
    return referral


def referral_complete(
    *,
    actor,
    referral: Referral,
    note: str = "",
    organisation: Organisation | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """The service was given. Either side may record it: the receiver (`referral.act`) or the
    sender (`referral.send`)."""
    at = _now(at)
    scope = scope_for(actor)
    if organisation is None and referral.to_org_id in scope.orgs_with("referral.act"):
        organisation = referral.to_org
    if organisation is not None and organisation.pk == referral.to_org_id:
        org = _receiver(actor, referral, organisation)
    else:
        org = _acting_org(
            actor,
            "referral.send",
            {referral.from_org_id},
            organisation,
            message="Hanya organisasi pengirim atau penerima yang dapat menyatakan rujukan selesai.",
        )
    with transaction.atomic():
        ref = _lock(referral, expected_version)
        if ref.is_transfer:
            _fail("status", "Pengalihan tanggung jawab selesai saat diterima; tidak perlu dinyatakan selesai.")
        if ref.status == Status.SENT:
            _fail("status", "Rujukan belum diterima; tidak dapat dinyatakan selesai.")
        if ref.status != Status.ACCEPTED:
            _fail("status", f"Rujukan ini sudah berstatus '{ref.get_status_display()}'.")
        _transition(
            ref,
            actor=actor,
            org=org,
            new=Status.COMPLETED,
            at=at,
            note=note.strip(),
            fields={"completed_at": at, "outcome_note": note.strip()[:2000]},
            expected_version=None,
        )
        case = ref.case
        _revoke_grants_of(ref, at)
        _grant(case, ref.to_org, CaseAccess.Level.READ, "referral", ref.pk, at)
        _logged(
            ref,
            case,
            actor=actor,
            org=org,
            at=at,
            event="referral_completed",
            action="referral_complete",
            summary=f"Rujukan {_service_label(ref)} di {ref.to_org.name} selesai",
        )
        notifications.on_closed(ref, by_org=org, at=at)
        announce("referral", case.region_id, _local(at))
    referral.refresh_from_db()
    return referral


def referral_cancel(
    *,
    actor,
    referral: Referral,
    reason: str,
    organisation: Organisation | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """The sender withdraws a hand-over (sent, or an accepted referral). Revokes what it granted."""
    at = _now(at)
    org = _acting_org(
        actor,
        "referral.send",
        {referral.from_org_id},
        organisation,
        message="Hanya organisasi pengirim yang dapat membatalkan rujukan ini.",
    )
    reason = _clean_reason(reason, "pembatalan")
    with transaction.atomic():
        ref = _lock(referral, expected_version)
        if ref.is_transfer and ref.status == Status.ACCEPTED:
            _fail(
                "status",
                "Pengalihan yang sudah diterima tidak dapat dibatalkan; buat pengalihan baru untuk "
                "mengembalikan tanggung jawab.",
            )
        if ref.status not in OPEN_STATUSES:
            _fail("status", f"Rujukan ini sudah berstatus '{ref.get_status_display()}'; tidak dapat dibatalkan.")
        _transition(
            ref,
            actor=actor,
            org=org,
            new=Status.CANCELLED,
            at=at,
            note=reason,
            fields={"cancelled_at": at, "cancel_reason": reason[:1000]},
            expected_version=None,
        )
        revoked = _revoke_grants_of(ref, at)
        _logged(
            ref,
            ref.case,
            actor=actor,
            org=org,
            at=at,
            event=f"{ref.kind}_cancelled",
            action=f"{ref.kind}_cancel",
            summary=f"{_what(ref)} ke {ref.to_org.name} dibatalkan",
            detail={"access_revoked": revoked},
        )
        notifications.on_closed(ref, by_org=org, at=at)
        announce("referral", ref.case.region_id, _local(at))
    referral.refresh_from_db()
    return referral


# ---------------------------------------------------------------- notifications


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise ValidationError("Pemberitahuan ini bukan milik Anda.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


# ---------------------------------------------------------------- meetings


def _meeting_errors(
    *, actor, region_code: str | None, date: dt.date | None, title: str, participants, secretariat: Organisation
) -> dict:
    errors: dict[str, list[str]] = {}
    scope = scope_for(actor)
    if not region_code or not Region.objects.filter(code=region_code).exists():
        errors.setdefault("region", []).append("Wilayah gugus tugas tidak dikenal.")
    elif not scope.covers_region("meeting.edit", region_code) and secretariat.region_id != region_code:
        errors.setdefault("region", []).append("Wilayah ini di luar cakupan sekretariat Anda.")
    today = timezone.localdate()
    if date is None:
        errors.setdefault("date", []).append("Tanggal rapat wajib diisi.")
    elif date.year < 2000 or date > today + dt.timedelta(days=366):
        errors.setdefault("date", []).append("Tanggal rapat tidak masuk akal.")
    if not (title or "").strip():
        errors.setdefault("title", []).append("Judul/agenda rapat wajib diisi.")
    if participants is not None and not list(participants):
        errors.setdefault("participants", []).append("Pilih minimal satu organisasi peserta.")
    return errors


def meeting_create(
    *,
    actor,
    region_code: str,
    date: dt.date,
    title: str,
    participants: list[Organisation],
    decisions: str = "",
    notes: str = "",
    secretariat: Organisation | None = None,
    is_demo: bool = False,
) -> Meeting:
    scope = scope_for(actor)
    orgs = scope.orgs_with("meeting.edit")
    if not orgs:
        _fail("__all__", "Peran Anda tidak mengizinkan mencatat rapat koordinasi.")
    sec = _acting_org(
        actor,
        "meeting.edit",
        orgs,
        secretariat,
        field="secretariat",
        message="Anda tidak bertindak atas nama sekretariat ini.",
    )
    errors = _meeting_errors(
        actor=actor, region_code=region_code, date=date, title=title, participants=participants, secretariat=sec
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        m = Meeting.objects.create(
            region_id=region_code,
            secretariat=sec,
            date=date,
            title=title.strip()[:200],
            decisions=(decisions or "").strip(),
            notes=(notes or "").strip(),
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        m.participants.set({*(p.pk for p in participants), sec.pk})
        record(
            "meeting_create",
            actor=actor,
            object_type="meeting",
            object_id=m.pk,
            organisation_id=sec.pk,
            region_code=region_code,
            detail={"participants": len(participants)},
        )
        announce("meeting", region_code, date)
    return m


def meeting_update(
    *,
    actor,
    meeting: Meeting,
    expected_version: int | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    decisions: str | None = None,
    notes: str | None = None,
    participants: list[Organisation] | None = None,
) -> Meeting:
    from .selectors import can_edit_meeting

    if not can_edit_meeting(actor, meeting):
        _fail("__all__", "Hanya sekretariat gugus tugas yang dapat mengubah rapat ini.")
    new_date = date if date is not None else meeting.date
    new_title = title if title is not None else meeting.title
    errors = _meeting_errors(
        actor=actor,
        region_code=meeting.region_id,
        date=new_date,
        title=new_title,
        participants=participants,
        secretariat=meeting.secretariat,
    )
    if participants is not None:
        owners = set(meeting.action_items.values_list("owner_org_id", flat=True))
        missing = owners - {p.pk for p in participants} - {meeting.secretariat_id}
        if missing:
            errors.setdefault("participants", []).append(
                "Organisasi penanggung jawab tindak lanjut tidak boleh dihapus dari peserta."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting.date = new_date
        meeting.title = new_title.strip()[:200]
        if decisions is not None:
            meeting.decisions = decisions.strip()
        if notes is not None:
            meeting.notes = notes.strip()
        save_versioned(
            meeting, actor=actor, expected_version=expected_version, fields=["date", "title", "decisions", "notes"]
        )
        if participants is not None:
            meeting.participants.set({*(p.pk for p in participants), meeting.secretariat_id})
        record(
            "meeting_update",
            actor=actor,
            object_type="meeting",
            object_id=meeting.pk,
            organisation_id=meeting.secretariat_id,
            region_code=meeting.region_id,
        )
        announce("meeting", meeting.region_id, meeting.date)
    return meeting


def action_item_add(
    *,
    actor,
    meeting: Meeting,
    description: str,
    owner_org: Organisation | None,
    deadline: dt.date,
    is_demo: bool = False,
) -> ActionItem:
    from .selectors import can_edit_meeting

    if not can_edit_meeting(actor, meeting):
        _fail("__all__", "Hanya sekretariat gugus tugas yang dapat menambah tindak lanjut rapat ini.")
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors.setdefault("description", []).append("Uraian tindak lanjut wajib diisi.")
    if owner_org is None:
        errors.setdefault("owner_org", []).append("Penanggung jawab wajib diisi.")
    elif not meeting.participants.filter(pk=owner_org.pk).exists():
        errors.setdefault("owner_org", []).append("Penanggung jawab harus salah satu organisasi peserta rapat.")
    if deadline is None:
        errors.setdefault("deadline", []).append("Tenggat wajib diisi.")
    elif deadline < meeting.date:
        errors.setdefault("deadline", []).append("Tenggat tidak boleh sebelum tanggal rapat.")
    elif deadline > meeting.date + dt.timedelta(days=3 * 366):
        errors.setdefault("deadline", []).append("Tenggat paling lama tiga tahun setelah rapat.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = ActionItem.objects.create(
            meeting=meeting,
            description=description.strip(),
            owner_org=owner_org,
            deadline=deadline,
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        record(
            "action_item_add",
            actor=actor,
            object_type="action_item",
            object_id=item.pk,
            organisation_id=owner_org.pk,
            region_code=meeting.region_id,
            detail={"meeting": str(meeting.pk)},
        )
        notifications.on_action_item(item)
        announce("meeting", meeting.region_id, meeting.date)
    return item


ACTION_TRANSITIONS = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.IN_PROGRESS: {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.DONE: {ActionStatus.IN_PROGRESS},  # reopen
    ActionStatus.CANCELLED: {ActionStatus.OPEN},
}


def action_item_set_status(
    *,
    actor,
    item: ActionItem,
    status: str,
    note: str = "",
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> ActionItem:
    from .selectors import can_edit_meeting, can_update_action_item

    if not can_update_action_item(actor, item):
        _fail("__all__", "Hanya organisasi penanggung jawab atau sekretariat yang dapat mengubah status ini.")
    if status not in ActionStatus.values:
        _fail("status", "Status tidak dikenal.")
    if status == item.status:
        _fail("status", f"Status sudah '{item.get_status_display()}'.")
    if status not in ACTION_TRANSITIONS[item.status]:
        _fail(
            "status",
            f"Status tidak dapat berubah dari '{item.get_status_display()}' ke '{ActionStatus(status).label}'.",
        )
    if ActionStatus.CANCELLED in (status, item.status) and not can_edit_meeting(actor, item.meeting):
        _fail("status", "Hanya sekretariat yang dapat membatalkan atau memulihkan tindak lanjut.")
    with transaction.atomic():
        old = item.status
        item.status = status
        item.done_on = (on or timezone.localdate()) if status == ActionStatus.DONE else None
        item.status_note = (note or "").strip()[:500]
        save_versioned(
            item, actor=actor, expected_version=expected_version, fields=["status", "done_on", "status_note"]
        )
        record(
            "action_item_status",
            actor=actor,
            object_type="action_item",
            object_id=item.pk,
            organisation_id=item.owner_org_id,
            region_code=item.meeting.region_id,
            detail={"from": old, "to": status},
        )
        announce("meeting", item.meeting.region_id, item.meeting.date)
    return item


__all__ = [
    "ACTION_ITEM_PERMS",
    "ACTION_OPEN",
    "HandoverData",
    "action_item_add",
    "action_item_set_status",
    "meeting_create",
    "meeting_update",
    "notification_mark_read",
    "notifications_mark_all_read",
    "referral_accept",
    "referral_cancel",
    "referral_complete",
    "referral_decline",
    "referral_send",
]
