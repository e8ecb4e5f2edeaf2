"""Judging lexicon hits clause by clause: whose each hit is and how much goes with it, and what a
removed clause leaves in place (docs/redaction.md, "How it works", steps 5 to 7).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from .analysis import RELATIVE, THIRD, _Analyser
from .clauses import _SPLIT_WORD, Clauses
from .lexicon import _IGNORE, _KEEP, _PAIR_AFTER, _PAIR_BEFORE, _RELATION, _SPLIT, _TERM, Lexicon, Rule
from .names import (
    _AREA,
    _CROSS_CONNECTOR,
    _INNER_PREPOSITIONS,
    _STOP,
    _area_end,
    _cross_streets,
    _name_after,
    _name_list,
)
from .scan import _Scan
from .text import _HAS_DIGIT, Folded, _canonical_cached, _capitalised, _last_word

_Match = tuple[int, int, Any]
_Range = tuple[int, int]
_Tagged = tuple[int, int, str]


def _language_spans(scan: _Scan, lex: Lexicon, matches: list[_Match]) -> list[_Tagged]:
    """Return the spans one lexicon finds (from its dispatch ``matches``), in folded offsets."""
    return _Judge(scan, lex).spans(matches)


class _Judge:
    """One lexicon's hits in one text, sorted by kind, then judged clause by clause."""

    def __init__(self, scan: _Scan, lex: Lexicon) -> None:
        self.scan = scan
        self.folded = scan.folded
        self.text = scan.folded.text
        self.lex = lex
        self.boundaries = list(scan.punctuation)
        self.hits: list[tuple[int, int, int]] = []
        self.ignored: list[_Range] = []
        self.ignored_terms: list[_Range] = []
        self.kept: list[_Range] = []
        self.out: list[_Tagged] = []
        self.term_end = -1
        self.handlers: dict[Any, Any] = {
            _TERM: self._term,
            _IGNORE: self.ignored.append,
            _KEEP: self.kept.append,
            _SPLIT: self._split,
            _RELATION: self._relation,
            _PAIR_BEFORE: self._pair_before,
            _PAIR_AFTER: self._pair_after,
        }
        # Filled by ``_judge_hits``: spans of whole clauses (holes still to cut), and per clause
        # index the range that goes.
        self.whole: list[_Tagged] = []
        self.gone: dict[int, _Range] = {}

    def spans(self, matches: list[_Match]) -> list[_Tagged]:
        for start, end, payload in matches:
            handler = self.handlers.get(payload) if not isinstance(payload, int) else None
            if handler is not None:
                handler((start, end))
            elif end > start:
                self.hits.append((start, end, payload))
        hits = self._not_ignored()
        if not hits and self.lex.first_person_keep is None:
            return self.out
        self.boundaries.sort()
        clauses = Clauses(self.text, self.boundaries)
        analyser = _Analyser(self.folded, self.lex, clauses)
        self._judge_hits(hits, clauses, analyser)
        self._deny_by_default(clauses, analyser)
        self._cut_holes()
        return self.out

    def _term(self, match: _Range) -> None:
        # Terms behave like one left-to-right scan: the longest term at a position wins and
        # hides what it covers ("date rape" is not "date"). Ignored terms always count.
        start, end = match
        indexes = self.lex.term_rules.get(_canonical_cached(self.text[start:end]), ())
        if not indexes:
            self.ignored_terms.append(match)
        elif start >= self.term_end:
            self.term_end = end
            self.hits.extend((start, end, index) for index in indexes)

    def _split(self, match: _Range) -> None:
        self.boundaries.append((match[0], match[1], _SPLIT_WORD))

    def _relation(self, match: _Range) -> None:
        start, end = match
        name_end = _name_after(self.folded, end, require_capital=True)
        if name_end > end:
            # "la Flaca", "named Star": the article or "named" goes with the name.
            named = self.lex.named
            m = named.search(self.text, start, end) if named is not None else None
            self.out.append((m.start("n") if m else end, name_end, "pii.third_party"))

    def _pair_before(self, match: _Range) -> None:
        text = self.text
        word = _last_word(text, match[0])
        if word is None or not _capitalised(self.folded.original_of(*word)) or text[word[0] : word[1]] in _STOP:
            return
        before = _last_word(text, word[0])
        # "in Arizona and I" is a place, not a friend.
        if before is None or text[before[0] : before[1]] not in _INNER_PREPOSITIONS:
            self.out.append((word[0], word[1], "pii.third_party"))

    def _pair_after(self, match: _Range) -> None:
        self.out.extend(_name_list(self.folded, match[1]))

    def _not_ignored(self) -> list[tuple[int, int, int]]:
        # An ignored term cancels every hit it touches ("my date of birth" is not "my date"); an
        # ignored pattern only what it contains ("$60 from my wallet", but "another $340" goes).
        hits = self.hits
        if self.ignored_terms and hits:
            hits = _outside(hits, self.ignored_terms, overlap=True)
        if self.ignored and hits:
            hits = _outside(hits, self.ignored, overlap=False)
        return hits

    def _judge_hits(self, hits: list[tuple[int, int, int]], clauses: Clauses, analyser: _Analyser) -> None:
        decided: list[_Tagged] = []  # unconditional hits already judged
        for start, end, index in sorted(set(hits), key=lambda h: (h[0], -h[1], h[2])):
            rule = self.lex.rules[index]
            if rule.person == "any":
                if any(s <= start and end <= e and tag == rule.tag for s, e, tag in decided[-4:]):
                    continue  # inside a longer hit of the same kind, judged the same way
                decided.append((start, end, rule.tag))
            _Hit(self, clauses, analyser, rule, (start, end)).judge()

    def _deny_by_default(self, clauses: Clauses, analyser: _Analyser) -> None:
        """A clause whose subject is the reporter and that says nothing the referral is for (an
        injury, a need, fear, an escape, what they saw) is context, and context is what
        incriminates. It goes, whatever words it uses."""
        keep = self.lex.first_person_keep
        if keep is None:
            return
        for k in range(len(clauses.starts)):
            if k in self.gone or not analyser.said_by_reporter(k):
                continue
            cs, ce = clauses.range(k, self.text)
            if ce > cs and keep.search(self.text, clauses.starts[k], clauses.ends[k]) is None:
                self.whole.append((cs, ce, "sex_trade"))

    def _cut_holes(self) -> None:
        if not self.whole:
            return
        self.kept.sort()
        places: dict[_Range, _Range | None] = {}  # shared by overlapping windows
        for span in set(self.whole):
            holes = _keep_holes(self.folded, self.kept, span[0], span[1], places)
            self.out.extend(_subtract(self.text, span, holes))


