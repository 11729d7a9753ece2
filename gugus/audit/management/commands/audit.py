from django.core.management.base import BaseCommand, CommandError

from gugus.audit.services import verify_chain


class Command(BaseCommand):
    help = "Jejak audit: `gugus audit verify` memeriksa rantai hash."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **opts):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"Rantai audit utuh: {result.checked} peristiwa diperiksa.")
            return
        raise CommandError(
            f"Rantai audit RUSAK pada peristiwa #{result.broken_at}: {result.reason} "
            f"({result.checked} peristiwa sebelumnya utuh)."
        )
