"""Spreadsheet imports: the batch (one uploaded file), its rows (validated, values encrypted) and
the external-id records that make re-imports idempotent and imports undoable."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from gugus.accounts.crypto import EncryptedTextField
from gugus.accounts.models import Organisation


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Diunggah"
    VALIDATING = "validating", "Sedang diperiksa"
    VALIDATED = "validated", "Sudah diperiksa"
    REJECTED = "rejected", "Ditolak"
    COMMITTING = "committing", "Sedang disimpan"
    COMMITTED = "committed", "Tersimpan"
    FAILED = "failed", "Gagal disimpan (tidak ada yang tersimpan)"
    CANCELLED = "cancelled", "Dibatalkan sebelum disimpan"
    UNDOING = "undoing", "Sedang dibatalkan"
    UNDONE = "undone", "Impor dibatalkan"


class CommitMode(models.TextChoices):
    VALID_ONLY = "valid_only", "Simpan baris yang valid saja"
    ALL_OR_NOTHING = "all_or_nothing", "Semua atau tidak sama sekali"


class ImportBatch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("jenis data", max_length=20)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="atas nama organisasi"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("nama berkas", max_length=200)
    file_format = models.CharField(max_length=8, blank=True)  # xlsx | csv
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED, db_index=True)
    message = models.CharField("pesan", max_length=500, blank=True)  # never carries cell values
    warnings = models.JSONField(default=list)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    header = models.JSONField(default=list)  # header texts as found (for the error sheet)
    mapping = models.JSONField(default=dict)  # column index (str) -> field key
    unknown_columns = models.JSONField(default=list)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_already = models.PositiveIntegerField("sudah pernah diimpor", default=0)
    rows_committed = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    commit_mode = models.CharField(max_length=16, choices=CommitMode.choices, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "impor berkas"
        verbose_name_plural = "impor berkas"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"Impor {self.kind} {str(self.id)[:8]}"

    @property
    def running(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED,
            ImportStatus.VALIDATING,
            ImportStatus.COMMITTING,
            ImportStatus.UNDOING,
        )

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class ImportUpload(models.Model):
    """The uploaded file, encrypted (Fernet, the identity keys), kept in the database so any
    worker can read it; deleted as soon as it has been validated."""

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, primary_key=True, related_name="upload")
    data = models.BinaryField()


class RowStatus(models.TextChoices):
    VALID = "valid", "Valid"
    INVALID = "invalid", "Tidak valid"
    ALREADY = "already", "Sudah pernah diimpor"
    COMMITTED = "committed", "Tersimpan"
    FAILED = "failed", "Gagal disimpan"
    SKIPPED = "skipped", "Dilewati"
    UNDONE = "undone", "Dibatalkan"
    KEPT = "kept", "Dipertahankan saat impor dibatalkan"


class ImportRow(models.Model):
    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField("baris")
    external_id = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=RowStatus.choices)
    errors = models.JSONField(default=dict)  # column label -> [messages]; never identity values
    # The row's cells as the user wrote them, encrypted (they may hold identities).
    raw = EncryptedTextField(default="")
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "status", "row_number"])]


class ImportRecord(models.Model):
    """External id -> the record an import created. One live record per (kind, organisation, id):
    a second import of the same row finds it and creates nothing."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(max_length=200)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organisation", "external_id"],
                condition=Q(undone_at__isnull=True),
                name="import_record_live_unique",
            ),
        ]
        indexes = [models.Index(fields=["batch", "row_number"])]
