#!/usr/bin/env python
"""Train the review-flag clause model (policy/review/model.py) on labelled narratives.

    python scripts/train_review_model.py tests/data/narratives-dev.jsonl ... [--out FILE]

Every narrative takes the production path (policy.freetext.redact_free_text, every lexicon),
then the word families; each clause becomes one example: positive when it holds a character of
a must-go phrase that the redactor left in place. Logistic regression on the hashed features of
``policy.review.model.features``, fitted by stochastic gradient descent with L2 shrinkage, in a
fixed order drawn from a fixed seed: the same files give the same weights on any machine.

The threshold is the lowest probability at which the model's flags cover at most
``--clean-budget`` of the characters of the training sets' clean narratives (the model may
spend that much of a reviewer's attention on stories with nothing to remove), and never below
0.3. On its own training sets the model is sure of almost everything, so in practice the
floor decides; docs/redaction.md has the leave-one-set-out figures.

Pure Python: no dependency beyond the project. Prints one line of figures; writes the model
(``policy/review/model.json`` by default) unless ``--dry-run``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy import freetext  # noqa: E402
from policy.redact import Folded  # noqa: E402
from policy.review.chunks import Clauses  # noqa: E402
from policy.review.flagger import Flagger  # noqa: E402
from policy.review.lexicon import default_families  # noqa: E402
from policy.review.model import MODEL_FILE, ClauseModel  # noqa: E402

SEED = 20261206
EPOCHS = 12
L2 = 1e-3
RATE = 0.2


@dataclass(frozen=True, slots=True)
class Example:
    """One clause: its features, its label, its length, and whether its narrative is clean."""

    buckets: tuple[int, ...]
    positive: bool
    chars: int
    clean: bool


def read(paths: Iterable[Path]) -> list[dict]:
    records = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


class _WordsOnly:
    """The production redactor with the word-family flagger (no model): what the model sees."""

    def __init__(self, flagger: Flagger) -> None:
        real = freetext.default_redactor()
        self.find_spans, self.apply, self.removed_ranges = real.find_spans, real.apply, real.removed_ranges
        self.find_flags = flagger.find


def _left(text: str, runs: Sequence[tuple[int, int]], phrases: Iterable[str]) -> bytearray:
    """1 for each non-space character of a must-go phrase that the redactor left in place."""
    mask = bytearray(len(text))
    for phrase in phrases:
        start = text.find(phrase)
        while start >= 0:
            for i in range(start, start + len(phrase)):
                if not text[i].isspace():
                    mask[i] = 1
            start = text.find(phrase, start + 1)
    for s, e in runs:
        mask[s:e] = bytes(e - s)
    return mask


def examples(records: Iterable[dict], flagger: Flagger, *, unflagged_only: bool = False) -> Iterator[Example]:
    """The clauses of ``records`` as examples (with ``unflagged_only``, those the words left)."""
    redactor = _WordsOnly(flagger)
    for record in records:
        text = record["text"]
        runs = freetext.redact_free_text(text, known=record.get("known", ()), redactor=redactor).runs  # type: ignore[arg-type]
        folded = Folded(text)
        words = flagger.matcher.words(folded.text)
        hits = [
            h for h in flagger.matcher.hits(folded.text, words) if flagger.matcher.families[h.family].scope == "clause"
        ]
        found = flagger._clauses(folded, Clauses(folded.text, words), words, hits, runs)  # noqa: SLF001
        if not unflagged_only:
            found.flagged = set()
        left = _left(text, runs, record.get("must_go", []))
        for i, buckets in flagger.clause_features(found):
            s, e = folded.span(*found.clauses.spans[i])
            yield Example(tuple(buckets), any(left[s:e]), e - s, record.get("kind") == "clean")


def fit(data: Sequence[Example], seed: int = SEED) -> tuple[dict[int, float], float]:
    """Logistic regression by SGD with L2 shrinkage, in an order fixed by ``seed``."""
    weights: dict[int, float] = {}
    bias = 0.0
    positives = sum(x.positive for x in data) or 1
    balance = (len(data) - positives) / positives  # weigh the rarer class up
    order = list(range(len(data)))
    rng = random.Random(seed)  # noqa: S311 - a fixed, reproducible order, not a secret
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = RATE / (1 + epoch)
        for k in order:
            x = data[k]
            z = bias + sum(weights.get(b, 0.0) for b in x.buckets)
            p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
            g = (p - x.positive) * (balance if x.positive else 1.0)
            bias -= rate * g
            for b in x.buckets:
                w = weights.get(b, 0.0)
                weights[b] = w - rate * (g + L2 * w)
    return weights, bias


def threshold(model: ClauseModel, data: Sequence[Example], clean_chars: int, budget: float) -> float:
    """The lowest probability whose flags cover at most ``budget`` of the clean characters."""
    scored = sorted(((model.probability(x.buckets), x) for x in data if x.clean), key=lambda t: -t[0])
    spent = 0
    cut = 1.0
    for p, x in scored:
        if (spent + x.chars) / max(clean_chars, 1) > budget:
            break
        spent += x.chars
        cut = p
    return min(max(cut, 0.3), 0.999)


def train(records: list[dict], flagger: Flagger, *, budget: float, seed: int = SEED) -> ClauseModel:
    """Fit a clause model on ``records`` (the flagger gives its words and clauses)."""
    data = list(examples(records, flagger))
    weights, bias = fit(data, seed)
    model = ClauseModel(weights, bias, 1.0)
    clean_chars = sum(len(r["text"]) for r in records if r.get("kind") == "clean")
    unflagged = list(examples(records, flagger, unflagged_only=True))
    return ClauseModel(weights, bias, threshold(model, unflagged, clean_chars, budget))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--clean-budget", type=float, default=0.03, help="share of clean characters the model may flag")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    records = read(args.corpus)
    model = train(records, Flagger(default_families()), budget=args.clean_budget)
    print(json.dumps({"records": len(records), "weights": len(model.weights), "threshold": round(model.threshold, 4)}))
    if not args.dry_run:
        args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
