"""Optimistic locking for records users edit: `version` goes up by one on every save."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F

from .errors import Conflict


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True


def save_versioned(obj: Versioned, *, actor, expected_version: int | None, fields: list[str]) -> None:
    """Save `fields` only if the row still has `expected_version`; else raise Conflict.

    The compare-and-set runs as one UPDATE, so two concurrent editors cannot both win.
    """
    model = type(obj)
    if expected_version is None:
        expected_version = obj.version
    values = {f: getattr(obj, f) for f in fields}
    fk_values = {}
    for f in list(values):
        field = model._meta.get_field(f)
        if field.is_relation and field.many_to_one:
            fk_values[field.attname] = getattr(obj, field.attname)
            values.pop(f)
    from django.utils import timezone

    updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
        **values,
        **fk_values,
        version=F("version") + 1,
        updated_by=actor if getattr(actor, "pk", None) else None,
        updated_at=timezone.now(),
    )
    if updated != 1:
        current = model.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise Conflict(current_version=current)
    obj.version = expected_version + 1
