import os

from django.core.management.base import BaseCommand

from gugus.accounts.demo import DEMO_USERS


class Command(BaseCommand):
    help = "Cetak akun demo."

    def handle(self, *args, **opts):
        pw = os.environ.get("GUGUS_DEMO_PASSWORD", "demo")
        self.stdout.write("")
        self.stdout.write("Gugus berjalan di http://127.0.0.1:8000  (data demo SINTETIS)")
        self.stdout.write(f"Akun demo (kata sandi: {pw}):")
        for username, _org, role, desc in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role:<16} {desc}")
        self.stdout.write("Peran yang dapat melihat identitas wajib verifikasi dua langkah (TOTP): pada login")
        self.stdout.write("pertama, pindai kode QR atau masukkan kunci yang ditampilkan ke aplikasi autentikator.")
        self.stdout.write("")
