"""The `redact` and `evaluate` subcommands of `python -m policy`.

`policy/__main__.py` builds the argument parser and calls `add_redact_parser` and
`add_evaluate_parser`; each registers its subcommand with ``func`` set to a handler that takes
the parsed arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from policy import freetext
from policy.errors import PolicyError
from policy.evaluate import CorpusError, evaluate_files, format_report

EXIT_OK = 0
EXIT_TARGET_MISSED = 1
EXIT_BAD_INPUT = 2
EXIT_REDACTOR_FAILED = 3


class _BadLine(ValueError):
    pass


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadLine("not UTF-8") from None
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise _BadLine("expected a JSON object with id, text and lang")
    if "id" not in record:
        raise _BadLine("missing 'id'")
    if not isinstance(record.get("text"), str):
        raise _BadLine("'text' must be a string")
    lang = record.get("lang", "")
    if lang is not None and not isinstance(lang, str):
        raise _BadLine("'lang' must be a string")
    known = record.get("known", [])
    if not isinstance(known, list) or not all(isinstance(k, str) for k in known):
        raise _BadLine("'known' must be a list of strings")
    return record


def _dump(obj: dict[str, Any]) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        # Lone surrogates cannot be written as UTF-8; escaped JSON carries them intact.
        return json.dumps(obj).encode("ascii") + b"\n"


def _answer(record: dict[str, Any], *, review: bool) -> dict[str, Any]:
    redaction = freetext.redact_free_text(record["text"], known=record.get("known", ()))
    answer: dict[str, Any] = {
        "id": record["id"],
        "text": redaction.text,
        "spans": [{"start": s.start, "end": s.end, "tag": s.tag} for s in redaction.spans],
    }
    if review:
        answer["review"] = [[f.start, f.end, f.reason] for f in redaction.flags_in_text()]
    return answer


def run_redact(stdin: IO[bytes], stdout: IO[bytes], stderr: IO[str], *, review: bool = False) -> int:
    """Redact JSON Lines from ``stdin`` to ``stdout``; report bad lines on ``stderr``.

    Every text takes the production path (policy.freetext.redact_free_text, every lexicon);
    a line's ``lang`` is accepted and checked but chooses nothing. With ``review``, each answer
    also carries the review flags as ``[start, end, reason]`` offsets into the redacted text.
    Each good line is answered in order; a bad line is named on stderr (with its number, never
    its content) and skipped, and the exit status is then 2 (3 if the redactor failed a line).
    """
    status = EXIT_OK
    for number, raw in enumerate(stdin, 1):
        try:
            record = _parse_line(raw)
        except _BadLine as exc:
            stderr.write(f"redact: line {number}: {exc}\n")
            status = max(status, EXIT_BAD_INPUT)
            continue
        if record is None:
            continue
        try:
            answer = _answer(record, review=review)
        except PolicyError:
            stderr.write(f"redact: line {number}: the redactor failed; nothing is written for it\n")
            status = EXIT_REDACTOR_FAILED
            continue
        stdout.write(_dump(answer))
    stdout.flush()
    return status


def _redact_command(args: argparse.Namespace) -> int:
    try:
        return run_redact(sys.stdin.buffer, sys.stdout.buffer, sys.stderr, review=args.review)
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and no traceback.
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _evaluate_command(args: argparse.Namespace) -> int:
    try:
        report = evaluate_files(Path(p) for p in args.corpus)
    except CorpusError as exc:
        sys.stderr.write(f"evaluate: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        if args.json:
            print(json.dumps(report.as_dict(verbose=args.verbose), ensure_ascii=False, sort_keys=True))
        else:
            print(format_report(report, verbose=args.verbose))
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    missed = []
    if args.max_leak is not None and report.total.leak_rate > args.max_leak:
        missed.append(f"leak rate {report.total.leak_rate:.2%} is above {args.max_leak:.2%}")
    if args.min_keep is not None and report.total.keep_rate < args.min_keep:
        missed.append(f"keep rate {report.total.keep_rate:.2%} is below {args.min_keep:.2%}")
    if args.min_caught is not None and report.total.caught_rate < args.min_caught:
        missed.append(f"caught rate {report.total.caught_rate:.2%} is below {args.min_caught:.2%}")
    if args.max_flag_coverage is not None and report.total.flag_coverage > args.max_flag_coverage:
        missed.append(
            f"flag coverage of clean narratives {report.total.flag_coverage:.2%} is above {args.max_flag_coverage:.2%}"
        )
    for message in missed:
        sys.stderr.write(f"evaluate: target missed: {message}\n")
    return EXIT_TARGET_MISSED if missed else EXIT_OK


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return rate


def add_redact_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `redact`: JSON Lines {"id","text","lang"} in, {"id","text","spans"} out."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "redact",
        help="redact narratives: JSON Lines on stdin, JSON Lines on stdout",
        description=(
            'Read JSON Lines {"id", "text", "lang"} (optionally "known": the reporter\'s own '
            'identifiers) on stdin; write {"id", "text", "spans"} on stdout, where text is the '
            "redacted text and spans are offsets into the input text. Every text takes the path "
            'a referral takes: every lexicon runs, whatever "lang" says ("lang" is still '
            "accepted, and checked to be a string). Bad lines are named on stderr and the exit "
            "status is 2."
        ),
    )
    parser.add_argument(
        "--review",
        action="store_true",
        help='also write "review": the review flags as [start, end, reason], offsets into the output text',
    )
    parser.set_defaults(func=_redact_command)
    return parser


def add_evaluate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `evaluate`: leak, caught, keep and flag coverage on labelled corpora."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "evaluate",
        help="leak, caught and keep rates and flag coverage of the free-text path on labelled corpora",
        description=(
            "Print, per file, per language, per kind and in total: leak rate (must-go phrases not "
            "removed), caught rate (must-go phrases removed or inside a review flag), keep rate "
            "(must-stay phrases not removed; flags do not count) and flag coverage (characters "
            "inside a flag, over clean narratives and over all). Every text takes the path a "
            'referral takes (every lexicon); a record\'s "lang" only groups the figures.'
        ),
    )
    parser.add_argument("corpus", nargs="+", help="JSON Lines corpus files")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="list missed (not caught) must-go and lost must-stay phrases"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--max-leak", type=_rate, help="exit 1 if the total leak rate is above this")
    parser.add_argument("--min-caught", type=_rate, help="exit 1 if the total caught rate is below this")
    parser.add_argument("--min-keep", type=_rate, help="exit 1 if the total keep rate is below this")
    parser.add_argument(
        "--max-flag-coverage",
        type=_rate,
        help="exit 1 if flags cover more than this share of the characters of clean narratives",
    )
    parser.set_defaults(func=_evaluate_command)
    return parser
