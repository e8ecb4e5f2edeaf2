from django.core.management.base import BaseCommand, CommandError

from audit.anchor import export_head


class Command(BaseCommand):
    help = (
        "Append the audit chain's head (sequence, hash, time, MAC) to HARBOR_AUDIT_HEAD_FILE, once. "
        "harbor_scheduler does this every HARBOR_AUDIT_HEAD_EVERY seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="append here instead of HARBOR_AUDIT_HEAD_FILE")

    def handle(self, *args, **options):
        try:
            head = export_head(options["file"])
        except OSError as exc:
            raise CommandError(f"the head file cannot be written: {exc.strerror}") from exc
        if head is None:
            raise CommandError("HARBOR_AUDIT_HEAD_FILE is not set: nothing exported (docs/operations.md, Audit)")
        self.stdout.write(f"exported the audit head: event {head.seq} at {head.at}")
