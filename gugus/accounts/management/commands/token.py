from django.core.management.base import BaseCommand, CommandError

from gugus.accounts.models import User
from gugus.accounts.services import token_create


class Command(BaseCommand):
    help = "Cetak token API baru untuk USERNAME (hanya hash-nya yang disimpan)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna '{opts['username']}' tidak ditemukan atau tidak aktif.")
        _, clear = token_create(actor=user, user=user, name=opts["name"])
        self.stdout.write(clear)
