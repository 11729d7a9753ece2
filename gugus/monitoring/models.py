"""Monitoring and evaluation: data elements, indicators (as data), the analytics store, month
closings (reporting completeness), composite indices and context data.

Concepts follow DHIS2: a *data element* is a number computed from the records (with an
aggregation type and disaggregation categories); an *indicator* is numerator ÷ denominator ×
factor over data elements; the *analytics store* keeps data-element values precomputed per
kab/kota × month × disaggregation so every roll-up is a sum.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gugus.core.versioning import Versioned
from gugus.reference.models import Region


class DataElement(models.Model):
    """A number computed from the records. Defined in code (gugus/monitoring/elements/), mirrored
    here so formulas, the catalogue and the API can refer to it."""

    class TimeAggregation(models.TextChoices):
        SUM = "sum", "Jumlah dalam periode (arus)"
        CUMULATIVE = "cumulative", "Posisi akhir periode (stok)"

    class Grain(models.TextChoices):
        MONTH = "month", "Bulanan"
        YEAR = "year", "Tahunan"
        NONE = "none", "Tetap (tanpa periode)"

    code = models.SlugField("kode", max_length=60, primary_key=True)
    name_id = models.CharField("nama", max_length=160)
    name_en = models.CharField("nama (Inggris)", max_length=160)
    description = models.TextField("definisi", blank=True)
    source = models.CharField("sumber", max_length=20)
    unit = models.CharField("satuan", max_length=20, default="count")
    time_aggregation = models.CharField(
        "agregasi waktu", max_length=12, choices=TimeAggregation.choices, default=TimeAggregation.SUM
    )
    grain = models.CharField("rincian waktu", max_length=6, choices=Grain.choices, default=Grain.MONTH)
    region_basis = models.CharField("dasar wilayah", max_length=200, blank=True)
    # [{"category": "sex", "label": "...", "options": [["female", "Perempuan"], ...], "multi": false}]
    disaggregations = models.JSONField("rincian", default=list, blank=True)
    distinct_persons = models.BooleanField("menghitung orang (tanpa ganda)", default=False)
    available = models.BooleanField("tersedia", default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "elemen data"
        verbose_name_plural = "elemen data"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name_id}"

    def categories(self) -> dict[str, set[str]]:
        return {d["category"]: {o[0] for o in d["options"]} for d in self.disaggregations}


class Indicator(Versioned):
    class PeriodType(models.TextChoices):
        MONTH = "month", "Bulanan"
        QUARTER = "quarter", "Triwulanan"
        YEAR = "year", "Tahunan"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Makin tinggi makin baik"
        LOWER = "lower", "Makin rendah makin baik"
        NEUTRAL = "neutral", "Netral (pemantauan)"

    class Origin(models.TextChoices):
        SHIPPED = "shipped", "Bawaan sistem"
        USER = "user", "Ditambahkan pengguna"

    code = models.SlugField("kode", max_length=60, unique=True)
    name_id = models.CharField("nama", max_length=200)
    name_en = models.CharField("nama (Inggris)", max_length=200)
    definition = models.TextField("definisi")
    definition_en = models.TextField("definisi (Inggris)", blank=True)
    group = models.CharField("kelompok", max_length=40, blank=True)
    numerator = models.CharField("pembilang (rumus)", max_length=500)
    numerator_label = models.CharField("keterangan pembilang", max_length=200, blank=True)
    denominator = models.CharField("penyebut (rumus)", max_length=500, default="1")
    denominator_label = models.CharField("keterangan penyebut", max_length=200, blank=True)
    factor = models.DecimalField(
        "faktor", max_digits=12, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_label = models.CharField("satuan", max_length=40, blank=True)
    period_type = models.CharField("jenis periode", max_length=8, choices=PeriodType.choices, default=PeriodType.YEAR)
    direction = models.CharField("arah", max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    min_value = models.DecimalField("nilai minimum", max_digits=16, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField("nilai maksimum", max_digits=16, decimal_places=2, null=True, blank=True)
    decimals = models.PositiveSmallIntegerField("desimal", default=1, validators=[MaxValueValidator(4)])
    legal_basis = models.CharField("dasar hukum", max_length=200, blank=True)
    origin = models.CharField("asal", max_length=8, choices=Origin.choices, default=Origin.USER)
    shipped_version = models.CharField("versi bawaan", max_length=20, blank=True)
    active = models.BooleanField("aktif", default=True)
    sort = models.PositiveSmallIntegerField("urutan", default=500)

    class Meta:
        verbose_name = "indikator"
        verbose_name_plural = "indikator"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name_id}"

    @property
    def is_percent(self) -> bool:
        return self.factor == 100

    def display_name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") and self.name_en else self.name_id


class IndicatorTarget(Versioned):
    """A target for one year; `region` empty = the national default for every region."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("tahun")
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah"
    )
    value = models.DecimalField("target", max_digits=16, decimal_places=2, null=True, blank=True)
    note = models.CharField("catatan/sumber", max_length=200, blank=True)

    class Meta:
        verbose_name = "target indikator"
        verbose_name_plural = "target indikator"
        ordering = ["indicator", "year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "region"], name="indicator_target_unique"),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=models.Q(region__isnull=True),
                name="indicator_target_national_unique",
            ),
        ]


