"""Read a regular expression into a tree of items, for the dispatch to reason about.

The dispatch needs to know which letters a pattern can begin with, and to write a pattern back
with the alternatives that cannot match at a given word left out (``keys``). Python's ``re``
does not publish its parser, so this module reads the part of the syntax the lexicons and
detectors use: literals and escapes, character classes, ``.``, anchors, groups (capturing,
named, non-capturing, atomic), lookarounds, greedy, lazy and possessive repeats, and
alternation. Anything else (inline flags, backreferences, conditionals) raises
:class:`Unsupported`, and such a pattern is simply tried everywhere.

The tree has the shape ``re`` builds for the same source, with the same two simplifications:
a non-capturing group is spliced into its sequence, and an alternation's common leading items
are moved out in front of it (or, if every alternative is one character, it becomes a class).
Items are ``(op, argument)`` pairs:

=================  =====================================================================
``LITERAL``        a code point
``NOT_LITERAL``    a code point (``[^x]``)
``ANY``            None (``.``)
``IN``             a list of ``(NEGATE, None)``, ``(LITERAL, cp)``, ``(RANGE, (lo, hi))``,
                   ``(CATEGORY, name)`` with name one of the ``CATEGORY_*`` constants
``AT``             one of the ``AT_*`` constants
``BRANCH``         ``(None, [items, ...])``
``SUBPATTERN``     ``(group number, 0, 0, items)`` (a capturing group)
``ATOMIC_GROUP``   items
``MAX_REPEAT``,    ``(min, max, items)``, max being ``MAXREPEAT`` when unbounded
``MIN_REPEAT``,
``POSSESSIVE_REPEAT``
``ASSERT``,        ``(direction, items)``: 1 ahead, -1 behind
``ASSERT_NOT``
``FAILURE``        () (``(?!)``)
=================  =====================================================================
"""

from __future__ import annotations

from typing import Any

LITERAL, NOT_LITERAL, ANY, IN, AT, BRANCH = "literal", "not_literal", "any", "in", "at", "branch"
SUBPATTERN, ATOMIC_GROUP, ASSERT, ASSERT_NOT, FAILURE = "subpattern", "atomic_group", "assert", "assert_not", "failure"
MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT = "max_repeat", "min_repeat", "possessive_repeat"
REPEATS = (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT)
NEGATE, RANGE, CATEGORY = "negate", "range", "category"
CATEGORY_DIGIT, CATEGORY_NOT_DIGIT = "digit", "not_digit"
CATEGORY_SPACE, CATEGORY_NOT_SPACE = "space", "not_space"
CATEGORY_WORD, CATEGORY_NOT_WORD = "word", "not_word"
AT_BEGINNING, AT_BEGINNING_STRING, AT_END, AT_END_STRING = "beginning", "beginning_string", "end", "end_string"
AT_BOUNDARY, AT_NON_BOUNDARY = "boundary", "non_boundary"
MAXREPEAT = 4294967295

Item = tuple[str, Any]

_CATEGORIES: dict[str, Item] = {
    r"\A": (AT, AT_BEGINNING_STRING),
    r"\b": (AT, AT_BOUNDARY),
    r"\B": (AT, AT_NON_BOUNDARY),
    r"\d": (IN, [(CATEGORY, CATEGORY_DIGIT)]),
    r"\D": (IN, [(CATEGORY, CATEGORY_NOT_DIGIT)]),
    r"\s": (IN, [(CATEGORY, CATEGORY_SPACE)]),
    r"\S": (IN, [(CATEGORY, CATEGORY_NOT_SPACE)]),
    r"\w": (IN, [(CATEGORY, CATEGORY_WORD)]),
    r"\W": (IN, [(CATEGORY, CATEGORY_NOT_WORD)]),
    r"\Z": (AT, AT_END_STRING),
}
_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_HEX_LENGTH = {"x": 2, "u": 4, "U": 8}
_SPECIAL = ".\\[{()*+?^$|"
_REPEAT_CHARS = "*+?{"


class Unsupported(Exception):
    """The source uses syntax this reader does not handle (or is not a valid pattern)."""


