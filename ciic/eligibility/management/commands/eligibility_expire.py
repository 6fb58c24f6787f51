from django.core.management.base import BaseCommand

from ciic.eligibility.tasks import verifications_expire


class Command(BaseCommand):
    help = "Record expired verifications (audit event + email to the resident). Run daily."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = verifications_expire()
        self.stdout.write(f"{count} verification(s) recorded as expired.")