class AnalyticsGeneration(models.Model):
    """One full computation of the analytics store. Exactly one is `active`. The values live in
    one of two physical tables (slots A and B): a rebuild fills the slot the active generation
    does not use (indexes dropped while loading, built after), then one transaction makes it
    active — DHIS2's analytics_temp table swap, without renaming tables."""

    class Status(models.TextChoices):
        BUILDING = "building", "Sedang dibangun"
        ACTIVE = "active", "Aktif"
        RETIRED = "retired", "Diganti"
        FAILED = "failed", "Gagal"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING, db_index=True)
    slot = models.CharField(max_length=1, default="a")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveBigIntegerField(default=0)
    data_version = models.PositiveIntegerField(default=0)  # +1 on every incremental refresh (cache key)
    seconds = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]


class AnalyticsValueBase(models.Model):
    """One precomputed value: element × analytics region (kab/kota, or the record's own level when
    it has no kab/kota) × period key × disaggregation option. Every roll-up is a SUM of these."""

    id = models.BigAutoField(primary_key=True)
    element = models.CharField(max_length=60)
    region = models.CharField(max_length=13)
    province = models.CharField(max_length=2)
    period = models.IntegerField()  # yyyymm; yyyy00 for per-year values; 0 for values without period
    disagg = models.CharField(max_length=80, default="")  # "" = total; "category:option"
    value = models.FloatField()

    class Meta:
        abstract = True


class AnalyticsValueA(AnalyticsValueBase):
    class Meta:
        db_table = "monitoring_av_a"
        # One index: every read names its regions (a kab/kota, the roll-up rows, or the list of
        # analytics regions), and a rebuild builds one index instead of two.
        indexes = [models.Index(fields=["region", "element", "period"], name="mon_av_a_region")]


class AnalyticsValueB(AnalyticsValueBase):
    class Meta:
        db_table = "monitoring_av_b"
        # One index: every read names its regions (a kab/kota, the roll-up rows, or the list of
        # analytics regions), and a rebuild builds one index instead of two.
        indexes = [models.Index(fields=["region", "element", "period"], name="mon_av_b_region")]


SLOTS = {"a": AnalyticsValueA, "b": AnalyticsValueB}


class RefreshRequest(models.Model):
    """A kab/kota × month (or a whole region, month 0) whose values must be recomputed.
    Kept after processing so a rebuild that ran meanwhile can replay it into its generation."""

    region = models.CharField(max_length=13)
    month = models.IntegerField(default=0)
    kind = models.CharField(max_length=40, blank=True)
    requested_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "region", "month"], name="mon_refresh_pending")]


class ReportingPolicy(Versioned):
    """Settings of monitoring, stored as data (one row). Edited by the national secretariat."""

    closing_due_day = models.PositiveSmallIntegerField(
        "batas penutupan (tanggal bulan berikutnya)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    closing_start = models.CharField("bulan pertama yang wajib ditutup", max_length=7, default="2025-01")
    warning_element = models.CharField("elemen peringatan dini", max_length=60, default="victims_identified")
    warning_window = models.PositiveSmallIntegerField(
        "jendela (bulan)", default=12, validators=[MinValueValidator(3), MaxValueValidator(36)]
    )
    warning_sd = models.DecimalField(
        "ambang simpangan baku",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("5"))],
    )
    warning_min_count = models.PositiveSmallIntegerField(
        "jumlah minimum", default=5, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )

    class Meta:
        verbose_name = "kebijakan pelaporan"
        verbose_name_plural = "kebijakan pelaporan"


