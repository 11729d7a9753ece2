"""`gugus indicators rebuild|refresh|pending|load|import-context|status`."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Indikator dan penyimpanan analitik: rebuild (bangun ulang penuh), refresh, pending, load, status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Bangun ulang seluruh nilai (generasi baru, ditukar secara atomik).")
        r = sub.add_parser("refresh", help="Hitung ulang satu kab/kota × bulan (bulan 0 = semua bulan).")
        r.add_argument("region")
        r.add_argument("month", nargs="?", default="0", help="2026-10 atau 0")
        sub.add_parser("pending", help="Terapkan permintaan pembaruan yang masih antre.")
        sub.add_parser("load", help="Muat indikator bawaan dan elemen data (idempoten).")
        sub.add_parser("status", help="Generasi aktif dan antrean.")
        c = sub.add_parser("import-context", help="Impor data konteks dari CSV (region,year,value).")
        c.add_argument("series")
        c.add_argument("path")
        c.add_argument("--username", required=True, help="pengguna dengan izin indicator.edit (tercatat di audit)")

    def handle(self, *args, **opts):
        from gugus.monitoring import engine
        from gugus.monitoring.loader import ensure_loaded

        action = opts["action"]
        if action == "rebuild":
            ensure_loaded()
            report = engine.rebuild_all(note="gugus indicators rebuild")
            self.stdout.write(self.style.SUCCESS(f"Selesai: {report}"))
        elif action == "refresh":
            from gugus.monitoring.periods import PeriodError, parse_period

            month = 0
            if opts["month"] not in ("0", ""):
                try:
                    p = parse_period(opts["month"])
                except PeriodError as exc:
                    raise CommandError(str(exc))
                if p.kind != "month":
                    raise CommandError("Bulan ditulis 2026-10.")
                month = p.first_month
            n = engine.refresh(opts["region"], month)
            self.stdout.write(self.style.SUCCESS(f"{n} nilai ditulis untuk {opts['region']} {opts['month']}."))
        elif action == "pending":
            self.stdout.write(f"{engine.process_pending()} sel diperbarui.")
        elif action == "load":
            from gugus.monitoring.engine import sync_elements
            from gugus.monitoring.loader import load_shipped

            self.stdout.write(f"Elemen: {sync_elements()}; bawaan: {load_shipped()}")
        elif action == "status":
            from gugus.monitoring.models import AnalyticsGeneration, RefreshRequest

            for g in AnalyticsGeneration.objects.order_by("-id")[:5]:
                self.stdout.write(
                    f"generasi {g.id}: {g.get_status_display()}, {g.rows} nilai, "
                    f"{g.seconds or 0:.1f} d, versi data {g.data_version}"
                )
            self.stdout.write(f"antrean: {RefreshRequest.objects.filter(done_at__isnull=True).count()}")
        elif action == "import-context":
            from django.core.exceptions import ValidationError

            from gugus.accounts.models import User
            from gugus.monitoring.services import context_import

            user = User.objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError("Pengguna tidak dikenal.")
            try:
                with open(opts["path"], encoding="utf-8-sig") as fh:
                    res = context_import(actor=user, series_code=opts["series"], text=fh.read())
            except (OSError, ValidationError) as exc:
                raise CommandError(str(exc))
            self.stdout.write(self.style.SUCCESS(f"{res['rows']} nilai diimpor."))
