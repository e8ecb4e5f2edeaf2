"""Sentences and clauses: where punctuation, line breaks, emoji and conjunctions cut a text."""

from __future__ import annotations

import bisect
import re
import unicodedata

_PUNCT_RUN = re.compile(r"[.!?\u3002\uff01\uff1f\n,;:()\[\]\"\u2026\u2600-\u27bf\U0001f000-\U0001faff-]+")
_SENTENCE_END = frozenset(".!?\u3002\uff01\uff1f")
_SENTENCE, _CLAUSE, _SPLIT_WORD = 1, 0, 2


def _punctuation(text: str) -> list[tuple[int, int, int]]:
    """Sentence and clause boundaries made of punctuation (and emoji, and line breaks)."""
    out = []
    n = len(text)
    for m in _PUNCT_RUN.finditer(text):
        s, e = m.span()
        run = m.group()
        before = text[s - 1] if s else " "
        after = text[e] if e < n else " "
        if run == ",":  # the usual run, decided as below
            if not (before.isdigit() and after.isdigit()):
                out.append((s, e, _CLAUSE))
        elif "\n" in run:
            out.append((s, e, _SENTENCE))
        elif before.isdigit() and after.isdigit() and run in (",", ".", ":", "-", "/"):
            continue  # "1,100", "12:45", "555-0123"
        elif run.strip("-") == "":
            if before.isspace() or after.isspace():
                out.append((s, e, _CLAUSE))
        elif not _SENTENCE_END.isdisjoint(run) and (after.isspace() or after in "\"')]" or e == n):
            out.append((s, e, _SENTENCE))
        elif run == ".":
            continue  # "St.Francis", "a.m"
        else:
            out.append((s, e, _CLAUSE))
    return out


class Clauses:
    """Clause ranges of the folded text, each with its sentence and the word that opened it."""

    __slots__ = ("ends", "lead", "sentence", "starts")

    def __init__(self, text: str, boundaries: list[tuple[int, int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        sentence: list[int] = []
        lead: list[tuple[int, int] | None] = []
        s = 0
        pos = 0
        opener: tuple[int, int] | None = None
        for b_start, b_end, kind in boundaries:
            if b_end <= pos and b_start < pos:
                continue
            if b_start > pos and not text[pos:b_start].isspace():
                starts.append(pos)
                ends.append(b_start)
                sentence.append(s)
                lead.append(opener)
                opener = None
            if kind == _SENTENCE:
                s += 1
                opener = None
            elif kind == _SPLIT_WORD:
                # "after he ...": the first conjunction of a run opens the clause.
                if opener is None:
                    opener = (b_start, b_end)
            else:
                opener = None
            pos = max(pos, b_end)
        if pos < len(text) or not starts:
            starts.append(pos)
            ends.append(len(text))
            sentence.append(s)
            lead.append(opener)
        self.starts = starts
        self.ends = ends
        self.sentence = sentence
        self.lead = lead

    def sentence_range(self, k: int) -> tuple[int, int]:
        """Start and end of the sentence that clause ``k`` belongs to."""
        first = bisect.bisect_left(self.sentence, self.sentence[k])
        last = bisect.bisect_right(self.sentence, self.sentence[k]) - 1
        return self.starts[first], self.ends[last]

    def index(self, pos: int) -> int:
        """The clause holding ``pos``; a position inside a boundary belongs to the next clause."""
        k = max(bisect.bisect_right(self.starts, pos) - 1, 0)
        if self.ends[k] <= pos and k + 1 < len(self.starts):
            k += 1
        return k

    def range(self, k: int, text: str) -> tuple[int, int]:
        """Return the clause with the conjunction that opened it, without surrounding space.

        Pictographs at the edges stay: an emoji says how the reporter felt, not what they did.
        """
        lead = self.lead[k]
        s, e = (lead[0] if lead else self.starts[k]), self.ends[k]
        while s < e and (text[s].isspace() or unicodedata.category(text[s]) == "So"):
            s += 1
        while e > s and (text[e - 1].isspace() or unicodedata.category(text[e - 1]) == "So"):
            e -= 1
        return s, e
