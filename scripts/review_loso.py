#!/usr/bin/env python
"""Leave-one-set-out figures for review flags: how they may do on writers nobody has seen.

    python scripts/review_loso.py [--sets dev heldout fresh blind] [--json]

For each development set in turn, the other three stand in for everything the flags were
built from, and the one left out is measured through the production path
(policy.freetext.redact_free_text, scored by policy.evaluate):

* **words**: the word families less every entry (a term, a pattern, a quiet phrase) that only
  the left-out set supports. A term or pattern is supported by a set when one of its hits lies
  in a clause that holds a must-go phrase of that set; a quiet phrase, when it matches a text
  of that set. An entry that only the left-out set supports could not have been written from
  the other three, so it is switched off while that set is measured. With ``--strict`` only
  must-go phrases the redactor left count as support: then a word the other sets use only
  where the redactor already removes it ("clients", "Venmo") is switched off too, which gives
  a lower bound.
* **words + model**: the same, with the clause model (scripts/train_review_model.py) trained
  on the other three sets with the same reduced families.

The **development** rows use every entry, and a model trained on all four sets: they measure
the sets the flags were written against. Prints a table (or one JSON object).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_review_model import read, train  # noqa: E402

from policy import evaluate, freetext  # noqa: E402
from policy.redact import Folded  # noqa: E402
from policy.review.chunks import Clauses  # noqa: E402
from policy.review.flagger import Flagger  # noqa: E402
from policy.review.lexicon import Family, canonical_words, default_families  # noqa: E402

SETS = ("dev", "heldout", "fresh", "blind")
BUDGET = 0.03


class _Path:
    """The production redactor with another flagger."""

    def __init__(self, flagger: Flagger) -> None:
        real = freetext.default_redactor()
        self.find_spans, self.apply, self.removed_ranges = real.find_spans, real.apply, real.removed_ranges
        self.find_flags = flagger.find


def _entry(fam: Family, index: int, hit_text: str) -> tuple[int, str]:
    words = canonical_words(hit_text)
    if any(canonical_words(t) == words for t in fam.terms):
        return index, "t:" + " ".join(words)
    for p in fam.patterns:
        if re.search(p, hit_text):
            return index, "p:" + p
    return index, "p:" + (fam.patterns[0] if fam.patterns else "")


def support(
    by_set: dict[str, list[dict]], families: tuple[Family, ...], *, strict: bool = False
) -> dict[tuple[int, str], set[str]]:
    """Which sets support each entry (see the module docstring)."""
    flagger = Flagger(families)
    path = _Path(flagger)
    out: dict[tuple[int, str], set[str]] = {}
    quiet = [(i, q, re.compile(rf"(?<!\w)(?:{q})(?!\w)")) for i, f in enumerate(families) for q in f.quiet]
    for name, records in by_set.items():
        for record in records:
            text = record["text"]
            runs = freetext.redact_free_text(text, known=record.get("known", ()), redactor=path).runs  # type: ignore[arg-type]
            folded = Folded(text)
            for i, q, rx in quiet:
                if rx.search(folded.text):
                    out.setdefault((i, "q:" + q), set()).add(name)
            mask = evaluate.marks(text, runs, ())
            left = [(s, s + len(p)) for p in record.get("must_go", []) for s in [text.find(p)] if s >= 0]
            if strict:
                left = [(s, e) for s, e in left if any(mask[k] != evaluate.REMOVED for k in range(s, e))]
            if not left:
                continue
            words = flagger.matcher.words(folded.text)
            clauses = Clauses(folded.text, words)
            for h in flagger.matcher.hits(folded.text, words):
                s, e = folded.span(*clauses.around(h.start, h.end))
                if any(ps < e and s < pe for ps, pe in left):
                    key = _entry(families[h.family], h.family, folded.text[h.start : h.end])
                    out.setdefault(key, set()).add(name)
    return out


def without(families: tuple[Family, ...], drop: set[tuple[int, str]]) -> tuple[Family, ...]:
    """The families less the entries in ``drop``; a family left with nothing goes."""
    out = []
    for i, fam in enumerate(families):
        terms = tuple(t for t in fam.terms if (i, "t:" + " ".join(canonical_words(t))) not in drop)
        patterns = tuple(p for p in fam.patterns if (i, "p:" + p) not in drop)
        quiet = tuple(q for q in fam.quiet if (i, "q:" + q) not in drop)
        if terms or patterns:
            out.append(replace(fam, terms=terms, patterns=patterns, quiet=quiet))
    return tuple(out)


def measure(records: list[dict], name: str, flagger: Flagger) -> dict[str, Any]:
    report = evaluate.Report()
    evaluate.evaluate_records(records, name, report, redactor=_Path(flagger))  # type: ignore[arg-type]
    t = report.total
    return {
        "caught": round(t.caught_rate, 4),
        "caught_n": f"{t.caught}/{t.must_go}",
        "leak": round(t.leak_rate, 4),
        "keep": round(t.keep_rate, 4),
        "coverage_clean": round(t.flag_coverage, 4),
        "coverage_all": round(t.flag_coverage_all, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--strict", action="store_true", help="support only from phrases the redactor left")
    args = parser.parse_args()
    by_set = {name: read([ROOT / "tests" / "data" / f"narratives-{name}.jsonl"]) for name in args.sets}
    families = default_families()
    supported = support(by_set, families, strict=args.strict)
    everything = [r for name in args.sets for r in by_set[name]]
    full_model = train(everything, Flagger(families), budget=BUDGET)
    rows: list[dict[str, Any]] = []
    for name in args.sets:
        rows.append({"set": name, "config": "words (development)", **measure(by_set[name], name, Flagger(families))})
        rows.append(
            {
                "set": name,
                "config": "words + model (development)",
                **measure(by_set[name], name, Flagger(families, model=full_model)),
            }
        )
        drop = {key for key, sets in supported.items() if sets == {name}}
        reduced = without(families, drop)
        others = [r for other in args.sets if other != name for r in by_set[other]]
        model = train(others, Flagger(reduced), budget=BUDGET)
        rows.append(
            {
                "set": name,
                "config": f"words, leave-one-out ({len(drop)} entries off)",
                **measure(by_set[name], name, Flagger(reduced)),
            }
        )
        rows.append(
            {
                "set": name,
                "config": "words + model, leave-one-out",
                **measure(by_set[name], name, Flagger(reduced, model=model)),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            print(
                f"{r['set']:<8} {r['config']:<44} caught {r['caught']:7.2%} ({r['caught_n']})  keep {r['keep']:7.2%}"
                f"  flags clean {r['coverage_clean']:6.2%}  all {r['coverage_all']:6.2%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
