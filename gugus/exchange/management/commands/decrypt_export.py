"""Decrypt an export encrypted with a password: `gugus decrypt_export IN.enc OUT`."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from gugus.exchange.crypto import decrypt_stream


class Command(BaseCommand):
    help = "Membuka berkas ekspor terenkripsi (format OpenSSL enc, AES-256-CBC, PBKDF2-SHA256)."

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("target")
        parser.add_argument("--iter", type=int, default=None, help="Jumlah iterasi PBKDF2 (bawaan: pengaturan server).")

    def handle(self, *args, source, target, iter=None, **opts):
        password = getpass.getpass("Kata sandi ekspor: ")
        try:
            with open(source, "rb") as src, open(target, "wb") as dst:
                decrypt_stream(src, dst, password, iters=iter)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Tersimpan: {target}")
