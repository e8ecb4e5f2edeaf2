"""Measure the free-text path against a labelled corpus: leak, caught, keep and flag coverage.

A corpus is JSON Lines, one narrative a line::

    {"id": "...", "lang": "en", "text": "...", "must_go": ["..."], "must_stay": ["..."]}

Phrases are exact substrings of ``text``. Optional ``known`` lists the reporter's own
identifiers, passed as the referral builder passes them; optional ``kind`` groups the figures.
``lang`` groups the figures too, but does not choose the lexicons: every text takes the
production path, :func:`policy.freetext.redact_free_text`, which runs every lexicon.

The metrics, exactly:

* a must-go phrase LEAKS unless every non-whitespace character of every occurrence of it lies
  inside a removed run;
* a must-go phrase is CAUGHT when every non-whitespace character of every occurrence of it lies
  inside a removed run or inside a review flag (a reviewer sees it struck or highlighted);
* a must-stay phrase is KEPT if no character of any occurrence of it lies inside a removed run
  (a flag does not count against it: flagged text is still there);
* leak rate = leaked / must-go; caught rate = caught / must-go; keep rate = kept / must-stay;
* flag coverage = characters of the source texts inside a flag / all their characters, over
  the ``clean`` narratives (nothing to remove, so every flag there is a false alarm), and
  over all narratives.

"Removed run" is what ``policy.redact.apply`` replaces (``removed_ranges``): the spans merged,
including the whitespace between two spans that ``apply`` swallows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from policy import freetext


class CorpusError(ValueError):
    """A corpus line is not a valid record; the message names the file and line."""


#: What a character of a source text became: left as it was, removed, or flagged for review.
PLAIN, REMOVED, FLAGGED = 0, 1, 2
CLEAN_KIND = "clean"


@dataclass(slots=True)
class Tally:
    """Counts for one slice of a corpus (a file, a language, a kind, or everything)."""

    must_go: int = 0
    leaked: int = 0
    caught: int = 0
    must_stay: int = 0
    kept: int = 0
    records: int = 0
    chars: int = 0
    flagged_chars: int = 0
    clean_chars: int = 0
    clean_flagged_chars: int = 0

    @property
    def leak_rate(self) -> float:
        return self.leaked / self.must_go if self.must_go else 0.0

    @property
    def caught_rate(self) -> float:
        return self.caught / self.must_go if self.must_go else 1.0

    @property
    def keep_rate(self) -> float:
        return self.kept / self.must_stay if self.must_stay else 1.0

    @property
    def flag_coverage(self) -> float:
        """Share of the characters of clean narratives that lie inside a flag."""
        return self.clean_flagged_chars / self.clean_chars if self.clean_chars else 0.0

    @property
    def flag_coverage_all(self) -> float:
        """Share of the characters of every narrative that lie inside a flag."""
        return self.flagged_chars / self.chars if self.chars else 0.0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "must_go": self.must_go,
            "leaked": self.leaked,
            "leak_rate": round(self.leak_rate, 6),
            "caught": self.caught,
            "caught_rate": round(self.caught_rate, 6),
            "must_stay": self.must_stay,
            "kept": self.kept,
            "keep_rate": round(self.keep_rate, 6),
            "chars": self.chars,
            "flagged_chars": self.flagged_chars,
            "flag_coverage_all": round(self.flag_coverage_all, 6),
            "clean_chars": self.clean_chars,
            "clean_flagged_chars": self.clean_flagged_chars,
            "flag_coverage": round(self.flag_coverage, 6),
        }


@dataclass(slots=True)
class Miss:
    """A must-go phrase not caught ("missed"), or caught only by a flag ("flagged"), or a lost
    must-stay phrase ("lost")."""

    id: str
    lang: str
    phrase: str
    kind: str


@dataclass(slots=True)
class Report:
    """The evaluation of one or more corpus files."""

    files: dict[str, Tally] = field(default_factory=dict)
    languages: dict[str, Tally] = field(default_factory=dict)
    kinds: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    misses: list[Miss] = field(default_factory=list)

    def as_dict(self, *, verbose: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "total": self.total.as_dict(),
            "files": {name: t.as_dict() for name, t in self.files.items()},
            "languages": {lang: t.as_dict() for lang, t in sorted(self.languages.items())},
            "kinds": {kind: t.as_dict() for kind, t in sorted(self.kinds.items())},
        }
        if verbose:
            for kind in ("missed", "flagged", "lost"):
                out[kind] = [{"id": m.id, "lang": m.lang, "phrase": m.phrase} for m in self.misses if m.kind == kind]
        return out


def _occurrences(text: str, phrase: str) -> Iterator[int]:
    start = text.find(phrase)
    while start >= 0:
        yield start
        start = text.find(phrase, start + 1)


def marks(text: str, runs: Iterable[tuple[int, int]], flags: Iterable[tuple[int, int]]) -> bytearray:
    """What each character of ``text`` became: PLAIN, REMOVED or FLAGGED (a removal wins)."""
    mask = bytearray(len(text))
    for s, e in flags:
        mask[s:e] = bytes([FLAGGED]) * (e - s)
    for s, e in runs:
        mask[s:e] = bytes([REMOVED]) * (e - s)
    return mask


def _uncovered(text: str, mask: bytearray, phrase: str, covered: frozenset[int]) -> bool:
    for start in _occurrences(text, phrase):
        for i, ch in enumerate(phrase, start):
            if not ch.isspace() and mask[i] not in covered:
                return True
    return False


def phrase_leaks(text: str, mask: bytearray, phrase: str) -> bool:
    """Whether a must-go phrase leaks: some non-whitespace character of it is not removed."""
    return _uncovered(text, mask, phrase, frozenset({REMOVED}))


def phrase_caught(text: str, mask: bytearray, phrase: str) -> bool:
    """Whether a must-go phrase is caught: each non-whitespace character is removed or flagged."""
    return not _uncovered(text, mask, phrase, frozenset({REMOVED, FLAGGED}))


def phrase_kept(text: str, mask: bytearray, phrase: str) -> bool:
    """Whether a must-stay phrase is kept: no character of it is removed (flags do not count)."""
    return all(REMOVED not in mask[start : start + len(phrase)] for start in _occurrences(text, phrase))


def _str_list(record: dict[str, Any], key: str, where: str) -> list[str]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CorpusError(f"{where}: {key!r} must be a list of non-empty strings")
    return value


def read_corpus(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) from a JSON Lines corpus; raise CorpusError on a bad line."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            where = f"{path}:{number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise CorpusError(f"{where}: not UTF-8") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise CorpusError(f"{where}: a record must be a JSON object")
            if not isinstance(record.get("text"), str):
                raise CorpusError(f"{where}: 'text' must be a string")
            for key in ("must_go", "must_stay"):
                for phrase in _str_list(record, key, where):
                    if phrase not in record["text"]:
                        raise CorpusError(f"{where}: {key} phrase is not a substring of the text")
            _str_list(record, "known", where)
            yield number, record


def score_record(record: dict[str, Any], report: Report, redactor: freetext.Redactor | None = None) -> Tally:
    """Send one record down the production path and score it; misses go to ``report``.

    ``redactor`` is for experiments (scripts/review_loso.py measures other flaggers on the same
    path); the command line always uses the production one.
    """
    text: str = record["text"]
    lang = str(record.get("lang") or "und")
    rid = str(record.get("id", ""))
    redaction = freetext.redact_free_text(text, known=record.get("known", ()), redactor=redactor)
    mask = marks(text, redaction.runs, ((f.start, f.end) for f in redaction.flags))
    flagged = mask.count(FLAGGED)
    tally = Tally(records=1, chars=len(text), flagged_chars=flagged)
    if record.get("kind") == CLEAN_KIND:
        tally.clean_chars, tally.clean_flagged_chars = len(text), flagged
    for phrase in record.get("must_go", []):
        tally.must_go += 1
        leaks = phrase_leaks(text, mask, phrase)
        caught = phrase_caught(text, mask, phrase)
        tally.leaked += leaks
        tally.caught += caught
        if not caught:
            report.misses.append(Miss(rid, lang, phrase, "missed"))
        elif leaks:
            report.misses.append(Miss(rid, lang, phrase, "flagged"))
    for phrase in record.get("must_stay", []):
        tally.must_stay += 1
        if phrase_kept(text, mask, phrase):
            tally.kept += 1
        else:
            report.misses.append(Miss(rid, lang, phrase, "lost"))
    return tally


def evaluate_records(
    records: Iterable[dict[str, Any]], name: str, report: Report, redactor: freetext.Redactor | None = None
) -> None:
    """Add the records of one corpus file to ``report``."""
    file_tally = report.files.setdefault(name, Tally())
    for record in records:
        tally = score_record(record, report, redactor)
        file_tally.add(tally)
        report.languages.setdefault(str(record.get("lang") or "und"), Tally()).add(tally)
        if isinstance(record.get("kind"), str):
            report.kinds.setdefault(record["kind"], Tally()).add(tally)
        report.total.add(tally)


def evaluate_files(paths: Iterable[Path]) -> Report:
    """Evaluate the redactor on each corpus file; raise CorpusError on a bad file or line."""
    report = Report()
    for path in paths:
        try:
            records = [record for _, record in read_corpus(path)]
        except OSError as exc:
            raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
        evaluate_records(records, str(path), report)
    return report


def format_report(report: Report, *, verbose: bool = False) -> str:
    """Render a report as plain text: per file, language, kind, total; misses when verbose."""

    def line(label: str, t: Tally) -> str:
        clean = f"{t.flag_coverage:6.2%}" if t.clean_chars else "     -"
        return (
            f"{label:<38} n {t.records:>4}  leak {t.leak_rate:7.2%} ({t.leaked}/{t.must_go})"
            f"  caught {t.caught_rate:7.2%} ({t.caught}/{t.must_go})"
            f"  keep {t.keep_rate:7.2%} ({t.kept}/{t.must_stay})"
            f"  flags: clean {clean} all {t.flag_coverage_all:6.2%}"
        )

    out = [line(name, t) for name, t in report.files.items()]
    out.extend(line(f"  lang {lang}", t) for lang, t in sorted(report.languages.items()))
    out.extend(line(f"  kind {kind}", t) for kind, t in sorted(report.kinds.items()))
    out.append(line("total", report.total))
    if verbose:
        out.extend(f"{m.kind:<7} {m.id} [{m.lang}] {m.phrase!r}" for m in report.misses if m.kind != "flagged")
    return "\n".join(out)
