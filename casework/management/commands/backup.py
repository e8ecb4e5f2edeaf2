"""Write a dated backup archive; optionally delete those older than HARBOR_BACKUP_DAYS."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import record
from casework import backups


class Command(BaseCommand):
    help = (
        "Write harbor-backup-<UTC time>.tar.gz (the database and the files Harbor keeps; no secret of the "
        "environment) into HARBOR_BACKUP_DIR or --dir. --prune then deletes archives there that would be "
        "older than HARBOR_BACKUP_DAYS before the next daily run. docs/operations.md, “Backups”."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="where to write (default: HARBOR_BACKUP_DIR)")
        parser.add_argument("--prune", action="store_true", help="delete archives older than HARBOR_BACKUP_DAYS")

    def handle(self, *args, dir, prune, **options):  # noqa: A002 - the option's name
        directory = dir or getattr(settings, "HARBOR_BACKUP_DIR", None)
        if not directory:
            raise CommandError("Set HARBOR_BACKUP_DIR (or pass --dir): where backup archives are written.")
        try:
            archive = backups.create(Path(directory))
            record("manage.py backup", "backup.created", archive.name)
            self.stdout.write(f"Wrote {archive} ({archive.stat().st_size:,} bytes).")
            if prune:
                removed = backups.prune(Path(directory), settings.HARBOR_BACKUP_DAYS, keep=archive)
                for path in removed:
                    self.stdout.write(f"Deleted {path.name} (older than {settings.HARBOR_BACKUP_DAYS} days).")
                if not removed:
                    self.stdout.write("No archive was old enough to delete.")
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
