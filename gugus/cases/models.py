"""The victim (pseudonymous), the identity (encrypted, its own table), the case and what hangs on it.

Every other table refers to the victim or case by UUID only. Identity fields are encrypted at
rest; exact search uses keyed hashes stored beside the ciphertext (see docs/data-model.md).
Modelled on HTCDS v2.0 (vic_, cas_, hte_, per_) and the CTDC variables so exports are mappings.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gugus.accounts.crypto import EncryptedTextField
from gugus.accounts.models import Organisation
from gugus.core.versioning import Versioned
from gugus.reference.models import Code, Country, Region


def code_fk(list_key: str, verbose: str, **kw):
    return models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        limit_choices_to={"code_list": list_key},
        verbose_name=verbose,
        related_name="+",
        **kw,
    )


class Victim(Versioned):
    """A person identified as a (possible) victim. No direct identifier lives here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sex = code_fk("sex", "jenis kelamin")
    birth_year = models.PositiveSmallIntegerField("tahun lahir", null=True, blank=True)
    age_estimated = models.BooleanField("usia perkiraan", default=False)
    citizenship_status = code_fk("citizenship_status", "kewarganegaraan", default="citizenship_status.wni")
    citizenship = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="negara kewarganegaraan",
    )
    disability = code_fk("disability", "disabilitas", null=True, blank=True)
    education = code_fk("education", "pendidikan", null=True, blank=True)
    occupation = code_fk("occupation", "pekerjaan", null=True, blank=True)
    domicile_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah domisili"
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name="digabung ke",
        db_index=False,  # see the partial index below
    )
    is_demo = models.BooleanField("data demo (sintetis)", default=False)

    class Meta:
        verbose_name = "korban"
        verbose_name_plural = "korban"
        indexes = [
            models.Index(fields=["birth_year"]),
            # Merged records are few: a partial index keeps them cheap to find. A plain index on a
            # column that is NULL for nearly every row makes SQLite's statistics call it useless
            # (ANALYZE counts the NULLs as one value), and the duplicate check then scanned the
            # whole table. Queries say `merged_into__isnull=False` so the index applies.
            models.Index(fields=["merged_into"], name="cases_victim_merged", condition=Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Korban {str(self.id)[:8]}"

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class Identity(models.Model):
    """The locked room: everything that identifies the person. Encrypted; reading it is audited."""

    victim = models.OneToOneField(Victim, on_delete=models.CASCADE, primary_key=True, related_name="identity")
    full_name = EncryptedTextField("nama lengkap", blank=True, default="")
    aliases = EncryptedTextField("nama lain (dipisah baris)", blank=True, default="")
    nik = EncryptedTextField("NIK", blank=True, default="")
    birth_date = EncryptedTextField("tanggal lahir", blank=True, default="")
    phone = EncryptedTextField("telepon", blank=True, default="")
    address = EncryptedTextField("alamat", blank=True, default="")
    guardian_name = EncryptedTextField("nama wali", blank=True, default="")
    guardian_phone = EncryptedTextField("telepon wali", blank=True, default="")
    guardian_relation = models.CharField("hubungan wali", max_length=60, blank=True)
    # Foreign victims: passport or other travel/identity document number.
    document_number = EncryptedTextField("nomor paspor/dokumen", blank=True, default="")
    # Keyed hashes for exact search (HMAC; key kept apart from the encryption keys).
    nik_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    document_hash = models.CharField(max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "identitas"
        verbose_name_plural = "identitas"


class NameToken(models.Model):
    """Keyed hash of one normalised name token (exact) or its phonetic key, for candidate search."""

    class Kind(models.TextChoices):
        EXACT = "e", "exact"
        PHONETIC = "p", "phonetic"

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="name_tokens")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    token_hash = models.CharField(max_length=64)
    # Copied from the victim so candidate search filters on the index alone (± years).
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["token_hash", "birth_year", "victim"], name="cases_nametoken_hash_year")]


class CodePrefix(models.Func):
    """SUBSTR(code, 1, n) with n written into the SQL, not bound as a parameter: SQLite matches a
    query expression to an expression index only when the constants are literally the same."""

    output_field = models.CharField()

    def __init__(self, expression, length: int):
        super().__init__(expression)
        self.length = int(length)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"SUBSTR({sql}, 1, {self.length})", params


def _region_prefix_indexes() -> list[models.Index]:
    out = []
    for field, f in (("region_id", "r"), ("origin_region_id", "o")):
        for size, level in ((2, "p"), (5, "k")):
            prefix = CodePrefix(field, size)
            for sort, cols in (
                ("idate", ("identification_date", "case_number")),
                ("number", ("case_number",)),
                ("updated", ("updated_at", "case_number")),
            ):
                out.append(models.Index(prefix, *(models.F(c) for c in cols), name=f"cases_case_{f}{level}_{sort}"))
    return out


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draf"
    REGISTERED = "registered", "Terdaftar"
    ASSESSED = "assessed", "Diasesmen"
    RECEIVING_SERVICES = "receiving_services", "Menerima layanan"
    REINTEGRATED = "reintegrated", "Terreintegrasi"
    CLOSED = "closed", "Ditutup"


