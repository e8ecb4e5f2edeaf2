"""Crypto-shred every report past its retention rule (run daily, e.g. from a systemd timer or cron)."""

from django.core.management.base import BaseCommand

from casework import retention, tasks


class Command(BaseCommand):
    help = "Purge reports kept longer than their status's retention rule. --enqueue hands the work to the task worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the purge for `manage.py db_worker` instead of running it here",
        )

    def handle(self, *args, enqueue, **options):
        if enqueue:
            result = tasks.purge_expired.enqueue()
            self.stdout.write(f"Purge queued (task {result.id}).")
            return
        count = retention.purge_expired()
        self.stdout.write(f"Purged {count} report(s).")
