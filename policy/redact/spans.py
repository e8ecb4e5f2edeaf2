"""Spans, the neutral marker, and the runs a marker replaces."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REMOVED = "[removed]"

TAGS = (
    "sex_trade",
    "payment",
    "drugs",
    "weapon",
    "immigration",
    "other_offense",
    "pii.reporter",
    "pii.third_party",
    "contact",
    "location.precise",
)


@dataclass(frozen=True, slots=True)
class Span:
    """A removed run of the input: ``text[start:end]``, and why (``tag``)."""

    start: int
    end: int
    tag: str


def _merge_per_tag(spans: Iterable[tuple[int, int, str]]) -> list[Span]:
    by_tag: dict[str, list[tuple[int, int]]] = {}
    for s, e, tag in spans:
        if e > s:
            by_tag.setdefault(tag, []).append((s, e))
    out: list[Span] = []
    for tag, ranges in by_tag.items():
        ranges.sort()
        cur_s, cur_e = ranges[0]
        for s, e in ranges[1:]:
            if s <= cur_e:
                cur_e = max(cur_e, e)
            else:
                out.append(Span(cur_s, cur_e, tag))
                cur_s, cur_e = s, e
        out.append(Span(cur_s, cur_e, tag))
    out.sort(key=lambda sp: (sp.start, sp.end, sp.tag))
    return out


# Between two removed runs, punctuation and a bare conjunction say nothing: they go too, so
# that "[removed] and [removed]" reads "[removed]".
_CONNECTOR_GAP = re.compile(
    r"[\s,;:&/\-\u2013\u2014]*(?:(?:and|n|an|y|e|or|o|u|but|pero|then|luego|plus)(?!\w)[\s,;:&/\-\u2013\u2014]*)?",
    re.IGNORECASE,
)


def _bridges(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out = []
    reach, reach_tag = -1, ""
    for s, e, tag in sorted(spans):
        if 0 <= reach < s and _CONNECTOR_GAP.fullmatch(text, reach, s):
            out.append((reach, s, reach_tag))
        if e > reach:
            reach, reach_tag = e, tag
    return out


_GAP = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]*")


def removed_ranges(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Return the runs of ``text`` that ``apply`` replaces, sorted and disjoint.

    Overlapping and adjacent spans, and spans separated only by whitespace, form one run, so
    the output does not say how many things were removed. Spans are clipped to the text;
    empty ones are ignored.
    """
    n = len(text)
    ranges = sorted((max(0, min(sp.start, n)), max(0, min(sp.end, n))) for sp in spans)
    runs: list[tuple[int, int]] = []
    for s, e in ranges:
        if e <= s:
            continue
        if runs and (s <= runs[-1][1] or _GAP.fullmatch(text, runs[-1][1], s)):
            runs[-1] = (runs[-1][0], max(runs[-1][1], e))
        else:
            runs.append((s, e))
    return runs


def apply(text: str, spans: Sequence[Span]) -> str:
    """Replace each run of spans (see ``removed_ranges``) with one ``REMOVED`` marker."""
    out: list[str] = []
    pos = 0
    for s, e in removed_ranges(text, spans):
        out.append(text[pos:s])
        out.append(REMOVED)
        pos = e
    out.append(text[pos:])
    return "".join(out)
