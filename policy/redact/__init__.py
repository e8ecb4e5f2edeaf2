"""Free-text redaction: find what a narrative says that could incriminate the reporter.

A referral must not carry the reporter's own admissions (working, payment, drugs, a weapon
they carried, immigration status, other offences), their identity, any contact detail, or a
precise place. This package finds those spans in a narrative and replaces them with one
neutral marker, so the recipient cannot tell what kind of thing was there; the tag of each
span goes only to the advocate's trace.

The approach is deterministic and rule-based:

* the text is folded for matching (NFKD, case-folded, accents and zero-width characters
  dropped, curly quotes and dashes unified) with a map back to the original offsets;
* per-language lexicons (``policy/lexicon/*.toml``) list terms and patterns by tag;
* the text is split into sentences and clauses; each trigger is judged by who the clause is
  about (first person, third person, or unknown, which counts as first person), and either
  the whole clause or only the phrase goes;
* detectors that need no grammar (phone numbers, email addresses, handles, street addresses,
  hotel names, room numbers, the reporter's known identifiers) run on every text.

Each step has a module of its own (docs/redaction.md, "The package"): ``text`` (folding),
``regex_tree``, ``keys``, ``specialise`` and ``dispatch`` (matching many regexes in one pass
over the words), ``lexicon`` (loading), ``clauses``, ``analysis`` (who a clause is about),
``names`` and ``detectors``, ``scan`` (one pass over a text), ``judging`` (hits judged clause by
clause) and ``spans`` (merging spans, replacing runs).

Nothing here imports Django. See docs/redaction.md for decisions and limits.
"""

from __future__ import annotations

from collections.abc import Iterable

from .judging import _language_spans
from .lexicon import LANGUAGES, Lexicon, LexiconError, languages_for, lexicon
from .scan import _Known, _Scan
from .spans import REMOVED, TAGS, Span, _bridges, _merge_per_tag, apply, removed_ranges
from .text import Folded

__all__ = [
    "LANGUAGES",
    "REMOVED",
    "TAGS",
    "Folded",
    "Lexicon",
    "LexiconError",
    "Span",
    "apply",
    "find_spans",
    "languages_for",
    "lexicon",
    "redact",
    "removed_ranges",
]


def find_spans(text: str, lang: str, *, known: Iterable[str] = ()) -> list[Span]:
    """Find what must be removed from ``text`` before it leaves in a referral.

    ``lang`` is "en" or "es"; anything else applies every lexicon. ``known`` holds the
    reporter's own name, phone numbers, email addresses and handles: every occurrence goes.
    Return spans sorted by position, offsets into ``text``; spans of one tag never overlap.
    """
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    if not text:
        return []
    folded = Folded(text)
    codes = languages_for(lang)
    scan = _Scan(folded, _Known(known), codes)
    raw = list(scan.spans)
    for code, matches in zip(codes, scan.language_matches, strict=True):
        raw.extend(_language_spans(scan, lexicon(code), matches))
    mapped = []
    for s, e, tag in raw:
        if e > s:
            o_s, o_e = folded.span(s, e)
            mapped.append((o_s, o_e, tag))
    mapped.extend(_bridges(text, mapped))
    return _merge_per_tag(mapped)


def redact(text: str, lang: str, *, known: Iterable[str] = ()) -> tuple[str, list[Span]]:
    """Return the redacted text and the spans removed from it."""
    spans = find_spans(text, lang, known=known)
    return apply(text, spans), spans
