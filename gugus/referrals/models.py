"""Hand-overs between organisations (referrals and transfers), in-app notifications,
coordination meetings and their action items.

One model, `Referral`, carries both kinds of hand-over:
- `referral`: a named service (service_type) from another organisation; accepting grants
  the receiver `CaseAccess(level="service")` on the case;
- `transfer`: responsibility for the case moves to the receiver when it accepts (owner_org
  and region change; receiver gets `full`, the sender keeps `read`).
Every state change is a `ReferralStatusChange` row (who, when, on behalf of which org).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from gugus.accounts.models import Organisation
from gugus.cases.models import Case, Consent, code_fk
from gugus.core.versioning import Versioned
from gugus.reference.models import Region


class Kind(models.TextChoices):
    REFERRAL = "referral", "Rujukan layanan"
    TRANSFER = "transfer", "Pengalihan tanggung jawab"


class Status(models.TextChoices):
    SENT = "sent", "Terkirim (menunggu)"
    ACCEPTED = "accepted", "Diterima"
    DECLINED = "declined", "Ditolak"
    COMPLETED = "completed", "Selesai"
    CANCELLED = "cancelled", "Dibatalkan"


OPEN_STATUSES = (Status.SENT, Status.ACCEPTED)


def open_q(prefix: str = "") -> Q:
    """Hand-overs still open: sent (waiting for a decision), or an accepted *referral* whose
    service is not yet completed. An accepted transfer is done: responsibility has moved."""
    return Q(**{f"{prefix}status": Status.SENT}) | Q(
        **{f"{prefix}status": Status.ACCEPTED, f"{prefix}kind": Kind.REFERRAL}
    )


class Referral(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices, default=Kind.REFERRAL)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals", verbose_name="kasus")
    from_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name="pengirim"
    )
    to_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", verbose_name="penerima"
    )
    service_type = code_fk("service_type", "layanan", null=True, blank=True)
    reason = models.TextField("alasan / kebutuhan", max_length=2000)
    due_date = models.DateField("batas waktu", db_index=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.SENT, db_index=True)
    # The legal basis for sharing: the victim's consent, or a supervisor's written override.
    consent = models.ForeignKey(
        Consent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="persetujuan berbagi data",
    )
    consent_override_reason = models.TextField("alasan tanpa persetujuan (supervisor)", blank=True, max_length=1000)
    consent_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField("alasan penolakan", blank=True, max_length=1000)
    cancel_reason = models.TextField("alasan pembatalan", blank=True, max_length=1000)
    outcome_note = models.TextField("catatan hasil", blank=True, max_length=2000)
    sent_at = models.DateTimeField("dikirim", db_index=True)
    accepted_at = models.DateTimeField("diterima", null=True, blank=True)
    declined_at = models.DateTimeField("ditolak", null=True, blank=True)
    completed_at = models.DateTimeField("selesai", null=True, blank=True)
    cancelled_at = models.DateTimeField("dibatalkan", null=True, blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "rujukan"
        verbose_name_plural = "rujukan"
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["to_org", "status", "due_date"]),
            models.Index(fields=["from_org", "status", "due_date"]),
            models.Index(fields=["case", "-sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_org=models.F("to_org")), name="referral_not_to_self"),
            models.CheckConstraint(
                condition=Q(kind="transfer") | Q(service_type__isnull=False), name="referral_has_service"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="referral_decline_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | ~Q(consent_override_reason=""), name="referral_has_basis"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {str(self.id)[:8]}"

    @property
    def is_transfer(self) -> bool:
        return self.kind == Kind.TRANSFER

    @property
    def is_open(self) -> bool:
        return self.status == Status.SENT or (self.status == Status.ACCEPTED and self.kind == Kind.REFERRAL)

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date < today

    @property
    def badge(self) -> str:
        return {"sent": "warn", "completed": "ok", "declined": "bad"}.get(self.status, "")

    @property
    def consent_basis(self) -> str:
        return "override" if self.consent_override_reason else "consent"

    @property
    def days_to_accept(self) -> float | None:
        if self.accepted_at is None:
            return None
        return round((self.accepted_at - self.sent_at).total_seconds() / 86400, 1)


class ReferralStatusChange(models.Model):
    """Who changed a hand-over, when, on behalf of which organisation, and why."""

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["at", "id"]


class Notification(models.Model):
    """An in-app notice for one user. Never carries identity: a case number and a link at most."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action_item = models.ForeignKey("ActionItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]


class Meeting(Versioned):
    """A coordination meeting of a task force, identified by its region and convening secretariat."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah gugus tugas")
    secretariat = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="meetings_convened",
        verbose_name="sekretariat penyelenggara",
    )
    date = models.DateField("tanggal", db_index=True)
    title = models.CharField("judul/agenda", max_length=200)
    participants = models.ManyToManyField(Organisation, related_name="meetings", verbose_name="peserta (organisasi)")
    decisions = models.TextField("keputusan", blank=True, max_length=5000)
    notes = models.TextField("catatan", blank=True, max_length=5000)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "rapat koordinasi"
        verbose_name_plural = "rapat koordinasi"
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["region", "-date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d-%m-%Y})"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Belum dikerjakan"
    IN_PROGRESS = "in_progress", "Sedang dikerjakan"
    DONE = "done", "Selesai"
    CANCELLED = "cancelled", "Dibatalkan"


ACTION_OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.TextField("tindak lanjut", max_length=2000)
    owner_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="action_items", verbose_name="penanggung jawab"
    )
    deadline = models.DateField("tenggat", db_index=True)
    status = models.CharField(
        "status", max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    done_on = models.DateField("tanggal selesai", null=True, blank=True)
    status_note = models.CharField("catatan status", max_length=500, blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "tindak lanjut"
        verbose_name_plural = "tindak lanjut"
        ordering = ["deadline", "created_at"]
        indexes = [models.Index(fields=["owner_org", "status", "deadline"])]

    def is_overdue(self, today) -> bool:
        return self.status in ACTION_OPEN and self.deadline < today

    @property
    def badge(self) -> str:
        return {"open": "warn", "done": "ok"}.get(self.status, "")
