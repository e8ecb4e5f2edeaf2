"""policy.evaluate: the caught, leak, keep and coverage arithmetic, and that the command line,
the evaluation and the benchmark all take the production path (policy.freetext)."""

from __future__ import annotations

import importlib
import io
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from policy import cli_redact, evaluate, freetext
from policy.review import Flag

from .support import StandInSpan

ROOT = Path(__file__).resolve().parents[2]


class Marked:
    """A redactor that removes every "XX" and flags every "FF": figures that can be counted by hand."""

    def find_spans(self, text: str, lang: str, *, known: Iterable[str] = ()) -> list[StandInSpan]:
        return [StandInSpan(m.start(), m.end(), "sex_trade") for m in re.finditer("XX", text)]

    def removed_ranges(self, text: str, spans: Sequence[StandInSpan]) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in spans]

    def apply(self, text: str, spans: Sequence[StandInSpan]) -> str:
        return text.replace("XX", freetext.REMOVED)

    def find_flags(self, text: str, removed: Sequence[tuple[int, int]] = ()) -> list[Flag]:
        return [Flag(m.start(), m.end(), "money") for m in re.finditer("FF", text)]


RECORDS = [
    # clean: 2 of its 12 characters are flagged
    {"id": "c1", "lang": "en", "kind": "clean", "text": "aaaa FF bbbb", "must_go": [], "must_stay": ["aaaa", "FF"]},
    # "XX FF" leaks (FF stays) but is caught (XX removed, FF flagged); "YY" is neither; "ZZ" is kept
    {"id": "n1", "lang": "es", "kind": "pii", "text": "XX FF YY ZZ", "must_go": ["XX FF", "YY"], "must_stay": ["ZZ"]},
    # "XX" is removed: neither leaked nor missed; "q XX" loses its must-stay phrase
    {"id": "n2", "lang": "en", "kind": "pii", "text": "q XX", "must_go": ["XX"], "must_stay": ["q XX"]},
]


def test_caught_leak_keep_and_coverage_by_hand(monkeypatch):
    monkeypatch.setattr(freetext, "default_redactor", Marked)
    report = evaluate.Report()
    evaluate.evaluate_records(RECORDS, "tiny", report)
    t = report.total
    assert (t.must_go, t.leaked, t.caught) == (3, 2, 2)
    assert (t.must_stay, t.kept) == (4, 3)  # "FF" is flagged and still kept; "q XX" is lost
    assert t.caught_rate == pytest.approx(2 / 3)
    assert t.flag_coverage == pytest.approx(2 / 12)
    assert t.flag_coverage_all == pytest.approx(4 / (12 + 11 + 4))
    assert report.kinds["clean"].flag_coverage == pytest.approx(2 / 12)
    assert report.kinds["pii"].clean_chars == 0
    assert report.languages["es"].caught == 1
    misses = {(m.id, m.phrase, m.kind) for m in report.misses}
    assert misses == {("n1", "XX FF", "flagged"), ("n1", "YY", "missed"), ("n2", "q XX", "lost")}
    data = report.as_dict(verbose=True)
    assert data["total"]["caught"] == 2
    assert [m["phrase"] for m in data["missed"]] == ["YY"]
    assert "missed  n1 [es] 'YY'" in evaluate.format_report(report, verbose=True)


def test_a_phrase_is_caught_only_when_every_character_is_covered():
    text = "ab cd ef"
    mask = evaluate.marks(text, [(0, 2)], [(3, 5)])
    assert evaluate.phrase_caught(text, mask, "ab cd")  # the space between does not count
    assert not evaluate.phrase_caught(text, mask, "cd ef")
    assert evaluate.phrase_leaks(text, mask, "ab cd")
    assert evaluate.phrase_kept(text, mask, "cd")  # flagged, not removed


@pytest.fixture
def calls(monkeypatch):
    seen: list[str] = []
    real = freetext.redact_free_text

    def spy(text, **kwargs):
        seen.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(freetext, "redact_free_text", spy)
    return seen


def test_the_redact_command_takes_the_production_path(calls):
    out = io.BytesIO()
    line = json.dumps({"id": 1, "text": "He paid me 80.", "lang": "en"}).encode() + b"\n"
    assert cli_redact.run_redact(io.BytesIO(line), out, io.StringIO(), review=True) == 0
    assert calls == ["He paid me 80."]


def test_evaluate_takes_the_production_path(calls, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in RECORDS[:2]))
    evaluate.evaluate_files([corpus])
    assert calls == [RECORDS[0]["text"], RECORDS[1]["text"]]


def test_the_benchmark_takes_the_production_path(calls, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    bench = importlib.import_module("bench_redact")
    bench._round([("en", "I was working on the stroll.")], None)
    assert calls == ["I was working on the stroll."]
    sys.modules.pop("bench_redact", None)


def test_the_referral_benchmark_report_validates_and_fills_every_field(monkeypatch):
    """bench_referral's long report passes the real form, with every answer field filled."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    bench = importlib.import_module("bench_referral")
    try:
        data = bench.long_report()
    finally:
        sys.modules.pop("bench_referral", None)
    assert len(data["narrative"].encode()) >= bench.NARRATIVE_BYTES
    assert data["consent_share_contact"] == "yes"
