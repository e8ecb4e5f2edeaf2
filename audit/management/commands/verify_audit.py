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
        problems = self._chain()
        if options["head"]:
            problems += self._heads(options["head"])
        if len(problems) == 1:
            raise CommandError(problems[0])
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"audit verification failed: the {len(problems)} problems above")

    def _chain(self) -> list[str]:
        result = verify()
        if not result.ok:
            return [f"audit chain broken after {result.count} good events: {result.problem}"]
        self.stdout.write(f"audit chain intact: {result.count} events")
        if result.unkeyed:
            self.stdout.write(
                f"events 1-{result.unkeyed} were written before the chain was keyed (SHA-256 only); "
                f"keyed event {result.unkeyed + 1} seals them"
            )
        return []

    def _heads(self, path: str) -> list[str]:
        try:
            heads = check_heads(path)
        except OSError as exc:
            raise CommandError(f"head file {path} cannot be read: {exc.strerror}") from exc
        if heads.newest is None:
            return [f"head file {path} holds no valid head record", *(f"head file: {p}" for p in heads.problems)]
        if heads.ok:
            self.stdout.write(
                f"head file: {heads.records} records, the newest anchors event {heads.newest.seq} "
                f"(exported {heads.newest.at}); every anchored event is in the chain unchanged"
            )
        problems = [f"head file: {problem}" for problem in heads.problems]
        if heads.problem_count > len(heads.problems):
            problems.append(f"head file: and {heads.problem_count - len(heads.problems)} more problems")
        return problems
