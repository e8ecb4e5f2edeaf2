"""Measure the redactor against a labelled corpus: leak rate and keep rate.

A corpus is JSON Lines, one narrative a line::

    {"id": "...", "lang": "en", "text": "...", "must_go": ["..."], "must_stay": ["..."]}

Phrases are exact substrings of ``text``. Optional ``known`` lists the reporter's own
identifiers, passed to the redactor as they would be by the referral builder; optional
``kind`` groups the figures.

The metric, exactly:

* a must-go phrase LEAKS unless every non-whitespace character of every occurrence of it lies
  inside a removed run;
* a must-stay phrase is KEPT if no character of any occurrence of it lies inside a removed run;
* leak rate = leaked / must-go phrases; keep rate = kept / must-stay phrases.

"Removed run" is what ``policy.redact.apply`` replaces (``removed_ranges``): the spans merged,
including the whitespace between two spans that ``apply`` swallows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy import redact


class CorpusError(ValueError):
    """A corpus line is not a valid record; the message names the file and line."""


@dataclass(slots=True)
class Tally:
    """Counts for one slice of a corpus (a file, a language, or everything)."""

    must_go: int = 0
    leaked: int = 0
    must_stay: int = 0
    kept: int = 0
    records: int = 0

    @property
    def leak_rate(self) -> float:
        return self.leaked / self.must_go if self.must_go else 0.0

    @property
    def keep_rate(self) -> float:
        return self.kept / self.must_stay if self.must_stay else 1.0

    def add(self, other: Tally) -> None:
        self.must_go += other.must_go
        self.leaked += other.leaked
        self.must_stay += other.must_stay
        self.kept += other.kept
        self.records += other.records

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "must_go": self.must_go,
            "leaked": self.leaked,
            "leak_rate": round(self.leak_rate, 6),
            "must_stay": self.must_stay,
            "kept": self.kept,
            "keep_rate": round(self.keep_rate, 6),
        }


@dataclass(slots=True)
class Miss:
    """A leaked must-go phrase or a lost must-stay phrase."""

    id: str
    lang: str
    phrase: str
    kind: str  # "leaked" or "lost"


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
            out["leaked"] = [
                {"id": m.id, "lang": m.lang, "phrase": m.phrase} for m in self.misses if m.kind == "leaked"
            ]
            out["lost"] = [{"id": m.id, "lang": m.lang, "phrase": m.phrase} for m in self.misses if m.kind == "lost"]
        return out


def _occurrences(text: str, phrase: str) -> Iterator[int]:
    start = text.find(phrase)
    while start >= 0:
        yield start
        start = text.find(phrase, start + 1)


def _covered(runs: list[tuple[int, int]], n: int) -> bytearray:
    mask = bytearray(n)
    for s, e in runs:
        mask[s:e] = b"\x01" * (e - s)
    return mask


def phrase_leaks(text: str, mask: bytearray, phrase: str) -> bool:
    """Whether a must-go phrase leaks: some non-whitespace character of it is not removed."""
    for start in _occurrences(text, phrase):
        for i, ch in enumerate(phrase, start):
            if not ch.isspace() and not mask[i]:
                return True
    return False


def phrase_kept(text: str, mask: bytearray, phrase: str) -> bool:
    """Whether a must-stay phrase is kept: no character of it is removed."""
    return all(not any(mask[start : start + len(phrase)]) for start in _occurrences(text, phrase))


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


def evaluate_records(records: Iterable[dict[str, Any]], name: str, report: Report) -> None:
    """Add the records of one corpus file to ``report``."""
    file_tally = report.files.setdefault(name, Tally())
    for record in records:
        text: str = record["text"]
        lang = str(record.get("lang") or "und")
        rid = str(record.get("id", ""))
        spans = redact.find_spans(text, lang, known=record.get("known", ()))
        mask = _covered(redact.removed_ranges(text, spans), len(text))
        tally = Tally(records=1)
        for phrase in record.get("must_go", []):
            tally.must_go += 1
            if phrase_leaks(text, mask, phrase):
                tally.leaked += 1
                report.misses.append(Miss(rid, lang, phrase, "leaked"))
        for phrase in record.get("must_stay", []):
            tally.must_stay += 1
            if phrase_kept(text, mask, phrase):
                tally.kept += 1
            else:
                report.misses.append(Miss(rid, lang, phrase, "lost"))
        file_tally.add(tally)
        report.languages.setdefault(lang, Tally()).add(tally)
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
    """Render a report as plain text: per file, per language, per kind, total; misses when verbose."""

    def line(label: str, t: Tally) -> str:
        return (
            f"{label:<40} records {t.records:>5}   leak {t.leak_rate:7.2%} ({t.leaked}/{t.must_go})"
            f"   keep {t.keep_rate:7.2%} ({t.kept}/{t.must_stay})"
        )

    out = [line(name, t) for name, t in report.files.items()]
    out.extend(line(f"  lang {lang}", t) for lang, t in sorted(report.languages.items()))
    out.extend(line(f"  kind {kind}", t) for kind, t in sorted(report.kinds.items()))
    out.append(line("total", report.total))
    if verbose:
        for m in report.misses:
            out.append(f"{m.kind:<7} {m.id} [{m.lang}] {m.phrase!r}")
    return "\n".join(out)
