"""Shared helpers for the policy tests: loaded data, and the redactor to test with.

Deliberately not a conftest.py: tests/policy is shared with the redactor's tests, and these
helpers must not change how other tests run. No Django anywhere.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policy.catalogue import default_catalogue
from policy.freetext import default_redactor
from policy.packs import default_packs
from policy.profiles import default_profiles
from policy.referral import REMOVED, Redactor, Referral
from policy.review import Flag


@dataclass(frozen=True, slots=True)
class StandInSpan:
    start: int
    end: int
    tag: str


class StandInRedactor:
    """A tiny stand-in for policy.redact, used only when the real module is missing.

    It removes the reporter's known values and a few trigger words, with the same interface.
    """

    REMOVED = REMOVED
    WORDS = ("working", "paid", "meth", "undocumented", "trabajando", "me pagó")

    def find_spans(self, text: str, lang: str, *, known: Iterable[str] = ()) -> list[StandInSpan]:
        spans = []
        for value in known:
            if value:
                spans += [
                    StandInSpan(m.start(), m.end(), "pii.reporter") for m in re.finditer(re.escape(value), text, re.I)
                ]
        for word in self.WORDS:
            spans += [StandInSpan(m.start(), m.end(), "sex_trade") for m in re.finditer(re.escape(word), text, re.I)]
        return sorted(spans, key=lambda s: (s.start, s.end))

    def removed_ranges(self, text: str, spans: Sequence[StandInSpan]) -> list[tuple[int, int]]:
        runs: list[tuple[int, int]] = []
        for s in sorted(spans, key=lambda s: (s.start, s.end)):
            if runs and s.start <= runs[-1][1]:
                runs[-1] = (runs[-1][0], max(runs[-1][1], s.end))
            else:
                runs.append((s.start, s.end))
        return runs

    def apply(self, text: str, spans: Sequence[StandInSpan]) -> str:
        out, pos = [], 0
        for s, e in self.removed_ranges(text, spans):
            out += [text[pos:s], REMOVED]
            pos = e
        out.append(text[pos:])
        return "".join(out)

    def find_flags(self, text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]:
        return []


def real_redactor() -> Redactor | None:
    """Return the production redactor (policy.redact with policy.review) if it loads, else None."""
    if importlib.util.find_spec("policy.redact") is None:
        return None
    return default_redactor()


#: The real redactor when it exists (test against it), else the stand-in.
REDACTOR: Redactor = real_redactor() or StandInRedactor()
CATALOGUE = default_catalogue()
PROFILES = dict(default_profiles())
PACKS = default_packs()


def assert_removed(lang: str, text: str, gone: Iterable[str]) -> None:
    """The real redactor removes every one of ``gone`` from ``text`` and leaves the marker."""
    from policy.redact import redact

    result = redact(text, lang)[0]
    for word in gone:
        assert word not in result, (text, result)
    assert REMOVED in result


def assert_unchanged(lang: str, text: str) -> None:
    """The real redactor leaves ``text`` exactly as it is."""
    from policy.redact import redact

    assert redact(text, lang)[0] == text


def include_all(referral: Referral) -> Referral:
    """Include every held free-text field, as an advocate who ticked them all would."""
    for held in referral.held:
        referral = referral.include(held.id)
    return referral
