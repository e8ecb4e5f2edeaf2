"""Reports per month by crime type and by need, with small counts suppressed.

Pure functions over decrypted summaries (``intake.services.summary_of``) and a
list of months: no database, no keys. The view decrypts; this module counts
and decides what may be shown.

Threat answered: a statistics page gets printed, screenshotted and sent to
funders. A count of 1 to 4 ("2 trafficking reports in March") can single out a
person to anyone who knows a little about them. docs/statistics.md explains
the rules with examples; in short:

1. **Small counts.** Every count from 1 to 4, in a cell or in a total, is shown
   as "fewer than 5". Zero is shown: it is about nobody.
2. **Small totals are not broken down.** When a total is fewer than 5 (or is
   itself not broken down), the values it adds up are shown as "–" ("counted
   in the total only"), whatever they are. Otherwise four months of "fewer
   than 5" under a total of "fewer than 5" can only be four 1s.
3. **Totals that would give a small count away.** Each total closes a *line* of
   values it adds up: a category over the months; a month over the categories
   of one table; the months; the categories' totals. The two tables share each
   month's total, so they are checked together. What each line tells about a
   hidden value is carried into the others until nothing changes, as someone
   working by hand would; when a count from 1 to 4 comes out exactly, the
   nearest shown total in that chain of lines is hidden ("not shown"), or, when
   all are hidden, the smallest value shown beside the count. Repeat until no
   small count can be worked out.
4. **Withhold when that is not enough.** If a small count can still be worked out when
   every total and value near it is hidden (which the states alone can allow, on very
   small tables), every figure on the page is withheld.

Rule 3 assumes the worst case, that every report names exactly one category,
so that a month's column adds up to exactly its total (a column that cannot
add up is read as "at least", which is what it is: a report can name several
crime types or needs). It prevents exact values, not every narrowing of a
range; docs/statistics.md says what it does not promise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

THRESHOLD = 5
NONE_STATED = "none_stated"

SHOWN = "shown"
SMALL = "small"  # 1 to THRESHOLD - 1: "fewer than 5"
HIDDEN = "hidden"  # hidden so a small count elsewhere cannot be worked out: "not shown"
COLLAPSED = "collapsed"  # part of a total under 5, not broken down: "–"
WITHHELD = "withheld"  # rule 4: every figure withheld, any number: "withheld"


@dataclass(frozen=True)
class Cell:
    """A count as published: ``value`` is None unless ``state`` is SHOWN."""

    value: int | None
    state: str = SHOWN

    @property
    def shown(self) -> bool:
        return self.state == SHOWN


@dataclass
class Row:
    code: str
    label: str
    cells: list[Cell]
    total: Cell


@dataclass
class Table:
    key: str  # the summary field counted, e.g. "crime_types"
    rows: list[Row]


@dataclass
class Statistics:
    months: list[date]
    tables: list[Table]
    month_totals: list[Cell]  # reports received each month
    total: Cell  # reports received in all the months
    hidden: int = 0  # how many values rule 2 hid (for the page's explanation)


@dataclass
class Counts:
    """Raw counts before suppression; never rendered."""

    months: list[date]
    dimensions: list[tuple[str, list[tuple[str, str]]]]  # (field, [(code, label), ...]) incl. NONE_STATED
    cells: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (field, code, month index) -> n
    month_totals: list[int] = field(default_factory=list)


def last_months(today: date, count: int = 12) -> list[date]:
    """Return the first day of the ``count`` months up to and including ``today``'s, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def tabulate(
    entries: Iterable[tuple[date, Mapping]],
    months: Sequence[date],
    dimensions: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    none_label: str = "None stated",
) -> Counts:
    """Count summaries per month and category.

    ``entries`` are (first day of the month received, decrypted summary).
    ``dimensions`` are (summary field, [(code, label), ...]). A report naming
    no known code of a field counts under NONE_STATED; entries outside
    ``months`` are ignored.
    """
    index = {m: i for i, m in enumerate(months)}
    dims = [(key, [*choices, (NONE_STATED, none_label)]) for key, choices in dimensions]
    counts = Counts(months=list(months), dimensions=dims, month_totals=[0] * len(months))
    for key, choices in dims:
        for code, _label in choices:
            for i in range(len(months)):
                counts.cells[key, code, i] = 0
    for month, summary in entries:
        at = index.get(month)
        if at is None:
            continue
        counts.month_totals[at] += 1
        for key, choices in dims:
            named = set(summary.get(key) or ())
            codes = [code for code, _label in choices if code in named] or [NONE_STATED]
            for code in codes:
                counts.cells[key, code, at] += 1
    return counts


