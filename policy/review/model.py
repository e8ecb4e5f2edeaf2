"""A small clause classifier for review flags: logistic regression on hashed word n-grams.

It answers one question about a clause the word families did not flag: does it read like the
clauses that hold something a referral must not carry? Its features are the clause's folded
words and word pairs, whether the redactor removed text in the clause or beside it, and which
weak families hit it, each hashed (CRC-32, the same on every machine and run) into a fixed
number of buckets. Inference is a sum of weights and a logistic function: pure Python, no
dependency, deterministic.

The weights are trained by ``scripts/train_review_model.py`` (fixed seed) on the development
narratives and stored in ``policy/review/model.json``; nothing is fetched at run time. Whether
the model is used at all is decided by leave-one-set-out measurement (docs/redaction.md).
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MODEL_FILE: Final = Path(__file__).resolve().parent / "model.json"
BUCKETS: Final = 1 << 18


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % BUCKETS


def features(words: Sequence[str], *, removed_here: bool, removed_near: bool, weak: Iterable[str]) -> list[int]:
    """The hashed features of a clause: its words, word pairs and context signs."""
    names = [f"w:{w}" for w in words]
    names += [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    names += [f"weak:{name}" for name in weak]
    if removed_here:
        names.append("ctx:removed")
    if removed_near:
        names.append("ctx:removed-near")
    names.append(f"len:{min(len(words), 12) // 3}")
    return sorted({_bucket(n) for n in names})


@dataclass(frozen=True, slots=True)
class ClauseModel:
    """Weights by bucket, a bias, and the probability above which a clause is flagged."""

    weights: dict[int, float]
    bias: float
    threshold: float

    def probability(self, buckets: Iterable[int]) -> float:
        z = self.bias + sum(self.weights.get(b, 0.0) for b in buckets)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        ez = math.exp(z)
        return ez / (1.0 + ez)

    def to_json(self) -> str:
        data = {
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 6),
            "buckets": BUCKETS,
            "weights": {str(k): round(v, 6) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4},
        }
        return json.dumps(data, sort_keys=True, indent=0)


def load(path: Path = MODEL_FILE) -> ClauseModel | None:
    """The stored model, or None when there is none (the flagger then uses words alone)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if data.get("buckets") != BUCKETS:
        raise ValueError(f"{path.name}: trained for another number of buckets")
    weights = {int(k): float(v) for k, v in data["weights"].items()}
    return ClauseModel(weights, float(data["bias"]), float(data["threshold"]))
