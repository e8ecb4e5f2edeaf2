"""One pass over a folded text: every dispatch match, and the spans of the detectors that need no grammar."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from .clauses import _punctuation
from .detectors import (
    _ADDRESS_NUMBER,
    _CASHTAG,
    _DIGIT_TOKEN,
    _DIGITS_BEFORE,
    _EMAIL,
    _GLOBAL_DETECTORS,
    _HANDLE,
    _NAME_ARTICLE,
    _PLATFORM_REGEXES,
    _POSSESSIVE_CONTACT,
    _dotted_handles,
    _global_dispatch,
    _Known,
    _phone_spans,
    _spoken_emails,
)
from .dispatch import _Dispatch
from .lexicon import lexicon
from .names import _STOP, _article_start, _lodging_span, _name_after, _person_name, _surname_end, _town_end
from .text import _HAS_DIGIT, Folded, _capitalised, _last_word, _word_start


@cache
def _dispatch(codes: tuple[str, ...]) -> _Dispatch:
    """The language-independent detectors and each language's lexicon (and what its removed
    clauses keep), in one pass over the words; a lexicon's payloads are tagged with its index."""
    parts = [_global_dispatch()]
    for i, code in enumerate(codes):
        lex = lexicon(code)
        parts += [lex.dispatch.tagged(i), lex.keep.tagged(i)]
    merged = _Dispatch.merged(*parts)
    # Every word start's combined regex, built when the redactor loads (a preloaded worker
    # forks with them), not at the first word of a new text that needs one.
    merged.compile_all()
    return merged


_GLOBAL_KINDS = frozenset(kind for kind, _ in _GLOBAL_DETECTORS) | {"pii.first_name"}


_Tagged = tuple[int, int, str]


class _Scan:
    """Everything found in one folded text before the per-language rules are judged."""

    def __init__(self, folded: Folded, known: _Known, codes: tuple[str, ...]) -> None:
        self.folded = folded
        text = folded.text
        self.punctuation = _punctuation(text)
        self.spans: list[_Tagged] = []
        # What each lexicon's rules judge (in the order of ``codes``); the rest is handled here.
        self.language_matches: list[list[tuple[int, int, Any]]] = [[] for _ in codes]
        for start, end, payload in _dispatch(codes).scan(text):
            if isinstance(payload, tuple):
                self.language_matches[payload[0]].append((start, end, payload[1]))
            else:
                self.spans.extend(_BY_KIND[payload](folded, start, end, payload))
        self.spans.extend(_shapes(folded, known))


def _platform(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    """The handle after a platform's name: "my snap is rosie.v99"."""
    for regex in _PLATFORM_REGEXES:
        m = regex.match(folded.text, start)
        if m is None:
            continue
        handle = m.group("h").rstrip(".")
        if handle and handle not in _STOP:
            h_end = m.start("h") + len(handle)
            if _capitalised(folded.original_of(m.start("h"), m.start("h") + 1)):
                # "mi Facebook es Mari Sol Ruiz": a display name runs on.
                h_end = max(h_end, _name_after(folded, m.start("h"), require_capital=True))
            yield (m.start("h"), h_end, "contact")


def _spoken_phone(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    # "214 five five five 0127": digits before the words belong to the number.
    text = folded.text
    lead = _DIGITS_BEFORE.search(text, max(0, start - 24), start)
    first = lead.start() if lead is not None else start
    if len(_DIGIT_TOKEN.findall(text, first, end)) >= 7:
        yield (first, end, "contact")


def _precise(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    yield (start, end, "location.precise")


def _chain(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    yield (_article_start(folded.text, start), end, "location.precise")


def _lodging(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    named = _lodging_span(folded, start, end)
    if named is not None:
        # "the Sunrise Inn": the article goes with the name.
        yield (_article_start(folded.text, named[0]), named[1], "location.precise")


def _honorific(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    name_end = _name_after(folded, end, limit=2, require_capital=True)
    # "Doña Rosa", and "don Lalo" too: the name's capital is the signal.
    if name_end > end and (
        _capitalised(folded.original_of(start, start + 1)) or folded.text.startswith(("don ", "dona "), start)
    ):
        yield (start, name_end, "pii.third_party")


def _first_name(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    if _person_name(folded, start, end):
        # "Ashley Nguyen": a capitalised word after a listed first name is her surname,
        # unless it ends a place ("Maria Street") or is a day, a month or a word.
        yield (start, _surname_end(folded, end), "pii.third_party")


def _dob(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    yield (start, end, "pii.reporter")


def _introduced_name(folded: Folded, start: int, end: int, kind: str) -> Iterator[_Tagged]:
    """The name after "my name is", "me llamo", "soy"."""
    text = folded.text
    name_start = end
    article = _NAME_ARTICLE.match(text, end)
    if article is not None and _capitalised(folded.original_of(article.end(), article.end() + 1)):
        name_start = article.end()  # "le dicen la Güera": the article belongs to the nickname
    name_end = _name_after(folded, name_start, require_capital=kind == "pii.name_capital")
    if name_end > name_start:
        theirs = text.startswith(("her", "his", "their", "she", "they", "su", "se", "le"), start)
        yield (start if kind == "pii.name" else end, name_end, "pii.third_party" if theirs else "pii.reporter")


_BY_KIND = {
    "contact.platform": _platform,
    "contact.spoken_phone": _spoken_phone,
    "location.address": _precise,
    "location.unit": _precise,
    "location.chain": _chain,
    "location.lodging": _lodging,
    "pii.honorific": _honorific,
    "pii.first_name": _first_name,
    "pii.dob": _dob,
    "pii.name": _introduced_name,
    "pii.name_capital": _introduced_name,
}
if set(_BY_KIND) != _GLOBAL_KINDS:
    raise RuntimeError("a detector's kind has no handler")


def _shapes(folded: Folded, known: _Known) -> Iterator[_Tagged]:
    """Detectors that search the whole text: numbers, addresses, emails, handles, known identifiers."""
    text = folded.text
    if _HAS_DIGIT.search(text):
        yield from _phone_spans(text, known.phones)
        yield from (
            (m.start(), _town_end(folded, m.end()), "location.precise")
            for m in _ADDRESS_NUMBER.finditer(text)
            if _word_start(text, m.start())
        )
    if "'s " in text:
        # "Tasha's number is ...": whose number it is goes with it.
        for m in _POSSESSIVE_CONTACT.finditer(text):
            owner = _last_word(text, m.start() + 2)
            if owner is not None and _capitalised(folded.original_of(*owner)):
                yield (owner[0], m.start() + 2, "pii.third_party")
    if "@" in text:
        for regex in (_EMAIL, _HANDLE):
            yield from (
                (m.start(), m.end(), "contact") for m in regex.finditer(text) if _word_start(text, m.start(), "@.+-")
            )
    if "$" in text:
        yield from ((m.start(), m.end(), "contact") for m in _CASHTAG.finditer(text) if _word_start(text, m.start()))
    if " dot " in text or " punto " in text or "(dot)" in text or "[dot]" in text:
        yield from _spoken_emails(text)
    yield from _dotted_handles(text)
    if known.pattern is not None:
        yield from ((m.start(), m.end(), "pii.reporter") for m in known.pattern.finditer(text))
