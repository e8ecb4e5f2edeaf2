"""Property tests: the redactor never raises, and what it removes never reaches the output."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policy.redact import REMOVED, TAGS, Span, apply, find_spans, removed_ranges

WORDS = [
    "I",
    "he",
    "was",
    "working",
    "high",
    "meth",
    "paid",
    "me",
    "$200",
    "knife",
    "undocumented",
    "warrant",
    "client",
    "date",
    "and",
    "then",
    "hit",
    "Mission",
    "16th",
    "room",
    "214",
    "415-555-0123",
    "@candy",
    "a@b.co",
    "yo",
    "estaba",
    "trabajando",
    "cliente",
    "tina",
    "él",
    "me",
    "pagó",
    ",",
    ".",
    "\n",
    "😡",
    "\u0301",
    "\u202e",
    "\x00",
    "ﬁ",
    "ß",
    "İ",
    "’",
]

texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=5)), max_size=40).map("".join),
)
langs = st.sampled_from(["en", "es", "", "fr", "EN", "es-MX", "\x00"])
known_lists = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(["Candy Rose", "415 555 0123", "a@b.co", "@candy"])), max_size=3
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=texts, lang=langs, known=known_lists)
@example(text="\ud800\udfff I was high", lang="en", known=[])
@example(text="\u0301\u0301high", lang="en", known=["\u0301"])
def test_find_spans_never_raises_and_stays_in_bounds(text, lang, known):
    spans = find_spans(text, lang, known=known)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.tag in TAGS
    assert spans == sorted(spans, key=lambda s: (s.start, s.end, s.tag))
    result = apply(text, spans)
    assert isinstance(result, str)
    assert find_spans(text, lang, known=known) == spans


@st.composite
def text_and_spans(draw):
    text = draw(st.text(min_size=1, max_size=200))
    n = len(text)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.integers(-3, n + 3))
        b = draw(st.integers(-3, n + 3))
        spans.append(Span(a, b, draw(st.sampled_from(TAGS))))
    return text, spans


@settings(max_examples=500, deadline=None)
@given(text_and_spans())
def test_apply_never_shows_removed_text(case):
    text, spans = case
    result = apply(text, spans)
    runs = removed_ranges(text, spans)
    # The output is exactly the kept pieces with one marker per run.
    pieces = []
    pos = 0
    for s, e in runs:
        pieces.append(text[pos:s])
        pos = e
    pieces.append(text[pos:])
    assert result == REMOVED.join(pieces)
    # A removed stretch that occurs nowhere in the kept text does not occur in the output.
    kept = "\x00".join(pieces)
    for s, e in runs:
        secret = text[s:e]
        if secret not in kept and secret not in REMOVED and REMOVED not in text:
            assert secret not in result.replace(REMOVED, "\x00")


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.text(max_size=40),
    secret=st.sampled_from(
        ["I was high", "I had meth on me", "he paid me $300", "call 415-555-0199", "I'm undocumented"]
    ),
    suffix=st.text(max_size=40),
)
def test_planted_admissions_never_survive(prefix, secret, suffix):
    text = f"{prefix}. {secret}. {suffix}"
    result = apply(text, find_spans(text, "en"))
    for word in ("high", "meth", "$300", "0199", "undocumented"):
        if word in secret and word not in prefix and word not in suffix:
            assert word not in result