class Case(Versioned):
    class Scope(models.TextChoices):
        DOMESTIC = "domestic", "Dalam negeri"
        TRANSNATIONAL = "transnational", "Lintas negara"

    class TraffickingStatus(models.TextChoices):
        POSSIBLE = "possible", "Diduga korban"
        ACTUAL = "actual", "Korban"
        NOT_A_VICTIM = "not_a_victim", "Bukan korban"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_number = models.CharField("nomor kasus", max_length=24, unique=True)
    victim = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="cases")
    registering_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="organisasi pendaftar"
    )
    owner_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="owned_cases", verbose_name="organisasi penanggung jawab"
    )
    # Region of the responsible organisation (where the case is handled) and of origin.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah penanganan")
    origin_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah asal"
    )
    status = models.CharField(
        "status", max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED, db_index=True
    )
    closure_reason = code_fk("closure_reason", "alasan penutupan", null=True, blank=True)
    trafficking_status = models.CharField(
        "status korban", max_length=14, choices=TraffickingStatus.choices, default=TraffickingStatus.POSSIBLE
    )
    identification_date = models.DateField("tanggal identifikasi", db_index=True)
    identification_channel = code_fk("identification_channel", "jalur identifikasi")
    age_at_identification = models.PositiveSmallIntegerField("usia saat identifikasi", null=True, blank=True)
    is_child = models.BooleanField("anak (< 18 th saat identifikasi)", default=False, db_index=True)
    scope = models.CharField("lingkup", max_length=14, choices=Scope.choices, default=Scope.DOMESTIC)
    # The exploitation codes again as "|code|code|": a list filter then needs no join or subquery per
    # row (kept by the services with the M2M below, which stays the record).
    exploitation_codes = models.CharField(max_length=400, blank=True, default="", editable=False)
    exploitation_forms = models.ManyToManyField(
        Code,
        related_name="+",
        blank=True,
        verbose_name="bentuk eksploitasi",
        limit_choices_to={"code_list": "exploitation"},
    )
    means = models.ManyToManyField(
        Code,
        related_name="+",
        blank=True,
        verbose_name="cara",
        limit_choices_to={"code_list": "means"},
        db_table="cases_case_means",
    )
    acts = models.ManyToManyField(
        Code,
        related_name="+",
        blank=True,
        verbose_name="tindakan",
        limit_choices_to={"code_list": "act"},
        db_table="cases_case_acts",
    )
    sector = code_fk("labour_sector", "sektor", null=True, blank=True)
    exploitation_start = models.DateField("mulai eksploitasi", null=True, blank=True)
    exploitation_end = models.DateField("akhir eksploitasi", null=True, blank=True)
    recruiter_relation = code_fk("recruiter_relation", "hubungan dengan perekrut", null=True, blank=True)
    recruiting_agency = models.CharField("agen/perusahaan perekrut", max_length=200, blank=True)
    destination_country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="negara tujuan eksploitasi",
    )
    narrative = EncryptedTextField("kronologi (rahasia)", blank=True, default="")
    is_draft = models.BooleanField("draf", default=False)
    is_demo = models.BooleanField("data demo (sintetis)", default=False)
    closed_at = models.DateField("tanggal ditutup", null=True, blank=True)

    class Meta:
        verbose_name = "kasus"
        verbose_name_plural = "kasus"
        ordering = ["-identification_date", "-case_number"]
        # Lists read each scope arm (owner, registrar, handling region, origin) in the default order
        # (identification date, then the unique number) straight from one of these; see selectors.
        indexes = [
            models.Index(fields=["identification_date", "case_number"], name="cases_case_idate_number"),
            models.Index(fields=["owner_org", "identification_date", "case_number"], name="cases_case_owner_idate"),
            models.Index(
                fields=["registering_org", "identification_date", "case_number"], name="cases_case_regorg_idate"
            ),
            models.Index(fields=["region", "identification_date", "case_number"], name="cases_case_region_idate"),
            models.Index(
                fields=["origin_region", "identification_date", "case_number"], name="cases_case_origin_idate"
            ),
            models.Index(fields=["status", "identification_date"], name="cases_case_status_idate"),
            models.Index(fields=["updated_at", "case_number"], name="cases_case_updated_number"),
            # The other sorts of the owner arm, and the few cases registered here but owned elsewhere.
            models.Index(fields=["owner_org", "case_number"], name="cases_case_owner_number"),
            models.Index(fields=["owner_org", "updated_at", "case_number"], name="cases_case_owner_updated"),
            models.Index(
                fields=["registering_org", "identification_date", "case_number"],
                name="cases_case_regorg_moved",
                condition=~Q(registering_org=models.F("owner_org")),
            ),
            # A province ("PP") or kab/kota ("PP.KK") scope or filter is one equality on a prefix of
            # the region code, read in each sort order from these (see selectors._list_members).
            *_region_prefix_indexes(),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(exploitation_end__isnull=True)
                | Q(exploitation_start__isnull=True)
                | Q(exploitation_end__gte=models.F("exploitation_start")),
                name="case_exploitation_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number


class CaseNumberCounter(models.Model):
    prefix = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="case_counter_unique")]


