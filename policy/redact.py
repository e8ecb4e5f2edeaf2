"""Free-text redaction: find what a narrative says that could incriminate the reporter.

A referral must not carry the reporter's own admissions (working, payment, drugs, a weapon
they carried, immigration status, other offences), their identity, any contact detail, or a
precise place. This module finds those spans in a narrative and replaces them with one
neutral marker, so the recipient cannot tell what kind of thing was there; the tag of each
span goes only to the advocate's trace.

The approach is deterministic and rule-based:

* the text is folded for matching (NFKD, case-folded, accents and zero-width characters
  dropped, curly quotes and dashes unified) with a map back to the original offsets;
* per-language lexicons (``policy/lexicon/*.toml``) list terms and patterns by tag;
* the text is split into sentences and clauses; each trigger is judged by who the clause is
  about (first person, third person, or unknown, which counts as first person), and either
  the whole clause or only the phrase goes;
* detectors that need no grammar (phone numbers, email addresses, handles, street addresses,
  hotel names, room numbers, the reporter's known identifiers) run on every text.

Nothing here imports Django. See docs/redaction.md for decisions and limits.
"""

from __future__ import annotations

import bisect
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from re import _constants as _C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, cast

import phonenumbers

__all__ = ["REMOVED", "TAGS", "Span", "apply", "find_spans", "redact", "removed_ranges"]

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

LANGUAGES = ("en", "es")
LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"


@dataclass(frozen=True, slots=True)
class Span:
    """A removed run of the input: ``text[start:end]``, and why (``tag``)."""

    start: int
    end: int
    tag: str


# --------------------------------------------------------------------------------------------
# Folding for matching, with a map back to the original offsets.
# --------------------------------------------------------------------------------------------

_APOSTROPHES = "'`\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u02bb\u02b9\u00b4\uff07"
_QUOTES = '"\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02'
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_SPACE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zs"})


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(words.split())


def _fold_char(c: str) -> str:
    """Fold one character for matching; the result may be empty or several characters."""
    if c in _APOSTROPHES:
        return "'"
    if c in _QUOTES:
        return '"'
    if c in _DASHES:
        return "-"
    if c in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(c)
    if category in _SPACE_CATEGORIES:
        return " "
    if category in _DROPPED_CATEGORIES:
        return ""
    folded = unicodedata.normalize("NFKD", c).casefold()
    out = []
    for d in folded:
        if unicodedata.category(d) in _DROPPED_CATEGORIES:
            continue
        if d in _APOSTROPHES:
            out.append("'")
        elif d in _QUOTES:
            out.append('"')
        elif d in _DASHES:
            out.append("-")
        else:
            out.append(d)
    return "".join(out)


_ASCII_TABLE: dict[int, str] = {i: _fold_char(chr(i)) for i in range(128)}

# Every cache keyed by what a text contains is bounded (least recently used entries go), so
# that crafted texts cannot grow a worker's memory: docs/redaction.md, "Memory".
_fold_cached = lru_cache(maxsize=8192)(_fold_char)


class Folded:
    """The folded text and how to map its offsets back to the original string."""

    __slots__ = ("_src", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        src: list[int] | None = None
        if original.isascii():
            text = original.translate(_ASCII_TABLE)
        else:
            table = dict(_ASCII_TABLE)
            irregular = []
            for c in set(original):
                if ord(c) >= 128:
                    folded = _fold_cached(c)
                    table[ord(c)] = folded
                    if len(folded) != 1:
                        irregular.append(c)
            if not irregular:
                text = original.translate(table)
            else:
                text, src = self._fold_irregular(original, table, irregular)
        self.text = text
        self._src = src

    @staticmethod
    def _fold_irregular(original: str, table: dict[int, str], irregular: list[str]) -> tuple[str, list[int]]:
        parts: list[str] = []
        src: list[int] = []
        pattern = re.compile("[" + "".join(re.escape(c) for c in irregular) + "]")
        pos = 0
        for m in pattern.finditer(original):
            i = m.start()
            if i > pos:
                parts.append(original[pos:i].translate(table))
                src.extend(range(pos, i))
            folded = table[ord(original[i])]
            parts.append(folded)
            src.extend([i] * len(folded))
            pos = i + 1
        if pos < len(original):
            parts.append(original[pos:].translate(table))
            src.extend(range(pos, len(original)))
        return "".join(parts), src

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded ``[start, end)`` to the original, swallowing trailing zero-width marks."""
        if self._src is None:
            return start, end
        src = self._src
        o_start = src[start]
        o_end = src[end - 1] + 1
        original = self.original
        n = len(original)
        while o_end < n and _fold_cached(original[o_end]) == "":
            o_end += 1
        return o_start, o_end

    def original_of(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


# --------------------------------------------------------------------------------------------
# Word-start dispatch: each regex is tried only where a word begins with letters that can
# begin a match of it. One pass over the words replaces dozens of full scans of the text.
# --------------------------------------------------------------------------------------------


class _Wild(Exception):
    """The start of a regex cannot be reduced to a few letters."""


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _class_chars(items: list[tuple[Any, Any]]) -> list[str]:
    chars: list[str] = []
    for op, av in items:
        if op is _C.CATEGORY and av is _C.CATEGORY_DIGIT:
            chars.extend("0123456789")
        elif op is _C.LITERAL:
            chars.append(chr(av))
        elif op is _C.RANGE and av[1] - av[0] <= 64:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            raise _Wild
    return chars


_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT)


def _continuations(op: Any, av: Any, rest: list[tuple[Any, Any]]) -> list[list[tuple[Any, Any]]] | None:
    """The item sequences an atomic group, alternation or repeat at the head can go on as.

    A repeat is unrolled once: its body then the repeat with one fewer, or (if it may be
    empty) what follows. None for any other op.
    """
    if op is _C.ATOMIC_GROUP:
        return [list(av) + rest]
    if op is _C.BRANCH:
        return [list(alt) + rest for alt in av[1]]
    if op in _REPEATS:
        lo, hi, sub = av
        follow = [rest] if lo == 0 else []
        if hi != 0:
            more = hi is _C.MAXREPEAT or hi > 1
            again = [(op, (max(lo - 1, 0), hi if hi is _C.MAXREPEAT else hi - 1, sub))] if more else []
            follow.append(list(sub) + again + rest)
        return follow
    return None


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
    if op is _C.LITERAL:
        return _with_char(chr(av), rest, need, depth)
    if op is _C.IN:
        if all(
            (o is _C.CATEGORY and a is _C.CATEGORY_SPACE) or (o is _C.LITERAL and not _is_word(chr(a))) for o, a in av
        ):
            return {""}  # whitespace or punctuation: the word has ended
        out: set[str] = set()
        for c in _class_chars(av):
            out |= _with_char(c, rest, need, depth)
        return out
    if op is _C.SUBPATTERN:
        return _seq_keys(list(av[-1]) + rest, need, depth + 1)
    follow = _continuations(op, av, rest)
    if follow is not None:
        out = set()
        for items_next in follow:
            out |= _seq_keys(items_next, need, depth + 1)
        return out
    if op is _C.ASSERT and av[0] == 1:
        # A lookahead says what the match starts with, whatever follows.
        return _seq_keys(list(av[1]), need, depth + 1)
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
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
        keys = _seq_keys(list(_parser.parse(source)), _KEY_LENGTH)
    except _Wild:
        return None
    if "" in keys or any(k.startswith("*") for k in keys):
        return None
    return frozenset(keys)


_KEY_LENGTH = 3
_KEY_SYMBOLS = "$&"
_WORD_KEY = re.compile(rf"(?<!\w)\w{{1,{_KEY_LENGTH}}}|[{re.escape(_KEY_SYMBOLS)}]")


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_DISPATCH_CACHE_SIZE = 8192
_compile = lru_cache(maxsize=2048)(re.compile)


@lru_cache(maxsize=4096)  # keyed by the lexicons' regexes (about 1,000)
def _unnamed(source: str) -> str:
    return _NAMED_GROUP.sub("(", source)


class _Dispatch:
    """A set of regexes, each with a payload, matched at word starts (or everywhere if needed).

    At a word start, every regex that can begin with the word's first letters is tried in one
    match call: each is a lookahead in a combined pattern, so all of them report, overlapping
    or not.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, list[tuple[str, Any]]] = {}
        # Regexes that may start anywhere, each with the characters every match starts with
        # (when those are known), so that the text is searched only where one is.
        self._residual: list[tuple[re.Pattern[str], re.Pattern[str] | None, Any]] = []
        # Per key: the combined regex's match method, and its (group, payload) slots. Keys come
        # from the text, so the cache is bounded: about 1,600 keys cover the whole corpus.
        self._lookup = lru_cache(maxsize=_DISPATCH_CACHE_SIZE)(self._candidates)

    def add(self, source: str, payload: Any) -> None:
        self.add_alternation([source], payload)

    @classmethod
    def merged(cls, *parts: _Dispatch) -> _Dispatch:
        """One dispatch doing the work of several: one match call per word instead of one each."""
        out = cls()
        for part in parts:
            for key, entries in part._by_key.items():
                out._by_key.setdefault(key, []).extend(entries)
            out._residual.extend(part._residual)
        return out

    def add_alternation(self, sources: Iterable[str], payload: Any) -> None:
        """Add sources that share a payload: per key, one alternation (longest source first)."""
        grouped: dict[str, list[str]] = {}
        residual: list[str] = []
        for source in sources:
            re.compile(source)  # fail early, naming the bad pattern
            keys = _start_keys(source)
            if keys is None:
                residual.append(source)
            else:
                for key in keys:
                    grouped.setdefault(key, []).append(source)
        for key, group in grouped.items():
            self._by_key.setdefault(key, []).append((_alternation(group), payload))
        if residual:
            source = _alternation(residual)
            self._residual.append((re.compile(source), _first_chars(source), payload))
        self._lookup.cache_clear()

    def add_terms(self, terms: Iterable[str], payload: Any) -> None:
        """Add literal terms (folded): per key, one trie-shaped regex, so that "the track",
        "the stroll" and "the blade" share their "the " instead of trying it three times."""
        grouped: dict[str, list[str]] = {}
        for term in terms:
            keys = _start_keys(_bounded(_term_regex(term)))
            for key in keys or ():
                grouped.setdefault(key, []).append(term)
        for key, group in grouped.items():
            self._by_key.setdefault(key, []).append((r"(?<!\w)" + _term_trie(group), payload))
        self._lookup.cache_clear()

    def _candidates(self, key: str) -> tuple[Callable[[str, int], re.Match[str]], tuple[tuple[int, Any], ...]] | None:
        found = list(self._by_key.get(key, ()))
        for i in range(1, len(key) + (len(key) < _KEY_LENGTH)):
            found.extend(self._by_key.get(key[:i] + "*", ()))
        # Each source as it can match at this key: the alternatives that cannot start with these
        # letters go (the regex engine would try them at every such word and fail), and so does
        # a source none of whose alternatives can.
        word_start = key[0] not in _KEY_SYMBOLS
        tried = [
            (source, payload)
            for named, payload in found
            # Names would clash between sources; the handlers that need a group re-match.
            if (source := _specialised(_unnamed(named), key, word_start)) is not None
        ]
        entry = None
        if tried:
            # Each payload kind gets a lookahead of its own, so that all of them report. Rules
            # (int payloads) share one: two rules rarely match at the same word, and one
            # alternation that stops at its first success is much cheaper than a lookahead each.
            parts = []
            slots = []
            group = 1
            rules = [(spec, payload) for spec, payload in tried if isinstance(payload, int)]
            others = [(spec, payload) for spec, payload in tried if not isinstance(payload, int)]
            for batch in [[item] for item in others] + ([rules] if rules else []):
                alternatives = []
                for (pattern, groups), payload in batch:
                    alternatives.append(f"({pattern})")
                    slots.append((group, payload))
                    group += 1 + groups
                parts.append("(?:(?=" + "|".join(alternatives) + ")|)")
            combined = "".join(parts)
            # Words of different keys often need the same regex ("tz", "tzu" and "txt" only
            # what "t" and "t*" begin): it is compiled once.
            regex = _compile(combined)
            # The combined regex always matches (if only the empty string): its match never fails.
            entry = (cast(Callable[[str, int], re.Match[str]], regex.match), tuple(slots))
        return entry

    def scan(self, text: str) -> list[tuple[int, int, Any]]:
        """Return every (start, end, payload) match, in order of start."""
        out: list[tuple[int, int, Any]] = []
        lookup = self._lookup
        for word in _WORD_KEY.finditer(text):
            entry = lookup(word.group())
            if entry is None:
                continue
            match, slots = entry
            start = word.start()
            m = match(text, start)
            last = m.lastindex  # the pattern always matches, if only the empty string
            if last is None:
                continue  # nothing here: the usual case, and the fast one
            # Slots are in group order, and the last group to close is the last slot that
            # matched: none after it did.
            group_end = m.end
            found = []
            for group, payload in slots:
                if group > last:
                    break
                end = group_end(group)
                if end >= 0:
                    found.append((start, end, payload))
            if len(found) > 1:
                found.sort(key=_minus_end)  # longest first; stable, as the sort of the whole was
            out.extend(found)
        if self._residual:
            size = len(out)
            for regex, first, payload in self._residual:
                matches = regex.finditer(text) if first is None else _finditer_from(regex, first, text)
                out.extend((m.start(), m.end(), payload) for m in matches)
            if len(out) > size:
                out.sort(key=lambda t: (t[0], -t[1]))
        return out


