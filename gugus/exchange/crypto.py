"""Password encryption of exports that carry identities.

The format is OpenSSL's `enc` format (`Salted__` + 8-byte salt, AES-256-CBC, PKCS#7 padding,
key and IV from PBKDF2-HMAC-SHA256), so a recipient decrypts with the standard tool, no Gugus
needed:

    openssl enc -d -aes-256-cbc -pbkdf2 -iter 600000 -md sha256 -in kasus.csv.enc -out kasus.csv

or with `gugus decrypt_export kasus.csv.enc kasus.csv`. Built on `cryptography` (already a
dependency); streams, so a large export is never held in memory.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core.exceptions import ValidationError

MAGIC = b"Salted__"
DEFAULT_ITERATIONS = 600_000
MIN_PASSWORD = 12


def iterations() -> int:
    return int(getattr(settings, "GUGUS_EXPORT_KDF_ITERATIONS", DEFAULT_ITERATIONS))


def decrypt_command(filename: str = "berkas.enc") -> str:
    out = filename[:-4] if filename.endswith(".enc") else filename + ".dec"
    return f"openssl enc -d -aes-256-cbc -pbkdf2 -iter {iterations()} -md sha256 -in {filename} -out {out}"


def check_password(password: str, confirm: str | None = None) -> str:
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise ValidationError({"password": f"Kata sandi ekspor minimal {MIN_PASSWORD} karakter."})
    if len(set(password)) < 5:
        raise ValidationError({"password": "Kata sandi ekspor terlalu sederhana."})
    if confirm is not None and confirm != password:
        raise ValidationError({"password_confirm": "Konfirmasi kata sandi tidak sama."})
    return password


def _derive(password: str, salt: bytes, iters: int) -> tuple[bytes, bytes]:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=48, salt=salt, iterations=iters)
    km = kdf.derive(password.encode("utf-8"))
    return km[:32], km[32:]


class OpenSSLEncryptor:
    def __init__(self, password: str, *, iters: int | None = None):
        salt = os.urandom(8)
        key, iv = _derive(password, salt, iters or iterations())
        self._enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        self._pad = padding.PKCS7(128).padder()
        self.header = MAGIC + salt

    def update(self, data: bytes) -> bytes:
        return self._enc.update(self._pad.update(data))

    def finalize(self) -> bytes:
        return self._enc.update(self._pad.finalize()) + self._enc.finalize()


def decrypt_stream(src, dst, password: str, *, iters: int | None = None, chunk: int = 1024 * 1024) -> None:
    head = src.read(16)
    if len(head) != 16 or not head.startswith(MAGIC):
        raise ValueError("Bukan berkas ekspor terenkripsi Gugus/OpenSSL.")
    key, iv = _derive(password, head[8:], iters or iterations())
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpad = padding.PKCS7(128).unpadder()
    while True:
        data = src.read(chunk)
        if not data:
            break
        dst.write(unpad.update(dec.update(data)))
    try:
        dst.write(unpad.update(dec.finalize()) + unpad.finalize())
    except ValueError:
        raise ValueError("Kata sandi salah atau berkas rusak.")


def decrypt_bytes(blob: bytes, password: str, *, iters: int | None = None) -> bytes:
    import io

    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, password, iters=iters)
    return out.getvalue()
