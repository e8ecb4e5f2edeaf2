"""Review-flag word lists: loading ``policy/review/*.toml`` and finding their words in a text.

Each file holds ``[[family]]`` tables: a reason code, a scope, and the words of one semantic
family ("words for a client", "sums of money in words", "visa words"). Everything is matched
on folded text (lower case, accents dropped, curly quotes straight; see policy.redact.Folded),
so accents are optional and a term is written once.

* ``terms``: words or phrases. A space matches any whitespace, an apostrophe or a hyphen is
  optional, and a trailing ``*`` matches the rest of a word ("prostitu*"). A term matches whole
  words only.
* ``patterns``: Python regular expressions on the folded text, wrapped in word boundaries.
* ``quiet``: regular expressions for ordinary uses ("a regular at the bar", "mi cita con el
  doctor"); a hit of any family that overlaps a quiet match is dropped, so an ordinary
  phrase is written once, in the family whose word it mostly is.
* ``scope``: "clause" flags the clause around a hit (the default: the reviewer must see the
  words around it to judge); "match" flags only the words matched (names, addresses).
* ``weight``: how much a hit says on its own, 1 by default. A clause is flagged when the
  weights of its different hits add up to 1: a word that is usually ordinary ("room", "bar",
  "working") weighs 0.5 and flags its clause only beside another sign, or beside text the
  redactor removed.

All families of every file are compiled into one pattern, factored by common prefixes, so a
text is scanned once whatever the number of words.
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


@dataclass(frozen=True, slots=True)
class Hit:
    """Folded ``[start, end)`` matched a word of ``family`` (an index into Matcher.families)."""

    start: int
    end: int
    family: int


def fold(s: str) -> str:
    """Fold a term or a text as the matcher sees it."""
    return Folded(s).text


def _term_atoms(term: str) -> list[str]:
    atoms: list[str] = []
    for i, ch in enumerate(term):
        if ch == " ":
            if atoms and atoms[-1] != r"\s+":
                atoms.append(r"\s+")
        elif ch == "'":
            atoms.append("'?")
        elif ch == "-":
            atoms.append(r"[-\s]?")
        elif ch == "*" and i == len(term) - 1:
            atoms.append(r"\w*")
        else:
            atoms.append(re.escape(ch))
    return atoms


def term_trie(terms: Iterable[str]) -> str:
    """One regex for many folded terms, factored by common prefix; the longest term wins."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for atom in _term_atoms(term):
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        # Longer continuations first, so that "clients" is preferred to "client".
        branches = [atom + emit(child) for atom, child in sorted(node.items(), reverse=True) if atom]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ReviewLexiconError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


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
    unknown = set(table) - {"name", "reason", "scope", "terms", "patterns", "quiet", "weight"}
    if unknown:
        raise ReviewLexiconError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    terms = tuple(fold(t).strip() for t in _strings(table, "terms", where))
    patterns = _strings(table, "patterns", where)
    quiet = _strings(table, "quiet", where)
    for source in patterns + quiet:
        try:
            re.compile(source)
        except re.error as exc:
            raise ReviewLexiconError(f"{where}: bad pattern {source!r}: {exc}") from None
    if not terms and not patterns:
        raise ReviewLexiconError(f"{where}: a family needs terms or patterns")
    weight = table.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise ReviewLexiconError(f"{where}: weight must be a number in (0, 1]")
    return Family(name, str(reason), str(scope), terms, patterns, quiet, float(weight))


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


class Matcher:
    """Every family compiled into one scan: ``hits(folded_text)`` yields the hits in order.

    At one position the first family (in file order) that matches wins, so hits never overlap;
    a family meant to win over a shorter word of another ("sugar daddy" over "daddy") comes
    first, or holds the longer phrase itself.
    """

    def __init__(self, families: Iterable[Family]) -> None:
        self.families = tuple(families)
        alternatives = []
        for i, fam in enumerate(self.families):
            sources = ([term_trie(fam.terms)] if fam.terms else []) + [f"(?:{p})" for p in fam.patterns]
            alternatives.append(f"(?P<f{i}>{'|'.join(sources)})")
        self._regex = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
        quiet = [q for fam in self.families for q in fam.quiet]
        self._quiet = re.compile(rf"(?<!\w)(?:{'|'.join(quiet)})(?!\w)") if quiet else None

    def hits(self, folded: str) -> list[Hit]:
        """Return the hits in ``folded`` (a folded text), in order, those a quiet match overlaps dropped."""
        calm = [m.span() for m in self._quiet.finditer(folded)] if self._quiet is not None else []
        out = []
        for m in self._regex.finditer(folded):
            s, e = m.span()
            if e > s and not any(qs < e and s < qe for qs, qe in calm):
                out.append(Hit(s, e, int(str(m.lastgroup)[1:])))
        return out


@cache
def default_families() -> tuple[Family, ...]:
    """The families of every ``policy/review/*.toml`` file, in file-name order."""
    from .reasons import REASONS

    return load_families(sorted(DATA_DIR.glob("*.toml")), REASONS)