# --------------------------------------------------------------------------------------------
# Specialising a regex for the word it is tried at: an alternation such as
# "(?:my|her|their|our)\s+name|call\s+me|..." costs the regex engine a step per alternative at
# every word; at a word that begins "ca" only "call\s+me" can match, so only it is kept. The
# result matches exactly what the source matches there, in the same order of preference.
# --------------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """A construct that ``_emit`` does not write back; such a source is used unchanged."""


_AT_SOURCE = {
    _C.AT_BEGINNING: "^",
    _C.AT_BEGINNING_STRING: r"\A",
    _C.AT_END: "$",
    _C.AT_END_STRING: r"\Z",
    _C.AT_BOUNDARY: r"\b",
    _C.AT_NON_BOUNDARY: r"\B",
}
_CATEGORY_SOURCE = {
    _C.CATEGORY_DIGIT: r"\d",
    _C.CATEGORY_NOT_DIGIT: r"\D",
    _C.CATEGORY_SPACE: r"\s",
    _C.CATEGORY_NOT_SPACE: r"\S",
    _C.CATEGORY_WORD: r"\w",
    _C.CATEGORY_NOT_WORD: r"\W",
}
_REPEAT_SUFFIX = {_C.MAX_REPEAT: "", _C.MIN_REPEAT: "?", _C.POSSESSIVE_REPEAT: "+"}


def _emit(items: Sequence[tuple[Any, Any]]) -> str:
    """Write parsed regex items back as a pattern."""
    return "".join(_emit_item(op, av) for op, av in items)


def _emit_item(op: Any, av: Any) -> str:
    if op is _C.LITERAL:
        return re.escape(chr(av))
    if op is _C.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is _C.ANY:
        return "."
    if op is _C.IN:
        parts: list[str] = []
        for item_op, item_av in av:
            if item_op is _C.NEGATE and not parts:
                parts.append("^")
            elif item_op is _C.LITERAL:
                parts.append(re.escape(chr(item_av)))
            elif item_op is _C.RANGE:
                parts.append(re.escape(chr(item_av[0])) + "-" + re.escape(chr(item_av[1])))
            elif item_op is _C.CATEGORY and item_av in _CATEGORY_SOURCE:
                parts.append(_CATEGORY_SOURCE[item_av])
            else:
                raise _Unsupported
        return "[" + "".join(parts) + "]"
    if op is _C.AT and av in _AT_SOURCE:
        return _AT_SOURCE[av]
    if op is _C.BRANCH:
        return "(?:" + "|".join(_emit(alt) for alt in av[1]) + ")"
    if op is _C.SUBPATTERN and not av[1] and not av[2]:
        return ("(?:" if av[0] is None else "(") + _emit(av[3]) + ")"
    if op in _REPEATS:
        lo, hi, sub = av
        if hi is _C.MAXREPEAT:
            count = "*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}"
        elif lo == hi:
            count = f"{{{lo}}}"
        elif (lo, hi) == (0, 1):
            count = "?"
        else:
            count = f"{{{lo},{hi}}}"
        return "(?:" + _emit(sub) + ")" + count + _REPEAT_SUFFIX[op]
    if op is _C.ASSERT or op is _C.ASSERT_NOT:
        direction, sub = av
        sign = "=" if op is _C.ASSERT else "!"
        return "(?" + ("<" if direction < 0 else "") + sign + _emit(sub) + ")"
    if op is _C.ATOMIC_GROUP:
        return "(?>" + _emit(av) + ")"
    raise _Unsupported


def _canon(x: Any) -> Any:
    """Parsed regex items as nested tuples, for comparison."""
    if isinstance(x, list | tuple | _parser.SubPattern):
        return tuple(_canon(item) for item in x)
    return x


@lru_cache(maxsize=4096)  # keyed by the lexicons' regexes (about 1,000)
def _parsed(source: str) -> tuple[tuple[Any, Any], ...] | None:
    """The parsed items of ``source``, if ``_emit`` writes them back to the same regex."""
    try:
        tree = _parser.parse(source)
        items = tuple(tree)
        again = _parser.parse(_emit(items))
    except (_Unsupported, re.error, RecursionError):
        return None
    if tree.state.flags != _C.SRE_FLAG_UNICODE or again.state.flags != tree.state.flags:
        return None  # flags (case-insensitive, verbose...) change what the items mean
    if _canon(items) != _canon(again):
        return None
    return items


def _is_word_class(sub: Any) -> bool:
    """Whether parsed items are exactly a word-character class."""
    return len(sub) == 1 and sub[0][0] is _C.IN and list(sub[0][1]) == [(_C.CATEGORY, _C.CATEGORY_WORD)]


class _Head:
    """How a parsed regex begins, read once per source: the zero-width items in front, then an
    alternation (with the start keys of each alternative, None if any), a group, or neither."""

    __slots__ = ("alternatives", "group", "index")

    def __init__(self, items: Sequence[tuple[Any, Any]], rest: Sequence[tuple[Any, Any]]) -> None:
        index = 0
        while index < len(items) and items[index][0] in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            index += 1
        self.index = index
        self.alternatives: list[tuple[frozenset[str] | None, _Head]] | None = None
        self.group: _Head | None = None
        if index < len(items):
            op, av = items[index]
            tail = [*items[index + 1 :], *rest]
            if op is _C.BRANCH:
                self.alternatives = [(_start_keys_of([*alt, *tail]), _Head(alt, tail)) for alt in av[1]]
            elif op is _C.SUBPATTERN and not av[1] and not av[2]:
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
            if not (word_start and op is _C.ASSERT_NOT and av[0] < 0 and _is_word_class(av[1]))
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


