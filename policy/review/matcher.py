"""Finding the families' words in a folded text in one pass over its words.

A text is cut into words once. Terms are looked up word by word in a trie of words, so their
number costs nothing per word; a regular expression (a pattern, or a quiet phrase) is tried
only at a word whose first two letters can begin it. Those letters are read from the pattern's
parse tree (``policy.redact.regex_tree``) when it is compiled (``start_keys``); a pattern whose start cannot be bounded that
way ("any word character") is tried at every word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, NamedTuple

from ..redact import regex_tree as rt
from .lexicon import Family, canonical_words

#: A word of folded text; an apostrophe inside it belongs to it ("didn't").
WORD: Final = re.compile(r"\w+(?:'\w+)*")
#: Between two words of one term: spaces, hyphens, apostrophes and quotes, nothing else.
_JOIN: Final = re.compile(r"[ \t'\"\-]*")
_SYMBOLS: Final = "$#"
_KEY: Final = 3
_MAX_KEYS: Final = 4000
_REPEATS: Final = (rt.MAX_REPEAT, rt.MIN_REPEAT, rt.POSSESSIVE_REPEAT)
_SKIPPED: Final = (rt.AT, rt.ASSERT, rt.ASSERT_NOT)


class Hit(NamedTuple):
    """Folded ``[start, end)`` matched a word of ``family`` (an index into Matcher.families)."""

    start: int
    end: int
    family: int


class _Unbounded(Exception):
    pass


def _class_chars(items: Sequence[tuple[Any, Any]]) -> list[str]:
    chars: list[str] = []
    for op, av in items:
        if op == rt.LITERAL:
            chars.append(chr(av))
        elif op == rt.RANGE and av[1] - av[0] < 64:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op == rt.CATEGORY and av == rt.CATEGORY_DIGIT:
            chars.extend("0123456789")
        elif op == rt.CATEGORY and av == rt.CATEGORY_SPACE:
            chars.append(" ")
        else:
            raise _Unbounded
    return chars


def _prefixes(items: list[tuple[Any, Any]], need: int) -> set[str]:
    """The first ``need`` word characters a match of ``items`` can start with (fewer if the
    word ends sooner)."""
    if need == 0 or not items:
        return {""}
    op, av = items[0]
    rest = items[1:]
    if op in _SKIPPED:
        return _prefixes(rest, need)
    if op in (rt.LITERAL, rt.IN):
        chars = [chr(av)] if op == rt.LITERAL else _class_chars(av)
        out: set[str] = set()
        for c in chars:
            out |= {c + s for s in _prefixes(rest, need - 1)} if c.isalnum() or c == "_" else {""}
        return out
    if op == rt.BRANCH:
        return set().union(*(_prefixes(list(branch) + rest, need) for branch in av[1]))
    if op == rt.SUBPATTERN:
        return _prefixes(list(av[3]) + rest, need)
    if op in _REPEATS:
        low, high, sub = av
        out = set()
        for k in range(low, max(low, min(high, need)) + 1):
            out |= _prefixes(list(sub) * k + rest, need)
        return out
    raise _Unbounded


def start_keys(source: str) -> frozenset[str] | None:
    """Keys (the first two word characters, or one, or "$"/"#") a match of ``source`` can begin
    with; None if that cannot be bounded."""
    if source[:2] in ("\\$", "\\#"):
        return frozenset({source[1]})
    try:
        keys = _prefixes(list(rt.parse(source)), _KEY)
    except (_Unbounded, rt.Unsupported, RecursionError):
        return None
    if "" in keys or len(keys) > _MAX_KEYS:
        return None
    return frozenset(keys)


class _Dispatch:
    """Regular expressions by start key: ``at(folded, pos, key)`` gives the matches at ``pos``.

    The sources of one owner (a family) are one alternation, so that a match of one family
    never hides a match of another at the same place.
    """

    def __init__(self, sources: Iterable[tuple[int, str]]) -> None:
        by_key: dict[str, dict[int, list[str]]] = {}
        anywhere: dict[int, list[str]] = {}
        for owner, source in sources:
            keys = start_keys(source)
            for key in keys if keys is not None else [None]:
                into = anywhere if key is None else by_key.setdefault(key, {})
                into.setdefault(owner, []).append(source)
        self._keyed = {key: self._compile(owners) for key, owners in by_key.items()}
        self._anywhere = self._compile(anywhere)
        #: The start keys that have sources, and whether some source is tried at every word.
        self.keys = frozenset(self._keyed)
        self.anywhere = bool(self._anywhere)

    @staticmethod
    def _compile(owners: dict[int, list[str]]) -> list[tuple[int, re.Pattern[str]]]:
        return [(o, re.compile(rf"(?<!\w)(?:{'|'.join(v)})(?!\w)")) for o, v in sorted(owners.items())]

    def at(self, folded: str, pos: int, key: str) -> list[tuple[int, re.Match[str]]]:
        found = []
        for owner, regex in self._keyed.get(key, ()):
            if m := regex.match(folded, pos):
                found.append((owner, m))
        for owner, regex in self._anywhere:
            if m := regex.match(folded, pos):
                found.append((owner, m))
        return found


#: A trie node: the families whose term ends here, and the words that go on.
_Node = tuple[tuple[int, ...], dict[str, Any]]


def _freeze(node: dict[str, Any]) -> _Node:
    families = tuple(sorted(node.pop("", ())))
    return families, {word: _freeze(child) for word, child in node.items()}


class Matcher:
    """Every family compiled once: ``hits(folded_text, words)`` returns the hits, in text order.

    Hits may overlap: "sugar daddy" is a hit, and so is "daddy".
    """

    def __init__(self, families: Iterable[Family]) -> None:
        self.families = tuple(families)
        trie: dict[str, Any] = {}
        for i, fam in enumerate(self.families):
            for term in fam.terms:
                node = trie
                for word in canonical_words(term):
                    node = node.setdefault(word, {})
                node.setdefault("", set()).add(i)
        self._trie: dict[str, _Node] = _freeze(trie)[1]
        self._patterns = _Dispatch((i, p) for i, fam in enumerate(self.families) for p in fam.patterns)
        # Which family a quiet phrase came from does not matter: it silences every family.
        self._quiet = _Dispatch((0, q) for fam in self.families for q in fam.quiet)
        self._after = tuple(fam.after for fam in self.families)

    @staticmethod
    def words(folded: str) -> list[tuple[int, int, str]]:
        """The words of ``folded`` as (start, end, canonical word), and each "$" and "#"."""
        out = [(m.start(), m.end(), m.group().replace("'", "")) for m in WORD.finditer(folded)]
        if "$" in folded or "#" in folded:
            out += [(i, i + 1, c) for i, c in enumerate(folded) if c in _SYMBOLS]
            out.sort()
        return out

    def _longer(self, folded: str, words: list[tuple[int, int, str]], i: int, children: dict[str, _Node]) -> list[Hit]:
        """The terms of more than one word that start at word ``i``."""
        hits: list[Hit] = []
        start, prev_end = words[i][0], words[i][1]
        for s, e, word in words[i + 1 :]:
            nxt = children.get(word)
            if nxt is None:
                break
            gap = folded[prev_end:s]
            if gap != " " and not _JOIN.fullmatch(gap):
                break
            families, children = nxt
            hits.extend(Hit(start, e, f) for f in families)
            if not children:
                break
            prev_end = e
        return hits

    def hits(self, folded: str, words: list[tuple[int, int, str]]) -> list[Hit]:
        """Return the hits in ``folded`` (a folded text cut into ``words``), in text order.

        A family with ``after`` words keeps a hit only after one of them, and the hit then
        starts at that word ("apt 2"). Quiet phrases are not applied here: ``quiet_at``
        finds them where a caller needs them.
        """
        found: list[Hit] = []
        trie = self._trie
        patterns = self._patterns
        keyed = patterns.keys
        anywhere = patterns.anywhere
        after = self._after
        for i, (s, e, word) in enumerate(words):
            node = trie.get(word)
            if node is not None:
                families, children = node
                if families:
                    found.extend([Hit(s, e, f) for f in families])
                if children:
                    found.extend(self._longer(folded, words, i, children))
            if anywhere or word[:_KEY] in keyed:
                for f, m in patterns.at(folded, s, word[:_KEY]):
                    if not after[f]:
                        found.append(Hit(m.start(), m.end(), f))
                    elif i and words[i - 1][2] in after[f] and m.start() == s:
                        found.append(Hit(words[i - 1][0], m.end(), f))
        return found

    def quiet_at(self, folded: str, words: list[tuple[int, int, str]], indexes: Iterable[int]) -> list[tuple[int, int]]:
        """The quiet phrases that start at the words of ``indexes``."""
        spans = []
        quiet = self._quiet
        keys = quiet.keys
        anywhere = quiet.anywhere
        for k in indexes:
            s, _e, word = words[k]
            key = word[:_KEY]
            if anywhere or key in keys:
                spans.extend([m.span() for _owner, m in quiet.at(folded, s, key)])
        return spans
