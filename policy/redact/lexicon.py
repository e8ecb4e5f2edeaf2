"""Lexicon loading: ``policy/lexicon/*.toml`` compiled into rules, grammar words and a dispatch.

The format is described at the top of ``policy/lexicon/en.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from .dispatch import _alternation, _bounded, _Dispatch, _term_regex
from .spans import TAGS
from .text import _CACHED_WORD_LENGTH, _canonical, _fold

LANGUAGES = ("en", "es")
LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"
#: Who a clause is about: the reporter, someone else, or nobody found (which counts as the reporter).
FIRST, THIRD, UNKNOWN = "first", "third", "unknown"


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
        self._read_subjects(grammar)
        self._read_words(grammar)
        self._read_left_context(grammar)
        self._read_contexts(grammar)
        # Words come from the text: the cache of their person is bounded.
        self._cached_person = lru_cache(maxsize=_WORD_PERSON_MAX)(self._word_person)
        self.named: re.Pattern[str] | None = None
        self.dispatch = _Dispatch()
        # Keep patterns: what a removed clause leaves in place (the area, the time).
        self.keep = _Dispatch()
        for pattern in data.get("keep", {}).get("patterns", []):
            self.keep.add(pattern, _KEEP)
        # The order in which regexes are added is the order in which a word's matches report.
        self._add_grammar(grammar, data.get("ignore", {}))
        self._add_third_party(data.get("third_party", {}))
        self._add_rules(data)

    def _read_subjects(self, grammar: dict[str, Any]) -> None:
        """The words that say who a clause is about."""
        words = _grammar_words(grammar)
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
        # A subject after the predicate: "estaba bien pedo él."
        right = grammar.get("subject_right", [])
        self.subject_right = re.compile(r"\s*(?:" + "|".join(right) + r")") if right else None
        self.pronouns = words("third_pronouns")
        self.not_after_subject = words("not_after_subject")
        # Of third_subject, the nouns ("the guy"): subjects only before a verb.
        self.subject_nouns = self.third_subject - self.pronouns

    def _read_words(self, grammar: dict[str, Any]) -> None:
        """The other word lists of the grammar: relatives, coordinators, nouns."""
        words = _grammar_words(grammar)
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

    def _read_left_context(self, grammar: dict[str, Any]) -> None:
        """Left extension: auxiliaries, a verb, a preposition, determiners, ending at the trigger.

        Every part begins at a word, so a match does, or is the empty one at the end: the guard
        in front says so, and lets a search skip the inside of words quickly.
        """

        def optional(key: str, repeat: str) -> str:
            items = [_term_regex(_fold(w)) for w in grammar.get(key, ())]
            return rf"(?:(?<!\w)(?:{_alternation(items)})\s+){repeat}" if items else ""

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

    def _read_contexts(self, grammar: dict[str, Any]) -> None:
        """What marks a thing as the reporter's, as coercion, or a main clause as one to keep."""
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

    def _add_grammar(self, grammar: dict[str, Any], ignore: dict[str, Any]) -> None:
        """Clause-splitting words and ignored patterns, into the dispatch."""
        d = self.dispatch
        split = [_bounded(_term_regex(_fold(w))) for w in grammar.get("clause_split", ())]
        split += grammar.get("clause_split_patterns", [])
        if split:
            d.add_alternation(split, _SPLIT)
        for pattern in ignore.get("patterns", []):
            d.add(_bounded(pattern), _IGNORE)

    def _add_third_party(self, third_party: dict[str, Any]) -> None:
        """How friends and co-workers are named ("my friend Jasmine", "Keisha and I")."""
        d = self.dispatch
        relations = [_term_regex(_fold(w)) for w in third_party.get("relations", ())]
        named = [_term_regex(_fold(w)) for w in third_party.get("named", ())]
        if relations:
            after = r"(?:\s*,)?\s+(?:(?:" + _alternation(named) + r")\s+)?(?=\w)" if named else r"\s+(?=\w)"
            d.add_alternation((rf"(?<!\w)(?:{r}){after}" for r in relations), _RELATION)
            if named:
                self.named = re.compile(r"(?:\s*,)?\s+(?P<n>(?:(?:" + _alternation(named) + r")\s+)?)\Z")
        for pattern in third_party.get("pair_before", []):
            d.add(_bounded(pattern), _PAIR_BEFORE)
        for pattern in third_party.get("pair_after", []):
            d.add(rf"(?<!\w)(?:{pattern})\s+(?=\w)", _PAIR_AFTER)

    def _add_rules(self, data: dict[str, Any]) -> None:
        """The rules: each one's patterns, then every term (ignored ones too) in one trie per key."""
        self.rules: list[Rule] = []
        term_rules: dict[str, list[int]] = {}
        for term in data.get("ignore", {}).get("terms", ()):
            key = _canonical(_fold(term))
            if key:
                term_rules.setdefault(key, [])
        for raw in data.get("rule", []):
            index = len(self.rules)
            self.rules.append(_rule(self.lang, raw))
            for term in raw.get("terms", ()):
                key = _canonical(_fold(term))
                if key:
                    term_rules.setdefault(key, []).append(index)
            patterns = raw.get("patterns", ())
            if patterns:
                self.dispatch.add_alternation((_bounded(p) for p in patterns), index)
        self.term_rules: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in term_rules.items()}
        # Every term, ignored ones included, in one alternation per key: the longest wins.
        self.dispatch.add_terms(term_rules, _TERM)

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
_CHOICES = {"person": ("any", "own"), "scope": ("clause", "phrase", "auto"), "third_scope": ("phrase", "rest")}


def _grammar_words(grammar: dict[str, Any]) -> Callable[[str], frozenset[str]]:
    def words(key: str) -> frozenset[str]:
        # Apostrophes stay: "we're" is not "were", "he'll" is not "hell".
        return frozenset(" ".join(_fold(w).split()) for w in grammar.get(key, ()))

    return words


def _rule(lang: str, raw: dict[str, Any]) -> Rule:
    """One ``[[rule]]`` of a lexicon, checked."""
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
    for field, allowed in _CHOICES.items():
        value = getattr(rule, field)
        if value not in allowed:
            raise LexiconError(f"lexicon {lang}: rule {rule.id} has unknown {field} {value!r}")
    return rule


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
