"""Reading regular expressions into trees (policy/redact/regex_tree.py) and writing them back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.redact import regex_tree as rt
from policy.redact.keys import _start_keys
from policy.redact.lexicon import lexicon
from policy.redact.specialise import _emit, _parsed


def test_a_shared_start_moves_out_of_an_alternation():
    assert rt.parse("ab|ac") == [(rt.LITERAL, ord("a")), (rt.IN, [(rt.LITERAL, ord("b")), (rt.LITERAL, ord("c"))])]


def test_non_capturing_groups_are_spliced_and_capturing_ones_numbered():
    assert rt.parse("(?:ab)(c)") == [
        (rt.LITERAL, ord("a")),
        (rt.LITERAL, ord("b")),
        (rt.SUBPATTERN, (1, 0, 0, [(rt.LITERAL, ord("c"))])),
    ]


def test_lookarounds_repeats_and_classes():
    tree = rt.parse(r"(?<!\w)x{2,}?[^a](?=\s)")
    assert tree[0] == (rt.ASSERT_NOT, (-1, [(rt.IN, [(rt.CATEGORY, rt.CATEGORY_WORD)])]))
    assert tree[1] == (rt.MIN_REPEAT, (2, rt.MAXREPEAT, [(rt.LITERAL, ord("x"))]))
    assert tree[2] == (rt.NOT_LITERAL, ord("a"))
    assert tree[3] == (rt.ASSERT, (1, [(rt.IN, [(rt.CATEGORY, rt.CATEGORY_SPACE)])]))


@pytest.mark.parametrize("source", [r"(?i)abc", r"(a)\1", r"(?(1)a|b)", r"\N{EM DASH}", "a)", "[a"])
def test_syntax_outside_the_subset_is_refused(source):
    with pytest.raises(rt.Unsupported):
        rt.parse(source)


def test_a_pattern_that_cannot_be_read_is_tried_everywhere():
    # Inline flags change what the letters mean: such a pattern gets no start keys.
    assert _start_keys(r"(?i)paid") is None
    assert _parsed(r"(?i)paid") is None


def test_every_lexicon_pattern_can_be_read():
    for lang in ("en", "es"):
        lex = lexicon(lang)
        for key, entries in lex.dispatch._by_key.items():
            for source, _payload in entries:
                assert rt.parse(source), (lang, key)


_ATOMS = ["a", "b", "ab", r"\d", r"\s", r"\w", "[ab]", "[^a]", "[a-c]", ".", r"\.", "'"]


@st.composite
def _patterns(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["atom", "atom", "group", "alt", "repeat", "look"] if depth < 2 else ["atom"]))
        if kind == "atom":
            parts.append(draw(st.sampled_from(_ATOMS)))
        elif kind == "group":
            parts.append(draw(st.sampled_from(["(?:", "("])) + draw(_patterns(depth + 1)) + ")")
        elif kind == "alt":
            parts.append("(?:" + draw(_patterns(depth + 1)) + "|" + draw(_patterns(depth + 1)) + ")")
        elif kind == "repeat":
            parts.append(
                "(?:" + draw(_patterns(depth + 1)) + ")" + draw(st.sampled_from(["*", "+", "?", "{1,2}", "*?"]))
            )
        else:
            parts.append(
                draw(st.sampled_from(["(?=", "(?!", "(?<!"])) + draw(st.sampled_from(["a", r"\w", r"\s"])) + ")"
            )
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_patterns(), st.lists(st.text(alphabet="ab1 .'c", max_size=8), min_size=1, max_size=6))
def test_a_tree_written_back_matches_what_its_source_matches(source, texts):
    written = _emit(rt.parse(source))
    a, b = re.compile(source), re.compile(written)
    for text in texts:
        for pos in range(len(text) + 1):
            m, n = a.match(text, pos), b.match(text, pos)
            assert (m and m.span()) == (n and n.span()), (source, written, text, pos)