class _Source:
    """The pattern as tokens: one character, or a backslash and the character after it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        if self.text[self.pos] == "\\":
            if self.pos + 1 >= len(self.text):
                raise Unsupported("trailing backslash")
            return self.text[self.pos : self.pos + 2]
        return self.text[self.pos]

    def get(self) -> str | None:
        tok = self.peek()
        if tok is not None:
            self.pos += len(tok)
        return tok

    def match(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += len(char)
            return True
        return False

    def take_while(self, allowed: str, limit: int) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.pos - start < limit and self.text[self.pos] in allowed:
            self.pos += 1
        return self.text[start : self.pos]


class _State:
    def __init__(self) -> None:
        self.groups = 0


def parse(source: str) -> list[Item]:
    """Return the items of ``source``; raise Unsupported for syntax outside the subset."""
    tokens = _Source(source)
    items = _alternatives(tokens, _State())
    if tokens.peek() is not None:
        raise Unsupported("unbalanced parenthesis")
    return items


def _alternatives(tokens: _Source, state: _State) -> list[Item]:
    branches = [_sequence(tokens, state)]
    while tokens.match("|"):
        branches.append(_sequence(tokens, state))
    if len(branches) == 1:
        return branches[0]
    out: list[Item] = []
    # Leading items every alternative shares go in front (compared as re compares them:
    # items holding a sub-sequence are never equal).
    while all(branches) and all(_same(b[0], branches[0][0]) for b in branches[1:]):
        out.append(branches[0][0])
        for b in branches:
            del b[0]
    chars = _as_class(branches)
    if chars is not None:
        out.append((IN, chars))
    else:
        out.append((BRANCH, (None, branches)))
    return out


def _same(a: Item, b: Item) -> bool:
    if a[0] in (LITERAL, NOT_LITERAL, ANY, IN, AT, FAILURE):
        return a == b
    return a is b


def _as_class(branches: list[list[Item]]) -> list[Item] | None:
    """The alternatives as one class, if each is one character; else None."""
    chars: list[Item] = []
    for b in branches:
        if len(b) != 1:
            return None
        op, av = b[0]
        if op == LITERAL:
            chars.append((op, av))
        elif op == IN and av[0][0] != NEGATE:
            chars.extend(av)
        else:
            return None
    return list(dict.fromkeys(chars))


def _sequence(tokens: _Source, state: _State) -> list[Item]:
    items: list[Item] = []
    while (tok := tokens.peek()) is not None and tok not in "|)":
        tokens.get()
        if tok[0] == "\\":
            items.append(_escape(tokens, tok, in_class=False))
        elif tok not in _SPECIAL:
            items.append((LITERAL, ord(tok)))
        elif tok == "[":
            items.append(_class(tokens))
        elif tok in _REPEAT_CHARS:
            _repeat(tokens, tok, items)
        elif tok == ".":
            items.append((ANY, None))
        elif tok == "(":
            items.append(_group(tokens, state))
        else:
            items.append((AT, AT_BEGINNING if tok == "^" else AT_END))
    return _splice_groups(items)


def _splice_groups(items: list[Item]) -> list[Item]:
    """Non-capturing groups (number None) become part of the sequence, as ``re`` does."""
    out: list[Item] = []
    for op, av in items:
        if op == SUBPATTERN and av[0] is None:
            out.extend(av[3])
        else:
            out.append((op, av))
    return out


def _escape(tokens: _Source, tok: str, *, in_class: bool) -> Item:
    if not in_class and tok in _CATEGORIES:
        return _CATEGORIES[tok]
    if in_class and tok in _CATEGORIES and _CATEGORIES[tok][0] == IN:
        return _CATEGORIES[tok]
    if in_class and tok == r"\b":
        return (LITERAL, ord("\b"))
    c = tok[1]
    if c in _ESCAPES:
        return (LITERAL, ord(_ESCAPES[c]))
    if c in _HEX_LENGTH:
        digits = tokens.take_while("0123456789abcdefABCDEF", _HEX_LENGTH[c])
        if len(digits) != _HEX_LENGTH[c]:
            raise Unsupported(f"incomplete escape {tok}{digits}")
        return (LITERAL, int(digits, 16))
    if c.isascii() and c.isalnum():
        raise Unsupported(f"escape {tok}")  # octal, backreferences, \N{...}: not used here
    return (LITERAL, ord(c))


def _class(tokens: _Source) -> Item:
    negate = tokens.match("^")
    members: list[Item] = []
    while True:
        tok = tokens.get()
        if tok is None:
            raise Unsupported("unterminated character set")
        if tok == "]" and members:
            break
        first: Item = _escape(tokens, tok, in_class=True) if tok[0] == "\\" else (LITERAL, ord(tok))
        if tokens.match("-"):
            if _range(tokens, first, members):
                break
        else:
            members.append(_member(first))
    members = list(dict.fromkeys(members))
    if len(members) == 1 and members[0][0] == LITERAL:
        return (NOT_LITERAL, members[0][1]) if negate else members[0]
    if negate:
        members.insert(0, (NEGATE, None))
    return (IN, members)


def _member(item: Item) -> Item:
    """A class member: ``\\s`` inside a class is its category, not a class of its own."""
    if item[0] == IN:
        member: Item = item[1][0]
        return member
    return item


def _range(tokens: _Source, first: Item, members: list[Item]) -> bool:
    """Read the end of ``first-...``; return True when the class ended (``x-]``)."""
    tok = tokens.get()
    if tok is None:
        raise Unsupported("unterminated character set")
    if tok == "]":
        members.append(_member(first))
        members.append((LITERAL, ord("-")))
        return True
    last = _escape(tokens, tok, in_class=True) if tok[0] == "\\" else (LITERAL, ord(tok))
    if first[0] != LITERAL or last[0] != LITERAL or last[1] < first[1]:
        raise Unsupported("bad character range")
    members.append((RANGE, (first[1], last[1])))
    return False


def _repeat(tokens: _Source, tok: str, items: list[Item]) -> None:
    bounds = _bounds(tokens, tok)
    if bounds is None:
        items.append((LITERAL, ord(tok)))  # "{" that is not a count
        return
    if not items or items[-1][0] == AT or items[-1][0] in REPEATS:
        raise Unsupported("nothing to repeat")
    op, av = items[-1]
    body = av[3] if op == SUBPATTERN and av[0] is None else [(op, av)]
    kind = MIN_REPEAT if tokens.match("?") else POSSESSIVE_REPEAT if tokens.match("+") else MAX_REPEAT
    items[-1] = (kind, (bounds[0], bounds[1], body))


def _bounds(tokens: _Source, tok: str) -> tuple[int, int] | None:
    if tok != "{":
        return {"?": (0, 1), "*": (0, MAXREPEAT), "+": (1, MAXREPEAT)}[tok]
    start = tokens.pos
    if tokens.peek() == "}":
        return None
    lo = tokens.take_while("0123456789", len(tokens.text))
    hi = tokens.take_while("0123456789", len(tokens.text)) if tokens.match(",") else lo
    if not tokens.match("}"):
        tokens.pos = start
        return None
    low = int(lo) if lo else 0
    high = int(hi) if hi else MAXREPEAT
    if high < low:
        raise Unsupported("min repeat greater than max repeat")
    return low, high


def _group(tokens: _Source, state: _State) -> Item:
    kind = "capture"
    if tokens.match("?"):
        kind = _group_kind(tokens)
    number = None
    if kind == "capture":
        state.groups += 1
        number = state.groups
    body = _alternatives(tokens, state)
    if not tokens.match(")"):
        raise Unsupported("missing )")
    if kind in ("=", "!", "<=", "<!"):
        direction = -1 if kind.startswith("<") else 1
        if kind.endswith("="):
            return (ASSERT, (direction, body))
        return (ASSERT_NOT, (direction, body)) if body else (FAILURE, ())
    if kind == ">":
        return (ATOMIC_GROUP, body)
    return (SUBPATTERN, (number, 0, 0, body))


def _group_kind(tokens: _Source) -> str:
    """What follows "(?": "capture" (a named group), ":", ">", "=", "!", "<=" or "<!"."""
    char = tokens.get()
    if char == "P" and tokens.match("<"):
        end = tokens.text.find(">", tokens.pos)
        if end < 0 or not tokens.text[tokens.pos : end].isidentifier():
            raise Unsupported("bad group name")
        tokens.pos = end + 1
        return "capture"
    if char in (":", ">", "=", "!"):
        return char
    if char == "<":
        after = tokens.get()
        if after in ("=", "!"):
            return "<" + after
    raise Unsupported(f"group (?{char}")
