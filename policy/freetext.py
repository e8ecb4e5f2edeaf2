"""The one path free text takes out of a report.

Every piece of text a reporter wrote reaches a referral through :func:`redact_free_text`, and so
do ``python -m policy redact``, ``python -m policy evaluate`` and the redaction benchmark: what
is measured is exactly what ships. The path:

1. the redactor finds spans to remove, with every lexicon (people write Spanish on the English
   form and mix both in a sentence, so the form's language is no guide);
2. the spans a field keeps on purpose (the perpetrator's number in ``perp_phone``) are dropped;
3. the rest are replaced by one neutral marker per run;
4. review flags are found on what is left, for the advocate who decides whether the text leaves.

The output is checked: it must be the input with runs replaced by the marker, or nothing leaves.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from .errors import PolicyError, RedactorUnavailable
from .review import Flag

#: The neutral marker that replaces removed text. Must equal policy.redact.REMOVED.
REMOVED: Final = "[removed]"
#: The language code that runs every lexicon: the only one the production path uses.
ALL_LANGUAGES: Final = "mul"


class SpanLike(Protocol):
    """What policy.redact.Span provides."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def tag(self) -> str: ...


class Redactor(Protocol):
    """What the default redactor provides: policy.redact's functions and policy.review's flags."""

    def find_spans(self, text: str, lang: str, *, known: Iterable[str] = ()) -> Sequence[SpanLike]: ...
    def apply(self, text: str, spans: Sequence[SpanLike]) -> str: ...
    def removed_ranges(self, text: str, spans: Sequence[SpanLike]) -> list[tuple[int, int]]: ...
    def find_flags(self, text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]: ...


class _DefaultRedactor:
    """policy.redact and policy.review behind the Redactor protocol."""

    def __init__(self) -> None:
        try:
            module = importlib.import_module("policy.redact")
            review = importlib.import_module("policy.review")
        except ImportError as exc:
            raise RedactorUnavailable(
                f"the redactor cannot be imported ({exc.__class__.__name__}); no free text may leave"
            ) from None
        if getattr(module, "REMOVED", None) != REMOVED:
            raise RedactorUnavailable("policy.redact.REMOVED differs from the marker the referral checks")
        self.find_spans = module.find_spans
        self.apply = module.apply
        self.removed_ranges = module.removed_ranges
        self.find_flags = review.find_flags


def default_redactor() -> Redactor:
    """Return the production redactor; raise RedactorUnavailable if it cannot be loaded."""
    return _DefaultRedactor()


class OncePerText:
    """A redactor that finds the spans and flags of a given text once, for one page.

    The confirmation page builds a referral for each recipient the reporter chose, and each
    build redacts the same narrative with the same known values: the answer is the same, so
    it is found once and given again. Keep one for the length of a request and drop it: it
    holds what it was given, and must not outlive the page (nothing is kept between reports).
    """

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._spans: dict[tuple[str, str, tuple[str, ...]], Sequence[SpanLike]] = {}
        self._flags: dict[tuple[str, tuple[tuple[int, int], ...]], list[Flag]] = {}
        self.apply = redactor.apply
        self.removed_ranges = redactor.removed_ranges

    def find_spans(self, text: str, lang: str, *, known: Iterable[str] = ()) -> Sequence[SpanLike]:
        key = (text, lang, tuple(known))
        if key not in self._spans:
            self._spans[key] = tuple(self._redactor.find_spans(text, lang, known=key[2]))
        return self._spans[key]

    def find_flags(self, text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]:
        key = (text, tuple((start, end) for start, end in removed))
        if key not in self._flags:
            self._flags[key] = list(self._redactor.find_flags(text, removed))
        return list(self._flags[key])


