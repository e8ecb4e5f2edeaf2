r"""Specialising a regex for the word it is tried at.

An alternation such as "(?:my|her|their|our)\s+name|call\s+me|..." costs the regex engine a
step per alternative at every word; at a word that begins "ca" only "call\s+me" can match, so
only it is kept. The result matches exactly what the source matches there, in the same order
of preference. The regex is read into a tree (``regex_tree``), pruned and written back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, cast

from . import regex_tree as rt
from .keys import _REPEATS, _is_word_class, _start_keys_of


class _Unsupported(Exception):
    """A construct that ``_emit`` does not write back; such a source is used unchanged."""


_AT_SOURCE = {
    rt.AT_BEGINNING: "^",
    rt.AT_BEGINNING_STRING: r"\A",
    rt.AT_END: "$",
    rt.AT_END_STRING: r"\Z",
    rt.AT_BOUNDARY: r"\b",
    rt.AT_NON_BOUNDARY: r"\B",
}
_CATEGORY_SOURCE = {
    rt.CATEGORY_DIGIT: r"\d",
    rt.CATEGORY_NOT_DIGIT: r"\D",
    rt.CATEGORY_SPACE: r"\s",
    rt.CATEGORY_NOT_SPACE: r"\S",
    rt.CATEGORY_WORD: r"\w",
    rt.CATEGORY_NOT_WORD: r"\W",
}
_REPEAT_SUFFIX = {rt.MAX_REPEAT: "", rt.MIN_REPEAT: "?", rt.POSSESSIVE_REPEAT: "+"}


def _emit(items: Sequence[tuple[Any, Any]]) -> str:
    """Write parsed regex items back as a pattern."""
    return "".join(_emit_item(op, av) for op, av in items)


def _emit_item(op: Any, av: Any) -> str:
    emit = _EMITTERS.get(op)
    if emit is None:
        if op in _REPEATS:
            return _emit_repeat(op, av)
        raise _Unsupported
    return emit(av)


def _emit_class(members: Any) -> str:
    parts: list[str] = []
    for item_op, item_av in members:
        if item_op == rt.NEGATE and not parts:
            parts.append("^")
        elif item_op == rt.LITERAL:
            parts.append(re.escape(chr(item_av)))
        elif item_op == rt.RANGE:
            parts.append(re.escape(chr(item_av[0])) + "-" + re.escape(chr(item_av[1])))
        elif item_op == rt.CATEGORY and item_av in _CATEGORY_SOURCE:
            parts.append(_CATEGORY_SOURCE[item_av])
        else:
            raise _Unsupported
    return "[" + "".join(parts) + "]"


def _emit_at(av: Any) -> str:
    if av not in _AT_SOURCE:
        raise _Unsupported
    return _AT_SOURCE[av]


def _emit_group(av: Any) -> str:
    if av[1] or av[2]:
        raise _Unsupported  # flags
    return ("(?:" if av[0] is None else "(") + _emit(av[3]) + ")"


def _emit_repeat(op: Any, av: Any) -> str:
    lo, hi, sub = av
    if hi == rt.MAXREPEAT:
        count = "*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}"
    elif lo == hi:
        count = f"{{{lo}}}"
    elif (lo, hi) == (0, 1):
        count = "?"
    else:
        count = f"{{{lo},{hi}}}"
    return "(?:" + _emit(sub) + ")" + count + _REPEAT_SUFFIX[op]


def _emit_assert(sign: str) -> Callable[[Any], str]:
    def emit(av: Any) -> str:
        direction, sub = av
        return "(?" + ("<" if direction < 0 else "") + sign + _emit(sub) + ")"

    return emit


_EMITTERS: dict[Any, Callable[[Any], str]] = {
    rt.LITERAL: lambda av: re.escape(chr(av)),
    rt.NOT_LITERAL: lambda av: "[^" + re.escape(chr(av)) + "]",
    rt.ANY: lambda av: ".",
    rt.IN: _emit_class,
    rt.AT: _emit_at,
    rt.BRANCH: lambda av: "(?:" + "|".join(_emit(alt) for alt in av[1]) + ")",
    rt.SUBPATTERN: _emit_group,
    rt.ASSERT: _emit_assert("="),
    rt.ASSERT_NOT: _emit_assert("!"),
    rt.ATOMIC_GROUP: lambda av: "(?>" + _emit(av) + ")",
}


@lru_cache(maxsize=4096)  # keyed by the lexicons' regexes (about 1,000)
def _parsed(source: str) -> tuple[tuple[Any, Any], ...] | None:
    """The parsed items of ``source``, if ``_emit`` writes them back to the same regex."""
    try:
        tree = rt.parse(source)
        items = tuple(tree)
        again = rt.parse(_emit(items))
    except (_Unsupported, rt.Unsupported, RecursionError):
        return None  # flags (case-insensitive, verbose...) are not read: such a source is used as it is
    if list(items) != again:
        return None
    return items


class _Head:
    """How a parsed regex begins, read once per source: the zero-width items in front, then an
    alternation (with the start keys of each alternative, None if any), a group, or neither."""

    __slots__ = ("alternatives", "group", "index")

    def __init__(self, items: Sequence[tuple[Any, Any]], rest: Sequence[tuple[Any, Any]]) -> None:
        index = 0
        while index < len(items) and items[index][0] in (rt.AT, rt.ASSERT, rt.ASSERT_NOT):
            index += 1
        self.index = index
        self.alternatives: list[tuple[frozenset[str] | None, _Head]] | None = None
        self.group: _Head | None = None
        if index < len(items):
            op, av = items[index]
            tail = [*items[index + 1 :], *rest]
            if op == rt.BRANCH:
                self.alternatives = [(_start_keys_of([*alt, *tail]), _Head(alt, tail)) for alt in av[1]]
            elif op == rt.SUBPATTERN and not av[1] and not av[2]:
                self.group = _Head(av[3], tail)

    def decide(self, key: str) -> tuple[Any, ...] | None:
        """Which alternatives can start a match at ``key``, as nested tuples of indexes; None if
        none can."""
        if self.alternatives is not None:
            kept = []
            for i, (keys, head) in enumerate(self.alternatives):
                if keys is None or key in keys or key[:1] + "*" in keys or key[:2] + "*" in keys:
                    decided = head.decide(key)
                    if decided is not None:
                        kept.append((i, decided))
            return tuple(kept) if kept else None
        if self.group is not None:
            decided = self.group.decide(key)
            return None if decided is None else (decided,)
        return ()

    def rebuild(self, items: Sequence[tuple[Any, Any]], decided: tuple[Any, ...], word_start: bool) -> list[Any]:
        """``items`` with only the alternatives ``decide`` kept (and at a word start, without a
        leading "not after a word character", which always holds there)."""
        out = [
            (op, av)
            for op, av in items[: self.index]
            if not (word_start and op == rt.ASSERT_NOT and av[0] < 0 and _is_word_class(av[1]))
        ]
        if self.index < len(items):
            op, av = items[self.index]
            if self.alternatives is not None:
                kept = [self.alternatives[i][1].rebuild(av[1][i], inner, word_start) for i, inner in decided]
                out.append((op, (av[0], kept)))
            elif self.group is not None:
                out.append((op, (av[0], av[1], av[2], self.group.rebuild(av[3], decided[0], word_start))))
            else:
                out.append((op, av))
            out.extend(items[self.index + 1 :])
        return out


@lru_cache(maxsize=4096)  # keyed by the lexicons' regexes (about 1,000)
def _head(source: str) -> tuple[tuple[tuple[Any, Any], ...], _Head] | None:
    items = _parsed(source)
    return None if items is None else (items, _Head(items, ()))


@lru_cache(maxsize=4096)  # keyed by the lexicons' regexes (about 1,000)
def _groups(source: str) -> int:
    return re.compile(source).groups


def _specialised(source: str, key: str, word_start: bool) -> tuple[str, int] | None:
    """``source`` as it can match where the text's key is ``key``, and its number of groups;
    None if it cannot match there.

    At a word start (``word_start``), a leading "not after a word character" always holds and
    goes too. Most keys keep the same alternatives as some key before them: the result is
    remembered per choice of alternatives, not per key.
    """
    head = _head(source)
    if head is None:
        return source, _groups(source)
    items, plan = head
    decided = plan.decide(key)
    if decided is None:
        return None
    return _rebuilt(source, word_start, decided)


@lru_cache(maxsize=4096)
def _rebuilt(source: str, word_start: bool, decided: tuple[Any, ...]) -> tuple[str, int]:
    # _specialised calls this only for a source _head could read.
    items, plan = cast("tuple[tuple[tuple[Any, Any], ...], _Head]", _head(source))
    pruned = plan.rebuild(items, decided, word_start)
    return _emit(pruned), _count_groups(pruned)


def _count_groups(items: Sequence[tuple[Any, Any]]) -> int:
    """The capturing groups in parsed items."""
    count = 0
    for op, av in items:
        if op == rt.SUBPATTERN:
            count += (av[0] is not None) + _count_groups(av[3])
        elif op == rt.BRANCH:
            count += sum(_count_groups(alt) for alt in av[1])
        elif op in _REPEATS:
            count += _count_groups(av[2])
        elif op in (rt.ASSERT, rt.ASSERT_NOT):
            count += _count_groups(av[1])
        elif op == rt.ATOMIC_GROUP:
            count += _count_groups(av)
    return count


def _first_chars(source: str) -> re.Pattern[str] | None:
    """A character class every match of ``source`` starts with, if that is sure; else None."""
    items = _parsed(source)
    if items is None:
        return None
    classes = _head_classes(items)
    return re.compile("|".join(classes)) if classes else None


def _head_classes(items: Sequence[tuple[Any, Any]]) -> list[str] | None:
    """Sources of the character classes the first character of a match of ``items`` is in."""
    for op, av in items:
        if op in (rt.AT, rt.ASSERT, rt.ASSERT_NOT):
            continue  # zero-width: the first character is still to come
        if op in (rt.LITERAL, rt.IN):
            try:
                return [_emit_item(op, av)]
            except _Unsupported:
                return None
        if op == rt.BRANCH:
            out: list[str] = []
            for alt in av[1]:
                classes = _head_classes(alt)
                if not classes:
                    return None
                out.extend(classes)
            return out
        if op == rt.SUBPATTERN and not av[1] and not av[2]:
            return _head_classes(av[3])
        return None
    return None  # it may match the empty string
