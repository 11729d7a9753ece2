"""The registry: task forces and their decrees, regional action plans (RAD), budgets, service-unit
profiles and staff counts, trainings, local regulations, prevention activities, best practices.

Nothing here identifies a person: staff and participants are counts, chairs are positions
(jabatan), and a safe house's location stays in `accounts.Organisation.secret_location`, which
this app never reads. Government instruments (task force, RAD, budget, regulation) belong to the
region's own government; activities (trainings, prevention, units) are located in a region.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gugus.accounts.models import Organisation
from gugus.cases.models import code_fk
from gugus.core.versioning import Versioned
from gugus.reference.models import Region

MONEY = {"max_digits": 16, "decimal_places": 2}


def _region_fk(verbose: str = "wilayah", **kw):
    return models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=verbose, **kw)


def _org_fk(verbose: str, **kw):
    return models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=verbose, **kw)


# ---------------------------------------------------------------------------------------------
# 1. Task force (Gugus Tugas PP-TPPO), its decrees and members


class TaskForceStatus(models.TextChoices):
    ACTIVE = "active", "Aktif"
    INACTIVE = "inactive", "Tidak aktif"
    DISSOLVED = "dissolved", "Dibubarkan"


class TaskForce(Versioned):
    """One task force per region (national, province, kab/kota). Its decrees are its history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah")
    level = code_fk("gt_level", "tingkat")
    name = models.CharField("nama", max_length=200)
    status = models.CharField("status", max_length=10, choices=TaskForceStatus.choices, default=TaskForceStatus.ACTIVE)
    status_since = models.DateField("status sejak")
    note = models.TextField("catatan", blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "gugus tugas"
        verbose_name_plural = "gugus tugas"
        ordering = ["region_id"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_decree(self):
        return self.decrees.filter(superseded_by__isnull=True).order_by("-date").first()


class TaskForceStatusChange(models.Model):
    """Status history: 'active on date D' is the latest change dated on or before D."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(max_length=10, choices=TaskForceStatus.choices)
    date = models.DateField("tanggal")
    note = models.CharField("catatan", max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["task_force", "date"])]


class Decree(Versioned):
    """A decree (SK / Perpres / Pergub / Perbup) forming or renewing a task force. A renewal is a
    new row that supersedes the previous one; both are kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="decrees")
    number = models.CharField("nomor", max_length=120)
    number_key = models.CharField(max_length=120, editable=False)
    date = models.DateField("tanggal")
    signed_by = models.CharField("ditandatangani oleh (jabatan)", max_length=160)
    title = models.CharField("judul", max_length=300, blank=True)
    chair = models.CharField("ketua (jabatan)", max_length=200)
    secretariat = _org_fk("sekretariat", null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name="menggantikan",
    )
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "surat keputusan"
        verbose_name_plural = "surat keputusan"
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["task_force", "number_key"], name="decree_number_unique_per_region"),
        ]

    def __str__(self) -> str:
        return self.number


