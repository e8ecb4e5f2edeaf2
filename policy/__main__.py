"""Command line: `python -m policy <command>`.

Commands here: `assess` (a report's protections), `rights` (know-your-rights content),
`refer` (build a referral, for inspection) and `check` (validate data files, e.g. a new pack).

`redact` and `evaluate` live in policy/cli_redact.py, loaded only if that module exists. Its
contract: `add_redact_parser(subparsers)` and `add_evaluate_parser(subparsers)` each add one
subparser and call `set_defaults(func=handler)`, where `handler(args) -> int | None` returns
the exit status (None means 0).

Exit status: 0 success, 1 a data file is invalid, 2 bad usage or input. Errors never echo
report content.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ._data import LANGS, REPORTER_LANGS
from .errors import DataFileError, PolicyError

Handler = Callable[[argparse.Namespace], "int | None"]


def _dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, sort_keys=True, ensure_ascii=False, indent=2)
    out.write("\n")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date as YYYY-MM-DD") from None


def _read_report(path: str | None) -> dict[str, Any]:
    try:
        if path is None or path == "-":
            data = json.load(sys.stdin)
        else:
            with Path(path).open(encoding="utf-8") as fh:
                data = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise _UsageError(f"cannot read the report: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise _UsageError("the report must be a JSON object of field ids to values")
    return data


class _UsageError(Exception):
    pass


def _packs(args: argparse.Namespace) -> tuple[Any, ...]:
    from .packs import load_packs

    packs = load_packs(args.packs_dir) if args.packs_dir else load_packs()
    if args.pack:
        wanted = set(args.pack)
        unknown = sorted(wanted - {p.id for p in packs})
        if unknown:
            raise _UsageError(f"unknown pack(s): {', '.join(unknown)}")
        packs = tuple(p for p in packs if p.id in wanted)
    return packs


def _cmd_assess(args: argparse.Namespace) -> int:
    from .assess import assess

    report = _read_report(args.report)
    assessment = assess(report, _packs(args), args.date)
    data = assessment.to_dict(args.lang)
    if args.lang:
        data["reporter_lines"] = [
            {
                "pack": ln.pack,
                "item": ln.item,
                "kind": ln.kind,
                "status": ln.status,
                "certainty": ln.certainty,
                "text": ln.text,
            }
            for ln in assessment.for_reporter(args.lang)
        ]
    _dump(data, sys.stdout)
    return 0


def _cmd_rights(args: argparse.Namespace) -> int:
    from .assess import rights_summary

    _dump(rights_summary(_packs(args), args.date, args.lang).to_dict(), sys.stdout)
    return 0


def _cmd_translations(args: argparse.Namespace) -> int:
    from .assess import load_phrases
    from .packs import load_packs
    from .translations import check, default_translations, skeleton

    packs, phrases, tr = load_packs(), load_phrases().texts, default_translations()
    if args.lang:
        sys.stdout.write(skeleton(args.lang, packs, phrases, tr))
        return 0
    problems = check(packs, phrases, tr)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def _cmd_refer(args: argparse.Namespace) -> int:
    from .profiles import load_profiles
    from .referral import build_referral

    profiles = load_profiles(args.profiles_dir) if args.profiles_dir else load_profiles()
    if args.profile not in profiles:
        raise _UsageError(f"unknown profile {args.profile!r}; known: {', '.join(profiles)}")
    report = _read_report(args.report)
    referral = build_referral(report, profiles[args.profile], _packs(args), on_date=args.date, lang=args.lang)
    _dump(referral.to_dict(include_trace=args.trace), sys.stdout)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .assess import load_phrases
    from .catalogue import load_catalogue
    from .packs import load_pack, load_packs
    from .profiles import load_profile, load_profiles

    catalogue = load_catalogue(args.catalogue) if args.catalogue else load_catalogue()
    load_phrases(catalogue=catalogue)
    profiles = load_profiles(args.profiles_dir, catalogue) if args.profiles_dir else load_profiles(catalogue=catalogue)
    packs = load_packs(args.packs_dir, catalogue) if args.packs_dir else load_packs(catalogue=catalogue)
    extra_profiles = [load_profile(p, catalogue) for p in args.profile]
    extra_packs = [load_pack(p, catalogue) for p in args.pack_file]
    _dump(
        {
            "catalogue": {"path": catalogue.path, "fields": len(catalogue.fields)},
            "profiles": sorted([*profiles, *(p.id for p in extra_profiles)]),
            "packs": sorted([*(p.id for p in packs), *(p.id for p in extra_packs)]),
            "ok": True,
        },
        sys.stdout,
    )
    return 0


def _pack_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--packs-dir", help="directory of pack files (default: policy/data/packs)")
    p.add_argument("--pack", action="append", default=[], metavar="ID", help="use only this pack (repeatable)")


def _add_optional_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let policy/cli_redact.py add its subcommands, if that module exists."""
    name = "policy.cli_redact"
    if name not in sys.modules and importlib.util.find_spec(name) is None:
        return
    module = importlib.import_module(name)
    for name in ("add_redact_parser", "add_evaluate_parser"):
        hook = getattr(module, name, None)
        if callable(hook):
            hook(sub)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(prog="python -m policy", description="Harbor policy engine.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("assess", help="assess a report (JSON) against the jurisdiction packs")
    p.add_argument("report", nargs="?", help="report JSON file (default: stdin)")
    p.add_argument("--date", type=_date, default=date.today(), help="date of reporting, YYYY-MM-DD (default: today)")
    p.add_argument("--lang", choices=REPORTER_LANGS, help="reporter text in this language only, plus reporter_lines")
    _pack_options(p)
    p.set_defaults(func=_cmd_assess)

    p = sub.add_parser("rights", help="know-your-rights content for a date and language")
    p.add_argument("--date", type=_date, default=date.today())
    p.add_argument("--lang", choices=REPORTER_LANGS, default="en")
    _pack_options(p)
    p.set_defaults(func=_cmd_rights)

    p = sub.add_parser("translations", help="list missing reporter texts in data/i18n, or print a language's file")
    p.add_argument("--lang", help="print data/i18n/<lang>.toml: every key, its English and the text so far")
    p.set_defaults(func=_cmd_translations)

    p = sub.add_parser("refer", help="build the referral a profile would receive (for inspection)")
    p.add_argument("report", nargs="?", help="report JSON file (default: stdin)")
    p.add_argument("--profile", required=True)
    p.add_argument("--profiles-dir")
    p.add_argument("--date", type=_date, default=date.today())
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the report's free text")
    p.add_argument("--trace", action="store_true", help="include the advocate-only trace")
    _pack_options(p)
    p.set_defaults(func=_cmd_refer)

    p = sub.add_parser("check", help="validate the catalogue, profiles, packs and phrases")
    p.add_argument("--catalogue")
    p.add_argument("--profiles-dir")
    p.add_argument("--packs-dir")
    p.add_argument("--profile", action="append", default=[], metavar="FILE", help="also validate this profile file")
    p.add_argument("--pack-file", action="append", default=[], metavar="FILE", help="also validate this pack file")
    p.set_defaults(func=_cmd_check)

    _add_optional_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Handler = args.func
    try:
        status = func(args)
    except DataFileError as exc:
        print(f"policy: invalid data file: {exc}", file=sys.stderr)
        return 1
    except (_UsageError, PolicyError) as exc:
        print(f"policy: {exc}", file=sys.stderr)
        return 2
    return 0 if status is None else status


if __name__ == "__main__":
    sys.exit(main())
