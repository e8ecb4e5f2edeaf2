"""One pass over a folded text: every dispatch match, and the spans of the detectors that need no grammar."""

from __future__ import annotations

from functools import cache

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
def _with_global(lang: str) -> _Dispatch:
    """The lexicon's dispatch and the language-independent detectors, in one pass."""
    lex = lexicon(lang)
    return _Dispatch.merged(_global_dispatch(), lex.dispatch, lex.keep)


@cache
def _without_global(lang: str) -> _Dispatch:
    """The lexicon's dispatch alone, for a second language over the same text."""
    lex = lexicon(lang)
    return _Dispatch.merged(lex.dispatch, lex.keep)


_GLOBAL_KINDS = frozenset(kind for kind, _ in _GLOBAL_DETECTORS) | {"pii.first_name"}


class _Scan:
    """Everything found in one folded text before the per-language rules are judged."""

    def __init__(self, folded: Folded, known: _Known, lang: str) -> None:
        self.folded = folded
        text = folded.text
        self.punctuation = _punctuation(text)
        self.spans: list[tuple[int, int, str]] = []
        matches = _with_global(lang).scan(text)
        # What the lexicon's rules judge; the rest is handled here.
        self.language_matches = [m for m in matches if m[2] not in _GLOBAL_KINDS]
        add = self.spans.append
        for start, end, kind in matches:
            if kind not in _GLOBAL_KINDS:
                continue
            if kind == "contact.platform":
                for regex in _PLATFORM_REGEXES:
                    m = regex.match(text, start)
                    if m is not None:
                        handle = m.group("h").rstrip(".")
                        if handle and handle not in _STOP:
                            h_end = m.start("h") + len(handle)
                            if _capitalised(folded.original_of(m.start("h"), m.start("h") + 1)):
                                # "mi Facebook es Mari Sol Ruiz": a display name runs on.
                                h_end = max(h_end, _name_after(folded, m.start("h"), require_capital=True))
                            add((m.start("h"), h_end, "contact"))
            elif kind == "contact.spoken_phone":
                # "214 five five five 0127": digits before the words belong to the number.
                lead = _DIGITS_BEFORE.search(text, max(0, start - 24), start)
                first = lead.start() if lead is not None else start
                if len(_DIGIT_TOKEN.findall(text, first, end)) >= 7:
                    add((first, end, "contact"))
            elif kind in ("location.address", "location.unit"):
                add((start, end, "location.precise"))
            elif kind == "location.chain":
                add((_article_start(text, start), end, "location.precise"))
            elif kind == "location.lodging":
                named = _lodging_span(folded, start, end)
                if named is not None:
                    # "the Sunrise Inn": the article goes with the name.
                    add((_article_start(text, named[0]), named[1], "location.precise"))
            elif kind == "pii.honorific":
                name_end = _name_after(folded, end, limit=2, require_capital=True)
                # "Doña Rosa", and "don Lalo" too: the name's capital is the signal.
                if name_end > end and (
                    _capitalised(folded.original_of(start, start + 1)) or text.startswith(("don ", "dona "), start)
                ):
                    add((start, name_end, "pii.third_party"))
            elif kind == "pii.first_name":
                if _person_name(folded, start, end):
                    # "Ashley Nguyen": a capitalised word after a listed first name is her surname,
                    # unless it ends a place ("Maria Street") or is a day, a month or a word.
                    add((start, _surname_end(folded, end), "pii.third_party"))
            elif kind == "pii.dob":
                add((start, end, "pii.reporter"))
            elif kind in ("pii.name", "pii.name_capital"):
                name_start = end
                article = _NAME_ARTICLE.match(text, end)
                if article is not None and _capitalised(folded.original_of(article.end(), article.end() + 1)):
                    name_start = article.end()  # "le dicen la Güera": the article belongs to the nickname
                name_end = _name_after(folded, name_start, require_capital=kind == "pii.name_capital")
                if name_end > name_start:
                    tag = (
                        "pii.third_party"
                        if text.startswith(("her", "his", "their", "she", "they", "su", "se", "le"), start)
                        else "pii.reporter"
                    )
                    add((start if kind == "pii.name" else end, name_end, tag))
        if _HAS_DIGIT.search(text):
            self.spans.extend(_phone_spans(text, known.phones))
            self.spans.extend(
                (m.start(), _town_end(folded, m.end()), "location.precise")
                for m in _ADDRESS_NUMBER.finditer(text)
                if _word_start(text, m.start())
            )
        if "'s " in text:
            # "Tasha's number is ...": whose number it is goes with it.
            for m in _POSSESSIVE_CONTACT.finditer(text):
                owner = _last_word(text, m.start() + 2)
                if owner is not None and _capitalised(folded.original_of(*owner)):
                    add((owner[0], m.start() + 2, "pii.third_party"))
        if "@" in text:
            for regex in (_EMAIL, _HANDLE):
                self.spans.extend(
                    (m.start(), m.end(), "contact")
                    for m in regex.finditer(text)
                    if _word_start(text, m.start(), "@.+-")
                )
        if "$" in text:
            self.spans.extend(
                (m.start(), m.end(), "contact") for m in _CASHTAG.finditer(text) if _word_start(text, m.start())
            )
        if " dot " in text or " punto " in text or "(dot)" in text or "[dot]" in text:
            self.spans.extend(_spoken_emails(text))
        self.spans.extend(_dotted_handles(text))
        if known.pattern is not None:
            self.spans.extend((m.start(), m.end(), "pii.reporter") for m in known.pattern.finditer(text))
