"""`gugus backup --output FILE`: an encrypted, consistent snapshot of the database and uploads."""

from django.core.management.base import BaseCommand, CommandError

from gugus.core.backup import BackupError, backup, secret_from_environment


class Command(BaseCommand):
    help = (
        "Buat cadangan terenkripsi (basis data + berkas unggahan) selagi sistem berjalan. Kunci dari "
        "GUGUS_BACKUP_KEY atau frasa sandi (GUGUS_BACKUP_PASSPHRASE / --passphrase-file)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", required=True, help="berkas tujuan, mis. /srv/cadangan/gugus-2026-11-29.gbk"
        )
        parser.add_argument("--passphrase-file", help="berkas berisi frasa sandi (selain GUGUS_BACKUP_KEY)")
        parser.add_argument("--no-media", action="store_true", help="tanpa berkas unggahan (MEDIA_ROOT)")

    def handle(self, *args, **opts):
        from gugus.audit.services import record

        try:
            secret, kind = secret_from_environment(opts.get("passphrase_file"))
            verbose = opts["verbosity"] > 1
            report = backup(
                opts["output"],
                secret=secret,
                secret_kind=kind,
                include_media=not opts["no_media"],
                progress=(lambda m: self.stdout.write("  " + m)) if verbose else None,
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        record(
            "backup_create",
            actor=None,
            actor_label="sistem",
            object_type="backup",
            detail={
                "tables": len(report.tables),
                "rows": report.rows,
                "files": len(report.files),
                "bytes": report.bytes,
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Cadangan ditulis: {len(report.tables)} tabel, {report.rows} baris, {len(report.files)} berkas, "
                f"{report.bytes / 1e6:.1f} MB terenkripsi, {report.seconds:.1f} detik."
            )
        )