def _start_keys_of(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The keys a match of ``items`` can start with; None if it may start with any."""
    try:
        keys = _sure_keys(items, _KEY_LENGTH)
    except _Wild:
        return None
    return None if "" in keys else frozenset(keys)


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
        if op is _C.SUBPATTERN:
            count += (av[0] is not None) + _count_groups(av[3])
        elif op is _C.BRANCH:
            count += sum(_count_groups(alt) for alt in av[1])
        elif op in _REPEATS:
            count += _count_groups(av[2])
        elif op is _C.ASSERT or op is _C.ASSERT_NOT:
            count += _count_groups(av[1])
        elif op is _C.ATOMIC_GROUP:
            count += _count_groups(av)
    return count


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
    if op is _C.LITERAL:
        return _sure_with_char(chr(av), rest, need, depth)
    if op is _C.IN:
        if need < _KEY_LENGTH and all(
            (o is _C.CATEGORY and a is _C.CATEGORY_SPACE) or (o is _C.LITERAL and not _is_word(chr(a))) for o, a in av
        ):
            return {""}  # whitespace or punctuation: the word has ended
        out: set[str] = set()
        for c in _class_chars(av):
            out |= _sure_with_char(c, rest, need, depth)
        return out
    if op is _C.SUBPATTERN and not av[1] and not av[2]:
        return _sure_keys(list(av[-1]) + rest, need, depth + 1)
    follow = _continuations(op, av, rest)
    if follow is not None:
        out = set()
        for items_next in follow:
            out |= _sure_keys(items_next, need, depth + 1)
        return out
    if op is _C.ASSERT_NOT and av[0] > 0 and _is_word_class(av[1]):
        return {""}  # not followed by a word character: the word ends here
    if op is _C.AT or op is _C.ASSERT or op is _C.ASSERT_NOT:
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
        if op is _C.AT or op is _C.ASSERT or op is _C.ASSERT_NOT:
            continue  # zero-width: the first character is still to come
        if op is _C.LITERAL or op is _C.IN:
            try:
                return [_emit_item(op, av)]
            except _Unsupported:
                return None
        if op is _C.BRANCH:
            out: list[str] = []
            for alt in av[1]:
                classes = _head_classes(alt)
                if not classes:
                    return None
                out.extend(classes)
            return out
        if op is _C.SUBPATTERN and not av[1] and not av[2]:
            return _head_classes(av[3])
        return None
    return None  # it may match the empty string


def _finditer_from(regex: re.Pattern[str], first: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)`` for a regex whose matches all start with a ``first`` character
    (so never empty): only where one is does it try."""
    pos = 0
    while (found := first.search(text, pos)) is not None:
        m = regex.match(text, found.start())
        if m is None:
            pos = found.start() + 1
        else:
            yield m
            pos = m.end()


def _minus_end(match: tuple[int, int, Any]) -> int:
    return -match[1]


def _term_atoms(term: str) -> list[str]:
    """A folded term as regex atoms: a space matches any whitespace, quotes and hyphens optional."""
    atoms: list[str] = []
    for ch in term:
        if ch == " ":
            if atoms and atoms[-1] != r"\s+":
                atoms.append(r"\s+")
        elif ch == "'":
            atoms.append("'?")
        elif ch == "-":
            atoms.append(r"[-\s]?")
        else:
            atoms.append(re.escape(ch))
    return atoms


def _term_trie(terms: Iterable[str]) -> str:
    """One regex for many terms, factored by common prefix; the longest term wins."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for atom in _term_atoms(term):
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if "" in node:
            branches.append(r"(?!\w)")  # a term may end here, at the end of a word
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _alternation(regexes: Iterable[str]) -> str:
    # Longest first, so that an alternation prefers "the money for the date" over "the money".
    return "|".join(f"(?:{r})" for r in sorted(set(regexes), key=lambda r: (-len(r), r)))


def _bounded(source: str) -> str:
    return rf"(?<!\w)(?:{source})(?!\w)"


# --------------------------------------------------------------------------------------------
# Lexicons.
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:'\w+)*")


def _term_regex(term: str) -> str:
    """Turn a lexicon term (folded) into a regex: spaces match any whitespace, quotes optional."""
    words = []
    for word in term.split():
        pieces = []
        for ch in word:
            if ch == "'":
                pieces.append("'?")
            elif ch == "-":
                pieces.append("[-\\s]?")
            else:
                pieces.append(re.escape(ch))
        words.append("".join(pieces))
    return r"\s+".join(words)


def _canonical(s: str) -> str:
    return " ".join(s.replace("'", "").replace("-", " ").split())


_canonical_short = lru_cache(maxsize=4096)(_canonical)


def _canonical_cached(s: str) -> str:
    """``_canonical`` for the short strings that recur in every text: conjunctions, terms."""
    return _canonical_short(s) if len(s) <= _CACHED_WORD_LENGTH else _canonical(s)


# Only strings this short are cached, so that the caches' bytes are bounded as well as their entries.
_CACHED_WORD_LENGTH = 40


def _fold(s: str) -> str:
    return Folded(s).text


@dataclass(frozen=True, slots=True)
class Rule:
    """One lexicon rule: what to look for, whose it must be, and how much goes with it."""

    id: str
    tag: str
    person: str  # "any": whoever it is about; "own": only the reporter's
    scope: str  # "clause", "phrase", or "auto" (clause when about the reporter, else phrase)
    # "I had a gun pointed at me": a first-person clause whose object is someone else's.
    check_other: bool = False
    # "my pipe" in someone else's clause is still the reporter's; "mi trabajo" may be any job.
    possessive: bool = True
    # About someone else, "phrase" removes the match; "rest" removes from it to the clause's
    # end: "he offered me $80 to go back to his place" keeps "he"'s description before it.
    third_scope: str = "phrase"


# Payload kinds in a lexicon's dispatch; a rule's payload is its index (an int).
_TERM, _SPLIT, _IGNORE, _KEEP = "term", "split", "ignore", "keep"
_RELATION, _PAIR_BEFORE, _PAIR_AFTER = "relation", "pair_before", "pair_after"


class LexiconError(ValueError):
    """A lexicon data file is invalid; the message names the file and the rule."""


class Lexicon:
    """A compiled per-language lexicon (format: the comments at the top of en.toml)."""

    def __init__(self, lang: str, data: dict[str, Any]) -> None:
        self.lang = lang
        grammar = data.get("grammar", {})

        def words(key: str) -> frozenset[str]:
            # Apostrophes stay: "we're" is not "were", "he'll" is not "hell".
            return frozenset(" ".join(_fold(w).split()) for w in grammar.get(key, ()))

        self.first_subject = words("first_subject")
        self.third_subject = words("third_subject")
        self.first_possessive = words("first_possessive")
        self.np_starters = words("np_starters")
        self.first_verbs = words("first_verbs")
        self.third_verbs = words("third_verbs")
        self.accent_person = bool(grammar.get("accent_person", False))
        self.accented_pronouns = frozenset(w.lower() for w in grammar.get("accented_pronouns", ()))
        # Verb endings that name the person ("-amos" we, "-aron" they); whole words only.
        self.first_verb_re = _ending_regex(grammar.get("first_verb_endings", []))
        self.third_verb_re = _ending_regex(grammar.get("third_verb_endings", []))
        # The words whose person depends on the words around them (two-word subjects and verbs,
        # nouns that are subjects only before a verb); any other word's person is its own.
        first_pairs = [w.split(" ") for w in self.first_subject if w.count(" ") == 1]
        self._pair_words = (
            {pair[0] for pair in first_pairs}
            | {pair[1] for pair in first_pairs}
            | {w.split(" ")[1] for w in self.first_verbs if w.count(" ") == 1}
        )
        # Words come from the text: the cache of their person is bounded.
        self._cached_person = lru_cache(maxsize=_WORD_PERSON_MAX)(self._word_person)
        # A subject after the predicate: "estaba bien pedo él."
        right = grammar.get("subject_right", [])
        self.subject_right = re.compile(r"\s*(?:" + "|".join(right) + r")") if right else None
        self.pronouns = words("third_pronouns")
        self.not_after_subject = words("not_after_subject")
        # Of third_subject, the nouns ("the guy"): subjects only before a verb.
        self.subject_nouns = self.third_subject - self.pronouns
        self.antecedents = words("antecedents") | self.subject_nouns
        self.relative_adverbs = words("relative_adverbs")
        self.coordinators = words("coordinators")
        self.quantifiers = words("quantifiers")
        self.premises = words("premises")
        self.person_nouns = words("person_nouns")
        self.not_nouns = words("not_nouns")
        self.first_object = words("first_object")
        self.first_alone = self.first_object | self.first_subject
        self.relative_words = words("relative_words")

        def optional(key: str, repeat: str) -> str:
            items = [_term_regex(_fold(w)) for w in grammar.get(key, ())]
            return rf"(?:(?<!\w)(?:{_alternation(items)})\s+){repeat}" if items else ""

        # Left extension: auxiliaries, a verb, a preposition, determiners, ending at the trigger.
        # Every part begins at a word, so a match does, or is the empty one at the end: the
        # guard in front says so, and lets a search skip the inside of words quickly.
        guard = r"(?:(?<!\w)|\Z)"
        self.np_left = re.compile(
            guard
            + optional("auxiliaries", "{0,3}")
            + optional("np_verbs", "?")
            + optional("np_prepositions", "?")
            + optional("np_left", "{0,3}")
            + r"\Z"
        )
        self.np_left_det = re.compile(guard + optional("np_left", "{0,3}") + r"\Z")
        copula = grammar.get("copula_left", [])
        self.copula_left = re.compile(r"(?<!\w)(?:" + "|".join(copula) + r")\s+\Z" if copula else r"(?!)")
        coerced = grammar.get("coerced", [])
        self.coerced = re.compile(r"(?<!\w)(?:" + "|".join(coerced) + r")(?!\w)") if coerced else None
        keep_first = grammar.get("first_person_keep", [])
        self.first_person_keep = re.compile(r"(?<!\w)(?:" + "|".join(keep_first) + r")(?!\w)") if keep_first else None
        own_left = grammar.get("own_left", [])
        self.own_left = re.compile(r"(?<!\w)(?:" + "|".join(own_left) + r")\s+\Z") if own_left else None
        self.own_right = _right_context(grammar.get("own_right", []))
        particles = [_term_regex(_fold(w)) for w in grammar.get("particles", ())]
        self.particle = re.compile(rf"\s+(?:{_alternation(particles)})(?!\w)" if particles else r"(?!)")
        self.other_right = _right_context(grammar.get("other_right", []))

        d = _Dispatch()
        self.dispatch = d
        split = [_bounded(_term_regex(_fold(w))) for w in grammar.get("clause_split", ())]
        split += grammar.get("clause_split_patterns", [])
        if split:
            d.add_alternation(split, _SPLIT)
        # Keep patterns: what a removed clause leaves in place (the area, the time).
        self.keep = _Dispatch()
        for pattern in data.get("keep", {}).get("patterns", []):
            self.keep.add(pattern, _KEEP)
        for pattern in data.get("ignore", {}).get("patterns", []):
            d.add(_bounded(pattern), _IGNORE)

        third_party = data.get("third_party", {})
        relations = [_term_regex(_fold(w)) for w in third_party.get("relations", ())]
        named = [_term_regex(_fold(w)) for w in third_party.get("named", ())]
        if relations:
            after = r"(?:\s*,)?\s+(?:(?:" + _alternation(named) + r")\s+)?(?=\w)" if named else r"\s+(?=\w)"
            d.add_alternation((rf"(?<!\w)(?:{r}){after}" for r in relations), _RELATION)
            self.named = re.compile(r"(?:\s*,)?\s+(?P<n>(?:(?:" + _alternation(named) + r")\s+)?)\Z") if named else None
        for pattern in third_party.get("pair_before", []):
            d.add(_bounded(pattern), _PAIR_BEFORE)
        for pattern in third_party.get("pair_after", []):
            d.add(rf"(?<!\w)(?:{pattern})\s+(?=\w)", _PAIR_AFTER)

        self.rules: list[Rule] = []
        self.term_rules: dict[str, tuple[int, ...]] = {}
        term_rules: dict[str, list[int]] = {}
        for term in data.get("ignore", {}).get("terms", ()):
            key = _canonical(_fold(term))
            if key:
                term_rules.setdefault(key, [])
        for raw in data.get("rule", []):
            rule = Rule(
                id=f"{lang}.{raw['id']}",
                tag=raw["tag"],
                person=raw.get("person", "any"),
                scope=raw.get("scope", "auto"),
                check_other=bool(raw.get("check_other", False)),
                possessive=bool(raw.get("possessive", True)),
                third_scope=raw.get("third_scope", "phrase"),
            )
            if rule.tag not in TAGS:
                raise LexiconError(f"lexicon {lang}: rule {rule.id} has unknown tag {rule.tag!r}")
            if rule.person not in ("any", "own"):
                raise LexiconError(f"lexicon {lang}: rule {rule.id} has unknown person {rule.person!r}")
            if rule.scope not in ("clause", "phrase", "auto"):
                raise LexiconError(f"lexicon {lang}: rule {rule.id} has unknown scope {rule.scope!r}")
            if rule.third_scope not in ("phrase", "rest"):
                raise LexiconError(f"lexicon {lang}: rule {rule.id} has unknown third_scope {rule.third_scope!r}")
            index = len(self.rules)
            self.rules.append(rule)
            for term in raw.get("terms", ()):
                key = _canonical(_fold(term))
                if key:
                    term_rules.setdefault(key, []).append(index)
            patterns = raw.get("patterns", ())
            if patterns:
                d.add_alternation((_bounded(p) for p in patterns), index)
        self.term_rules = {k: tuple(v) for k, v in term_rules.items()}
        # Every term, ignored ones included, in one alternation per key: the longest wins.
        d.add_terms(term_rules, _TERM)

    def word_person(self, key: str) -> tuple[str | None, str | None] | None:
        """The person a word marks whatever surrounds it, as ``_Analyser._marker`` decides it:
        (before, after) the accent is read, or None when its neighbours decide."""
        if len(key) > _CACHED_WORD_LENGTH:
            return self._word_person(key)
        return self._cached_person(key)

    def quiet(self, key: str) -> bool:
        """Whether a word marks no person on its own or with its neighbours (unless an accent
        does, which ``_Analyser`` checks for)."""
        return self.word_person(key) == (None, None)

    def _word_person(self, key: str) -> tuple[str | None, str | None] | None:
        found: tuple[str | None, str | None] | None
        if key in self.first_subject:
            found = (FIRST, None)
        elif key in self._pair_words:
            found = None  # "both of us", "me and ...": the word before or after decides
        elif key in self.third_subject:
            # A pronoun is a subject; a noun only before a verb, which the next word says.
            found = (THIRD, None) if key in self.pronouns else None
        else:
            before = FIRST if key in self.first_verbs else THIRD if key in self.third_verbs else None
            after = None
            if self.first_verb_re is not None and self.first_verb_re.search(key):
                after = FIRST
            elif self.third_verb_re is not None and self.third_verb_re.search(key):
                after = THIRD
            found = (before, after)
        return found


_WORD_PERSON_MAX = 16384


def _ending_regex(endings: list[str]) -> re.Pattern[str] | None:
    if not endings:
        return None
    return re.compile(r"^\w{2,}(?:" + "|".join(re.escape(e) for e in endings) + r")\Z")


def _right_context(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile(r"\s*(?:" + "|".join(patterns) + r")(?!\w)") if patterns else None


@cache
def lexicon(lang: str) -> Lexicon:
    """Load and compile the lexicon for ``lang`` ("en" or "es")."""
    path = LEXICON_DIR / f"{lang}.toml"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"lexicon {path.name}: {exc}") from None
    try:
        return Lexicon(lang, data)
    except (re.error, KeyError, TypeError) as exc:
        raise LexiconError(f"lexicon {path.name}: {exc.__class__.__name__}: {exc}") from None


def languages_for(lang: str | None) -> tuple[str, ...]:
    """Return the lexicons to apply: the named one, or every one when the language is unknown."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0] if isinstance(lang, str) else ""
    return (code,) if code in LANGUAGES else LANGUAGES


# --------------------------------------------------------------------------------------------
# Sentences and clauses.
# --------------------------------------------------------------------------------------------

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


FIRST, THIRD, UNKNOWN = "first", "third", "unknown"

# Spanish words ending in an accented vowel that are not preterites.
_ACCENT_NOT_VERB = _wordset(
    "qué sé té dé fé bebé café mí sí aquí allí ahí así allá acá más está también según "
    "después además jamás atrás detrás quizás papá mamá sofá ojalá aún"
)


def _accent_person(word: str) -> str | None:
    """Person of a Spanish preterite written with its accent: "pagué" first, "pagó" third."""
    w = word.lower()
    if len(w) < 3 or w in _ACCENT_NOT_VERB:
        return None
    if w.endswith("ó"):
        return THIRD
    if w.endswith("é") or (w.endswith("í") and w[-2] not in "aeiou"):
        return FIRST
    return None


def _previous(words: list[re.Match[str]], i: int) -> str | None:
    return words[i - 1].group() if i else None


# The next word from a position, as ``_WORD.finditer`` finds it.
_NEXT_WORD = re.compile(r"\W*+(\w++(?:'\w++)*+)")

RELATIVE = "relative"
_NEIGHBOURS = "neighbours"  # what ``_alone`` says of a word whose person its neighbours decide
# How far back a subject is looked for, and over how many clauses it carries.
_LOOK_BACK = 240
_INHERIT_CLAUSES = 6
_SPACE_WORD = re.compile(r"\s*\w")


class _Analyser:
    """Who a clause is about, for one folded text and one lexicon."""

    def __init__(self, folded: Folded, lex: Lexicon, clauses: Clauses) -> None:
        self.folded = folded
        self.text = folded.text
        self.lex = lex
        self.clauses = clauses
        self._clause_person: dict[int, str | None] = {}
        # An ASCII text has no accented preterites to read.
        self.ascii = folded.original.isascii()
        self._accents = lex.accent_person and not self.ascii

    def _marker(self, words: list[re.Match[str]], i: int) -> str | None:
        """The person word ``i`` marks as a subject, if any."""
        alone = self._alone(words[i])
        if alone != _NEIGHBOURS:
            return alone
        lex = self.lex
        key = words[i].group()
        if i:
            prev = words[i - 1].group()
        else:
            before = _WORD.findall(self.text, max(0, words[i].start() - 30), words[i].start())
            prev = before[-1] if before else ""
        if i + 1 < len(words):
            nxt = words[i + 1].group()
        else:
            following = _WORD.search(self.text, words[i].end(), words[i].end() + 40)
            nxt = following.group() if following is not None else ""
        if key in lex.first_subject:
            return FIRST
        if f"{prev} {key}" in lex.first_subject and (
            prev != "of" or all(w.group() in lex.quantifiers for w in words[: max(0, i - 1)])
        ):
            # "both of us were ...", but not "he tied all three of us".
            return FIRST
        if i == 0 and nxt and f"{key} {nxt}" in lex.first_subject and self._joined(words[i].end()):
            # "Me and my friend were ...": only at the start of a clause.
            return FIRST
        if key in lex.third_subject:
            # A noun is a subject when a verb follows it ("the guy had a gun"), not when it is
            # an object ("I met a man for a date").
            if key in lex.pronouns or (nxt and nxt not in lex.not_after_subject):
                return THIRD
            return None
        if key in lex.first_verbs or f"{prev} {key}" in lex.first_verbs:
            return FIRST
        if key in lex.third_verbs:
            return THIRD
        if lex.accent_person:
            found = _accent_person(self.folded.original_of(words[i].start(), words[i].end()))
            if found is not None:
                return found
        if lex.first_verb_re is not None and lex.first_verb_re.search(key):
            return FIRST
        if lex.third_verb_re is not None and lex.third_verb_re.search(key):
            return THIRD
        return None

    def _alone(self, word: re.Match[str]) -> str | None:
        """The person ``_marker`` finds for ``word`` whatever its neighbours, or ``_NEIGHBOURS``
        when they decide: the usual case is a word that decides alone, with no need to read them."""
        static = self.lex.word_person(word.group())
        if static is None:
            return _NEIGHBOURS
        if static[0] is not None:
            return static[0]
        if self._accents:
            found = self._accent(word.start(), word.end())
            if found is not None:
                return found
        return static[1]

    def _quiet(self, word: re.Match[str]) -> bool:
        """Whether ``word`` is known to mark no person, whatever surrounds it (``_marker`` would
        say None): the usual word, told without reading its neighbours."""
        return self.lex.quiet(word.group()) and not (
            self._accents and self._accent(word.start(), word.end()) is not None
        )

    def _accent(self, start: int, end: int) -> str | None:
        """``_accent_person`` of the original of the word at ``[start, end)``."""
        folded = self.folded
        if folded._src is None:
            # Offsets are the original's: only a word that ends in an accented vowel can say
            # anything, and most do not (one character read instead of the word).
            last = folded.original[end - 1].lower()
            if not (last.endswith("ó") or last.endswith("é") or last.endswith("í")):
                return None
        return _accent_person(folded.original_of(start, end))

    def _joined(self, pos: int) -> bool:
        """Whether only spaces separate ``pos`` from the next word."""
        return _SPACE_WORD.match(self.text, pos) is not None

    def _relative(self, previous: str | None, k: int | None = None) -> bool:
        """Whether a first-person word after ``previous`` (None: it opens its clause) opens a
        relative clause: "the guy I was seeing".

        With the clause index ``k``, a clause opened by "where" after a noun counts too:
        "the bar where I work".
        """
        if previous is not None:
            return previous in self.lex.antecedents
        if k is None:
            return False
        lead = self.clauses.lead[k]
        if lead is None or _canonical_cached(self.text[lead[0] : lead[1]]) not in self.lex.relative_adverbs:
            return False
        before = _WORD.findall(self.text, max(0, lead[0] - 40), lead[0])
        return bool(before) and before[-1] in self.lex.antecedents

    def _head(self, words: list[re.Match[str]]) -> str | None:
        """Person of a clause-initial noun phrase: "the guy ...", "my friend ..."."""
        if not words:
            return None
        head = words[0].group()
        lex = self.lex
        if head in lex.np_starters:
            return THIRD
        if head in lex.first_possessive and len(words) > 1 and words[1].group() not in lex.not_nouns:
            return THIRD
        return None

    def _subject(self, k: int) -> str | None:
        """The main subject of a whole clause: the first marker in it."""
        if k not in self._clause_person:
            s, e = self.clauses.starts[k], self.clauses.ends[k]
            words = list(_WORD.finditer(self.text, s, min(e, s + _LOOK_BACK)))
            found = self._opened_by_relative(k)
            if found is None:
                found = self._head(words)
            if found is None:
                for i in range(len(words)):
                    if self._quiet(words[i]):
                        continue  # says no person, whatever surrounds it
                    found = self._marker(words, i)
                    if found is not None:
                        if found == FIRST and self._relative(_previous(words, i)):
                            found = THIRD
                        break
            self._clause_person[k] = found
        return self._clause_person[k]

    def _after_lone_first_person(self, k: int) -> bool:
        """Whether clause ``k`` follows "Me and", "Yo y": the two make one first-person subject."""
        if k == 0 or self.clauses.sentence[k - 1] != self.clauses.sentence[k] or self.clauses.lead[k] is None:
            return False
        s, e = self.clauses.starts[k - 1], self.clauses.ends[k - 1]
        if e - s > 12:
            return False
        previous = _WORD.findall(self.text, s, e)
        return len(previous) == 1 and previous[0] in self.lex.first_alone

    def _opened_by_relative(self, k: int) -> str | None:
        """A clause opened by "who"/"que" is about the word before it."""
        lead = self.clauses.lead[k]
        if lead is None or _canonical_cached(self.text[lead[0] : lead[1]]) not in self.lex.relative_words:
            return None
        before = _WORD.findall(self.text, max(0, lead[0] - 40), lead[0])
        if not before:
            return None
        return FIRST if before[-1] in self.lex.first_object else THIRD

    def person(
        self, k: int, np_start: int, trigger: int, end: int | None = None, *, opens_as_subject: bool = True
    ) -> tuple[str, int]:
        """Who clause ``k`` is about, for a trigger whose phrase starts at ``np_start``.

        Return (person, start): for RELATIVE, ``start`` is where the relative phrase begins
        ("the massage place I work at"); otherwise it is ``np_start``.
        """
        # Look back a bounded way: a subject is near its verb, and a run-on text has no end.
        start = max(self.clauses.starts[k], np_start - _LOOK_BACK)
        words = list(_WORD.finditer(self.text, start, np_start))
        first = _WORD.match(self.text, trigger)
        if (
            first is not None
            and first.group() in self.lex.first_subject
            and words
            and words[-1].group() in self.lex.antecedents
        ):
            # The trigger is itself a relative clause: "this old dude [i was seein for $$]".
            return RELATIVE, trigger
        if first is not None and trigger >= np_start and end is not None:
            # The trigger's own words may say the person: "trabajamos", "fumé", "por lo que hago".
            inside = list(_WORD.finditer(self.text, trigger, end))
            both = [*words, *inside]
            for j in range(len(inside)):
                own = self._marker(both, len(words) + j)
                if own is None or inside[j].group() in self.lex.subject_nouns:
                    continue
                if own == FIRST and not words and j == 0 and self._relative(None, k):
                    return RELATIVE, self._antecedent_start(k)
                if own == FIRST and j > 0 and inside[j - 1].group() in self.lex.antecedents:
                    # "the massage place I work at": the trigger is a noun and its relative clause.
                    return RELATIVE, np_start
                return own, np_start
        quiet = self._quiet
        for i in range(len(words) - 1, -1, -1):
            if quiet(words[i]):
                continue  # says no person, whatever surrounds it (the usual word)
            found = self._marker(words, i)
            if found is None:
                continue
            if found == FIRST and self._relative(_previous(words, i), k):
                if len(words) - i <= 3:
                    # The trigger is the relative clause's own verb or object.
                    if i == 0:
                        return RELATIVE, self._antecedent_start(k)
                    return RELATIVE, self._extend_modifiers(words, i - 1, words[i - 1].start())
                return THIRD, np_start
            return found, np_start
        if self._after_lone_first_person(k):
            # "Me and my wifey were out": a plural first person.
            return FIRST, np_start
        head = self._head(words)
        if head is not None:
            return head, np_start
        if not words and opens_as_subject:
            # The trigger's own phrase opens the clause: "The john was ...", "My regular hit me".
            first = _WORD.match(self.text, np_start)
            if first is not None and (
                first.group() in self.lex.np_starters or first.group() in self.lex.first_possessive
            ):
                return THIRD, np_start
        found = self._opened_by_relative(k)
        if found is not None:
            return found, np_start
        if self._after_lone_first_person(k):
            return FIRST, np_start
        sentence = self.clauses.sentence[k]
        j = k - 1
        while j >= max(0, k - _INHERIT_CLAUSES) and self.clauses.sentence[j] == sentence:
            found = self._subject(j)
            if found is not None:
                return found, np_start
            j -= 1
        if end is not None and self.lex.subject_right is not None and self.lex.subject_right.match(self.text, end):
            return THIRD, np_start
        return UNKNOWN, np_start

    def _antecedent_start(self, k: int) -> int:
        """Start of the relative phrase: "where I work" in "the bar where I work", but all of
        "la casa donde trabajo" when the antecedent names premises."""
        lead = self.clauses.lead[k]
        if lead is None:
            return self.clauses.starts[k]
        before = list(_WORD.finditer(self.text, max(0, lead[0] - 60), lead[0]))
        if before and before[-1].group() in self.lex.premises:
            return self._extend_modifiers(before, len(before) - 1, before[-1].start())
        return lead[0]

    def _extend_modifiers(self, words: list[re.Match[str]], noun: int, start: int) -> int:
        # "the massage place": walk back over up to two plain words to a determiner.
        for back in (1, 2):
            i = noun - back
            if i < 0:
                break
            if words[i].group() in self.lex.np_starters or words[i].group() in self.lex.first_possessive:
                return words[i].start()
        return start

    def np_start(self, k: int, start: int, end: int) -> tuple[int, int, bool]:
        """Extend a phrase left over a verb, a preposition and determiners; say if it is the reporter's.

        A person ("the new girls", "a client") takes only its determiners: in "forcing himself
        on the new girls" the preposition belongs to the verb. A predicate takes its subject:
        "He wasn't a client", "he booked two hours".
        """
        cs = self.clauses.starts[k]
        last = self.text[start:end].split()[-1] if end > start else ""
        left = self.lex.np_left_det if last in self.lex.person_nouns else self.lex.np_left
        m = left.search(self.text, max(cs, start - 80), start)
        new_start = m.start() if m else start
        if new_start < start and self.lex.accented_pronouns:
            # "Él estaba ...": with its accent, "el" is a subject, not an article.
            for w in _WORD.finditer(self.text, new_start, start):
                if self.folded.original_of(w.start(), w.end()).lower() in self.lex.accented_pronouns:
                    new_start = start
                    break
        c = self.lex.copula_left.search(self.text, max(cs, new_start - 50), new_start)
        phrase_start = c.start() if c is not None else new_start
        own = not self.lex.first_possessive.isdisjoint(_WORD.findall(self.text, new_start, end))
        if not own and self.lex.own_left is not None:
            given = self.lex.own_left.search(self.text, max(cs, new_start - 40), new_start)
            if given is not None and self.lex.coerced is not None:
                # "He gave me some pills and I passed out": being drugged is the violence.
                s_start, s_end = self.clauses.sentence_range(k)
                if self.lex.coerced.search(self.text, s_start, s_end):
                    given = None
            if given is not None:
                # "me dio piedra": what he gave the reporter is the reporter's, and goes with it.
                own = True
                phrase_start = min(phrase_start, given.start())
        lead = self.clauses.lead[k]
        if lead is not None and not self.text[self.clauses.starts[k] : phrase_start].strip():
            # "que estaba tomando conmigo", "after he showed me the money": a phrase that opens
            # its clause takes the word that opened it.
            phrase_start = lead[0]
        return new_start, phrase_start, own

    def said_by_reporter(self, k: int) -> bool:
        """Whether clause ``k`` is a main clause with the reporter as its subject: "I was ...",
        "Tengo ...". A subordinate clause ("if I talk", "cuando llegué", "que conocí") is not:
        it frames something else, often the threat or the violence itself."""
        lead = self.clauses.lead[k]
        if lead is not None and _canonical_cached(self.text[lead[0] : lead[1]]) not in self.lex.coordinators:
            return False
        s, e = self.clauses.starts[k], self.clauses.ends[k]
        stop = min(e, s + _LOOK_BACK)
        # The subject comes first: "(that night) I ...", not "... yelling that I owed him". Of
        # the first four words, each is read only if those before it say nothing.
        lex = self.lex
        previous = None
        pos = s
        for i in range(4):
            word = _NEXT_WORD.match(self.text, pos, stop)
            if word is None:
                return False
            key = word.group(1)
            static = lex.word_person(key)
            if static is None:
                # Its neighbours decide ("me and my friend"): read it with them.
                words = list(itertools.islice(_WORD.finditer(self.text, s, stop), i + 2))
                found = self._marker(words, i)
            else:
                found = static[0]
                if found is None:
                    if self._accents:
                        found = self._accent(word.start(1), word.end(1))
                    if found is None:
                        found = static[1]
            if found is not None:
                return found == FIRST and not self._relative(previous, k)
            previous = key
            pos = word.end()
        return False

    def object_conjunct(self, k: int, np_start: int) -> bool:
        """Whether clause ``k`` is only a second object: "... and some fetty on me"."""
        lead = self.clauses.lead[k]
        if k == 0 or lead is None or _canonical_cached(self.text[lead[0] : lead[1]]) not in self.lex.coordinators:
            return False
        if self.clauses.sentence[k - 1] != self.clauses.sentence[k]:
            return False
        if np_start - self.clauses.starts[k] > _LOOK_BACK:
            return False
        before = _WORD.findall(self.text, self.clauses.starts[k], np_start)
        if before:
            return all(w in self.lex.np_starters or w in self.lex.quantifiers for w in before)
        # The trigger opens the clause: an object only if it does not start with a subject or
        # a verb that says who acts ("y yo también me había metido ...").
        first = list(_WORD.finditer(self.text, np_start, min(len(self.text), np_start + 40)))[:1]
        return bool(first) and self._marker(first, 0) is None

    def right(self, pattern: re.Pattern[str] | None, end: int) -> bool:
        return pattern is not None and pattern.match(self.text, end) is not None


# --------------------------------------------------------------------------------------------
# Detectors that need no grammar: contact details, precise places, identity, known identifiers.
# --------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# "luna dot m at example dot com", "rosa arroba example punto com": found from the "at", with
# bounded looks either side, so that a text full of "dot" costs no more than any other.
_SPOKEN_AT = re.compile(r"\s(?:\(|\[)?\s*(?:at|arroba)\s*(?:\)|\])?\s")
_SPOKEN_LOCAL = re.compile(r"[\w.+-]{1,64}(?:\s+(?:dot|punto)\s+[\w.+-]{1,64}){0,3}\Z")
# A written-out dot may have spaces around it; a real "." may not, so that the full stop after
# "example dot com. Then" is not read as one more label of the domain.
_SPOKEN_DOMAIN = re.compile(r"[\w-]{1,30}(?:(?:\s*(?:\(|\[)?\s*(?:dot|punto)\s*(?:\)|\])?\s*|\.)[\w-]{1,30}){1,3}")
_TLDS = _wordset("com net org edu gov me mx es co io us info biz")
_CASHTAG = re.compile(r"\$[a-z][\w-]{1,30}(?:\.[\w-]{1,30})*")
# A username with no "@" and no platform named before it: "an account called bossman.420",
# "su perfil es ramiro.chaparro.915". Letters first, then "." or "_" joining word pieces, one of
# them at least three characters long: "a.m.", "U.S." and "No.5" are not handles, "5.30pm" and
# "2.5" do not start with a letter, "F-150" has no dot.
_DOTTED_HANDLE = re.compile(r"(?<![\w@$.])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+(?![\w@])")
_HANDLE = re.compile(r"@[\w.]{2,40}")
_PHONE_DIGITS = re.compile(r"\d(?:[ \t().\-]{0,3}\d){6,15}(?!\w)")
_DATE_LIKE = re.compile(r"\d{1,2}-\d{1,2}-(?:\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}")
_DIGIT_WORDS = (
    "zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
)
_HAS_DIGIT = re.compile(r"\d")
_DIGITS_BEFORE = re.compile(r"(?<![\w+])\+?\(?\d[\d().\-\s]*\s\Z")
_DIGIT_TOKEN = re.compile(rf"\d|(?<!\w)(?:{_DIGIT_WORDS})(?!\w)")
_STREET_SUFFIX = (
    "st|street|ave|av|avenue|blvd|boulevard|rd|road|dr|drive|ln|lane|way|ct|court|pl|place|"
    "ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square|aly|alley"
)
# Written "\d(?:\d{0,5}...|\d{0,5}...)" rather than "\d{1,6}...|\d{1,6}...": the same matches, but a
# pattern that begins with a character class lets the regex engine skip to the next digit.
_ADDRESS_NUMBER = re.compile(
    rf"\d(?:\d{{0,5}}[a-z]?\s+(?:[nsew]\.?\s+)?(?:(?!(?:on|at|in|off|near|by|and|to|from|of|the)\s)[a-z0-9'.]+\s+){{0,3}}?(?:{_STREET_SUFFIX})\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|room|rm|#)\.?\s*#?\s*[\w-]{1,6})?"
    # Spanish: "el 1520 de la calle Bonnie Brae"
    r"|\d{0,5}\s+(?:de\s+(?:la\s+)?|del\s+)(?:calle|avenida|av\.?|calzada|boulevard|blvd\.?)\s+[a-z0-9'.]+(?:\s+(?!y\s|en\s|con\s)[a-z0-9'.]+){0,2})"
)
# Lodging and work premises: a capitalised name next to one of these goes ("Sunrise Inn",
# "Golden Palm Spa", "Hotel Whitcomb"); the bare word ("a motel") stays.
_LODGING_WORD = (
    "hotel|motel|inn|lodge|suites|hostel|motor inn|motor lodge|resort|posada|hostal|spa|massage|parlor|parlour"
)

# Language-independent detectors that start at a word: (kind, regex).
_GLOBAL_DETECTORS: tuple[tuple[str, str], ...] = (
    (
        "contact.platform",
        r"(?<!\w)(?:(?:ig|insta|instagram|snap|snapchat|sc|twitter|tiktok|telegram|tg|kik|signal|"
        r"whatsapp|wa|facebook|fb|onlyfans|fansly|tryst|eros|cashapp|cash\s+app|venmo|zelle|paypal|"
        r"handle|username|user\s+name|screen\s+name|usuario|user|gamertag)(?!\w)|my\s+@|mi\s+@)"
        r"\s*(?:(?:is|es|:|=|->|was|era)\s*|\s(?=[@$]))[@$]?(?P<h>[\w.$-]{2,40})",
    ),
    (
        "contact.platform",
        r"(?<!\w)(?:posts|posted|posting|goes|went|go|going|known|listed|signs|signed)\s+(?:as|by|under)\s+"
        r"[\"']?@?(?P<h>\w*[\d_.]\w*[\w.]*)",
    ),
    ("contact.platform", r"(?<!\w)(?:ig|insta|snap|sc|tg|kik|wa|fb|cashapp|venmo)\s+@?(?P<h>\w*[\d_.]\w*[\w.]*)"),
    (
        "contact.spoken_phone",
        rf"(?<!\w)(?:{_DIGIT_WORDS})(?:(?:[\s,.\-]{{1,3}}|(?=\d))(?:\d|{_DIGIT_WORDS})){{6,14}}(?!\w)",
    ),
    (
        "location.address",
        r"(?<!\w)(?:calle|avenida|av\.|avda\.?|blvd\.?|boulevard|calzada|privada|cerrada|callejon)\s+"
        r"(?:[a-z'.]+\s+){1,4}?(?:#\s*|no\.?\s*|numero\s*)?\d{1,6}[a-z]?(?!\w)",
    ),
    (
        "location.unit",
        r"(?<!\w)(?:room|rm|apt|apartment|unit|suite|ste|cuarto|habitacion|depto|departamento|depa|"
        r"interior|int)\.?\s*(?:#|no\.?|number|numero)?\s*\d{1,5}[a-z]?(?!\w)"
        r"(?!\s+(?:days?|weeks?|hours?|hrs?|months?|years?|times?|nights?|minutes?|mins?|dias|semanas|horas|meses|anos|veces|noches))"
        r"|(?<!\w)(?:room|rm|apt|apartment|unit|cuarto|habitacion)\s+#\s*\w{1,5}",
    ),
    ("location.lodging", rf"(?<!\w)(?:{_LODGING_WORD})(?!\w)"),
    (
        "location.chain",
        r"(?<!\w)(?:motel\s*6|super\s*8|days\s+inn|red\s+roof(?:\s+inn)?|holiday\s+inn(?:\s+express)?|"
        r"best\s+western|la\s+quinta|comfort\s+inn|travelodge|econo\s*lodge|extended\s+stay(?:\s+america)?|"
        r"quality\s+inn|howard\s+johnson|rodeway(?:\s+inn)?|knights\s+inn|hilton|marriott|hyatt|"
        r"sheraton|westin|ramada|motel\s+one|americas?\s+best\s+value(?:\s+inn)?|budget\s+inn|"
        r"city\s+express|fiesta\s+inn|one\s+hotel|oyo|sonesta|budget\s+host|studio\s*6|hampton\s+inn|"
        r"homewood\s+suites|residence\s+inn|courtyard\s+(?:by\s+)?marriott|fairfield\s+inn|springhill\s+suites|"
        r"candlewood(?:\s+suites)?|microtel|wingate|baymont|crossland|intown\s+suites|woodspring(?:\s+suites)?|"
        r"hometowne\s+studios|suburban\s+(?:studios|extended\s+stay|lodge)|scottish\s+inn|red\s+lion|vagabond\s+inn|"
        r"sleep\s+inn|clarion|wyndham|doubletree|embassy\s+suites|crowne\s+plaza|americinn|e-?z\s*8|"
        r"home2\s+suites|tru\s+by\s+hilton|motel\s*8|regency\s+inn|executive\s+inn|palace\s+inn|"
        r"economy\s+inn|garden\s+inn|siegel\s+suites|hotel\s+6)(?:\s+(?:express|suites|inn))?(?!\w)",
    ),
    (
        "pii.dob",
        r"(?<!\w)(?:born(?:\s+on|\s+in)?|birthday(?:\s+is)?|dob|d\.o\.b\.?|date\s+of\s+birth|"
        r"naci(?:\s+el|\s+en)?|fecha\s+de\s+nacimiento|cumpleanos(?:\s+es)?)\s*:?\s*"
        r"(?:(?:el|on|the)\s+)?"
        r"(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}"
        r"|(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?)?[a-z]{3,10}\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+(?:de(?:l)?\s+)?\d{4}"
        r"|\d{4})",
    ),
    (
        "pii.name",
        r"(?<!\w)(?:(?:my|her|their|our)\s+(?:real\s+|legal\s+|full\s+|first\s+|last\s+|work\s+|working\s+|stage\s+|street\s+|government\s+)?name(?:'s|\s+is|\s+was|:)|"
        r"(?:real|legal|full|work|working|stage|street|government|ad|escort|club|dancer|screen|site|profile|online)\s+name(?:'s|\s+is|:)?|"
        r"name's|i'm\s+called|they\s+call\s+me|people\s+call\s+me|you\s+can\s+call\s+me|call\s+me|"
        r"i\s+go\s+by|(?:she|they)\s+go(?:es)?\s+by|(?:under|by|with)\s+the\s+name(?:\s+of)?|me\s+llamo|se\s+llama|"
        r"(?:mi|su)\s+nombre\s+(?:real\s+|completo\s+|de\s+trabajo\s+|artistico\s+|de\s+batalla\s+|de\s+guerra\s+|en\s+la\s+pagina\s+)?es|me\s+dicen|le\s+dicen|me\s+conocen\s+como|"
        r"(?:mi|su)\s+apellido\s+es|(?:bajo|con)\s+el\s+nombre\s+de)\s+",
    ),
    ("pii.name_capital", r"(?<!\w)(?:soy|this\s+is|aqui\s+(?:es|habla))\s+"),
    ("pii.honorific", r"(?<!\w)(?:dona|don|mrs|mr|ms|miss|sra|sr|srta|senora|senor|seno)\.?\s+(?=\w)"),
)
_AREA = re.compile(
    r"(?<!\w)(?:in|at|near|around|by|on|off|across\s+from|outside|en|cerca\s+de|por|frente\s+a|afuera\s+de)"
    r"\s+(?:the\s+|el\s+|la\s+|los\s+|las\s+)?(?=\w)"
)


@cache
def _global_dispatch() -> _Dispatch:
    d = _Dispatch()
    for kind, source in _GLOBAL_DETECTORS:
        d.add(source, kind)
    with (LEXICON_DIR / "names.toml").open("rb") as f:
        d.add_terms((_fold(name) for name in tomllib.load(f).get("first", ())), "pii.first_name")
    return d


_NAME_TOKEN = re.compile(r"[\w'.-]+")
_STOP = _wordset(
    "a an and the i he she they we you it to of in on at for with is was am are be been him them "
    "then so later just only both even also when while after before because "
    "not no yes me my his her their our your this that there here from by as or but if so "
    "el la los las un una y o de del en con por para es soy era fue no si mi tu su"
)


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _national_numbers(raw: str) -> set[str]:
    """The digits a phone number can appear as in text: with and without its country code."""
    digits = _digits(raw)
    out = {digits} if len(digits) >= 7 else set()
    for region in ("US", "MX", None):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        national = phonenumbers.national_significant_number(number)
        if len(national) >= 7:
            out.add(national)
            out.add(str(number.country_code) + national)
    return out


def _flexible_digits(digits: str) -> str:
    return r"[\s().\-+]{0,3}".join(re.escape(d) for d in digits)


class _Known:
    """The reporter's own identifiers, compiled into one pattern."""

    def __init__(self, known: Iterable[str]) -> None:
        parts: list[str] = []
        self.phones: set[str] = set()
        for raw in known:
            if not isinstance(raw, str):
                continue
            value = _fold(raw).strip()
            if not value:
                continue
            digits = _digits(value)
            letters = sum(ch.isalpha() for ch in value)
            if len(digits) >= 7 and letters == 0:
                numbers = _national_numbers(value)
                self.phones |= numbers
                parts.extend(_flexible_digits(n) for n in numbers)
                continue
            if "@" in value and "." in value.split("@")[-1]:
                parts.append(re.escape(value))
                local = value.split("@")[0]
                if len(local) >= 4:
                    parts.append(re.escape(local))
                continue
            handle = value.lstrip("@")
            tokens = [t for t in re.split(r"[\s_.\-]+", handle) if t]
            if not tokens:
                continue
            parts.append("@?" + r"[\s_.\-]{0,3}".join(re.escape(t) for t in tokens))
            for t in tokens:
                if len(t) >= 3 and t not in _STOP and not t.isdigit():
                    parts.append(re.escape(t))
        self.pattern = re.compile(r"(?<!\w)(?:" + _alternation(parts) + r")(?!\w)") if parts else None


_PLACE_AFTER = _wordset(
    "st street ave avenue blvd boulevard rd road dr drive way park lake creek beach hills heights "
    "valley county city springs point bay station center plaza mall river island"
)


def _name_cased(original: str) -> bool:
    """Capitalised as a name is: not lower case, and not shouting (which carries no signal)."""
    return original[:1].isupper() and not (len(original) > 2 and original.isupper())


def _word_after(text: str, end: int) -> re.Match[str] | None:
    """The word one space after ``end``, if there is one."""
    return _WORD.match(text, end + 1) if text[end : end + 1] == " " else None


def _person_name(folded: Folded, start: int, end: int) -> bool:
    """Whether a listed first name at ``[start, end)`` is a person here, not part of a place."""
    if not _name_cased(folded.original_of(start, end)):
        return False
    before = _last_word(folded.text, start)
    if before is not None and _capitalised(folded.original_of(*before)) and before[1] >= start - 2:
        before_word = folded.text[before[0] : before[1]]
        if before_word not in _STOP and before_word not in _HONORIFICS:
            return False  # "Santa Ana", "San Jose": a place
    after = _word_after(folded.text, end)
    return not (after is not None and after.group() in _PLACE_AFTER)


_NOT_SURNAME = (
    _STOP
    | _PLACE_AFTER
    | _wordset(
        "monday tuesday wednesday thursday friday saturday sunday january february march april may "
        "june july august september october november december lunes martes miercoles jueves viernes "
        "sabado domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre "
        "noviembre diciembre said told called texted asked came went took says tells who"
    )
)


_ARTICLE_BEFORE = re.compile(r"(?<!\w)(?:the|el|la|los|las)\s+\Z")


def _article_start(text: str, start: int) -> int:
    """Where "the " or "el " right before ``start`` begins, else ``start``."""
    m = _ARTICLE_BEFORE.search(text, max(0, start - 8), start)
    return m.start() if m is not None else start


def _town_end(folded: Folded, end: int) -> int:
    """After a street address, ", Garland" or ", North Las Vegas" is part of it."""
    comma = _COMMA_GAP.match(folded.text, end)
    if comma is None:
        return end
    town_end = _name_after(folded, comma.end(), require_capital=True)
    return town_end if town_end > comma.end() else end


_COMMA_GAP = re.compile(r",[ \t]*(?=\w)")


def _surname_end(folded: Folded, end: int) -> int:
    """End of the surname after a first name ending at ``end``, or ``end`` if there is none."""
    w = _word_after(folded.text, end)
    if w is None or w.group() in _NOT_SURNAME or not _name_cased(folded.original_of(w.start(), w.end())):
        return end
    return w.end()


def _capitalised(original: str) -> bool:
    return bool(original) and (original[0].isupper() or original[0].isdigit())


def _phone_spans(text: str, known_phones: set[str]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _PHONE_DIGITS.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        pos = end
        if start and (_is_word(text[start - 1]) or text[start - 1] == "+" and start > 1 and _is_word(text[start - 2])):
            continue
        candidate = m.group()
        if _DATE_LIKE.fullmatch(candidate.strip("()")):
            continue
        digits = _digits(candidate)
        if not 7 <= len(digits) <= 15:
            continue
        # Country code and brackets before the digits: "+52 55 ...", "(415) ...".
        while start and text[start - 1] in "(+ " and text[start - 1 : start + 1] != " (":
            if text[start - 1] == " " and not (start > 1 and text[start - 2] == "+"):
                break
            start -= 1
        # Let phonenumbers find the exact extent (it knows extensions and country codes);
        # whatever it says, deny by default: the candidate goes even if it is not a valid number.
        window = text[start : min(len(text), end + 20)]
        for region in ("US", "MX"):
            for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=phonenumbers.Leniency.POSSIBLE):
                if match.start == 0:
                    end = max(end, start + match.end)
        out.append((start, end, "contact"))
        if any(digits.endswith(p) or p.endswith(digits) for p in known_phones) or _OWN_NUMBER_CUE.search(
            text[max(0, start - 40) : start]
        ):
            # Introduced as the writer's own ("call me at", "mi número es"): it is the reporter's,
            # whichever field it was typed into, so no field may keep it as the perpetrator's.
            out.append((start, end, "pii.reporter"))
    return out


_OWN_NUMBER_CUE = re.compile(
    r"(?:\b(?:call|text|reach|contact|message|whatsapp|dm)\s+me\b|\bmy\s+(?:\w+\s+)?(?:number|phone|cell|celly|line)\b"
    r"|\bme\s+at\b|\b(?:ll[aá]m[ae]me|m[aá]rcame|escr[ií]beme|textea?me|mand[ae]me)\b"
    r"|\bmi\s+(?:n[uú]mero|tel[eé]fono|cel(?:ular)?|whats(?:app)?)\b)[^\n]{0,25}$",
    re.IGNORECASE,
)


_LODGING_NAMING = re.compile(
    r"\s+(?:is|was|is\s+called|was\s+called|called|named|es|era|se\s+llama|se\s+llamaba|llamado)\s+(?:the\s+|el\s+|la\s+|las\s+|los\s+)?(?=\w)"
)
_LODGING_SECOND = re.compile(
    rf"(?:\s+(?!(?:on|in|at|off|near|by|en|de|del|cerca|por|the|el|la|a)\b)[\w'-]+){{1,3}}\s+(?:{_LODGING_WORD})(?!\w)"
)


def _lodging_span(folded: Folded, start: int, end: int) -> tuple[int, int] | None:
    """Widen "Motel" to its name: "the Royal Pacific Motor Inn", "Hotel Whitcomb"; None if unnamed."""
    text = folded.text
    first = start
    for w in reversed(list(_NAME_TOKEN.finditer(text, max(0, start - 60), start))):
        if text[w.end() : first].strip() not in ("", "&", "-"):
            break
        if not _capitalised(folded.original_of(w.start(), w.end())) or w.group() in _STOP:
            break
        first = w.start()
    last = end
    pos = end
    naming = _LODGING_NAMING.match(text, end)
    if naming is not None:
        # "The motel is the Starlite", "el motel se llama Las Palmas".
        pos = naming.end()
    second = _LODGING_SECOND.match(text, end)
    if second is not None:
        # "el motel pacific inn": two lodging words, the name between them.
        return first, second.end()
    for w in _NAME_TOKEN.finditer(text, pos, min(len(text), pos + 60)):
        if text[pos : w.start()].strip() not in ("", "&", "-"):
            break
        if w.group() in ("de", "del", "la", "las", "los", "el", "the", "of") and last != end:
            pos = w.end()
            continue
        if not _capitalised(folded.original_of(w.start(), w.end())) or w.group() in _STOP:
            break
        last = w.end()
        pos = w.end()
    if first < start or last > end:
        return first, last
    return None


_HONORIFICS = _wordset("mr mrs ms miss dr don dona sr sra srta mx")


def _name_after(folded: Folded, pos: int, limit: int = 3, *, require_capital: bool = False) -> int:
    """End of the name that starts at ``pos``: capitalised words, or one word if lower case."""
    text = folded.text
    end = pos
    count = 0
    for w in _NAME_TOKEN.finditer(text, pos, min(len(text), pos + 80)):
        if text[end : w.start()].strip() and not (
            count and text[end - 1] == "." and text[end : w.start()].strip() == "."
        ):
            break
        token = w.group()
        if token.rstrip(".") in _HONORIFICS and token.endswith("."):
            end = w.end()
            count += 1
            continue
        token = token.rstrip(".")
        if not token or token in _STOP:
            break
        original = folded.original_of(w.start(), w.start() + len(token))
        if (count or require_capital) and not _capitalised(original):
            break
        end = w.start() + len(token)
        count += 1
        if count >= limit:
            break
    return end


_INNER_PREPOSITIONS = _wordset("in on off near by at of en de del cerca por")
# Plain words that finish a place name: "the Walmart lot", "Lake Merritt area".
_PLACE_TAILS = _wordset(
    "lot parking station store park mall area district neighborhood neighbourhood side street st "
    "ave avenue road rd blvd boulevard bridge plaza center centre square corner exit stop county "
    "city town village beach pier station terminal"
)


def _area_end(folded: Folded, start: int) -> int:
    """End of the place after a preposition: "Tenderloin", "Van Ness", "his place in Antioch".

    Capitalised words (or ordinals and numbers) make a place; a few plain words are allowed
    before an inner preposition and a capitalised name ("a parking lot in Pasadena").
    """
    text = folded.text
    stop = min(len(text), start + 80)
    if stop <= start:
        return start
    o_start, o_stop = folded.span(start, stop)
    window = folded.original[o_start:o_stop]
    if window.isascii() and window == window.lower() and not _HAS_DIGIT.search(window):
        return start  # no capital and no number: no name (the usual case, found without a loop)
    pos = start
    plain = 0
    after_inner = False
    end = start
    for w in _NAME_TOKEN.finditer(text, start, stop):
        if text[pos : w.start()].strip():
            break
        word = w.group()
        if end > start and word in _PLACE_TAILS:
            end = w.end()
            pos = w.end()
            continue
        if (
            word not in _STOP
            and (plain == 0 or after_inner or end > start)
            and _capitalised(folded.original_of(w.start(), w.end()))
        ):
            end = w.end()
            pos = w.end()
            if word.endswith(".") and len(word) > 3:
                break  # the end of a sentence, not an abbreviation
            continue
        if end > start or word.endswith("."):
            break
        # Not yet in a name: a few plain words, then an inner preposition, then the name.
        after_inner = plain > 0 and word in _INNER_PREPOSITIONS
        plain += 1
        if plain > 4:
            break
        pos = w.end()
    return end


@cache
def _with_global(lang: str) -> _Dispatch:
    """The lexicon's dispatch and the language-independent detectors, in one pass."""
    lex = lexicon(lang)
    return _Dispatch.merged(_global_dispatch(), lex.dispatch, lex.keep)


@cache
def _without_global(lang: str) -> _Dispatch:
    """The lexicon's dispatch alone, for a second language over the same text."""
    lex = lexicon(lang)
    return _Dispatch.merged(lex.dispatch, lex.keep)


_GLOBAL_KINDS = frozenset(kind for kind, _ in _GLOBAL_DETECTORS) | {"pii.first_name"}


class _Scan:
    """Everything found in one folded text before the per-language rules are judged."""

    def __init__(self, folded: Folded, known: _Known, lang: str) -> None:
        self.folded = folded
        text = folded.text
        self.punctuation = _punctuation(text)
        self.spans: list[tuple[int, int, str]] = []
        matches = _with_global(lang).scan(text)
        # What the lexicon's rules judge; the rest is handled here.
        self.language_matches = [m for m in matches if m[2] not in _GLOBAL_KINDS]
        add = self.spans.append
        for start, end, kind in matches:
            if kind not in _GLOBAL_KINDS:
                continue
            if kind == "contact.platform":
                for regex in _PLATFORM_REGEXES:
                    m = regex.match(text, start)
                    if m is not None:
                        handle = m.group("h").rstrip(".")
                        if handle and handle not in _STOP:
                            h_end = m.start("h") + len(handle)
                            if _capitalised(folded.original_of(m.start("h"), m.start("h") + 1)):
                                # "mi Facebook es Mari Sol Ruiz": a display name runs on.
                                h_end = max(h_end, _name_after(folded, m.start("h"), require_capital=True))
                            add((m.start("h"), h_end, "contact"))
            elif kind == "contact.spoken_phone":
                # "214 five five five 0127": digits before the words belong to the number.
                lead = _DIGITS_BEFORE.search(text, max(0, start - 24), start)
                first = lead.start() if lead is not None else start
                if len(_DIGIT_TOKEN.findall(text, first, end)) >= 7:
                    add((first, end, "contact"))
            elif kind in ("location.address", "location.unit"):
                add((start, end, "location.precise"))
            elif kind == "location.chain":
                add((_article_start(text, start), end, "location.precise"))
            elif kind == "location.lodging":
                named = _lodging_span(folded, start, end)
                if named is not None:
                    # "the Sunrise Inn": the article goes with the name.
                    add((_article_start(text, named[0]), named[1], "location.precise"))
            elif kind == "pii.honorific":
                name_end = _name_after(folded, end, limit=2, require_capital=True)
                # "Doña Rosa", and "don Lalo" too: the name's capital is the signal.
                if name_end > end and (
                    _capitalised(folded.original_of(start, start + 1)) or text.startswith(("don ", "dona "), start)
                ):
                    add((start, name_end, "pii.third_party"))
            elif kind == "pii.first_name":
                if _person_name(folded, start, end):
                    # "Ashley Nguyen": a capitalised word after a listed first name is her surname,
                    # unless it ends a place ("Maria Street") or is a day, a month or a word.
                    add((start, _surname_end(folded, end), "pii.third_party"))
            elif kind == "pii.dob":
                add((start, end, "pii.reporter"))
            elif kind in ("pii.name", "pii.name_capital"):
                name_start = end
                article = _NAME_ARTICLE.match(text, end)
                if article is not None and _capitalised(folded.original_of(article.end(), article.end() + 1)):
                    name_start = article.end()  # "le dicen la Güera": the article belongs to the nickname
                name_end = _name_after(folded, name_start, require_capital=kind == "pii.name_capital")
                if name_end > name_start:
                    tag = (
                        "pii.third_party"
                        if text.startswith(("her", "his", "their", "she", "they", "su", "se", "le"), start)
                        else "pii.reporter"
                    )
                    add((start if kind == "pii.name" else end, name_end, tag))
        if _HAS_DIGIT.search(text):
            self.spans.extend(_phone_spans(text, known.phones))
            self.spans.extend(
                (m.start(), _town_end(folded, m.end()), "location.precise")
                for m in _ADDRESS_NUMBER.finditer(text)
                if _word_start(text, m.start())
            )
        if "'s " in text:
            # "Tasha's number is ...": whose number it is goes with it.
            for m in _POSSESSIVE_CONTACT.finditer(text):
                owner = _last_word(text, m.start() + 2)
                if owner is not None and _capitalised(folded.original_of(*owner)):
                    add((owner[0], m.start() + 2, "pii.third_party"))
        if "@" in text:
            for regex in (_EMAIL, _HANDLE):
                self.spans.extend(
                    (m.start(), m.end(), "contact")
                    for m in regex.finditer(text)
                    if _word_start(text, m.start(), "@.+-")
                )
        if "$" in text:
            self.spans.extend(
                (m.start(), m.end(), "contact") for m in _CASHTAG.finditer(text) if _word_start(text, m.start())
            )
        if " dot " in text or " punto " in text or "(dot)" in text or "[dot]" in text:
            self.spans.extend(_spoken_emails(text))
        self.spans.extend(_dotted_handles(text))
        if known.pattern is not None:
            self.spans.extend((m.start(), m.end(), "pii.reporter") for m in known.pattern.finditer(text))


_NAME_ARTICLE = re.compile(r"(?:la|el|the)\s+")
_POSSESSIVE_CONTACT = re.compile(
    r"'s\s+(?:number|phone|cell|email|ig|insta|instagram|snap|snapchat|handle|address|whatsapp|telegram)(?!\w)"
)
_PLATFORM_REGEXES = tuple(re.compile(source) for kind, source in _GLOBAL_DETECTORS if kind == "contact.platform")


def _spoken_emails(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _SPOKEN_AT.finditer(text):
        domain = _SPOKEN_DOMAIN.match(text, m.end())
        if domain is None:
            continue
        tld = re.split(r"\W+", domain.group())[-1]
        if tld not in _TLDS:
            continue
        local = _SPOKEN_LOCAL.search(text, max(0, m.start() - 200), m.start())
        if local is None:
            continue
        out.append((local.start(), domain.end(), "contact"))
    return out


_JOINER = re.compile(r"[._](?=[a-z0-9])")


def _handle_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "._")


def _dotted_handles(text: str) -> list[tuple[int, int, str]]:
    """Usernames written bare ("bossman.420", "jade_blue"), found from their "." or "_"."""
    out: list[tuple[int, int, str]] = []
    reach = -1
    for m in _JOINER.finditer(text):
        pos = m.start()
        if pos < reach or pos == 0 or not text[pos - 1].isalnum():
            continue
        start = pos
        while start > 0 and _handle_char(text[start - 1]):
            start -= 1
        end = pos
        while end < len(text) and _handle_char(text[end]):
            end += 1
        while end > pos and text[end - 1] in "._":
            end -= 1
        reach = end
        handle = _DOTTED_HANDLE.fullmatch(text, start, end)
        if handle is None or end - start < 5:
            continue
        if max(len(piece) for piece in re.split(r"[._]", text[start:end])) < 3:
            continue  # "a.m.", "u.s.a", "no.5"
        out.append((start, end, "contact"))
    return out


def _word_start(text: str, pos: int, also: str = "") -> bool:
    return pos == 0 or not (_is_word(text[pos - 1]) or text[pos - 1] in also)


# --------------------------------------------------------------------------------------------
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
_CROSS_CONNECTOR = re.compile(r"\s(?:and|&|y|con|at)\s+(?=\w)")
_ORDINAL = re.compile(
    r"\d{1,3}(?:st|nd|rd|th|a|va|o)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
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


def _cross_streets(folded: Folded, m: re.Match[str]) -> tuple[int, int] | None:
    """The cross streets around a connector: "Geary and Polk", "16th and Mission", "Mission y 24"."""
    text = folded.text
    # Both sides must look like streets; the right one, read first, rarely does.
    right = _WORD.match(text, m.end())
    if right is None:
        return None
    right_word = right.group()
    right_numbered = _ORDINAL.fullmatch(right_word) is not None
    right_named = right_word not in _STOP and _capitalised(folded.original_of(right.start(), right.end()))
    if not (right_numbered or right_named):
        return None
    left = _last_word(text, m.start() + 1)
    if left is None:
        return None
    left_word = text[left[0] : left[1]]
    left_numbered = _ORDINAL.fullmatch(left_word) is not None
    left_named = left_word not in _STOP and _capitalised(folded.original_of(left[0], left[1]))
    if (left_numbered or left_named) and (left_numbered or right_numbered or (left_named and right_named)):
        return (left[0], right.end())
    return None


_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+|y\s+|&\s+)?|and\s+|y\s+|&\s+)")


