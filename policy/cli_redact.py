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

from policy import redact
from policy.evaluate import CorpusError, evaluate_files, format_report

EXIT_OK = 0
EXIT_TARGET_MISSED = 1
EXIT_BAD_INPUT = 2


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


def run_redact(stdin: IO[bytes], stdout: IO[bytes], stderr: IO[str]) -> int:
    """Redact JSON Lines from ``stdin`` to ``stdout``; report bad lines on ``stderr``.

    Each good line is answered in order; a bad line is named on stderr (with its number, never
    its content) and skipped, and the exit status is then 2.
    """
    status = EXIT_OK
    for number, raw in enumerate(stdin, 1):
        try:
            record = _parse_line(raw)
        except _BadLine as exc:
            stderr.write(f"redact: line {number}: {exc}\n")
            status = EXIT_BAD_INPUT
            continue
        if record is None:
            continue
        text: str = record["text"]
        spans = redact.find_spans(text, record.get("lang") or "", known=record.get("known", ()))
        stdout.write(
            _dump(
                {
                    "id": record["id"],
                    "text": redact.apply(text, spans),
                    "spans": [{"start": s.start, "end": s.end, "tag": s.tag} for s in spans],
                }
            )
        )
    stdout.flush()
    return status


def _redact_command(args: argparse.Namespace) -> int:
    try:
        return run_redact(sys.stdin.buffer, sys.stdout.buffer, sys.stderr)
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
            "redacted text and spans are offsets into the input text. Bad lines are named on "
            "stderr and the exit status is 2."
        ),
    )
    parser.set_defaults(func=_redact_command)
    return parser


def add_evaluate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `evaluate`: leak rate and keep rate of the redactor on labelled corpora."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "evaluate",
        help="leak rate and keep rate of the redactor on labelled corpora",
        description="Print leak rate and keep rate per file, per language and in total.",
    )
    parser.add_argument("corpus", nargs="+", help="JSON Lines corpus files")
    parser.add_argument("--verbose", "-v", action="store_true", help="list leaked and lost phrases with ids")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--max-leak", type=_rate, help="exit 1 if the total leak rate is above this")
    parser.add_argument("--min-keep", type=_rate, help="exit 1 if the total keep rate is below this")
    parser.set_defaults(func=_evaluate_command)
    return parser
