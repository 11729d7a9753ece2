from django.core.management.base import BaseCommand, CommandError

from gugus.reference.loader import ReferenceDataError, load_reference


class Command(BaseCommand):
    help = "Muat data referensi (wilayah, negara, daftar kode) secara idempoten."

    def add_arguments(self, parser):
        parser.add_argument("--desa", action="store_true", help="juga muat desa/kelurahan (±84.000 baris)")
        parser.add_argument(
            "--within",
            default=None,
            metavar="KODE",
            help="dengan --desa: hanya desa di bawah wilayah ini (mis. 32 atau 32.12)",
        )

    def handle(self, *args, **opts):
        try:
            report = load_reference(desa=opts["desa"], desa_within=opts["within"])
        except ReferenceDataError as exc:
            raise CommandError(str(exc))
        if report.changed:
            self.stdout.write(f"Data referensi dimuat: {report}")
        else:
            self.stdout.write("Data referensi sudah mutakhir; tidak ada perubahan.")
