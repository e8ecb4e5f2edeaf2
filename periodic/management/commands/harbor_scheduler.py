import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from periodic.services import run_due

logger = logging.getLogger("periodic")


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks of periodic/registry.py when they are due, for db_worker to run. "
        "Run one beside the workers; several are safe (each run is enqueued once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue what is due now, then exit")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between looks at the schedule (default 30)"
        )

    def handle(self, *args, **options):
        stop = threading.Event()
        if not options["once"]:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            self.stdout.write(f"harbor_scheduler: looking every {options['interval']:g} s; Ctrl-C or SIGTERM stops")
        while True:
            try:
                for name in run_due():
                    self.stdout.write(f"enqueued {name}")
            except DatabaseError as exc:
                # The database is away (restart, failover): look again next time.
                logger.warning("harbor_scheduler: database unavailable (%s); retrying", type(exc).__name__)
            if options["once"]:
                return
            close_old_connections()
            if stop.wait(options["interval"]):
                return
