"""Open-data releases (what was published, how it was protected, the privacy budget spent)
and annual report jobs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from gugus.reference.models import Region


class Release(models.Model):
    class Method(models.TextChoices):
        SUPPRESSION = "suppression", "Penyembunyian sel kecil + pelengkap"
        DP = "dp", "Privasi diferensial (OpenDP)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("judul", max_length=200)
    method = models.CharField("metode", max_length=12, choices=Method.choices, default=Method.SUPPRESSION)
    threshold = models.PositiveSmallIntegerField("ambang sel", default=11)
    # Privacy budget spent by this release's DP counts (None: no DP counts).
    epsilon = models.FloatField("ε hitungan", null=True, blank=True)
    synthetic_epsilon = models.FloatField("ε data sintetis", null=True, blank=True)
    years = models.JSONField(default=list)
    tables = models.JSONField(default=dict)  # slug -> published table (withheld cells are null)
    accounting = models.JSONField(default=dict)
    synthetic_csv = models.TextField(blank=True)
    synthetic_meta = models.JSONField(default=dict)
    published = models.BooleanField("diterbitkan", default=True)
    is_demo = models.BooleanField("data demo", default=False)

    class Meta:
        verbose_name = "rilis data terbuka"
        verbose_name_plural = "rilis data terbuka"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ReportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Menunggu"
        RUNNING = "running", "Sedang dibuat"
        DONE = "done", "Selesai"
        FAILED = "failed", "Gagal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah")
    year = models.PositiveSmallIntegerField("tahun")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    message = models.CharField(max_length=300, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    xlsx = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = "laporan tahunan"
        verbose_name_plural = "laporan tahunan"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"Laporan Tahunan {self.region_id} {self.year}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
