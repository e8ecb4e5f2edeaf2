"""Dispatch: many regexes matched in one pass over the words of a text.

Each regex is tried only where a word begins with letters that can begin a match of it
(``keys``); at a word start, every regex that can begin there is tried in one match call, each
as a lookahead of a combined pattern, so all of them report, overlapping or not. Literal terms
sharing a prefix are factored into a trie.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, cast

from .keys import _KEY_LENGTH, _KEY_SYMBOLS, _WORD_KEY, _start_keys
from .specialise import _first_chars, _specialised

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_DISPATCH_CACHE_SIZE = 8192
_compile = lru_cache(maxsize=2048)(re.compile)
#: The characters a key is extended with past a prefix that any letters may follow ("he*").
_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_LAZY: Any = object()


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
        # Per key, the same entries built ahead of any text (``compile_all``): never evicted.
        self._ready: dict[str, Any] = {}

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

    def tagged(self, tag: int) -> _Dispatch:
        """This dispatch with each payload ``p`` reported as ``(tag, p)``: several lexicons in one
        merged dispatch, each one's matches told apart."""
        out = type(self)()
        for key, entries in self._by_key.items():
            out._by_key[key] = [(source, (tag, payload)) for source, payload in entries]
        out._residual = [(regex, first, (tag, payload)) for regex, first, payload in self._residual]
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
        self._forget()

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
        self._forget()

    def _forget(self) -> None:
        self._lookup.cache_clear()
        self._ready = {}

    def compile_all(self) -> None:
        """Build now the combined regex of every key some regex can start with.

        Otherwise each is built (its sources specialised, the result compiled) at the first
        word with that key, which on new text is most of the matching's time. The keys are
        those of ``_by_key``; a key that is a prefix any letters may follow ("he*") stands for
        itself and its extensions by ASCII letters and digits. A word whose key is not among
        them (one no regex can start with, or an extension by another letter) is looked up as
        before, with the same result.
        """
        keys: set[str] = set()
        for key in self._by_key:
            if not key.endswith("*"):
                keys.add(key)
                continue
            prefix = key[:-1]
            keys.add(prefix)
            tails = [""]
            for _ in range(_KEY_LENGTH - len(prefix)):
                tails = [tail + c for tail in tails for c in _KEY_CHARS]
                keys.update(prefix + tail for tail in tails)
        self._ready = {key: self._candidates(key) for key in sorted(keys)}

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
            for batch in _batches(tried):
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
        ready = self._ready.get
        for word in _WORD_KEY.finditer(text):
            key = word.group()
            entry = ready(key, _LAZY)
            if entry is _LAZY:
                entry = lookup(key)
            if entry is None:
                continue
            match, slots = entry
            start = word.start()
            m = match(text, start)
            if m.lastindex is None:  # the pattern always matches, if only the empty string
                continue  # nothing here: the usual case, and the fast one
            out.extend(_reported(m, start, slots))
        if self._residual:
            self._scan_residual(text, out)
        return out

    def _scan_residual(self, text: str, out: list[tuple[int, int, Any]]) -> None:
        """Add the matches of the regexes tried everywhere, keeping ``out`` in order."""
        size = len(out)
        for regex, first, payload in self._residual:
            matches = regex.finditer(text) if first is None else _finditer_from(regex, first, text)
            out.extend((m.start(), m.end(), payload) for m in matches)
        if len(out) > size:
            out.sort(key=lambda t: (t[0], -t[1]))


def _batches(tried: list[tuple[tuple[str, int], Any]]) -> list[list[tuple[tuple[str, int], Any]]]:
    """The lookaheads of a combined regex: one per payload, except rules (int payloads), which
    share one per lexicon (a tagged payload ``(tag, int)`` is a rule of lexicon ``tag``)."""
    others: list[list[tuple[tuple[str, int], Any]]] = []
    rules: dict[Any, list[tuple[tuple[str, int], Any]]] = {}
    for item in tried:
        payload = item[1]
        if isinstance(payload, int):
            rules.setdefault(None, []).append(item)
        elif isinstance(payload, tuple) and isinstance(payload[1], int):
            rules.setdefault(payload[0], []).append(item)
        else:
            others.append([item])
    return [*others, *rules.values()]


def _reported(m: re.Match[str], start: int, slots: tuple[tuple[int, Any], ...]) -> list[tuple[int, int, Any]]:
    """The (start, end, payload) of each slot of a combined regex's match that matched."""
    # Slots are in group order, and the last group to close is the last slot that matched:
    # none after it did.
    last = cast(int, m.lastindex)
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
    return found


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
