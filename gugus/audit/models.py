"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField("waktu", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="pelaku"
    )
    actor_label = models.CharField("nama pelaku", max_length=150, blank=True)
    action = models.CharField("tindakan", max_length=60, db_index=True)
    object_type = models.CharField("jenis objek", max_length=60, blank=True)
    object_id = models.CharField("id objek", max_length=64, blank=True, db_index=True)
    organisation_id = models.UUIDField("organisasi pelaku", null=True, blank=True)
    region_code = models.CharField("wilayah", max_length=13, blank=True, db_index=True)
    ip = models.GenericIPAddressField("alamat IP", null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.JSONField("rincian", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "peristiwa audit"
        verbose_name_plural = "peristiwa audit"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Peristiwa audit tidak dapat diubah (append-only).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Peristiwa audit tidak dapat dihapus (append-only).")


class AuditChainHead(models.Model):
    """One row: the hash of the newest event. Locking it serialises appends to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)