class MonthClosing(Versioned):
    """A kab/kota secretariat confirms a month's data ("no new cases" included), so that silence
    is distinguishable from zero."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="kabupaten/kota")
    month = models.IntegerField("bulan (yyyymm)")
    closed_at = models.DateTimeField("ditutup pada")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField("batas waktu")
    on_time = models.BooleanField("tepat waktu")
    cases_count = models.PositiveIntegerField("kasus baru saat ditutup", default=0)
    no_new_cases = models.BooleanField("nihil (tidak ada kasus baru)", default=False)
    note = models.CharField("catatan", max_length=300, blank=True)
    reopened_at = models.DateTimeField("dibuka kembali pada", null=True, blank=True)
    reopen_reason = models.CharField("alasan dibuka kembali", max_length=300, blank=True)

    class Meta:
        verbose_name = "penutupan bulan"
        verbose_name_plural = "penutupan bulan"
        ordering = ["-month", "region"]
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="month_closing_unique")]
        indexes = [models.Index(fields=["month", "region"])]


class ContextSeries(models.Model):
    """A series of context data imported from outside (BPS, BP2MI…): e.g. poverty rate."""

    class Kind(models.TextChoices):
        COUNT = "count", "Jumlah"
        RATE = "rate", "Rasio/persentase"

    code = models.SlugField("kode", max_length=60, primary_key=True)
    name_id = models.CharField("nama", max_length=160)
    name_en = models.CharField("nama (Inggris)", max_length=160)
    kind = models.CharField("jenis", max_length=6, choices=Kind.choices, default=Kind.COUNT)
    unit = models.CharField("satuan", max_length=40, blank=True)
    source = models.CharField("sumber", max_length=200, blank=True)
    description = models.TextField("keterangan", blank=True)
    min_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = "seri data konteks"
        verbose_name_plural = "seri data konteks"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_id


class ContextValue(models.Model):
    series = models.ForeignKey(ContextSeries, on_delete=models.CASCADE, related_name="values")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun")
    value = models.DecimalField("nilai", max_digits=18, decimal_places=4)
    source_note = models.CharField("sumber", max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = "nilai data konteks"
        verbose_name_plural = "nilai data konteks"
        constraints = [models.UniqueConstraint(fields=["series", "region", "year"], name="context_value_unique")]


class CompositeIndex(Versioned):
    """A weighted composite of components (indicators or context series), weights as data."""

    code = models.SlugField("kode", max_length=40, unique=True)
    name_id = models.CharField("nama", max_length=160)
    name_en = models.CharField("nama (Inggris)", max_length=160)
    method = models.TextField("metode")
    higher_is = models.CharField("nilai tinggi berarti", max_length=60, default="lebih baik")
    shipped_version = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = "indeks komposit"
        verbose_name_plural = "indeks komposit"

    def __str__(self) -> str:
        return self.name_id


class IndexComponent(models.Model):
    class Normalisation(models.TextChoices):
        PERCENT = "percent", "Nilai persen apa adanya (0–100)"
        MINMAX = "minmax", "Min–maks antar-wilayah yang dibandingkan"

    index = models.ForeignKey(CompositeIndex, on_delete=models.CASCADE, related_name="components")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=160)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    context_series = models.ForeignKey(ContextSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    context_per_100k = models.BooleanField("dibagi penduduk (per 100.000)", default=False)
    years = models.PositiveSmallIntegerField(
        "jendela tahun", default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    weight = models.DecimalField(
        "bobot",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    invert = models.BooleanField("dibalik (nilai tinggi menurunkan indeks)", default=False)
    normalisation = models.CharField(max_length=8, choices=Normalisation.choices, default=Normalisation.MINMAX)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["index", "sort", "key"]
        constraints = [models.UniqueConstraint(fields=["index", "key"], name="index_component_unique")]
