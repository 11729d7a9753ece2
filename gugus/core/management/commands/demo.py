from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gugus.core.demo import run_demo


class Command(BaseCommand):
    help = "Isi basis data dengan data demo SINTETIS (deterministik untuk satu seed). Menolak konfigurasi produksi."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--victims", type=int, default=400)

    def handle(self, *args, **opts):
        if settings.PRODUCTION:
            raise CommandError("Data demo tidak boleh dimuat ke konfigurasi produksi (GUGUS_ENV=production).")
        if opts["victims"] < 0 or opts["victims"] > 2_000_000:
            raise CommandError("--victims harus antara 0 dan 2.000.000.")
        from gugus.accounts.models import User

        if User.objects.filter(username="cw-3212").exists():
            self.stdout.write("Data demo sudah ada; tidak dimuat ulang. (Hapus var/ untuk memulai dari awal.)")
            return
        self.stdout.write(f"Memuat data demo sintetis (seed {opts['seed']}, {opts['victims']} korban)…")
        run_demo(seed=opts["seed"], victims=opts["victims"], stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Data demo selesai dimuat."))