def build(
    entries: Iterable[tuple[date, Mapping]],
    months: Sequence[date],
    dimensions: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    none_label: str = "None stated",
) -> Statistics:
    """Count and suppress: what the statistics page may show."""
    return suppress(tabulate(entries, months, dimensions, none_label))


# --- suppression

# Sets of integers as sorted lists of disjoint closed intervals.
_Span = list[tuple[int, int]]
_Key = tuple


def _merge(spans: Iterable[tuple[int, int]]) -> _Span:
    out: _Span = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _add(a: _Span, b: _Span) -> _Span:
    return _merge((alo + blo, ahi + bhi) for alo, ahi in a for blo, bhi in b)


def _neg(a: _Span) -> _Span:
    return [(-hi, -lo) for lo, hi in reversed(a)]


def _intersect(a: _Span, b: _Span) -> _Span:
    return _merge((max(alo, blo), min(ahi, bhi)) for alo, ahi in a for blo, bhi in b if max(alo, blo) <= min(ahi, bhi))


EXACT, AT_LEAST = "exact", "at least"


@dataclass
class _Line:
    """``sum(members) == total`` (EXACT) or ``sum(members) >= total`` (AT_LEAST)."""

    total: _Key
    members: list[_Key]
    kind: str


def _lines(counts: Counts) -> list[_Line]:
    n = len(counts.months)
    lines = []
    for key, choices in counts.dimensions:
        for code, _label in choices:
            lines.append(_Line(("row", key, code), [("cell", key, code, i) for i in range(n)], EXACT))
        # A report counts once or more in a month's column (NONE_STATED included).
        for i in range(n):
            lines.append(_Line(("month", i), [("cell", key, code, i) for code, _label in choices], AT_LEAST))
        lines.append(_Line(("all",), [("row", key, code) for code, _label in choices], AT_LEAST))
    lines.append(_Line(("all",), [("month", i) for i in range(n)], EXACT))
    return lines


def _values(counts: Counts) -> dict[_Key, int]:
    values: dict[_Key, int] = {}
    for (key, code, i), v in counts.cells.items():
        values["cell", key, code, i] = v
    for key, choices in counts.dimensions:
        for code, _label in choices:
            values["row", key, code] = sum(counts.cells[key, code, i] for i in range(len(counts.months)))
    for i, v in enumerate(counts.month_totals):
        values["month", i] = v
    values["all",] = sum(counts.month_totals)
    return values


def _narrow(line: _Line, values: dict[_Key, int], known: dict[_Key, _Span]) -> dict[_Key, _Span]:
    """Return what this line tells about each value not shown in it, given ``known``.

    ``known`` holds what a reader knows of every value not shown. The line is
    read as an equation (the worst case, one category per report); an
    AT_LEAST line whose equation has no solution is read as the inequality it
    really is.
    """
    terms = [(m, 1) for m in line.members] + [(line.total, -1)]
    hidden = [(k, sign) for k, sign in terms if k in known]
    if not hidden:
        return {}
    constant = -sum(sign * values[k] for k, sign in terms if k not in known)
    spans = [known[k] if sign > 0 else _neg(known[k]) for k, sign in hidden]
    # sums of the terms before and after each position
    before: list[_Span] = [[(0, 0)]]
    for span in spans[:-1]:
        before.append(_add(before[-1], span))
    after: list[_Span] = [[(0, 0)]]
    for span in reversed(spans[1:]):
        after.append(_add(after[-1], span))
    after.reverse()
    out: dict[_Key, _Span] = {}
    for j, (k, sign) in enumerate(hidden):
        rest = _add(before[j], after[j])
        # sign * x + rest == constant
        candidates = _merge((constant - hi, constant - lo) for lo, hi in rest)
        if sign < 0:
            candidates = _neg(candidates)
        out[k] = _intersect(known[k], candidates)
    if all(out.values()):
        return out
    if line.kind == EXACT:
        return {}  # cannot happen with true counts; learn nothing rather than something false
    out = {}
    for j, (k, sign) in enumerate(hidden):
        rest_max = _add(before[j], after[j])[-1][1]
        # sign * x + rest >= constant
        bound = [(constant - rest_max, 10**12)] if sign > 0 else [(-(10**12), rest_max - constant)]
        out[k] = _intersect(known[k], bound) or known[k]
    return out