class _Hit:
    """One rule's hit, judged: whose it is, and how much goes with it."""

    def __init__(self, judge: _Judge, clauses: Clauses, analyser: _Analyser, rule: Rule, hit: _Range) -> None:
        self.judge_ = judge
        self.out = judge.out
        self.text = judge.text
        self.lex = judge.lex
        self.clauses = clauses
        self.analyser = analyser
        self.rule = rule
        self.start, self.end = hit
        self.k = clauses.index(hit[0])

    def judge(self) -> None:
        rule, start, end, k = self.rule, self.start, self.end, self.k
        np_start, subject_start, own_np = self.analyser.np_start(k, start, end)
        gone = self.judge_.gone.get(k)
        if gone is not None and gone[0] <= start and end <= gone[1]:
            # Its clause already goes: only the trigger's phrase still matters (a keep hole may
            # cover it: "on RentMen"), and it goes whoever it is about.
            self.out.append((np_start, end, rule.tag))
            return
        # A person noun opening a clause is its subject ("The john hit me"); a drug or a
        # weapon opening one is more often a second object ("I had meth and a pipe").
        last_word = self.text[start:end].split()[-1] if end > start else ""
        person, relative_start = self.analyser.person(
            k, np_start, start, end, opens_as_subject=rule.person == "any" or last_word in self.lex.person_nouns
        )
        if person == RELATIVE:
            # "the massage place I work at": the relative phrase goes, the clause around it stays.
            tail = self.lex.particle.match(self.text, end)
            self.out.append((relative_start, tail.end() if tail else end, rule.tag))
            return
        about_reporter = person != THIRD
        if rule.person == "own" and not self._own(subject_start, about_reporter, own_np and rule.possessive):
            return
        self._remove(subject_start, about_reporter)

    def _own(self, np_start: int, about_reporter: bool, own_np: bool) -> bool:
        """For a rule on the reporter's own things: whether the hit is hers and goes on being
        judged; a hit about someone else that is hers anyway goes here."""
        rule, end = self.rule, self.end
        if about_reporter:
            # "I had a gun pointed at me": someone else's, unless "my".
            return not (rule.check_other and not own_np and self.analyser.right(self.lex.other_right, end))
        # A weapon "on me" was pulled on the reporter, not carried: only "my" makes it theirs.
        own_right = self.lex.own_right
        right = own_right.match(self.text, end) if own_right is not None and not rule.check_other else None
        if own_np or right is not None:
            # "pastillas en mi bolsa": where it was says whose it was, and goes too.
            self.out.append((np_start, right.end() if right is not None else end, rule.tag))
        return False

    def _remove(self, np_start: int, about_reporter: bool) -> None:
        rule, start, end, k, text = self.rule, self.start, self.end, self.k, self.text
        reach = end
        if rule.tag == "payment":
            # "my earnings for the week, about 2200", "el pisto de toda la semana, como 1,100",
            # "the $350 plus tip": the period and the sum belong to the earnings.
            tail = _MONEY_TAIL.match(text, end)
            if tail is not None:
                reach = max(end, tail.end())
        # The trigger itself always goes, even where a keep pattern overlaps it.
        self.out.append((np_start, reach, rule.tag))
        if rule.scope == "auto" and not about_reporter and rule.third_scope == "rest":
            self.out.append((np_start, max(end, self.clauses.range(k, text)[1]), rule.tag))
        elif rule.scope == "clause" or (rule.scope == "auto" and about_reporter):
            cs, ce = self.clauses.range(k, text)
            if self.analyser.object_conjunct(k, np_start):
                # "I had a couple bars and some fetty on me": the first conjunct goes too.
                cs = min(cs, self.clauses.range(k - 1, text)[0])
            # A trigger may run past a clause boundary ("paid me, like, $200"): keep it all.
            whole = (min(cs, start), max(ce, end))
            self.judge_.whole.append((*whole, rule.tag))
            self.judge_.gone[k] = whole


