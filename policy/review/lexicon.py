"""Review-flag word lists: loading ``policy/review/*.toml`` and finding their words in a text.

Each file holds ``[[family]]`` tables: a reason code, a scope, and the words of one semantic
family ("words for a client", "sums of money in words", "visa words"). Everything is matched
on folded text (lower case, accents dropped, curly quotes straight; see policy.redact.Folded),
so accents are optional and a term is written once.

* ``terms``: words or phrases, matched word by word: between two words only spaces, hyphens
  or apostrophes; an apostrophe inside a word is optional ("didnt" is "didn't"). A term matches
  whole words only. ``(a|b|c)`` in a term stands for each of its alternatives, and an empty
  one makes the group optional: "(my|our) (new |)regular" is four terms.
* ``patterns``: Python regular expressions on the folded text, wrapped in word boundaries.
* ``quiet``: regular expressions for ordinary uses ("a regular at the bar", "mi cita con el
  doctor"); a hit of any family that overlaps a quiet match is dropped, so an ordinary
  phrase is written once, in the family whose word it mostly is.
* ``scope``: "clause" flags the clause around a hit (the default: the reviewer must see the
  words around it to judge); "match" flags only the words matched (names, addresses).
* ``after``: words; when given, a hit counts only if the word just before it is one of them
  (a bare number is a sum after "for", "like", "the": "for 60", not "at 3").
* ``weight``: how much a hit says on its own, 1 by default. A clause is flagged when the
  weights of its different hits add up to 1: a word that is usually ordinary ("room", "bar",
  "working") weighs 0.5 and flags its clause only beside another sign, or beside text the
  redactor removed.

policy/review/matcher.py finds them all in one pass over a text's words.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from ..redact import Folded

DATA_DIR: Final = Path(__file__).resolve().parent
SCOPES: Final = ("clause", "match")


class ReviewLexiconError(ValueError):
    """A review word list is malformed; the message names the file and family."""


@dataclass(frozen=True, slots=True)
class Family:
    """One family of words that share a reason: what to look for and how much to flag."""

    name: str
    reason: str
    scope: str
    terms: tuple[str, ...]
    patterns: tuple[str, ...]
    quiet: tuple[str, ...]
    weight: float = 1.0
    after: frozenset[str] = frozenset()


def fold(s: str) -> str:
    """Fold a term or a text as the matcher sees it."""
    return Folded(s).text


_WORD: Final = re.compile(r"\w+(?:'\w+)*")


_GROUP: Final = re.compile(r"\(([^()]*)\)")
_MAX_EXPANSION: Final = 20000


def expand(term: str) -> list[str]:
    """Every term that ``(a|b|)`` groups in ``term`` stand for."""
    out = [term]
    while any("(" in t for t in out):
        nxt: list[str] = []
        for t in out:
            m = _GROUP.search(t)
            if m is None:
                raise ValueError(f"unbalanced brackets in term {term!r}")
            nxt.extend(t[: m.start()] + alt + t[m.end() :] for alt in m.group(1).split("|"))
        if len(nxt) > _MAX_EXPANSION:
            raise ValueError(f"term {term!r} stands for more than {_MAX_EXPANSION} terms")
        out = nxt
    return out


def canonical_words(term: str) -> tuple[str, ...]:
    """A folded term as the matcher's words: apostrophes dropped, hyphens and spaces cut."""
    return tuple(w.replace("'", "") for w in _WORD.findall(term))


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ReviewLexiconError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


_FAMILY_KEYS = frozenset({"name", "reason", "scope", "terms", "patterns", "quiet", "weight", "after"})


def _family(table: Any, where: str, reasons: Iterable[str]) -> Family:
    if not isinstance(table, dict):
        raise ReviewLexiconError(f"{where}: a family must be a table")
    name, reason, scope = table.get("name"), table.get("reason"), table.get("scope", "clause")
    if not isinstance(name, str) or not name:
        raise ReviewLexiconError(f"{where}: a family needs a name")
    where = f"{where} ({name})"
    if reason not in set(reasons):
        raise ReviewLexiconError(f"{where}: unknown reason {reason!r}")
    if scope not in SCOPES:
        raise ReviewLexiconError(f"{where}: scope must be one of {', '.join(SCOPES)}")
    unknown = set(table) - _FAMILY_KEYS
    if unknown:
        raise ReviewLexiconError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    terms, after = _terms(table, where)
    patterns = _patterns(table, "patterns", where)
    quiet = _patterns(table, "quiet", where)
    if not terms and not patterns:
        raise ReviewLexiconError(f"{where}: a family needs terms or patterns")
    weight = table.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise ReviewLexiconError(f"{where}: weight must be a number in (0, 1]")
    return Family(name, str(reason), str(scope), terms, patterns, quiet, float(weight), after)


def _terms(table: dict[str, Any], where: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A family's folded terms (each holding a word) and its one-word 'after' cues."""
    try:
        terms = tuple(fold(t).strip() for raw in _strings(table, "terms", where) for t in expand(raw))
    except ValueError as exc:
        raise ReviewLexiconError(f"{where}: {exc}") from None
    if any(not canonical_words(t) for t in terms):
        raise ReviewLexiconError(f"{where}: a term must hold a word")
    after = frozenset(fold(t).strip() for t in _strings(table, "after", where))
    if after and terms:
        raise ReviewLexiconError(f"{where}: 'after' applies to patterns only")
    if any(len(canonical_words(w)) != 1 for w in after):
        raise ReviewLexiconError(f"{where}: each of 'after' must be one word")
    return terms, after


def _patterns(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Regular expressions under `key`, each one that compiles."""
    patterns = _strings(table, key, where)
    for source in patterns:
        try:
            re.compile(source)
        except re.error as exc:
            raise ReviewLexiconError(f"{where}: bad pattern {source!r}: {exc}") from None
    return patterns


def load_families(paths: Iterable[Path], reasons: Iterable[str]) -> tuple[Family, ...]:
    """Read the families of each file; raise ReviewLexiconError naming the file on any fault."""
    reasons = tuple(reasons)
    families: list[Family] = []
    for path in paths:
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ReviewLexiconError(f"{path.name}: {exc}") from None
        tables = data.get("family", [])
        if not isinstance(tables, list):
            raise ReviewLexiconError(f"{path.name}: 'family' must be an array of tables")
        families.extend(_family(t, f"{path.name}: family {i + 1}", reasons) for i, t in enumerate(tables))
    names = [f.name for f in families]
    if len(set(names)) != len(names):
        raise ReviewLexiconError("two review families share a name")
    return tuple(families)


@cache
def default_families() -> tuple[Family, ...]:
    """The families of every ``policy/review/*.toml`` file, in file-name order."""
    from .reasons import REASONS

    return load_families(sorted(DATA_DIR.glob("*.toml")), REASONS)
