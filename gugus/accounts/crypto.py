"""Field encryption (Fernet, with key rotation) and keyed hashes for exact search.

The HMAC key is kept apart from the encryption keys: a leaked hash column reveals nothing
without it, and search never needs to decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        # Never echo the ciphertext or anything derived from it.
        raise ValueError("Data terenkripsi tidak dapat dibuka (kunci salah atau data rusak).")


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value, separated by purpose so equal values in different
    fields do not match each other."""
    key = settings.IDENTITY_HASH_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python sees plain text. Empty stays empty (no ciphertext)."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "gugus.accounts.crypto.EncryptedTextField", args, kwargs
