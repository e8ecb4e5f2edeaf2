from django.core.management.base import BaseCommand, CommandError

from audit.anchor import check_heads
from audit.services import verify


class Command(BaseCommand):
    help = (
        "Verify the audit chain (HMAC under the audit key); with --head FILE, also that every head "
        "exported to FILE is still in the chain unchanged. Exits non-zero on any problem; names "
        "sequence numbers, never content."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            metavar="FILE",
            help="a head file written by export_audit_head (best: the copy kept off this host)",
        )

    def handle(self, *args, **options):
        problems: list[str] = []
        result = verify()
        if result.ok:
            self.stdout.write(f"audit chain intact: {result.count} events")
            if result.unkeyed:
                self.stdout.write(
                    f"events 1-{result.unkeyed} were written before the chain was keyed (SHA-256 only); "
                    f"keyed event {result.unkeyed + 1} seals them"
                )
        else:
            problems.append(f"audit chain broken after {result.count} good events: {result.problem}")
        if options["head"]:
            try:
                heads = check_heads(options["head"])
            except OSError as exc:
                raise CommandError(f"head file {options['head']} cannot be read: {exc.strerror}") from exc
            if heads.newest is None:
                problems.append(f"head file {options['head']} holds no valid head record")
            elif heads.ok:
                self.stdout.write(
                    f"head file: {heads.records} records, the newest anchors event {heads.newest.seq} "
                    f"(exported {heads.newest.at}); every anchored event is in the chain unchanged"
                )
            problems.extend(f"head file: {problem}" for problem in heads.problems)
            if heads.problem_count > len(heads.problems):
                problems.append(f"head file: and {heads.problem_count - len(heads.problems)} more problems")
        if len(problems) == 1:
            raise CommandError(problems[0])
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"audit verification failed: the {len(problems)} problems above")
