"""Text folding: the form of a text that every match is made on, with a map back to the original.

Folding is NFKD, case-folded, with combining marks and zero-width characters dropped, curly
quotes and dashes made straight, and control characters made spaces (docs/redaction.md, "How it
works", step 1). Also the small word helpers every other module uses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = "'`\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u02bb\u02b9\u00b4\uff07"
_QUOTES = '"\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02'
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_SPACE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zs"})


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(words.split())


def _fold_char(c: str) -> str:
    """Fold one character for matching; the result may be empty or several characters."""
    straight = _straight(c)
    if straight is not None:
        return straight
    category = unicodedata.category(c)
    if category in _SPACE_CATEGORIES:
        return " "
    if category in _DROPPED_CATEGORIES:
        return ""
    folded = unicodedata.normalize("NFKD", c).casefold()
    out = []
    for d in folded:
        if unicodedata.category(d) in _DROPPED_CATEGORIES:
            continue
        straight = _straight(d)
        out.append(d if straight is None or straight == "\n" else straight)
    return "".join(out)


def _straight(c: str) -> str | None:
    """The plain form of an apostrophe, a quote, a dash or a line break; None for anything else."""
    if c in _APOSTROPHES:
        return "'"
    if c in _QUOTES:
        return '"'
    if c in _DASHES:
        return "-"
    if c in _LINE_BREAKS:
        return "\n"
    return None


_ASCII_TABLE: dict[int, str] = {i: _fold_char(chr(i)) for i in range(128)}

# Every cache keyed by what a text contains is bounded (least recently used entries go), so
# that crafted texts cannot grow a worker's memory: docs/redaction.md, "Memory".
_fold_cached = lru_cache(maxsize=8192)(_fold_char)


class Folded:
    """The folded text and how to map its offsets back to the original string."""

    __slots__ = ("_src", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        src: list[int] | None = None
        if original.isascii():
            text = original.translate(_ASCII_TABLE)
        else:
            table = dict(_ASCII_TABLE)
            irregular = []
            for c in set(original):
                if ord(c) >= 128:
                    folded = _fold_cached(c)
                    table[ord(c)] = folded
                    if len(folded) != 1:
                        irregular.append(c)
            if not irregular:
                text = original.translate(table)
            else:
                text, src = self._fold_irregular(original, table, irregular)
        self.text = text
        self._src = src

    @staticmethod
    def _fold_irregular(original: str, table: dict[int, str], irregular: list[str]) -> tuple[str, list[int]]:
        parts: list[str] = []
        src: list[int] = []
        pattern = re.compile("[" + "".join(re.escape(c) for c in irregular) + "]")
        pos = 0
        for m in pattern.finditer(original):
            i = m.start()
            if i > pos:
                parts.append(original[pos:i].translate(table))
                src.extend(range(pos, i))
            folded = table[ord(original[i])]
            parts.append(folded)
            src.extend([i] * len(folded))
            pos = i + 1
        if pos < len(original):
            parts.append(original[pos:].translate(table))
            src.extend(range(pos, len(original)))
        return "".join(parts), src

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded ``[start, end)`` to the original, swallowing trailing zero-width marks."""
        if self._src is None:
            return start, end
        src = self._src
        o_start = src[start]
        o_end = src[end - 1] + 1
        original = self.original
        n = len(original)
        while o_end < n and _fold_cached(original[o_end]) == "":
            o_end += 1
        return o_start, o_end

    def original_of(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


_HAS_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+(?:'\w+)*")


def _canonical(s: str) -> str:
    return " ".join(s.replace("'", "").replace("-", " ").split())


_canonical_short = lru_cache(maxsize=4096)(_canonical)


def _canonical_cached(s: str) -> str:
    """``_canonical`` for the short strings that recur in every text: conjunctions, terms."""
    return _canonical_short(s) if len(s) <= _CACHED_WORD_LENGTH else _canonical(s)


# Only strings this short are cached, so that the caches' bytes are bounded as well as their entries.
_CACHED_WORD_LENGTH = 40


def _fold(s: str) -> str:
    return Folded(s).text


def _capitalised(original: str) -> bool:
    return bool(original) and (original[0].isupper() or original[0].isdigit())


def _last_word(text: str, pos: int) -> tuple[int, int] | None:
    end = pos
    while end > 0 and text[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and (_is_word(text[start - 1]) or text[start - 1] in "'-"):
        start -= 1
    return (start, end) if start < end else None


def _word_start(text: str, pos: int, also: str = "") -> bool:
    return pos == 0 or not (_is_word(text[pos - 1]) or text[pos - 1] in also)
