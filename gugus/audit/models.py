"""The append-only, hash-chained audit log.

Append-only is enforced three times: the model refuses `save()` of an existing row and
`delete()`; the manager's querysets refuse `update()` and `delete()`; and the database itself
refuses UPDATE (and, on PostgreSQL, DELETE) through triggers (migration 0002). Someone with the
database owner's rights can still tamper: `gugus audit verify` then finds the first broken link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(PermissionError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Peristiwa audit tidak dapat diubah (append-only).")

    def delete(self):
        raise AppendOnlyError("Peristiwa audit tidak dapat dihapus (append-only).")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Peristiwa audit tidak dapat diubah (append-only).")


class AuditEvent(models.Model):
    at = models.DateTimeField("waktu", db_index=True)
    # PROTECT: a user who appears in the trail cannot be deleted (deactivate instead); a
    # SET_NULL would rewrite audited rows and break the hash chain.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="pelaku",
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

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "peristiwa audit"
        verbose_name_plural = "peristiwa audit"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Peristiwa audit tidak dapat diubah (append-only).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Peristiwa audit tidak dapat dihapus (append-only).")


class AuditChainHead(models.Model):
    """One row: the hash of the newest event. Locking it serialises appends to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)
