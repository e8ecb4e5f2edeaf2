"""Crafted texts cannot grow the redactor's memory without bound (docs/redaction.md, "Memory").

Every cache the redactor keeps that is keyed by what a text contains is a bounded LRU: once
full, a text of never-seen words replaces entries instead of adding them.
"""

from __future__ import annotations

import gc
import random
import tracemalloc

from policy.redact import redact

# CJK ideographs: every three-letter word start is a new key of the per-word caches.
_IDEOGRAPHS = [chr(c) for c in range(0x4E00, 0x9FFF)]


def crafted(rng: random.Random, words: int = 400) -> str:
    """A text of never-seen words: new word starts, new whole words of 3 to 40 letters."""
    return " ".join("".join(rng.choice(_IDEOGRAPHS) for _ in range(rng.randint(3, 40))) for _ in range(words))


def _held() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_crafted_texts_stop_growing_memory_once_the_caches_are_full():
    rng = random.Random(11)
    texts = [crafted(rng) for _ in range(180)]
    tracemalloc.start()
    try:
        start = _held()
        # 120 texts of 400 new words: more word starts and words than any cache keeps...
        for i, text in enumerate(texts[:120]):
            redact(text, ("en", "es")[i % 2])
        filled = _held() - start
        # ...so 60 more, all different again, replace entries rather than add them.
        for i, text in enumerate(texts[120:]):
            redact(text, ("en", "es")[i % 2])
        more = _held() - start - filled
    finally:
        tracemalloc.stop()
    assert filled > 3_000_000, f"the first texts should fill the caches (held {filled:,} bytes)"
    assert more < 300_000, f"60 more crafted texts kept {more:,} more bytes: a cache is unbounded"
