"""Start keys: the first letters a match of a regex can begin with.

The dispatch tries a regex only at words whose first letters (up to ``_KEY_LENGTH``) are among
its start keys, read from the regex's tree (``regex_tree``). ``_start_keys`` decides which
regexes a word tries at all; ``_sure_keys`` never gives too few keys, and decides which
alternatives inside a regex can be left out at a word (``specialise``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import regex_tree as rt
from .text import _is_word


class _Wild(Exception):
    """The start of a regex cannot be reduced to a few letters."""


def _class_chars(items: list[tuple[Any, Any]]) -> list[str]:
    chars: list[str] = []
    for op, av in items:
        if op == rt.CATEGORY and av == rt.CATEGORY_DIGIT:
            chars.extend("0123456789")
        elif op == rt.LITERAL:
            chars.append(chr(av))
        elif op == rt.RANGE and av[1] - av[0] <= 64:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            raise _Wild
    return chars


_REPEATS = (rt.MAX_REPEAT, rt.MIN_REPEAT, rt.POSSESSIVE_REPEAT)


def _continuations(op: Any, av: Any, rest: list[tuple[Any, Any]]) -> list[list[tuple[Any, Any]]] | None:
    """The item sequences an atomic group, alternation or repeat at the head can go on as.

    A repeat is unrolled once: its body then the repeat with one fewer, or (if it may be
    empty) what follows. None for any other op.
    """
    if op == rt.ATOMIC_GROUP:
        return [list(av) + rest]
    if op == rt.BRANCH:
        return [list(alt) + rest for alt in av[1]]
    if op in _REPEATS:
        lo, hi, sub = av
        follow = [rest] if lo == 0 else []
        if hi != 0:
            more = hi == rt.MAXREPEAT or hi > 1
            again = [(op, (max(lo - 1, 0), hi if hi == rt.MAXREPEAT else hi - 1, sub))] if more else []
            follow.append(list(sub) + again + rest)
        return follow
    return None


def _ends_word(members: list[tuple[Any, Any]]) -> bool:
    """Whether a class holds only whitespace and punctuation."""
    return all(
        (o == rt.CATEGORY and a == rt.CATEGORY_SPACE) or (o == rt.LITERAL and not _is_word(chr(a))) for o, a in members
    )


def _union(sets: Iterable[set[str]]) -> set[str]:
    out: set[str] = set()
    for one in sets:
        out |= one
    return out


def _seq_keys(items: list[tuple[Any, Any]], need: int, depth: int = 0) -> set[str]:
    """Strings of up to ``need`` word characters a match of ``items`` can start with.

    A string shorter than ``need`` means the word ends there; "ab*" means "ab", then anything.
    """
    if depth > 40:
        raise _Wild
    if need == 0 or not items:
        return {""}
    op, av = items[0]
    rest = items[1:]
    if op == rt.LITERAL:
        return _with_char(chr(av), rest, need, depth)
    if op == rt.IN:
        if _ends_word(av):
            return {""}  # whitespace or punctuation: the word has ended
        return _union(_with_char(c, rest, need, depth) for c in _class_chars(av))
    if op == rt.SUBPATTERN:
        return _seq_keys(list(av[-1]) + rest, need, depth + 1)
    follow = _continuations(op, av, rest)
    if follow is not None:
        return _union(_seq_keys(items_next, need, depth + 1) for items_next in follow)
    if op == rt.ASSERT and av[0] == 1:
        # A lookahead says what the match starts with, whatever follows.
        return _seq_keys(list(av[1]), need, depth + 1)
    if op in (rt.AT, rt.ASSERT, rt.ASSERT_NOT):
        return _seq_keys(rest, need, depth + 1)
    raise _Wild


def _with_char(c: str, rest: list[tuple[Any, Any]], need: int, depth: int) -> set[str]:
    if c in _KEY_SYMBOLS and need == _KEY_LENGTH:
        return {c}  # "$200", "&": a symbol is a key of its own
    if not _is_word(c):
        return {""}
    if need == 1:
        return {c}
    try:
        tails = _seq_keys(rest, need - 1, depth + 1)
    except _Wild:
        return {c + "*"}
    return {c + tail for tail in tails}


def _start_keys(source: str) -> frozenset[str] | None:
    """Return the word-start keys of a regex, or None if it may start anywhere."""
    try:
        keys = _seq_keys(list(rt.parse(source)), _KEY_LENGTH)
    except (_Wild, rt.Unsupported):
        return None
    if "" in keys or any(k.startswith("*") for k in keys):
        return None
    return frozenset(keys)


_KEY_LENGTH = 3
_KEY_SYMBOLS = "$&"
_WORD_KEY = re.compile(rf"(?<!\w)\w{{1,{_KEY_LENGTH}}}|[{re.escape(_KEY_SYMBOLS)}]")


def _is_word_class(sub: Any) -> bool:
    """Whether parsed items are exactly a word-character class."""
    return len(sub) == 1 and sub[0][0] == rt.IN and list(sub[0][1]) == [(rt.CATEGORY, rt.CATEGORY_WORD)]


def _start_keys_of(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The keys a match of ``items`` can start with; None if it may start with any."""
    try:
        keys = _sure_keys(items, _KEY_LENGTH)
    except _Wild:
        return None
    return None if "" in keys else frozenset(keys)


def _sure_keys(items: list[tuple[Any, Any]], need: int, depth: int = 0) -> set[str]:
    """Like ``_seq_keys``, but never too few: the start keys of every match of ``items``.

    ``_seq_keys`` decides which sources a word tries at all, and its answer is kept as it is;
    this one decides which alternatives inside a tried source can be left out, where an
    answer that missed a key would change a match. So wherever it cannot be sure (the pattern
    ends before ``need`` letters, flags), it says "anything" (``_Wild``), and it reads past
    lookarounds, which only ever rule matches out.
    """
    if depth > 40:
        raise _Wild
    if need == 0:
        return {""}
    if not items:
        raise _Wild  # the match may end here, inside a longer word
    op, av = items[0]
    rest = items[1:]
    if op == rt.LITERAL:
        return _sure_with_char(chr(av), rest, need, depth)
    if op == rt.IN:
        if need < _KEY_LENGTH and _ends_word(av):
            return {""}  # whitespace or punctuation: the word has ended
        return _union(_sure_with_char(c, rest, need, depth) for c in _class_chars(av))
    if op == rt.SUBPATTERN and not av[1] and not av[2]:
        return _sure_keys(list(av[-1]) + rest, need, depth + 1)
    follow = _continuations(op, av, rest)
    if follow is not None:
        return _union(_sure_keys(items_next, need, depth + 1) for items_next in follow)
    return _sure_past_zero_width(op, av, rest, need, depth)


def _sure_past_zero_width(op: Any, av: Any, rest: list[tuple[Any, Any]], need: int, depth: int) -> set[str]:
    if op == rt.ASSERT_NOT and av[0] > 0 and _is_word_class(av[1]):
        return {""}  # not followed by a word character: the word ends here
    if op in (rt.AT, rt.ASSERT, rt.ASSERT_NOT):
        return _sure_keys(rest, need, depth + 1)
    raise _Wild


def _sure_with_char(c: str, rest: list[tuple[Any, Any]], need: int, depth: int) -> set[str]:
    if c in _KEY_SYMBOLS and need == _KEY_LENGTH:
        return {c}
    if not _is_word(c):
        return {""}
    if need == 1:
        return {c}
    try:
        tails = _sure_keys(rest, need - 1, depth + 1)
    except _Wild:
        return {c + "*"}
    return {c + tail for tail in tails}
