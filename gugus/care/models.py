"""Services to victims, shelter stays, repatriation, reintegration, rights and the legal track.

Every record hangs on a `cases.Case` (by UUID). Region for aggregates comes from the case
(`case__region_id` where handled, `case__origin_region_id` where from); event dates are indexed.
Money is Rupiah, `Decimal(16, 2)`, never negative, never above `rules.MAX_AMOUNT`.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from gugus.accounts.models import Organisation
from gugus.cases.models import Case, Perpetrator, code_fk
from gugus.core.versioning import Versioned
from gugus.reference.models import Country, Region

from .rules import MAX_AMOUNT


def money(verbose: str, **kw):
    return models.DecimalField(verbose, max_digits=16, decimal_places=2, null=True, blank=True, **kw)


def money_ok(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | (Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": MAX_AMOUNT}))


def org_fk(verbose: str, related_name: str = "+", **kw):
    return models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name=related_name, verbose_name=verbose, **kw
    )


# ---------------------------------------------------------------- services


class ServiceStatus(models.TextChoices):
    REQUESTED = "requested", "Diminta"
    IN_PROGRESS = "in_progress", "Sedang berjalan"
    COMPLETED = "completed", "Selesai"
    REFUSED_BY_VICTIM = "refused_by_victim", "Ditolak korban"
    NOT_PROVIDED = "not_provided", "Tidak diberikan"
    CANCELLED = "cancelled", "Dibatalkan"


class ServiceRecord(Versioned):
    """One service to a victim (Permen PPPA 8/2021 chain), its dates, cost and who paid."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_services")
    service_type = code_fk("service_type", "jenis layanan")
    provider_org = org_fk("organisasi penyedia", related_name="provided_services")
    status = models.CharField("status", max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.REQUESTED)
    requested_on = models.DateField("tanggal permintaan")
    started_on = models.DateField("tanggal mulai", null=True, blank=True)
    completed_on = models.DateField("tanggal selesai", null=True, blank=True)
    outcome = models.CharField("hasil", max_length=500, blank=True)
    cost = money("biaya (Rp)")
    funding_source = code_fk("funding_source", "sumber dana", null=True, blank=True)
    payer_org = org_fk("instansi pembayar", null=True, blank=True)
    # Perpres 82/2018 Ps 52(1) r: JKN does not cover TPPO care. A refused claim and who paid instead.
    bpjs_claim_refused = models.BooleanField("klaim BPJS/JKN ditolak", default=False)
    alt_funding_source = code_fk("funding_source", "sumber dana pengganti", null=True, blank=True)
    alt_payer_org = org_fk("instansi pembayar pengganti", null=True, blank=True)
    # Derived on every save: funding `none`, or a refused BPJS claim nobody else paid.
    unfunded = models.BooleanField("tanpa pendanaan", default=False, db_index=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "layanan"
        verbose_name_plural = "layanan"
        ordering = ["-requested_on", "-created_at"]
        indexes = [
            models.Index(fields=["case", "requested_on"]),
            models.Index(fields=["provider_org", "status"]),
            models.Index(fields=["service_type", "requested_on"]),
            models.Index(fields=["funding_source", "requested_on"]),
            models.Index(fields=["requested_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=money_ok("cost"), name="care_service_cost_range"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=F("started_on")),
                name="care_service_completed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("requested_on")),
                name="care_service_started_after_request",
            ),
            models.CheckConstraint(
                condition=Q(bpjs_claim_refused=False) | Q(funding_source="funding_source.bpjs_jkn"),
                name="care_service_refusal_only_bpjs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type_id.split('.', 1)[-1]} · {self.requested_on}"

    @property
    def type_code(self) -> str:
        return self.service_type_id.split(".", 1)[1]

    @property
    def funding_code(self) -> str | None:
        return self.funding_source_id.split(".", 1)[1] if self.funding_source_id else None

    @property
    def warnings(self) -> list[str]:
        from .rules import FUNDING_BPJS, HEALTH_TYPES

        out = []
        if self.type_code in HEALTH_TYPES and self.funding_code == FUNDING_BPJS and not self.bpjs_claim_refused:
            out.append(
                "Perawatan korban TPPO tidak ditanggung BPJS/JKN (Perpres 82/2018 Ps 52(1) huruf r). "
                "Siapkan pendanaan lain (LPSK, APBD/Jamkesda, RS Bhayangkara)."
            )
        if self.bpjs_claim_refused and not self.alt_funding_source_id:
            out.append("Klaim BPJS/JKN ditolak dan belum ada pembayar pengganti.")
        if self.funding_code == "none":
            out.append("Layanan tanpa pendanaan.")
        if self.type_code == "mediation":
            out.append("Mediasi tidak boleh dipakai untuk menyelesaikan tindak pidana TPPO.")
        return out


# ---------------------------------------------------------------- shelter


class ShelterStay(Versioned):
    """A bed in a safe house or shelter (Organisation.is_shelter) from admission to discharge."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shelter_stays")
    shelter = org_fk("rumah aman / shelter", related_name="shelter_stays")
    # The stay is also a `shelter` service, so its cost and funding are recorded like any other.
    service = models.OneToOneField(
        ServiceRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="shelter_stay"
    )
    admitted_on = models.DateField("tanggal masuk", db_index=True)
    discharged_on = models.DateField("tanggal keluar", null=True, blank=True, db_index=True)
    over_capacity = models.BooleanField("melebihi kapasitas", default=False)
    over_capacity_reason = models.CharField("alasan melebihi kapasitas", max_length=300, blank=True)
    discharge_reason = models.CharField("alasan keluar", max_length=300, blank=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "masa tinggal di rumah aman"
        verbose_name_plural = "masa tinggal di rumah aman"
        ordering = ["-admitted_on"]
        indexes = [models.Index(fields=["shelter", "discharged_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                name="care_stay_discharge_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(over_capacity=False) | ~Q(over_capacity_reason=""), name="care_stay_over_capacity_reason"
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None


# ---------------------------------------------------------------- repatriation


class LegStatus(models.TextChoices):
    PLANNED = "planned", "Direncanakan"
    IN_PROGRESS = "in_progress", "Dalam perjalanan"
    COMPLETED = "completed", "Selesai"
    CANCELLED = "cancelled", "Dibatalkan"


class RepatriationLeg(Versioned):
    """One leg of a return (abroad → debarkation → province → kab/kota → family; or a foreign
    victim's return to their country), with the responsible agency, dates, cost and funder."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repatriation_legs")
    leg_type = code_fk("repatriation_leg", "tahap pemulangan")
    responsible_org = org_fk("instansi penanggung jawab", related_name="repatriation_legs")
    from_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="dari wilayah"
    )
    from_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="dari negara"
    )
    to_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="ke wilayah"
    )
    to_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="ke negara"
    )
    status = models.CharField("status", max_length=12, choices=LegStatus.choices, default=LegStatus.PLANNED)
    planned_on = models.DateField("tanggal rencana", null=True, blank=True)
    departed_on = models.DateField("tanggal berangkat", null=True, blank=True)
    arrived_on = models.DateField("tanggal tiba", null=True, blank=True, db_index=True)
    cost = money("biaya (Rp)")
    funding_source = code_fk("funding_source", "sumber dana", null=True, blank=True)
    funder_org = org_fk("instansi pembiaya", null=True, blank=True)
    medical_condition = models.BooleanField("kondisi medis/psikologis memerlukan pendamping", default=False)
    escort_required = models.BooleanField("wajib didampingi", default=False)
    escorted = models.BooleanField("didampingi", default=False)
    escort_org = org_fk("instansi pendamping", null=True, blank=True)
    note = models.CharField("catatan", max_length=300, blank=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "tahap pemulangan"
        verbose_name_plural = "tahap pemulangan"
        ordering = ["case", "planned_on", "created_at"]
        indexes = [models.Index(fields=["case", "status"]), models.Index(fields=["responsible_org", "status"])]
        constraints = [
            models.CheckConstraint(condition=money_ok("cost"), name="care_leg_cost_range"),
            models.CheckConstraint(
                condition=Q(arrived_on__isnull=True)
                | Q(departed_on__isnull=True)
                | Q(arrived_on__gte=F("departed_on")),
                name="care_leg_arrival_after_departure",
            ),
            models.CheckConstraint(
                condition=Q(from_region__isnull=False) | Q(from_country__isnull=False), name="care_leg_has_origin"
            ),
            models.CheckConstraint(
                condition=Q(to_region__isnull=False) | Q(to_country__isnull=False), name="care_leg_has_destination"
            ),
            models.CheckConstraint(
                condition=Q(escort_required=False) | Q(escorted=True) | Q(status="cancelled"),
                name="care_leg_escort_when_required",
            ),
        ]

    @property
    def type_code(self) -> str:
        return self.leg_type_id.split(".", 1)[1]


# ---------------------------------------------------------------- reintegration


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Berjalan"
    COMPLETED = "completed", "Selesai"
    DISCONTINUED = "discontinued", "Dihentikan"


class ReintegrationPlan(Versioned):
    class Arrangement(models.TextChoices):
        FAMILY = "family", "Keluarga"
        SUBSTITUTE_FAMILY = "substitute_family", "Keluarga pengganti"
        INDEPENDENT = "independent", "Mandiri"
        INSTITUTION = "institution", "Lembaga/panti"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reintegration_plan")
    responsible_org = org_fk("organisasi penanggung jawab", related_name="reintegration_plans")
    return_on = models.DateField("tanggal kembali ke keluarga/masyarakat", db_index=True)
    destination_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah tujuan"
    )
    arrangement = models.CharField(
        "pengaturan tinggal", max_length=20, choices=Arrangement.choices, default=Arrangement.FAMILY
    )
    goals = models.TextField("tujuan dan rencana", blank=True)
    status = models.CharField("status", max_length=14, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "rencana reintegrasi"
        verbose_name_plural = "rencana reintegrasi"


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", "Stabil"
    NEEDS_SUPPORT = "needs_support", "Perlu dukungan"
    AT_RISK = "at_risk", "Berisiko (diperdagangkan kembali)"
    RETRAFFICKED = "retrafficked", "Diperdagangkan kembali"
    UNREACHABLE = "unreachable", "Tidak dapat ditemui"
    DECLINED = "declined", "Menolak dikunjungi"


class FollowUpVisit(Versioned):
    """A follow-up visit due 1, 3, 6 and 12 months after return (generated with the plan)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="visits")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    month = models.PositiveSmallIntegerField("bulan ke-")
    due_on = models.DateField("jatuh tempo", db_index=True)
    visited_on = models.DateField("tanggal kunjungan", null=True, blank=True)
    outcome = models.CharField("hasil", max_length=14, choices=FollowUpOutcome.choices, blank=True)
    note = models.CharField("catatan", max_length=500, blank=True)
    visited_by_org = org_fk("dikunjungi oleh", null=True, blank=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "kunjungan tindak lanjut"
        verbose_name_plural = "kunjungan tindak lanjut"
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="care_followup_month_unique"),
            models.CheckConstraint(
                condition=Q(visited_on__isnull=True) | ~Q(outcome=""), name="care_followup_visit_has_outcome"
            ),
        ]
        indexes = [models.Index(fields=["visited_on", "due_on"])]


# ---------------------------------------------------------------- rights


class RightStatus(models.TextChoices):
    PENDING = "pending", "Belum terpenuhi (proses)"
    FULFILLED = "fulfilled", "Terpenuhi"
    REFUSED_BY_VICTIM = "refused_by_victim", "Ditolak korban"
    NOT_FULFILLED = "not_fulfilled", "Tidak terpenuhi"
    NOT_APPLICABLE = "not_applicable", "Tidak berlaku"


class RightSource(models.TextChoices):
    SYSTEM = "system", "Sistem"
    DERIVED = "derived", "Dari catatan layanan/hukum"
    MANUAL = "manual", "Diisi petugas"
    NONE = "none", "Belum ada catatan"


class RightEntry(Versioned):
    """One row of a case's rights checklist (UU 21/2007 Ps 44-55). `status`, `applied_on`,
    `due_on`, `fulfilled_on` are the effective values (refreshed on every care write);
    `manual_*` hold what a worker set by hand, with a reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rights")
    right = code_fk("right", "hak")
    status = models.CharField("status", max_length=20, choices=RightStatus.choices, default=RightStatus.PENDING)
    source = models.CharField("sumber", max_length=8, choices=RightSource.choices, default=RightSource.NONE)
    applied_on = models.DateField("tanggal permohonan", null=True, blank=True)
    due_on = models.DateField("batas waktu", null=True, blank=True, db_index=True)
    fulfilled_on = models.DateField("tanggal terpenuhi", null=True, blank=True)
    evidence = models.CharField("bukti", max_length=120, blank=True)
    manual_status = models.CharField("status (manual)", max_length=20, choices=RightStatus.choices, blank=True)
    manual_reason = models.CharField("alasan", max_length=300, blank=True)
    manual_applied_on = models.DateField("tanggal permohonan (manual)", null=True, blank=True)
    manual_fulfilled_on = models.DateField("tanggal terpenuhi (manual)", null=True, blank=True)

    class Meta:
        verbose_name = "hak korban"
        verbose_name_plural = "hak korban"
        constraints = [models.UniqueConstraint(fields=["case", "right"], name="care_right_unique")]
        indexes = [models.Index(fields=["right", "status"])]

    @property
    def right_code(self) -> str:
        return self.right_id.split(".", 1)[1]


# ---------------------------------------------------------------- legal track


class LpskProtection(models.TextChoices):
    NONE = "none", "Tidak diajukan"
    APPLIED = "applied", "Diajukan"
    GRANTED = "granted", "Dikabulkan"
    REJECTED = "rejected", "Ditolak"


class LegalCase(Versioned):
    """The criminal case beside the victim's case: police report, stages, LPSK protection."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="legal_case")
    police_report_number = models.CharField("nomor laporan polisi", max_length=80, blank=True)
    police_report_date = models.DateField("tanggal laporan polisi", null=True, blank=True, db_index=True)
    police_unit = org_fk("unit kepolisian", null=True, blank=True)
    prosecutor_org = org_fk("kejaksaan", null=True, blank=True)
    court_org = org_fk("pengadilan", null=True, blank=True)
    stage = code_fk("legal_stage", "tahap terakhir", null=True, blank=True)
    stage_date = models.DateField("tanggal tahap terakhir", null=True, blank=True)
    lpsk_protection = models.CharField(
        "perlindungan LPSK", max_length=10, choices=LpskProtection.choices, default=LpskProtection.NONE
    )
    lpsk_applied_on = models.DateField("tanggal permohonan LPSK", null=True, blank=True)
    lpsk_decided_on = models.DateField("tanggal keputusan LPSK", null=True, blank=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "perkara"
        verbose_name_plural = "perkara"
        constraints = [
            models.CheckConstraint(
                condition=Q(lpsk_decided_on__isnull=True)
                | Q(lpsk_applied_on__isnull=True)
                | Q(lpsk_decided_on__gte=F("lpsk_applied_on")),
                name="care_lpsk_decided_after_applied",
            ),
        ]


class Verdict(models.TextChoices):
    CONVICTED = "convicted", "Terbukti (pidana)"
    ACQUITTED = "acquitted", "Bebas (vrijspraak)"
    RELEASED = "released", "Lepas (onslag)"


class LegalEvent(Versioned):
    """A step of the criminal process (code list legal_stage)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    legal_case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_events")
    stage = code_fk("legal_stage", "tahap")
    date = models.DateField("tanggal")
    organisation = org_fk("instansi", null=True, blank=True)
    reference_number = models.CharField("nomor (LP/berkas/putusan)", max_length=80, blank=True)
    articles = models.CharField("pasal UU 21/2007", max_length=200, blank=True)
    verdict = models.CharField("amar putusan", max_length=10, choices=Verdict.choices, blank=True)
    sentence_months = models.PositiveSmallIntegerField("pidana penjara (bulan)", null=True, blank=True)
    fine = money("denda (Rp)")
    suspects = models.ManyToManyField(
        Perpetrator, blank=True, related_name="legal_events", verbose_name="tersangka/terdakwa"
    )
    note = models.CharField("catatan", max_length=500, blank=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "tahap perkara"
        verbose_name_plural = "tahap perkara"
        ordering = ["date", "created_at"]
        indexes = [models.Index(fields=["case", "date"]), models.Index(fields=["stage", "date"])]
        constraints = [models.CheckConstraint(condition=money_ok("fine"), name="care_legal_fine_range")]

    @property
    def stage_code(self) -> str:
        return self.stage_id.split(".", 1)[1]


class Restitution(Versioned):
    """Restitution for the victim (UU 21/2007 Ps 48-50; PP 7/2018; PERMA 1/2022)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="restitution")
    status = code_fk("restitution_status", "status", default="restitution_status.not_informed")
    requested_on = models.DateField("tanggal permohonan", null=True, blank=True)
    requested_amount = money("jumlah diminta (Rp)")
    lpsk_assessed_on = models.DateField("tanggal penilaian LPSK", null=True, blank=True)
    lpsk_assessed_amount = money("jumlah penilaian LPSK (Rp)")
    ordered_on = models.DateField("tanggal putusan/penetapan", null=True, blank=True, db_index=True)
    ordered_amount = money("jumlah diputus (Rp)")
    paid_amount = models.DecimalField("jumlah dibayar (Rp)", max_digits=16, decimal_places=2, default=0)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "restitusi"
        verbose_name_plural = "restitusi"
        constraints = [
            models.CheckConstraint(condition=money_ok("requested_amount"), name="care_restitution_requested_range"),
            models.CheckConstraint(condition=money_ok("lpsk_assessed_amount"), name="care_restitution_assessed_range"),
            models.CheckConstraint(condition=money_ok("ordered_amount"), name="care_restitution_ordered_range"),
            models.CheckConstraint(
                condition=Q(paid_amount=0)
                | (Q(ordered_amount__isnull=False) & Q(paid_amount__lte=F("ordered_amount"))),
                name="care_restitution_paid_within_ordered",
            ),
        ]

    @property
    def outstanding(self):
        if self.ordered_amount is None:
            return None
        return self.ordered_amount - self.paid_amount

    @property
    def deadline_on(self):
        import datetime as dt

        from .rules import RESTITUTION_PAYMENT_DAYS

        return self.ordered_on + dt.timedelta(days=RESTITUTION_PAYMENT_DAYS) if self.ordered_on else None

    def is_overdue(self, today) -> bool:
        return bool(self.ordered_on and self.outstanding and self.outstanding > 0 and today > self.deadline_on)


class RestitutionPayment(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    restitution = models.ForeignKey(Restitution, on_delete=models.CASCADE, related_name="payments")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restitution_payments")
    paid_on = models.DateField("tanggal bayar", db_index=True)
    amount = models.DecimalField("jumlah (Rp)", max_digits=16, decimal_places=2)
    note = models.CharField("catatan", max_length=300, blank=True)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "pembayaran restitusi"
        verbose_name_plural = "pembayaran restitusi"
        ordering = ["paid_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT), name="care_restitution_payment_range"
            ),
        ]
