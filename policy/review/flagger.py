"""The flagger: word families, names and clauses put together into flags.

``Flagger(families)`` compiles a set of families once; ``find(text, removed)`` returns the
flags of one text. ``default_flagger()`` is the one the production path uses, built from every
``policy/review/*.toml`` file. Evaluation scripts build others (a family left out, say) to
measure what each one is worth.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from ..redact import Folded
from .chunks import Clauses
from .lexicon import Family, default_families
from .matcher import Hit, Matcher
from .model import ClauseModel, features
from .model import load as load_model
from .reasons import Flag
from .shapes import name_flags

# Between a flag and the next flag or removed run, only these: a reviewer reads them as one.
_GAP: Final = re.compile(
    r"[\s,;:.!?&/()\-\u2013\u2014'\"]*"
    r"(?:(?:and|n|an|y|e|or|o|u|but|pero|then|luego|plus|que|q|who|that|to|for|with|con|de|a|por|para)(?!\w)"
    r"[\s,;:&/()\-\u2013\u2014'\"]*)?",
    re.IGNORECASE,
)
_ALNUM: Final = re.compile(r"\w")


def outside(start: int, end: int, runs: Sequence[tuple[int, int]], run_starts: Sequence[int]) -> list[tuple[int, int]]:
    """``[start, end)`` less the removed runs, in pieces."""
    pieces = []
    i = max(0, bisect.bisect_right(run_starts, start) - 1)
    pos = start
    while i < len(runs) and runs[i][0] < end:
        s, e = runs[i]
        if e > pos:
            if s > pos:
                pieces.append((pos, s))
            pos = max(pos, e)
        i += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not (text[start].isalnum() or text[start] in "$#@"):
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _disjoint(flags: list[Flag]) -> list[Flag]:
    """Sorted flags without overlaps: a flag inside an earlier one goes, an overlap is cut."""
    out: list[Flag] = []
    for f in sorted(flags, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            if f.end > out[-1].end:
                out.append(Flag(out[-1].end, f.end, f.reason))
            continue
        out.append(f)
    return out


def bridge(text: str, flags: list[Flag], runs: Sequence[tuple[int, int]]) -> list[Flag]:
    """Carry each flag over a separator between it and the next flag or run ("money, about $700"),
    and back over one between a removed run and it ("[removed]. Williams")."""
    starts = sorted([f.start for f in flags] + [s for s, _ in runs])
    run_ends = sorted(e for _, e in runs)
    out = []
    for f in flags:
        start, end = f.start, f.end
        j = bisect.bisect_right(starts, end - 1)
        if j < len(starts) and starts[j] > end and _GAP.fullmatch(text, end, starts[j]):
            end = starts[j]
        k = bisect.bisect_right(run_ends, start) - 1
        if k >= 0 and run_ends[k] < start and _GAP.fullmatch(text, run_ends[k], start):
            start = run_ends[k]
        out.append(Flag(start, end, f.reason) if (start, end) != (f.start, f.end) else f)
    return out


#: What a clause's surroundings add to a weak sign in it: text the redactor removed in the
#: clause or next to it in the sentence, or a flagged clause next to it. "[removed] at the bar"
#: and "PPM, usually dinner and the night" are worth a second look; "at the bar" alone is not.
CONTEXT_WEIGHT: Final = 0.5
#: How many words before a hit a quiet phrase may start ("on the corner of": "corner").
_QUIET_BEFORE: Final = 6


#: The reason a clause flagged by the model alone is given.
MODEL_REASON: Final = "work"


@dataclass(slots=True)
class _Clauses:
    """What the clause pass found: the clauses, their hits, those with removed text, the flags."""

    clauses: Clauses
    words: list[tuple[int, int, str]]
    by_clause: dict[int, list[Hit]]
    removed: set[int]
    flags: list[Flag] = field(default_factory=list)
    flagged: set[int] = field(default_factory=set)


class Flagger:
    """Flags from a set of word families, names, the clauses around their hits, and optionally
    a clause model for the clauses the words left unflagged."""

    def __init__(
        self,
        families: Iterable[Family],
        *,
        names: bool = True,
        context: float = CONTEXT_WEIGHT,
        model: ClauseModel | None = None,
    ) -> None:
        self.matcher = Matcher(families)
        self.names = names
        self.context = context
        self.model = model

    def raw(self, text: str, runs: Sequence[tuple[int, int]] = ()) -> list[Flag]:
        """Every flag of ``text`` before removed runs are taken out; may overlap."""
        folded = Folded(text)
        families = self.matcher.families
        words = self.matcher.words(folded.text)
        hits = self.matcher.hits(folded.text, words)
        flags = [
            Flag(*folded.span(h.start, h.end), families[h.family].reason)
            for h in hits
            if families[h.family].scope == "match"
        ]
        clause_hits = [h for h in hits if families[h.family].scope == "clause"]
        if clause_hits or self.model is not None:
            found = self._clauses(folded, Clauses(folded.text, words), words, clause_hits, runs)
            flags.extend(found.flags)
            if self.model is not None:
                flags.extend(
                    Flag(*folded.span(*found.clauses.spans[i]), MODEL_REASON)
                    for i, buckets in self.clause_features(found)
                    if self.model.probability(buckets) >= self.model.threshold
                )
        if self.names:
            flags.extend(Flag(s, e, "identity") for s, e in name_flags(text))
        return flags

    def clause_features(self, found: _Clauses) -> Iterator[tuple[int, list[int]]]:
        """The model's features of each clause the word families left unflagged."""
        families = self.matcher.families
        words = found.words
        starts = [w[0] for w in words]
        for i, (s, e) in enumerate(found.clauses.spans):
            if i in found.flagged:
                continue
            clause_words = [w[2] for w in words[bisect.bisect_left(starts, s) : bisect.bisect_left(starts, e)]]
            if not clause_words:
                continue
            weak = sorted({families[h.family].name for h in found.by_clause.get(i, ())})
            near = any(j in found.removed for j in found.clauses.neighbours(i))
            yield i, features(clause_words, removed_here=i in found.removed, removed_near=near, weak=weak)

    def _weight(self, folded: Folded, found: list[Hit]) -> float:
        """A clause's own weight: its signs added up, where hits that overlap are one sign
        (the heaviest: "the room" and "room" are one) and a sign said twice counts once."""
        families = self.matcher.families
        text = folded.text
        seen: dict[str, float] = {}
        start = end = -1
        weight = 0.0
        for h in sorted(found):
            if h.start >= end:
                if end > start:
                    key = text[start:end]
                    seen[key] = max(seen.get(key, 0.0), weight)
                start, end, weight = h.start, h.end, 0.0
            end = max(end, h.end)
            weight = max(weight, families[h.family].weight)
        if end > start:
            key = text[start:end]
            seen[key] = max(seen.get(key, 0.0), weight)
        return sum(seen.values())

    def _calm(
        self, folded: Folded, words: list[tuple[int, int, str]], starts: list[int], found: list[Hit]
    ) -> list[Hit]:
        """``found`` less the hits that a quiet phrase overlaps (one that starts at most a few
        words before the hit: "a regular at the bar", "the husband of one of my clients")."""
        wanted: set[int] = set()
        for h in found:
            k = bisect.bisect_right(starts, h.start) - 1
            wanted.update(range(max(0, k - _QUIET_BEFORE), k + 1))
        calm = self.matcher.quiet_at(folded.text, words, sorted(wanted))
        return [h for h in found if not any(qs < h.end and h.start < qe for qs, qe in calm)] if calm else found

    def _clauses(
        self,
        folded: Folded,
        clauses: Clauses,
        words: list[tuple[int, int, str]],
        hits: list[Hit],
        runs: Sequence[tuple[int, int]],
    ) -> _Clauses:
        """The clauses whose signs weigh at least 1, each with the reason of its heaviest hit."""
        families = self.matcher.families
        by_clause: dict[int, list[Hit]] = {}
        for h in hits:
            by_clause.setdefault(clauses.index(h.start), []).append(h)
        weights = {i: self._weight(folded, found) for i, found in by_clause.items()}
        context = self.context
        wanted = self.model is not None or (context and any(w < 1 for w in weights.values()))
        removed = self._removed_clauses(folded, clauses, runs) if runs and wanted else set()
        bonus = {i: context if self._near(i, clauses, removed, weights) else 0.0 for i, w in weights.items() if w < 1}
        # Quiet phrases are looked for only in clauses that could be flagged: that is where
        # they change anything, and looking costs time on every text.
        starts = [w[0] for w in words]
        calmed = dict(by_clause)
        for i, w in weights.items():
            if w + bonus.get(i, 0.0) >= 1:
                calmed[i] = self._calm(folded, words, starts, by_clause[i])
                weights[i] = self._weight(folded, calmed[i])
        out = _Clauses(clauses, words, by_clause, removed)
        for i, found in calmed.items():
            w = weights[i]
            if found and (w >= 1 or w + bonus.get(i, 0.0) >= 1):
                # The heaviest hit names the flag; of equal weight, the longest ("cash app"
                # over "cash").
                best = max(found, key=lambda h: (families[h.family].weight, h.end - h.start))
                s, e = clauses.around(found[0].start, max(h.end for h in found))
                out.flags.append(Flag(*folded.span(s, e), families[best.family].reason))
                out.flagged.add(i)
        return out

    @staticmethod
    def _near(i: int, clauses: Clauses, removed: set[int], weights: dict[int, float]) -> bool:
        """Whether clause ``i`` holds removed text, or a neighbour holds some or is flagged."""
        return i in removed or any(j in removed or weights.get(j, 0.0) >= 1 for j in clauses.neighbours(i))

    @staticmethod
    def _removed_clauses(folded: Folded, clauses: Clauses, runs: Sequence[tuple[int, int]]) -> set[int]:
        """The clauses that hold removed text (runs are offsets into the original text)."""
        spans = [folded.span(s, e) for s, e in clauses.spans]
        starts = [s for s, _ in spans]
        out = set()
        for r_s, r_e in runs:
            i = max(0, bisect.bisect_right(starts, r_s) - 1)
            while i < len(spans) and spans[i][0] < r_e:
                if r_s < spans[i][1]:
                    out.add(i)
                i += 1
        return out

    def find(self, text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]:
        """Return flags on ``text``, sorted and disjoint, outside the ``removed`` runs."""
        if not text:
            return []
        runs = sorted(removed)
        run_starts = [s for s, _ in runs]
        pieces = []
        for f in _disjoint(self.raw(text, runs)):
            for piece in outside(f.start, f.end, runs, run_starts):
                s, e = _trim(text, *piece)
                if e > s and _ALNUM.search(text, s, e):
                    pieces.append(Flag(s, e, f.reason))
        return bridge(text, pieces, runs)


@cache
def default_flagger() -> Flagger:
    """The flagger of the production path: every family of ``policy/review/*.toml``, and names."""
    return Flagger(default_families(), model=load_model())