def _reader_knows(lines: list[_Line], values: dict[_Key, int], known: dict[_Key, _Span]) -> dict[_Key, _Span]:
    """Narrow what a reader knows by going over every line until nothing changes.

    This is how someone works out hidden values by hand: one line at a time,
    carrying what each line taught them into the others.
    """
    known = dict(known)
    for _sweep in range(100):  # bounds usually settle in a few sweeps; the cap keeps the page fast
        changed = False
        for line in lines:
            for k, span in _narrow(line, values, known).items():
                if span != known[k]:
                    known[k] = span
                    changed = True
        if not changed:
            break
    return known


def _exposed(values: dict[_Key, int], known: dict[_Key, _Span]) -> _Key | None:
    """Return a small count (1-4) a reader can work out exactly, if there is one."""
    for k, span in known.items():
        v = values[k]
        if 0 < v < THRESHOLD and span == [(v, v)]:
            return k
    return None


def _to_hide(lines: list[_Line], values: dict[_Key, int], state: dict[_Key, str], exposed: _Key) -> _Key | None:
    """Choose one more value to hide, to break the chain of lines that exposes a count.

    A reader can only carry a deduction from line to line through values not
    shown, so the chain is the lines reachable from the exposed count through
    hidden values. Hide the shown total nearest the count in that chain
    (rule 3); when every total in it is hidden, the smallest shown non-zero
    value of the lines nearest the count, then a zero.
    """
    seen_keys = {exposed}
    seen_lines: set[int] = set()
    frontier = {exposed}
    first_members: list[_Key] = []
    while frontier:
        near = [i for i, line in enumerate(lines) if i not in seen_lines and ({line.total, *line.members} & frontier)]
        seen_lines.update(near)
        for i in near:
            if state[lines[i].total] == SHOWN:
                return lines[i].total
        if not first_members:
            first_members = [m for i in near for m in lines[i].members if state[m] == SHOWN]
        frontier = {
            k for i in near for k in (lines[i].total, *lines[i].members) if state[k] != SHOWN and k not in seen_keys
        }
        seen_keys |= frontier
    if first_members:
        return min(first_members, key=lambda m: (values[m] == 0, values[m]))
    return None


def _decide(counts: Counts) -> tuple[dict[_Key, int], dict[_Key, str]]:
    values = _values(counts)
    lines = _lines(counts)
    # Rule 1.
    state = {k: SMALL if 0 < v < THRESHOLD else SHOWN for k, v in values.items()}
    # Rule 2, to a fixed point: a collapsed month total collapses its columns.
    changed = True
    while changed:
        changed = False
        for line in lines:
            if values[line.total] < THRESHOLD and state[line.total] != SHOWN:
                for m in line.members:
                    if state[m] != COLLAPSED:
                        state[m] = COLLAPSED
                        changed = True
    # Rule 3. What a reader knows of a value before reading any line:
    # A reader cannot know how large a hidden value may be beyond what the
    # lines tell: no ceiling of ours (such as the largest count) may leak in.
    ceiling = 10**9
    domain = {
        SMALL: [(1, THRESHOLD - 1)],
        COLLAPSED: [(0, THRESHOLD - 1)],
        HIDDEN: [(0, 0), (THRESHOLD, ceiling)],  # rule 3 never hides a 1-4: those already say so
    }
    while True:
        known = _reader_knows(lines, values, {k: domain[s] for k, s in state.items() if s != SHOWN})
        exposed = _exposed(values, known)
        if exposed is None:
            break
        hide = _to_hide(lines, values, state, exposed)
        if hide is None:
            # Rule 4: everything near the count is hidden and it can still be worked out (the
            # states themselves tell too much). Publish no figure at all rather than that.
            state = dict.fromkeys(state, WITHHELD)
            break
        state[hide] = HIDDEN
    return values, state


def suppress(counts: Counts) -> Statistics:
    """Apply both rules (module docstring) and return only what may be shown."""
    values, state = _decide(counts)

    def cell(k: tuple) -> Cell:
        return Cell(values[k], SHOWN) if state[k] == SHOWN else Cell(None, state[k])

    n = len(counts.months)
    tables = [
        Table(
            key=key,
            rows=[
                Row(code, label, [cell(("cell", key, code, i)) for i in range(n)], cell(("row", key, code)))
                for code, label in choices
            ],
        )
        for key, choices in counts.dimensions
    ]
    hidden = sum(1 for s in state.values() if s in (HIDDEN, WITHHELD))
    return Statistics(
        months=list(counts.months),
        tables=tables,
        month_totals=[cell(("month", i)) for i in range(n)],
        total=cell(("all",)),
        hidden=hidden,
    )
