#!/usr/bin/env python
"""Redaction throughput of policy.redact on one core (`make bench` runs this).

Builds a few megabytes of narratives from the development corpus
(tests/data/narratives-dev.jsonl; built-in narratives if it is absent), redacts each one with
find_spans + apply as the referral builder does, and reports megabytes of UTF-8 input per
second of this process's CPU time (the wall-clock figure is printed too; on a shared machine it
also counts other processes). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy import redact  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=4.0, help="input to redact per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    texts, source = load_texts()
    work: list[tuple[str, str]] = []
    size = 0
    while size < args.megabytes * 1_000_000:
        for lang, text in texts:
            work.append((lang, text))
            size += len(text.encode("utf-8"))
    # Warm up: compile the lexicons before timing.
    for lang, text in texts[:20]:
        redact.apply(text, redact.find_spans(text, lang))

    # CPU time of this process: "one core", and not what other processes on the machine take.
    rates = []
    wall_rates = []
    spans = 0
    for _ in range(args.rounds):
        spans = 0
        cpu = time.process_time()
        wall = time.perf_counter()
        for lang, text in work:
            found = redact.find_spans(text, lang)
            redact.apply(text, found)
            spans += len(found)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        rates.append(size / 1_000_000 / cpu)
        wall_rates.append(size / 1_000_000 / wall)
        print(
            f"round: {size / 1e6:.2f} MB in {cpu:.2f} s CPU ({wall:.2f} s wall) = {rates[-1]:.2f} MB/s", file=sys.stderr
        )
    result = {
        "redact_mb_per_s": round(max(rates), 2),
        "redact_mb_per_s_median": round(sorted(rates)[len(rates) // 2], 2),
        "redact_mb_per_s_wall": round(max(wall_rates), 2),
        "redact_narratives_per_s": round(len(work) / (size / 1_000_000 / max(rates)), 1),
        "redact_input_mb": round(size / 1_000_000, 2),
        "redact_spans_per_round": spans,
        "redact_corpus": source,
        "redact_target_mb_per_s": 1.0,
    }
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
