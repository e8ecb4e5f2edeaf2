"""Generalisations: make a value coarser before it leaves (exact date -> ISO week, time -> part of day).

Each rule is a pure function from a validated value to a coarser value. Anything that does not
parse is refused (None), never passed through: deny by default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final, Literal

Rule = Literal["date", "iso_week", "month", "part_of_day", "map"]
RULES: Final[tuple[Rule, ...]] = ("date", "iso_week", "month", "part_of_day", "map")

#: Which catalogue kind each rule accepts, and the kind of value it produces.
RULE_KINDS: Final[Mapping[Rule, tuple[tuple[str, ...], str | None]]] = {
    "date": (("date",), "date"),
    "iso_week": (("date",), "week"),
    "month": (("date",), "month"),
    "part_of_day": (("time",), "part_of_day"),
    "map": (("choice", "multi"), None),  # None: keeps the field's kind
}

_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TIME_RE: Final = re.compile(r"(\d{2}):(\d{2})\Z")

#: Parts of the day, by starting hour. Six-hour blocks: coarse enough not to pin a shift.
PARTS_OF_DAY: Final = (("night", 0), ("morning", 6), ("afternoon", 12), ("evening", 18))


def parse_date(value: object) -> date | None:
    """Return the date of an ISO YYYY-MM-DD string, or None if it is anything else."""
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_time(value: object) -> tuple[int, int] | None:
    """Return (hour, minute) of an HH:MM string, or None if it is anything else."""
    if not isinstance(value, str):
        return None
    m = _TIME_RE.match(value)
    if not m:
        return None
    hour, minute = int(m[1]), int(m[2])
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def iso_week(d: date) -> str:
    """Return the ISO 8601 week of a date, e.g. 2019-W07."""
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def part_of_day(hour: int) -> str:
    """Return night, morning, afternoon or evening for an hour 0-23."""
    name = PARTS_OF_DAY[0][0]
    for label, start in PARTS_OF_DAY:
        if hour >= start:
            name = label
    return name


def apply_rule(rule: Rule, value: object, mapping: Mapping[str, str] | None = None) -> str | None:
    """Generalise one scalar value; return None when the value does not parse.

    For `map`, the value must already be a valid code; codes without an entry stay as they are.
    """
    if rule in ("date", "iso_week", "month"):
        d = parse_date(value)
        if d is None:
            return None
        if rule == "date":
            return d.isoformat()
        if rule == "iso_week":
            return iso_week(d)
        return f"{d.year:04d}-{d.month:02d}"
    if rule == "part_of_day":
        t = parse_time(value)
        return None if t is None else part_of_day(t[0])
    if rule == "map":
        if not isinstance(value, str):
            return None
        return (mapping or {}).get(value, value)
    raise ValueError(f"unknown generalisation rule {rule!r}")