class RouteLeg(models.Model):
    """One place on the victim's route (HTCDS hte_Type): recruitment, transit, exploitation."""

    class Stage(models.TextChoices):
        RECRUITMENT = "recruitment", "Perekrutan"
        TRANSIT = "transit", "Transit"
        EXPLOITATION = "exploitation", "Eksploitasi"
        IDENTIFICATION = "identification", "Identifikasi/penyelamatan"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route")
    seq = models.PositiveSmallIntegerField("urutan")
    stage = models.CharField("tahap", max_length=14, choices=Stage.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place_note = models.CharField("keterangan tempat", max_length=200, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False) | Q(country__isnull=False), name="route_leg_has_place"
            ),
        ]


class Perpetrator(models.Model):
    """An alleged perpetrator (HTCDS per_). The name is encrypted like a victim's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    name = EncryptedTextField("nama/alias", blank=True, default="")
    role = models.CharField("peran", max_length=60, blank=True)
    sex = code_fk("sex", "jenis kelamin", null=True, blank=True)
    nationality = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    relation = code_fk("recruiter_relation", "hubungan dengan korban", null=True, blank=True)
    organisation_name = models.CharField("perusahaan/jaringan", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Consent(models.Model):
    """Who consented to what, when (UU 27/2022 Ps 20-25); for a child the guardian."""

    class GivenBy(models.TextChoices):
        VICTIM = "victim", "Korban"
        GUARDIAN = "guardian", "Orang tua/wali"

    class Method(models.TextChoices):
        WRITTEN = "written", "Tertulis"
        RECORDED = "recorded", "Terekam"
        ORAL_WITNESSED = "oral_witnessed", "Lisan dengan saksi"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = code_fk("consent_purpose", "tujuan")
    granted = models.BooleanField("disetujui")
    given_by = models.CharField("diberikan oleh", max_length=10, choices=GivenBy.choices)
    guardian_relation = models.CharField("hubungan wali", max_length=60, blank=True)
    method = models.CharField("cara", max_length=16, choices=Method.choices, default=Method.WRITTEN)
    date = models.DateField("tanggal")
    withdrawn_on = models.DateField("dicabut pada", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]


class StatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.CharField("alasan", max_length=300, blank=True)
    closure_reason = code_fk("closure_reason", "alasan penutupan", null=True, blank=True)
    # A default, not auto_now_add, so imports and the demo can carry historic dates.
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]


class CaseAccess(models.Model):
    """Access to a case granted to another organisation by a referral or a transfer.

    `service`: what the referred service needs (case summary, its own service records, and
    identity for the service provider); `full`: the new owner after a transfer; `read`: the
    former owner after a transfer keeps reading what it recorded.
    """

    class Level(models.TextChoices):
        SERVICE = "service", "Layanan yang dirujuk"
        FULL = "full", "Penuh"
        READ = "read", "Baca"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="case_access")
    level = models.CharField(max_length=8, choices=Level.choices)
    source_type = models.CharField(max_length=20)  # "referral" | "transfer"
    source_id = models.UUIDField()
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "case"])]


class CaseEvent(models.Model):
    """The case-file timeline. Every app's services append here (never identity values)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.SET_NULL, related_name="+")
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at")]


class CaseRevision(models.Model):
    """Which fields each saved version of a case file changed (names only, never values).

    A stale API edit is answered with the fields changed since the editor's version."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    fields = models.JSONField(default=list)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["case", "version"]
        indexes = [models.Index(fields=["case", "version"], name="cases_revision_case_version")]


class VictimMerge(models.Model):
    """A supervisor's merge of one victim record into another; undone by `victim_unmerge`.

    The source victim and its identity are kept (marked `merged_into`), so the merge can be
    reversed exactly: the cases it moved go back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="merges_as_source")
    target = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="merges_as_target")
    moved_case_ids = models.JSONField(default=list)
    reason = models.CharField("alasan", max_length=300, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
