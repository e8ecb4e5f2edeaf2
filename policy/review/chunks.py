"""Clauses for review flags: the stretch of text a reviewer needs to see around a hit.

A clause ends at punctuation that ends or separates clauses (full stops, commas, semicolons,
colons, brackets, quotes, dashes between spaces, line breaks, emoji; not a comma or a point
between digits, as in "1,000" or "2.5") and before a word that opens a new one ("and", "but",
"when", "because", "y", "pero", "cuando", "porque", ...). The opening word belongs to the clause
it opens: "after he got what he wanted" is one clause. Relative words ("who", "that", "que") do
not split: "one of the men who comes in every week" is one clause, and a reviewer needs all of
it. Each clause knows its sentence, so that a sign can count for its neighbours.

Works on folded text (policy.redact.Folded), so boundaries are found once for both languages.
"""

from __future__ import annotations

import bisect
import re
from typing import Final

#: Words that open a new clause, in English and Spanish (folded: no accents). Words that are
#: as often adverbs or prepositions ("antes", "hasta", "then") are left out: they would cut a
#: phrase ("el que antes me manejaba") in two.
OPENERS: Final = (
    "and",
    "but",
    "so",
    "because",
    "bc",
    "cuz",
    "cause",
    "when",
    "whenever",
    "while",
    "after",
    "before",
    "until",
    "if",
    "unless",
    "although",
    "though",
    "or",
    "y",
    "e",
    "pero",
    "porque",
    "pq",
    "xq",
    "cuando",
    "mientras",
    "luego",
    "despues",
    "si",
    "aunque",
    "pues",
    "entonces",
    "o",
    "ni",
)

_SENTENCE_MARKS: Final = r"[!?;\n\u2026\u2600-\u27bf\U0001f000-\U0001faff]|(?<!\d)\.|\.(?!\d)"
_BOUNDARY: Final = re.compile(
    rf"(?P<s>(?:{_SENTENCE_MARKS})+)"
    r"|(?:[:()\[\]{}\"]|(?<!\d),|,(?!\d))+"
    r"|\s-+\s"
    r"|(?<!\w)(?=(?:" + "|".join(OPENERS) + r")\s)"
)
_EDGE: Final = re.compile(r"[\s\-'\"*,.]+")


class Clauses:
    """The clauses of a folded text: sorted ``(start, end)`` spans and each one's sentence."""

    __slots__ = ("_starts", "sentence", "spans")

    def __init__(self, folded: str) -> None:
        self.spans: list[tuple[int, int]] = []
        self.sentence: list[int] = []
        number = pos = 0
        for m in _BOUNDARY.finditer(folded):
            self._add(folded, pos, m.start(), number)
            if m.group("s"):
                number += 1
            pos = m.end()
        self._add(folded, pos, len(folded), number)
        self._starts = [s for s, _ in self.spans]

    def _add(self, folded: str, start: int, end: int, sentence: int) -> None:
        m = _EDGE.match(folded, start, end)
        if m:
            start = m.end()
        while end > start and folded[end - 1] in " \t\r-'\"*":
            end -= 1
        if end > start:
            self.spans.append((start, end))
            self.sentence.append(sentence)

    def index(self, pos: int) -> int:
        """The index of the clause at or before ``pos`` (0 if none)."""
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def neighbours(self, i: int) -> list[int]:
        """The clauses just before and after clause ``i`` in the same sentence."""
        return [j for j in (i - 1, i + 1) if 0 <= j < len(self.spans) and self.sentence[j] == self.sentence[i]]

    def around(self, start: int, end: int) -> tuple[int, int]:
        """The clause holding ``[start, end)``, widened to every clause the hit touches."""
        if not self.spans:
            return start, end
        i, j = self.index(start), self.index(max(start, end - 1))
        return min(start, self.spans[i][0]), max(end, self.spans[j][1])