class DecreeMember(models.Model):
    """A member organisation of the task force under one decree, in one sub task force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decree = models.ForeignKey(Decree, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="organisasi"
    )
    sub_gt = code_fk("sub_gt", "sub gugus tugas")
    is_lead = models.BooleanField("koordinator sub gugus tugas", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sub_gt_id", "-is_lead", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["decree", "organisation", "sub_gt"], name="decree_member_unique"),
        ]


# ---------------------------------------------------------------------------------------------
# 2. Regional action plan (RAD)


class RadStatus(models.TextChoices):
    NONE = "none", "Belum ada"
    DRAFTING = "drafting", "Penyusunan"
    ENACTED = "enacted", "Ditetapkan"
    EXPIRED = "expired", "Berakhir"


class ActionPlan(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = _region_fk()
    title = models.CharField("judul", max_length=300)
    period_start = models.PositiveSmallIntegerField("tahun mulai")
    period_end = models.PositiveSmallIntegerField("tahun akhir")
    legal_basis = models.CharField("dasar hukum", max_length=300, blank=True)
    status = models.CharField("status", max_length=10, choices=RadStatus.choices, default=RadStatus.DRAFTING)
    enacted_on = models.DateField("tanggal penetapan", null=True, blank=True)
    in_rpjmd = models.BooleanField("TPPO tercantum dalam RPJMD", default=False)
    rpjmd_note = models.CharField("keterangan RPJMD", max_length=300, blank=True)
    in_renstra_skpd = models.BooleanField("TPPO tercantum dalam Renstra SKPD", default=False)
    renstra_agencies = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name="perangkat daerah yang Renstra-nya memuat TPPO"
    )
    note = models.TextField("catatan", blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "rencana aksi daerah"
        verbose_name_plural = "rencana aksi daerah"
        ordering = ["region_id", "-period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="rad_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start}–{self.period_end})"


class RadActivity(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField("kegiatan", max_length=300)
    sub_gt = code_fk("sub_gt", "sub gugus tugas", null=True, blank=True)
    indicator = models.CharField("indikator", max_length=300, blank=True)
    unit = models.CharField("satuan", max_length=60, blank=True)
    responsible = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name="organisasi penanggung jawab"
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "sort", "created_at"]


class RadActivityYear(Versioned):
    """Target and realisation of one activity in one year of the plan."""

    activity = models.ForeignKey(RadActivity, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("tahun")
    target = models.DecimalField("target", max_digits=16, decimal_places=2, null=True, blank=True)
    realisation = models.DecimalField("realisasi", max_digits=16, decimal_places=2, null=True, blank=True)
    note = models.CharField("catatan", max_length=300, blank=True)

    class Meta:
        ordering = ["activity", "year"]
        constraints = [models.UniqueConstraint(fields=["activity", "year"], name="rad_activity_year_unique")]


# ---------------------------------------------------------------------------------------------
# 3. Budgets


class BudgetLine(Versioned):
    """Allocated and realised Rupiah for one region, year, source and programme area."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = _region_fk()
    year = models.PositiveSmallIntegerField("tahun anggaran")
    source = code_fk("budget_source", "sumber dana")
    programme = code_fk("budget_programme", "program")
    agency = _org_fk("perangkat daerah / instansi", null=True, blank=True)
    allocated = models.DecimalField("pagu (Rp)", **MONEY)
    realised = models.DecimalField("realisasi (Rp)", null=True, blank=True, **MONEY)
    note = models.TextField("catatan", blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "anggaran"
        verbose_name_plural = "anggaran"
        ordering = ["region_id", "-year", "programme_id", "source_id"]
        indexes = [models.Index(fields=["region", "year"]), models.Index(fields=["year", "programme"])]
        constraints = [
            models.CheckConstraint(condition=Q(allocated__gte=0), name="budget_allocated_not_negative"),
            models.CheckConstraint(
                condition=Q(realised__isnull=True) | Q(realised__gte=0), name="budget_realised_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(realised__isnull=True) | Q(realised__lte=F("allocated")) | ~Q(note=""),
                name="budget_overspend_needs_note",
            ),
        ]


# ---------------------------------------------------------------------------------------------
# 4. Service units, staff counts, trainings


class UnitProfile(Versioned):
    """Registry-side facts about a service unit or safe house (never its location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="unit_profile")
    beds = models.PositiveIntegerField("tempat tidur", null=True, blank=True)
    beds_children = models.PositiveIntegerField("tempat tidur khusus anak", null=True, blank=True)
    counselling_room = models.BooleanField("ruang konseling", default=False)
    medical_room = models.BooleanField("ruang medis", default=False)
    child_friendly_room = models.BooleanField("ruang ramah anak", default=False)
    disability_access = models.BooleanField("akses disabilitas", default=False)
    open_24h = models.BooleanField("layanan 24 jam", default=False)
    vehicle = models.BooleanField("kendaraan operasional", default=False)
    facilities_note = models.TextField("fasilitas lain", blank=True)
    as_of = models.DateField("data per tanggal")

    class Meta:
        verbose_name = "profil unit"
        verbose_name_plural = "profil unit"


# Organisation types that are not service units (no beds, no staff counts in the registry).
NON_UNIT_TYPES = {
    "gt_secretariat",
    "other",
    "mofa_mission",
    "foreign_embassy",
    "dinas_pppa",
    "dinkes",
    "disnaker",
    "bp2mi",
    "immigration",
}

FACILITY_FIELDS = [
    "counselling_room",
    "medical_room",
    "child_friendly_room",
    "disability_access",
    "open_24h",
    "vehicle",
]


class StaffCount(Versioned):
    """How many staff of one function a unit has in a year, and how many of them are trained."""

    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", verbose_name="unit")
    year = models.PositiveSmallIntegerField("tahun")
    function = code_fk("staff_function", "fungsi")
    total = models.PositiveIntegerField("jumlah")
    trained = models.PositiveIntegerField("terlatih TPPO")

    class Meta:
        ordering = ["unit", "-year", "function_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "function"], name="staff_count_unique"),
            models.CheckConstraint(condition=Q(trained__lte=F("total")), name="staff_trained_le_total"),
        ]


class Training(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField("judul", max_length=300)
    topic = code_fk("training_topic", "topik")
    start_date = models.DateField("tanggal mulai")
    end_date = models.DateField("tanggal selesai", null=True, blank=True)
    region = _region_fk()
    organiser = _org_fk("penyelenggara", null=True, blank=True)
    organiser_name = models.CharField("penyelenggara (jika bukan organisasi terdaftar)", max_length=200, blank=True)
    note = models.TextField("catatan", blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "pelatihan"
        verbose_name_plural = "pelatihan"
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["region", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="training_dates_ordered"
            ),
        ]

    @property
    def organiser_label(self) -> str:
        return self.organiser.name if self.organiser_id else self.organiser_name


class TrainingParticipants(models.Model):
    """Participants of a training from one kind of agency (and optionally one organisation), by sex."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participants")
    agency_type = code_fk("org_type", "jenis instansi")
    organisation = _org_fk("instansi", null=True, blank=True)
    female = models.PositiveIntegerField("perempuan", default=0)
    male = models.PositiveIntegerField("laki-laki", default=0)

    class Meta:
        ordering = ["training", "agency_type_id"]

    @property
    def total(self) -> int:
        return self.female + self.male


