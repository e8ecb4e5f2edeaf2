#!/usr/bin/env python
"""Redaction throughput of the free-text path on one core (`make bench` runs this).

Builds a few megabytes of narratives from the development corpus
(tests/data/narratives-dev.jsonl; built-in narratives if it is absent), sends each one down
policy.freetext.redact_free_text exactly as the referral builder does (every lexicon, then
review flags), and reports megabytes of UTF-8 input per second of this process's CPU time (the
wall-clock figure is printed too; on a shared machine it also counts other processes).

What the review flags cost is measured in the same process: each round also runs the same path
with a flagger that finds nothing, the two alternating (and their order swapped each round) so
that the machine's drift hits both alike.

``redact_mb_per_s_unseen`` is measured in a fresh process (``--unseen``), on text it has never
seen: the held-out corpora of tests/data (every ``narratives-*.jsonl`` but the development one,
which the other figures repeat), each narrative redacted once, through the same path. The
redactor is loaded first by redacting one fixed sentence (its lexicons compiled: that one-time
cost is what a worker pays at start, ``first_preview_ms`` in bench/bench_server.py); its
per-word caches are then as cold as a new report finds them. MB of UTF-8 per CPU second of
that process. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy import freetext  # noqa: E402

DEV_CORPUS = ROOT / "tests" / "data" / "narratives-dev.jsonl"

FALLBACK = [
    (
        "en",
        "I was working on the stroll near 20th and Capp around midnight when a guy in a grey Nissan "
        "Altima pulled up. We agreed on 120 for a car date. He drove to a dead end, pulled a knife and "
        "took my phone and the money I made. I had some crystal on me so I did not call anyone. He was "
        "white, about fifty, bald, with a tattoo of a snake on his neck. Plate started with 6TR. My wrist "
        "is swollen and I need a doctor. You can text me at 415 555 0162.",
    ),
    (
        "es",
        "Estaba trabajando en la calle cerca de la 24 y Mission como a las 2 de la mañana. Un cliente me "
        "pagó 80 dólares y luego me llevó a un motel. Ahí me golpeó en la cara y me quitó lo que gané. "
        "Yo andaba con tina y no tengo papeles, por eso no llamé a la policía. Era un hombre moreno, alto, "
        "con gorra roja, manejaba una camioneta blanca. Necesito ayuda médica. Mi número es 55 1234 5678.",
    ),
]


def held_out_texts() -> list[str]:
    """Every narrative of the corpora other than the development one, each once."""
    seen: dict[str, None] = {}
    for path in sorted(DEV_CORPUS.parent.glob("narratives-*.jsonl")):
        if path == DEV_CORPUS:
            continue
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    seen.setdefault(json.loads(line)["text"], None)
    dev = {text for _lang, text in load_texts()[0]}
    return [text for text in seen if text not in dev]


def unseen() -> dict:
    """In this (fresh) process: redact each held-out narrative once; MB per CPU second."""
    freetext.redact_free_text("The redactor loads its lexicons here.")
    texts = held_out_texts()
    size = sum(len(t.encode("utf-8")) for t in texts)
    cpu = time.process_time()
    wall = time.perf_counter()
    for text in texts:
        freetext.redact_free_text(text)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    return {
        "redact_mb_per_s_unseen": round(size / 1_000_000 / cpu, 2),
        "redact_mb_per_s_unseen_wall": round(size / 1_000_000 / wall, 2),
        "redact_unseen_input_mb": round(size / 1_000_000, 3),
        "redact_unseen_narratives": len(texts),
    }


def load_texts() -> tuple[list[tuple[str, str]], str]:
    if DEV_CORPUS.exists():
        texts = []
        with DEV_CORPUS.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    texts.append((str(record.get("lang") or ""), record["text"]))
        if texts:
            return texts, str(DEV_CORPUS.relative_to(ROOT))
    return FALLBACK, "built-in narratives"


class _NoFlags:
    """The production redactor with a flagger that finds nothing: the path without flags."""

    def __init__(self) -> None:
        real = freetext.default_redactor()
        self.find_spans = real.find_spans
        self.apply = real.apply
        self.removed_ranges = real.removed_ranges

    @staticmethod
    def find_flags(text: str, removed: object = ()) -> list:
        return []


def _round(work: list[tuple[str, str]], redactor: object | None) -> tuple[float, float, int, int]:
    """CPU and wall seconds for one pass over ``work``, with the spans and flags found."""
    spans = flags = 0
    cpu = time.process_time()
    wall = time.perf_counter()
    for _lang, text in work:
        result = freetext.redact_free_text(text, redactor=redactor)  # type: ignore[arg-type]
        spans += len(result.spans)
        flags += len(result.flags)
    return time.process_time() - cpu, time.perf_counter() - wall, spans, flags


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=4.0, help="input to redact per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--unseen", action="store_true", help="only the unseen-text figure, in this process")
    args = parser.parse_args()
    if args.unseen:
        print(json.dumps(unseen(), sort_keys=True))
        return 0
    # First, in a fresh process whose caches have seen nothing.
    import subprocess

    fresh = (
        subprocess.run([sys.executable, __file__, "--unseen"], capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )

    texts, source = load_texts()
    work: list[tuple[str, str]] = []
    size = 0
    while size < args.megabytes * 1_000_000:
        for lang, text in texts:
            work.append((lang, text))
            size += len(text.encode("utf-8"))
    mb = size / 1_000_000
    no_flags = _NoFlags()
    # Warm up: compile the lexicons and the flag patterns, fill the per-word caches.
    for _lang, text in texts:
        freetext.redact_free_text(text)

    # CPU time of this process: "one core", and not what other processes on the machine take.
    full: list[float] = []
    bare: list[float] = []
    wall_rates: list[float] = []
    spans = flags = 0
    for i in range(args.rounds):
        order = [(None, full), (no_flags, bare)]
        for redactor, into in order if i % 2 == 0 else order[::-1]:
            cpu, wall, spans_found, flags_found = _round(work, redactor)
            into.append(cpu)
            if redactor is None:
                spans, flags = spans_found, flags_found
                wall_rates.append(mb / wall)
        print(
            f"round: {mb:.2f} MB in {full[-1]:.2f} s CPU = {mb / full[-1]:.2f} MB/s; "
            f"without flags {bare[-1]:.2f} s = {mb / bare[-1]:.2f} MB/s",
            file=sys.stderr,
        )
    rates = [mb / t for t in full]
    flag_share = [(f - b) / b for f, b in zip(full, bare, strict=True)]
    result = {
        "redact_mb_per_s": round(max(rates), 2),
        "redact_mb_per_s_median": round(_median(rates), 2),
        "redact_mb_per_s_wall": round(max(wall_rates), 2),
        "redact_mb_per_s_without_flags_median": round(_median([mb / t for t in bare]), 2),
        "redact_flag_cost_median": round(_median(flag_share), 3),
        "redact_narratives_per_s": round(len(work) / (mb / max(rates)), 1),
        "redact_input_mb": round(mb, 2),
        "redact_spans_per_round": spans,
        "redact_flags_per_round": flags,
        "redact_corpus": source,
        "redact_target_mb_per_s": 1.0,
        **json.loads(fresh),
    }
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
