"""The lexicons and the word-start dispatch that matches them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy import redact
from policy.redact import TAGS, Lexicon, LexiconError, lexicon
from policy.redact.dispatch import _Dispatch
from policy.redact.keys import _WORD_KEY, _start_keys


@pytest.mark.parametrize("lang", ["en", "es"])
def test_lexicons_load_with_known_tags(lang):
    lex = lexicon(lang)
    assert lex.rules
    assert {rule.tag for rule in lex.rules} <= set(TAGS)


def test_a_bad_rule_is_a_clear_error():
    with pytest.raises(LexiconError, match="unknown tag"):
        Lexicon("xx", {"rule": [{"id": "r", "tag": "nope", "terms": ["a"]}]})
    with pytest.raises(LexiconError, match="unknown scope"):
        Lexicon("xx", {"rule": [{"id": "r", "tag": "drugs", "scope": "sentence", "terms": ["a"]}]})


@pytest.mark.parametrize(
    ("source", "keys"),
    [
        (r"(?<!\w)(?:the|a)\s+johns?(?!\w)", {"the", "a"}),
        (r"(?<!\w)i'?m\s+high", {"i", "im"}),
        (r"(?<!\w)pag(?:o|aba)", {"pag"}),
        (r"\$\s?\d+", {"$"}),
        (r"(?=(?:he|she)\s)", {"he", "she"}),
    ],
)
def test_start_keys(source, keys):
    assert _start_keys(source) == frozenset(keys)


def test_start_keys_give_up_on_a_wildcard_start():
    assert _start_keys(r"\w+ and 16th") is None


PATTERNS = [
    r"(?<!\w)(?:the|a|my)\s+(?:john|client|regular)s?(?!\w)",
    r"(?<!\w)i'?m\s+(?:so\s+)?high(?!\w)",
    r"(?<!\w)(?:paid|pay)(?:\s+me)?(?!\w)",
    r"(?<!\w)\$\s?\d[\d,]*",
    r"(?<!\w)\d{3}[-.\s]?\d{4}(?!\w)",
    r"(?<!\w)me\s+(?:dio|daba)\s+\w+",
    r"(?<!\w)(?:on|at)\s+the\s+(?:track|stroll|blade)(?!\w)",
]
ALPHABET = [
    "the",
    "a",
    "my",
    "john",
    "client",
    "regular",
    "im",
    "i'm",
    "so",
    "high",
    "paid",
    "pay",
    "me",
    "$",
    "200",
    "1,000",
    "555",
    "0123",
    "dio",
    "daba",
    "on",
    "at",
    "track",
    "stroll",
    "blade",
    "x",
    ",",
    ".",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=30).map(" ".join))
def test_dispatch_finds_what_a_plain_scan_finds(text):
    d = _Dispatch()
    for i, p in enumerate(PATTERNS):
        d.add(p, i)
    starts = {m.start() for m in _WORD_KEY.finditer(text)}
    got = {(s, e, p) for s, e, p in d.scan(text)}
    expected = set()
    for i, p in enumerate(PATTERNS):
        rx = re.compile(p)
        for pos in range(len(text) + 1):
            m = rx.match(text, pos)
            if m is not None and (pos == 0 or not text[pos - 1].isalnum() and text[pos - 1] != "_"):
                expected.add((pos, m.end(), i))
    # Every match found by trying each pattern at each word start is found by the dispatch.
    assert {x for x in expected if x[0] in starts} <= got


def test_lexicon_terms_are_reachable():
    # Each term must match itself through the dispatch: a term that can never match is a bug.
    for lang in ("en", "es"):
        lex = lexicon(lang)
        for key in list(lex.term_rules)[:400]:
            text = f" {key} "
            found = {text[s:e].strip() for s, e, p in lex.dispatch.scan(text) if p == "term"}
            assert found, (lang, key)


def test_package_has_no_django_import_and_no_private_re_module():
    modules = sorted(Path(redact.__file__).parent.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:import|from)\s+django", source, re.MULTILINE), path.name
        # CPython's regex parser is private and changes between versions: regex_tree reads patterns.
        assert not re.search(r"^\s*(?:import|from)\s+(?:sre_\w+|re\._\w+|re import _)", source, re.MULTILINE), path.name
