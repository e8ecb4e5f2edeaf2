"""Judging lexicon hits clause by clause: whose each hit is and how much goes with it, and what a
removed clause leaves in place (docs/redaction.md, "How it works", steps 5 to 7).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from .analysis import RELATIVE, THIRD, _Analyser
from .clauses import _SPLIT_WORD, Clauses
from .lexicon import _IGNORE, _KEEP, _PAIR_AFTER, _PAIR_BEFORE, _RELATION, _SPLIT, _TERM, Lexicon
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

# Lexicon rules, judged clause by clause.
# --------------------------------------------------------------------------------------------


def _language_spans(scan: _Scan, lex: Lexicon, matches: list[tuple[int, int, Any]]) -> list[tuple[int, int, str]]:
    """Return the spans one lexicon finds (from its dispatch ``matches``), in folded offsets."""
    folded = scan.folded
    text = folded.text
    boundaries = list(scan.punctuation)
    hits: list[tuple[int, int, int]] = []
    ignored: list[tuple[int, int]] = []
    ignored_terms: list[tuple[int, int]] = []
    kept: list[tuple[int, int]] = []
    out: list[tuple[int, int, str]] = []
    term_end = -1
    for start, end, payload in matches:
        if payload == _TERM:
            # Terms behave like one left-to-right scan: the longest term at a position wins and
            # hides what it covers ("date rape" is not "date"). Ignored terms always count.
            indexes = lex.term_rules.get(_canonical_cached(text[start:end]), ())
            if not indexes:
                ignored_terms.append((start, end))
                continue
            if start < term_end:
                continue
            term_end = end
            hits.extend((start, end, index) for index in indexes)
        elif payload == _IGNORE:
            ignored.append((start, end))
        elif payload == _KEEP:
            kept.append((start, end))
        elif payload == _SPLIT:
            boundaries.append((start, end, _SPLIT_WORD))
        elif payload == _RELATION:
            name_end = _name_after(folded, end, require_capital=True)
            if name_end > end:
                # "la Flaca", "named Star": the article or "named" goes with the name.
                m = lex.named.search(text, start, end) if lex.named is not None else None
                out.append((m.start("n") if m else end, name_end, "pii.third_party"))
        elif payload == _PAIR_BEFORE:
            word = _last_word(text, start)
            if word is not None and _capitalised(folded.original_of(*word)) and text[word[0] : word[1]] not in _STOP:
                before = _last_word(text, word[0])
                # "in Arizona and I" is a place, not a friend.
                if before is None or text[before[0] : before[1]] not in _INNER_PREPOSITIONS:
                    out.append((word[0], word[1], "pii.third_party"))
        elif payload == _PAIR_AFTER:
            out.extend(_name_list(folded, end))
        elif end > start:
            hits.append((start, end, payload))
    # An ignored term cancels every hit it touches ("my date of birth" is not "my date"); an
    # ignored pattern only what it contains ("$60 from my wallet", but "another $340" goes).
    if ignored_terms and hits:
        hits = _outside(hits, ignored_terms, overlap=True)
    if ignored and hits:
        hits = _outside(hits, ignored, overlap=False)
    if not hits and lex.first_person_keep is None:
        return out
    boundaries.sort()
    clauses = Clauses(text, boundaries)
    analyser = _Analyser(folded, lex, clauses)
    whole: list[tuple[int, int, str]] = []
    gone: dict[int, tuple[int, int]] = {}  # clause index -> the removed range
    decided: list[tuple[int, int, str]] = []  # unconditional hits already judged
    for start, end, index in sorted(set(hits), key=lambda h: (h[0], -h[1], h[2])):
        rule = lex.rules[index]
        if rule.person == "any" and any(s <= start and end <= e and tag == rule.tag for s, e, tag in decided[-4:]):
            continue  # inside a longer hit of the same kind, judged the same way
        if rule.person == "any":
            decided.append((start, end, rule.tag))
        k = clauses.index(start)
        np_start, subject_start, own_np = analyser.np_start(k, start, end)
        if k in gone and gone[k][0] <= start and end <= gone[k][1]:
            # Its clause already goes: only the trigger's phrase still matters (a keep hole may
            # cover it: "on RentMen"), and it goes whoever it is about.
            out.append((np_start, end, rule.tag))
            continue
        # A person noun opening a clause is its subject ("The john hit me"); a drug or a
        # weapon opening one is more often a second object ("I had meth and a pipe").
        last_word = text[start:end].split()[-1] if end > start else ""
        person, relative_start = analyser.person(
            k, np_start, start, end, opens_as_subject=rule.person == "any" or last_word in lex.person_nouns
        )
        own_np = own_np and rule.possessive
        if person == RELATIVE:
            # "the massage place I work at": the relative phrase goes, the clause around it stays.
            tail = lex.particle.match(text, end)
            out.append((relative_start, tail.end() if tail else end, rule.tag))
            continue
        np_start = subject_start
        about_reporter = person != THIRD
        if rule.person == "own":
            if about_reporter and rule.check_other and not own_np and analyser.right(lex.other_right, end):
                continue
            if not about_reporter:
                # A weapon "on me" was pulled on the reporter, not carried: only "my" makes it theirs.
                right = lex.own_right.match(text, end) if lex.own_right is not None and not rule.check_other else None
                if own_np or right is not None:
                    # "pastillas en mi bolsa": where it was says whose it was, and goes too.
                    out.append((np_start, right.end() if right is not None else end, rule.tag))
                continue
        reach = end
        if rule.tag == "payment":
            # "my earnings for the week, about 2200", "el pisto de toda la semana, como 1,100",
            # "the $350 plus tip": the period and the sum belong to the earnings.
            tail = _MONEY_TAIL.match(text, end)
            if tail is not None:
                reach = max(end, tail.end())
        # The trigger itself always goes, even where a keep pattern overlaps it.
        out.append((np_start, reach, rule.tag))
        if rule.scope == "auto" and not about_reporter and rule.third_scope == "rest":
            out.append((np_start, max(end, clauses.range(k, text)[1]), rule.tag))
        elif rule.scope == "clause" or (rule.scope == "auto" and about_reporter):
            cs, ce = clauses.range(k, text)
            if analyser.object_conjunct(k, np_start):
                # "I had a couple bars and some fetty on me": the first conjunct goes too.
                cs = min(cs, clauses.range(k - 1, text)[0])
            # A trigger may run past a clause boundary ("paid me, like, $200"): keep it all.
            whole.append((min(cs, start), max(ce, end), rule.tag))
            gone[k] = (min(cs, start), max(ce, end))
    if lex.first_person_keep is not None:
        # Deny by default: a clause whose subject is the reporter and that says nothing the
        # referral is for (an injury, a need, fear, an escape, what they saw) is context, and
        # context is what incriminates. It goes, whatever words it uses.
        for k in range(len(clauses.starts)):
            if k in gone or not analyser.said_by_reporter(k):
                continue
            cs, ce = clauses.range(k, text)
            if ce > cs and lex.first_person_keep.search(text, clauses.starts[k], clauses.ends[k]) is None:
                whole.append((cs, ce, "sex_trade"))
    if whole:
        kept.sort()
        places: dict[tuple[int, int], tuple[int, int] | None] = {}  # shared by overlapping windows
        for span in set(whole):
            out.extend(_subtract(text, span, _keep_holes(scan.folded, kept, span[0], span[1], places)))
    return out


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
