"""`gugus restore FILE`: bring a backup back on an empty installation of the same version."""

from django.core.management.base import BaseCommand, CommandError

from gugus.core.backup import BackupError, restore, secret_from_environment


class Command(BaseCommand):
    help = (
        "Pulihkan cadangan ke instalasi KOSONG (sudah `gugus migrate`, versi sama). Menolak basis data yang "
        "sudah berisi kecuali --force (yang MENGHAPUS isinya). Jumlah dan checksum setiap tabel diperiksa."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas cadangan")
        parser.add_argument("--passphrase-file", help="berkas berisi frasa sandi (selain GUGUS_BACKUP_KEY)")
        parser.add_argument("--force", action="store_true", help="hapus isi basis data dan folder unggahan tujuan")
        parser.add_argument("--no-verify", action="store_true", help="lewati pemeriksaan checksum setelah memuat")

    def handle(self, *args, **opts):
        try:
            secret, _ = secret_from_environment(opts.get("passphrase_file"))
            verbose = opts["verbosity"] > 1
            report = restore(
                opts["file"],
                secret=secret,
                force=opts["force"],
                verify=not opts["no_verify"],
                progress=(lambda m: self.stdout.write("  " + m)) if verbose else None,
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        from gugus.audit.services import verify_chain

        chain = verify_chain()
        self.stdout.write(
            self.style.SUCCESS(
                f"Dipulihkan: {len(report.tables)} tabel, {report.rows} baris, {len(report.files)} berkas, "
                f"{report.seconds:.1f} detik. Jumlah dan checksum setiap tabel "
                + ("cocok dengan cadangan." if report.verified else "tidak diperiksa (--no-verify).")
            )
        )
        if chain.ok:
            self.stdout.write(f"Rantai audit utuh ({chain.checked} peristiwa).")
        else:
            raise CommandError(
                f"Rantai audit TIDAK utuh setelah pemulihan: {chain.reason} (peristiwa {chain.broken_at})."
            )