def _name_list(folded: Folded, pos: int) -> list[tuple[int, int, str]]:
    """Capitalised names listed from ``pos``: "Keisha and Nina", "Keisha, Nina y Rosa"."""
    out = []
    text = folded.text
    while True:
        end = _name_after(folded, pos, limit=1, require_capital=True)
        if end <= pos:
            break
        out.append((pos, end, "pii.third_party"))
        sep = _LIST_SEPARATOR.match(text, end)
        if sep is None:
            break
        pos = sep.end()
    return out


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


def _last_word(text: str, pos: int) -> tuple[int, int] | None:
    end = pos
    while end > 0 and text[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and (_is_word(text[start - 1]) or text[start - 1] in "'-"):
        start -= 1
    return (start, end) if start < end else None


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


def find_spans(text: str, lang: str, *, known: Iterable[str] = ()) -> list[Span]:
    """Find what must be removed from ``text`` before it leaves in a referral.

    ``lang`` is "en" or "es"; anything else applies every lexicon. ``known`` holds the
    reporter's own name, phone numbers, email addresses and handles: every occurrence goes.
    Return spans sorted by position, offsets into ``text``; spans of one tag never overlap.
    """
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    if not text:
        return []
    folded = Folded(text)
    codes = languages_for(lang)
    scan = _Scan(folded, _Known(known), codes[0])
    raw = list(scan.spans)
    raw.extend(_language_spans(scan, lexicon(codes[0]), scan.language_matches))
    for code in codes[1:]:
        lex = lexicon(code)
        raw.extend(_language_spans(scan, lex, _without_global(code).scan(folded.text)))
    mapped = []
    for s, e, tag in raw:
        if e > s:
            o_s, o_e = folded.span(s, e)
            mapped.append((o_s, o_e, tag))
    mapped.extend(_bridges(text, mapped))
    return _merge_per_tag(mapped)


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


def redact(text: str, lang: str, *, known: Iterable[str] = ()) -> tuple[str, list[Span]]:
    """Return the redacted text and the spans removed from it."""
    spans = find_spans(text, lang, known=known)
    return apply(text, spans), spans