@dataclass(frozen=True, slots=True)
class Redaction:
    """One piece of free text after the path: what it was, what leaves, what was removed and flagged.

    ``spans`` and ``runs`` are offsets into ``source``; ``flags`` too (see :meth:`flags_in_text`
    for offsets into ``text``). Content: for the advocate's screen, never for a log or a trace.
    """

    source: str
    text: str
    spans: tuple[SpanLike, ...]
    runs: tuple[tuple[int, int], ...]
    flags: tuple[Flag, ...]

    def to_output(self, pos: int) -> int:
        """Map an offset of ``source`` outside every run to the same place in ``text``."""
        shift = 0
        for s, e in self.runs:
            if s >= pos:
                break
            if e > pos:
                raise ValueError("offset inside a removed run")
            shift += (e - s) - len(REMOVED)
        return pos - shift

    def flags_in_text(self) -> list[Flag]:
        """Return the flags with offsets into ``text`` (the redacted text)."""
        return [Flag(self.to_output(f.start), self.to_output(f.end), f.reason) for f in self.flags]

    def segments(self) -> list[tuple[str, str, str]]:
        """Cut ``source`` into (kind, text, reason) pieces: "plain", "removed" or "flag".

        For display: removed runs struck, flags highlighted. Where flags overlap, the first
        one's reason names the piece.
        """
        marks: list[tuple[int, int, str, str]] = [(s, e, "removed", "") for s, e in self.runs]
        marks += [(f.start, f.end, "flag", f.reason) for f in self.flags]
        marks.sort(key=lambda m: (m[0], -m[1]))
        out: list[tuple[str, str, str]] = []
        pos = 0
        for s, e, kind, reason in marks:
            if e <= pos:
                continue
            begin = max(s, pos)
            if begin > pos:
                out.append(("plain", self.source[pos:begin], ""))
            out.append((kind, self.source[begin:e], reason))
            pos = e
        if pos < len(self.source):
            out.append(("plain", self.source[pos:], ""))
        return out


def derivable(built: str, edited: str, marker: str = REMOVED) -> bool:
    """Whether `edited` can be made from `built` by replacing non-empty substrings with `marker`.

    Every stretch of `edited` between markers must then be a stretch of `built`, in order, with
    at least one character of `built` under each marker: nothing can be added or restored, only
    hidden. (Markers already in `built` are matched like any other removed stretch.) Greedy
    leftmost matching is exact for this kind of pattern and runs in linear-ish time, which
    matters because the input comes from a form anyone could forge.
    """
    parts = edited.split(marker)
    if len(parts) == 1:
        return edited == built
    first, *middle, last = parts
    if not built.startswith(first):
        return False
    pos = len(first)
    for segment in middle:
        # The marker before `segment` must hide at least one character.
        found = built.find(segment, pos + 1)
        if found < 0:
            return False
        pos = found + len(segment)
    return len(built) - len(last) >= pos + 1 and built.endswith(last)


def _replaced(text: str, runs: Sequence[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in runs:
        out += [text[pos:s], REMOVED]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def redact_free_text(
    text: str,
    *,
    known: Iterable[str] = (),
    keep: frozenset[str] = frozenset(),
    redactor: Redactor | None = None,
) -> Redaction:
    """Redact one piece of free text exactly as a referral does, and flag what is left.

    ``known`` holds the reporter's own identifiers (every occurrence goes); ``keep`` the span
    tags this field keeps as its own content. Raise PolicyError if the redactor misbehaves
    (a span outside the text, output that is not the input with runs replaced).
    """
    r = redactor if redactor is not None else default_redactor()
    spans = list(r.find_spans(text, ALL_LANGUAGES, known=known))
    for s in spans:
        if not (0 <= s.start <= s.end <= len(text)):
            raise PolicyError("redactor returned a span outside the text")
    # A perpetrator field keeps the detections that are its own content (the perpetrator's
    # number in perp_phone); every other detection in it, and the reporter's own identifiers
    # (a separate pii.reporter span over the same text), still go.
    if "pii.reporter" in keep:
        # Her own identifier, shared on purpose: the name detector's span over the same words (a
        # first name also reads as someone's name) is her identifier too, and stays with it.
        # Anything else inside it ("Jade, I was working") still goes.
        own = [(s.start, s.end) for s in spans if s.tag == "pii.reporter"]
        spans = [
            s for s in spans if not (s.tag == "pii.third_party" and any(a <= s.start and s.end <= b for a, b in own))
        ]
    spans = [s for s in spans if s.tag not in keep]
    output = r.apply(text, spans)
    runs = tuple(r.removed_ranges(text, spans))
    if (
        not isinstance(output, str)
        or output != _replaced(text, runs)
        or not (output == text or derivable(text, output))
    ):
        # The redactor may only hide text; anything else is a bug we refuse to ship.
        raise PolicyError("redactor output is not the input with spans replaced by the marker")
    flags = tuple(f for f in r.find_flags(text, runs) if 0 <= f.start < f.end <= len(text))
    if any(s < f.end and f.start < e for f in flags for s, e in runs):
        raise PolicyError("a review flag lies inside a removed run")
    return Redaction(text, output, tuple(spans), runs, flags)
