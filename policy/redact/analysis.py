"""Clause analysis: who a clause is about (the reporter, someone else, or a relative phrase),
and how far a phrase extends to the left (docs/redaction.md, "How it works", steps 4 and 5).
"""

from __future__ import annotations

import itertools
import re

from .clauses import Clauses
from .lexicon import FIRST, THIRD, UNKNOWN, Lexicon
from .text import _WORD, Folded, _canonical_cached, _wordset

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
        prev, nxt = self._neighbours(words, i)
        found = self._subject_marker(words, i, prev, nxt)
        if found != _NEIGHBOURS:
            return found
        return self._verb_marker(words[i], prev)

    def _neighbours(self, words: list[re.Match[str]], i: int) -> tuple[str, str]:
        """The words before and after word ``i`` ("" at the text's edges)."""
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
        return prev, nxt

    def _subject_marker(self, words: list[re.Match[str]], i: int, prev: str, nxt: str) -> str | None:
        """The person word ``i`` marks as a subject pronoun or noun; ``_NEIGHBOURS`` if it is none."""
        lex = self.lex
        key = words[i].group()
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
        return _NEIGHBOURS

    def _verb_marker(self, word: re.Match[str], prev: str) -> str | None:
        """The person a verb says: listed forms, an accented preterite, a verb ending."""
        lex = self.lex
        key = word.group()
        if key in lex.first_verbs or f"{prev} {key}" in lex.first_verbs:
            return FIRST
        if key in lex.third_verbs:
            return THIRD
        if lex.accent_person:
            found = _accent_person(self.folded.original_of(word.start(), word.end()))
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
        if first is not None:
            if first.group() in self.lex.first_subject and words and words[-1].group() in self.lex.antecedents:
                # The trigger is itself a relative clause: "this old dude [i was seein for $$]".
                return RELATIVE, trigger
            if trigger >= np_start and end is not None:
                found = self._person_inside(k, words, np_start, trigger, end)
                if found is not None:
                    return found
        found = self._person_before(k, words, np_start)
        if found is None:
            found = self._person_around(k, words, np_start, opens_as_subject=opens_as_subject)
        if found is None:
            found = self._person_inherited(k, np_start, end)
        return found

    def _person_inside(
        self, k: int, words: list[re.Match[str]], np_start: int, trigger: int, end: int
    ) -> tuple[str, int] | None:
        """The trigger's own words may say the person: "trabajamos", "fumé", "por lo que hago"."""
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
        return None

    def _person_before(self, k: int, words: list[re.Match[str]], np_start: int) -> tuple[str, int] | None:
        """The nearest subject before the trigger in its clause."""
        quiet = self._quiet
        for i in range(len(words) - 1, -1, -1):
            if quiet(words[i]):
                continue  # says no person, whatever surrounds it (the usual word)
            found = self._marker(words, i)
            if found is None:
                continue
            if found == FIRST and self._relative(_previous(words, i), k):
                if len(words) - i > 3:
                    return THIRD, np_start
                # The trigger is the relative clause's own verb or object.
                if i == 0:
                    return RELATIVE, self._antecedent_start(k)
                return RELATIVE, self._extend_modifiers(words, i - 1, words[i - 1].start())
            return found, np_start
        return None

    def _person_around(
        self, k: int, words: list[re.Match[str]], np_start: int, *, opens_as_subject: bool
    ) -> tuple[str, int] | None:
        """No subject before the trigger: what opens the clause or comes before it may say."""
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
        return None

    def _person_inherited(self, k: int, np_start: int, end: int | None) -> tuple[str, int]:
        """The subject carried over from the clauses before in the sentence, or after the
        predicate ("estaba bien pedo él"), or nobody found."""
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
