"""The word starts' combined regexes are built when the redactor loads (docs/redaction.md, "Speed")."""

from __future__ import annotations

import json
from pathlib import Path

from policy.redact.detectors import _global_dispatch
from policy.redact.dispatch import _Dispatch
from policy.redact.lexicon import lexicon
from policy.redact.scan import _dispatch

CORPUS = Path(__file__).resolve().parent.parent / "data" / "narratives-dev.jsonl"


def _lazy(codes: tuple[str, ...]) -> _Dispatch:
    """The same merged dispatch as ``scan._dispatch``, without ``compile_all``."""
    parts = [_global_dispatch()]
    for i, code in enumerate(codes):
        parts += [lexicon(code).dispatch.tagged(i), lexicon(code).keep.tagged(i)]
    return _Dispatch.merged(*parts)


def _same(built, lazy) -> bool:
    if built is None or lazy is None:
        return built is lazy
    return built[0].__self__.pattern == lazy[0].__self__.pattern and built[1] == lazy[1]


def test_every_key_a_regex_starts_with_is_built_as_a_word_would_build_it():
    loaded = _dispatch(("en", "es"))
    exact = {key for key in loaded._by_key if not key.endswith("*")}
    assert exact and exact <= loaded._ready.keys()
    wild = [key[:-1] for key in loaded._by_key if key.endswith("*")]
    extended = [prefix + c for prefix in wild for c in "ax9"]
    assert all(key in loaded._ready for key in extended)
    for key in [*sorted(exact)[::7], *wild, *extended]:
        assert _same(loaded._ready[key], loaded._candidates(key)), key


def test_a_dispatch_built_at_load_finds_what_one_built_word_by_word_finds():
    loaded = _dispatch(("en", "es"))
    lazy = _lazy(("en", "es"))
    assert not lazy._ready
    with CORPUS.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"].lower() for line in f if line.strip()][:150]
    texts.append("hezbollah héroe hé ñandú 東京")  # keys past the built ones are looked up as before
    for text in texts:
        assert loaded.scan(text) == lazy.scan(text)
