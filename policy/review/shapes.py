"""Review flags found by shape rather than by word: capitalised names in running text.

A capitalised word (or a run of them) that is not the lone first word of a sentence, not a
place after "on", "in", "near" ("on Lombard", "cerca de Alvarado") and not an ordinary
capitalised word (a day, a month, a car make: ``identity.toml``) may name a co-worker, a
friend, a manager or a workplace: "Lil Bit and Coco", "Mama Lin", "the Velvet Room". Only the
words themselves are flagged (reason "identity"), with an article just before them. Text
written in capitals throughout says nothing by its capitals and is skipped.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from .lexicon import ReviewLexiconError, fold

_IDENTITY: Final = Path(__file__).resolve().parent / "identity.toml"

# A word that starts with a letter that is not lower-case Latin: the only words that can be
# capitalised, found without looking at the others.
_WORD: Final = re.compile(
    r"(?<![\w@$#.'\u2019-])(?!I(?:['\u2019\s]|\Z))[^\W\d_a-z\u00df-\u00ff][^\W\d_]*(?:['\u2019-][^\W\d_]+)*\.?"
)
_GAP_IN_RUN: Final = re.compile(r"[ \t]+")
_SENTENCE_END: Final = frozenset('.!?\n:"\u201c\u201d;')
_LAST_WORD: Final = re.compile(r"(\w+)[ \t,]*\Z")
# "Lily, Coco and Jasmine": a capitalised word followed by another in a list is a name too.
_LIST_AFTER: Final = re.compile(r"(?:,[ \t]*|[ \t]+(?:and|y|&|n)[ \t]+)[^\W\d_][^\W\d_]*[^\W\d_A-Z]")
_ARTICLES: Final = frozenset({"the", "el", "la", "los", "las"})
_STREET: Final = re.compile(
    r"[ \t]+(?:st|street|ave|avenue|blvd|boulevard|rd|road|dr|drive|way|hwy|highway|ln|lane|pl|ct|pkwy|fwy|sq)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class NameWords:
    """What a capitalised word is when it is not a name, from ``identity.toml``."""

    not_names: frozenset[str]
    place_before: frozenset[str]


@cache
def name_words() -> NameWords:
    """Load ``identity.toml``; raise ReviewLexiconError naming the file on any fault."""
    try:
        with _IDENTITY.open("rb") as f:
            data = tomllib.load(f)
        return NameWords(
            frozenset(fold(w) for w in data["not_names"]), frozenset(fold(w) for w in data["place_before"])
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ReviewLexiconError(f"{_IDENTITY.name}: {exc.__class__.__name__}: {exc}") from None


def _folded(word: str) -> str:
    return word.lower() if word.isascii() else fold(word)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or any(c.islower() for c in word[1:]) or word.endswith("."))


_UPPER: Final = re.compile(r"[A-Z\u00c0-\u00de]")
_LOWER: Final = re.compile(r"[a-z\u00df-\u00ff]")


def _mostly_capitals(text: str) -> bool:
    upper = len(_UPPER.findall(text))
    # Most texts have few capitals: no need to count the rest.
    return upper * 4 >= len(text) and upper > len(_LOWER.findall(text))


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'(\u2018\u201c-*"):
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END or ord(text[i]) >= 0x2600


def _word_before(text: str, start: int) -> tuple[str, int]:
    """The word just before ``start`` (folded) and where it begins; ("", start) if none."""
    base = max(0, start - 40)
    m = _LAST_WORD.search(text, base, start)
    if not m:
        return "", start
    return _folded(m.group(1)), m.start(1)


def _runs(text: str) -> list[list[tuple[int, int]]]:
    """Runs of capitalised words separated only by spaces, as lists of (start, end)."""
    runs: list[list[tuple[int, int]]] = []
    last_end = -1
    for m in _WORD.finditer(text):
        if not _capitalised(m.group()):
            continue
        s, e = m.span()
        if m.group().endswith(".") and len(m.group()) > 2:
            e -= 1  # "Lin." ends a sentence; only an initial keeps its full stop
        if runs and last_end >= 0 and _GAP_IN_RUN.fullmatch(text, last_end, s):
            runs[-1].append((s, e))
        else:
            runs.append([(s, e)])
        last_end = e
    return runs


def name_flags(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that look like the name of a person or a business."""
    if _mostly_capitals(text):
        return []
    words = name_words()
    runs = _runs(text)
    # Words capitalised in mid-sentence somewhere in the text: a name, also at a sentence start.
    named = {_folded(text[s:e]) for run in runs for s, e in run if not _sentence_start(text, s)}
    out = []
    for run in runs:
        kept = [(s, e) for s, e in run if _folded(text[s:e]).rstrip(".") not in words.not_names]
        if not kept:
            continue
        start, end = kept[0][0], kept[-1][1]
        if (
            len(kept) == 1
            and start == run[0][0]
            and _sentence_start(text, start)
            and _folded(text[start:end]) not in named
            and not _LIST_AFTER.match(text, end)
        ):
            continue
        if _STREET.match(text, end):
            continue
        if start > run[0][0] and _folded(text[run[0][0] : run[0][1]]) in _ARTICLES:
            start = run[0][0]  # "The Velvet Room": the article is part of the name
        before, at = _word_before(text, run[0][0])
        if before in _ARTICLES:
            if start == run[0][0]:
                start = at  # "la Wendy", "the Bellagio"
            before, _ = _word_before(text, at)
        if before in words.place_before:
            continue
        out.append((start, end))
    return out
