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

_OPENERS: Final = frozenset(OPENERS)
_PUNCTUATION: Final = re.compile(r"[.,!?;:()\[\]{}\"\n\u2026\u2600-\u27bf\U0001f000-\U0001faff]+|\s-+\s")
_SENTENCE_END: Final = re.compile(r"[.!?;\n\u2026\u2600-\u27bf\U0001f000-\U0001faff]")
_LEFT_EDGE: Final = " \t\r\n\x0b\x0c-'\"*,."
_RIGHT_EDGE: Final = " \t\r-'\"*"


def _cuts(folded: str) -> list[tuple[int, int, bool]]:
    """Punctuation that ends a clause, as (start, end, ends a sentence): not a point or a comma
    between digits ("1,000", "2.5")."""
    out = []
    n = len(folded)
    for m in _PUNCTUATION.finditer(folded):
        s, e = m.span()
        if e - s == 1 and s > 0 and e < n and folded[s] in ".," and folded[s - 1].isdigit() and folded[e].isdigit():
            continue
        out.append((s, e, _SENTENCE_END.search(folded, s, e) is not None))
    return out


class Clauses:
    """The clauses of a folded text: sorted ``(start, end)`` spans and each one's sentence.

    ``words`` are the text's words as the matcher cut them ((start, end, word) triples): a
    clause also starts at each opening word.
    """

    __slots__ = ("_starts", "sentence", "spans")

    def __init__(self, folded: str, words: list[tuple[int, int, str]]) -> None:
        self.spans: list[tuple[int, int]] = []
        self.sentence: list[int] = []
        cuts = _cuts(folded)
        cuts += [(s, s, False) for s, _e, word in words if word in _OPENERS]
        cuts.sort()
        number = pos = 0
        for start, end, sentence in cuts:
            if start < pos:
                continue
            self._add(folded, pos, start, number)
            number += sentence
            pos = end
        self._add(folded, pos, len(folded), number)
        self._starts = [s for s, _ in self.spans]

    def _add(self, folded: str, start: int, end: int, sentence: int) -> None:
        piece = folded[start:end]
        left = piece.lstrip(_LEFT_EDGE)
        start += len(piece) - len(left)
        end = start + len(left.rstrip(_RIGHT_EDGE))
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