# ---------------------------------------------------------------------------------------------
# 5. Local regulations


class RegulationStatus(models.TextChoices):
    DRAFTING = "drafting", "Rancangan"
    ENACTED = "enacted", "Berlaku"
    AMENDED = "amended", "Berlaku dengan perubahan"
    REVOKED = "revoked", "Dicabut"


class Regulation(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = _region_fk()
    reg_type = code_fk("regulation_type", "jenis")
    number = models.CharField("nomor", max_length=60)
    year = models.PositiveSmallIntegerField("tahun")
    title = models.CharField("judul", max_length=400)
    status = models.CharField(
        "status", max_length=10, choices=RegulationStatus.choices, default=RegulationStatus.ENACTED
    )
    note = models.TextField("catatan", blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "peraturan daerah"
        verbose_name_plural = "peraturan daerah"
        ordering = ["region_id", "-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["region", "reg_type", "number", "year"], name="regulation_unique"),
        ]


# ---------------------------------------------------------------------------------------------
# 6. Prevention activities


class Audience(models.TextChoices):
    STUDENTS = "students", "Pelajar/mahasiswa"
    PROSPECTIVE_MIGRANTS = "prospective_migrants", "Calon pekerja migran"
    MIGRANT_FAMILIES = "migrant_families", "Keluarga pekerja migran"
    PARENTS = "parents", "Orang tua"
    VILLAGE_OFFICIALS = "village_officials", "Aparat desa/kelurahan"
    COMMUNITY_LEADERS = "community_leaders", "Tokoh agama/masyarakat"
    GENERAL_PUBLIC = "general_public", "Masyarakat umum"
    OTHER = "other", "Lainnya"


AGE_GROUPS = [("0_17", "Anak (0–17)"), ("18_24", "Muda (18–24)"), ("25_59", "Dewasa (25–59)"), ("60", "Lansia (60+)")]
SEXES = [("female", "Perempuan"), ("male", "Laki-laki")]
REACH_FIELDS = [f"{sex}_{age}" for sex, _ in SEXES for age, _ in AGE_GROUPS]


def _reach(sex_label: str, age_label: str):
    return models.PositiveIntegerField(f"{sex_label}, {age_label}", default=0)


class PreventionActivity(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    date = models.DateField("tanggal")
    region = _region_fk()
    organiser = _org_fk("penyelenggara", null=True, blank=True)
    organiser_name = models.CharField("penyelenggara (jika bukan organisasi terdaftar)", max_length=200, blank=True)
    kind = code_fk("prevention_kind", "jenis kegiatan")
    title = models.CharField("judul", max_length=300)
    audience = models.CharField("sasaran", max_length=24, choices=Audience.choices)
    audience_note = models.CharField("keterangan sasaran", max_length=200, blank=True)
    female_0_17 = _reach("Perempuan", "0–17")
    female_18_24 = _reach("Perempuan", "18–24")
    female_25_59 = _reach("Perempuan", "25–59")
    female_60 = _reach("Perempuan", "60+")
    male_0_17 = _reach("Laki-laki", "0–17")
    male_18_24 = _reach("Laki-laki", "18–24")
    male_25_59 = _reach("Laki-laki", "25–59")
    male_60 = _reach("Laki-laki", "60+")
    media_audience = models.PositiveIntegerField("perkiraan khalayak media (tidak terpilah)", null=True, blank=True)
    note = models.TextField("catatan", blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "kegiatan pencegahan"
        verbose_name_plural = "kegiatan pencegahan"
        ordering = ["-date"]
        indexes = [models.Index(fields=["region", "date"])]

    @property
    def reached_total(self) -> int:
        return sum(getattr(self, f) for f in REACH_FIELDS)

    @property
    def organiser_label(self) -> str:
        return self.organiser.name if self.organiser_id else self.organiser_name


# ---------------------------------------------------------------------------------------------
# 7. Best practices


class BestPractice(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField("judul", max_length=300)
    what = models.TextField("apa yang dilakukan")
    region = _region_fk("wilayah asal")
    organisation = _org_fk("pelaksana (organisasi)", null=True, blank=True)
    who = models.CharField("pelaksana (uraian)", max_length=300, blank=True)
    evidence = models.TextField("bukti hasil")
    evidence_url = models.URLField("tautan bukti", blank=True)
    started_year = models.PositiveSmallIntegerField("tahun mulai", null=True, blank=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "praktik baik"
        verbose_name_plural = "praktik baik"
        ordering = ["title"]


class Replication(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(BestPractice, on_delete=models.CASCADE, related_name="replications")
    region = _region_fk("wilayah yang mereplikasi")
    organisation = _org_fk("pelaksana", null=True, blank=True)
    year = models.PositiveSmallIntegerField("tahun")
    note = models.TextField("catatan", blank=True)

    class Meta:
        ordering = ["year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["practice", "region"], name="replication_unique")]
