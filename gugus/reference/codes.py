"""Code-list helpers: validate a code against its list, with a clear message naming the value."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import Code, code_key


def code_get(list_key: str, code: str) -> Code:
    try:
        return Code.objects.get(key=code_key(list_key, code), active=True)
    except Code.DoesNotExist:
        raise ValidationError(f"Kode '{code}' tidak ada dalam daftar '{list_key}'.", code="unknown_code")


def codes_valid(list_key: str, codes: list[str]) -> list[str]:
    """The keys for `codes`, all in `list_key`; raises ValidationError naming the first unknown."""
    keys = [code_key(list_key, c) for c in codes]
    found = set(Code.objects.filter(key__in=keys, active=True).values_list("key", flat=True))
    for c, k in zip(codes, keys, strict=True):
        if k not in found:
            raise ValidationError(f"Kode '{c}' tidak ada dalam daftar '{list_key}'.", code="unknown_code")
    return keys


def choices(list_key: str) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in Code.objects.filter(code_list_id=list_key, active=True)]
