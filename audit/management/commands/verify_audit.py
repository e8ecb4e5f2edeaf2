from django.core.management.base import BaseCommand, CommandError

from audit.services import verify


class Command(BaseCommand):
    help = "Verify the audit hash chain; exit non-zero on any edit, deletion or reordering."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(f"audit chain broken after {result.count} good events: {result.problem}")
        self.stdout.write(f"audit chain intact: {result.count} events")
