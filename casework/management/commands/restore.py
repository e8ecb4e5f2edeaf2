"""Load a backup archive into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.services import record
from casework import backups


class Command(BaseCommand):
    help = (
        "Load a backup archive (manage.py backup) into the database DATABASE_URL names, which must hold no "
        "data: a new, empty database. Refuses, changing nothing, when any Harbor table has a row. "
        "docs/operations.md, “Restoring”."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a harbor-backup-….tar.gz file")

    def handle(self, *args, archive, **options):
        try:
            done = backups.restore(Path(archive))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        record("manage.py restore", "backup.restored", done.archive.name)
        self.stdout.write(f"Restored {done.archive.name} (made {done.created_at}).")
        for line in done.files:
            self.stdout.write(f"  {line}")
        if done.pending_migrations:
            self.stdout.write(
                f"The backup is older than this Harbor: run `manage.py migrate` now "
                f"({len(done.pending_migrations)} migrations to apply)."
            )
        self.stdout.write(
            "Next: `manage.py verify_audit`, then start Harbor. Receipts open only with the same "
            "HARBOR_RECEIPT_PEPPER; staff log in with their own passwords."
        )