_MONEY_TAIL = re.compile(
    r"(?:\s+(?:for|from|of|de|del)\s+(?:the\s+|that\s+|this\s+|last\s+|la\s+|el\s+|toda\s+la\s+|todo\s+el\s+)?"
    r"(?:whole\s+|entire\s+)?(?:night|nite|week|weekend|day|shift|noche|semana|finde|fin\s+de\s+semana|dia|turno|jornada)(?!\w))?"
    r"(?:,?\s*(?:about|like|around|almost|over|maybe|roughly|unos|como|casi|mas\s+de)?\s*"
    r"(?:\$\s?\d[\d,.]*k?|\d[\d,.]*\d(?:\s*(?:\$|dollars|dolares|dlls|bucks|k|mil|pesos))?)(?!\w))?"
    r"(?:\s+(?:plus|mas|y)\s+(?:the\s+|la\s+|las\s+)?(?:tips?|propinas?)(?!\w))?"
)


def _keep_holes(
    folded: Folded,
    kept: list[tuple[int, int]],
    start: int,
    end: int,
    places: dict[tuple[int, int], tuple[int, int] | None] | None = None,
) -> list[tuple[int, int]]:
    """What a removed ``[start, end)`` leaves in place: the lexicon's ``kept`` matches (sorted;
    the time), the general area and cross streets. Return them sorted.

    ``places`` remembers, for the removed spans of one text, which connector or preposition
    found which place: their windows overlap, and the answer depends only on where it is.
    """
    if places is None:
        places = {}
    text = folded.text
    lo, hi = max(0, start - _LONGEST_HOLE), min(len(text), end + 80)
    first = bisect.bisect_left(kept, (lo, 0))
    holes = [(s, e) for s, e in kept[first : bisect.bisect_left(kept, (hi, 0))] if e > s]
    o_lo, o_hi = folded.span(lo, hi) if hi > lo else (0, 0)
    window = folded.original[o_lo:o_hi]
    if window == window.lower() and not _HAS_DIGIT.search(window):
        # Places and cross streets need a capital or a number: none here (lower-case text).
        return sorted(holes)
    for m in _CROSS_CONNECTOR.finditer(text, lo, hi):
        key = m.span()
        if key not in places:
            places[key] = _cross_streets(folded, m)
        hole = places[key]
        if hole is not None:
            holes.append(hole)
    for m in _AREA.finditer(text, lo, hi):
        key = (-1, m.end())  # a preposition's place: where its name begins is all that counts
        if key not in places:
            area_end = _area_end(folded, m.end())
            places[key] = (m.end(), area_end) if area_end > m.end() else None
        hole = places[key]
        if hole is not None:
            holes.append((m.start(), hole[1]))
    # A hole is a place or a time: anything longer is not one, and stays removed.
    holes = sorted(h for h in holes if h[1] - h[0] <= _LONGEST_HOLE)
    return holes


def _outside(
    hits: list[tuple[int, int, int]], ignored: list[tuple[int, int]], *, overlap: bool
) -> list[tuple[int, int, int]]:
    """The hits that no ignored span overlaps (or, without ``overlap``, contains)."""
    ignored = sorted(ignored)
    starts = [s for s, _ in ignored]
    reach = []
    furthest = -1
    for _, e in ignored:
        furthest = max(furthest, e)
        reach.append(furthest)
    out = []
    for hit in hits:
        if overlap:
            i = bisect.bisect_left(starts, hit[1]) - 1  # ignored spans starting before the hit ends
            if i < 0 or reach[i] <= hit[0]:
                out.append(hit)
        else:
            i = bisect.bisect_right(starts, hit[0]) - 1  # ignored spans starting at or before it
            if i < 0 or reach[i] < hit[1]:
                out.append(hit)
    return out


_LONGEST_HOLE = 400


def _subtract(text: str, span: tuple[int, int, str], holes: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Cut the holes (sorted) out of a span; trim whitespace at the edges of what is left."""
    start, end, tag = span
    pieces = []
    pos = start
    # Holes are sorted and short: none that matters starts long before the span.
    first = bisect.bisect_left(holes, (start - _LONGEST_HOLE, 0))
    for h_start, h_end in holes[first:]:
        if h_start >= end:
            break
        if h_end <= pos:
            continue
        if h_start > pos:
            pieces.append((pos, h_start))
        pos = max(pos, h_end)
    if pos < end:
        pieces.append((pos, end))
    out = []
    for piece_start, piece_end in pieces:
        s, e = piece_start, piece_end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e, tag))
    return out
