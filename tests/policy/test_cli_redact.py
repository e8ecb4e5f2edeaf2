"""`python -m policy redact` and `python -m policy evaluate`, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policy.review import REASONS

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "policy", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120, check=False
    )


def test_it_round_trips_json_lines():
    lines = [
        {"id": "a1", "text": "I was high. He hit me in the face. Call 510-555-0175.", "lang": "en"},
        {"id": 7, "text": "Yo andaba con tina. Él me pegó con un tubo.", "lang": "es"},
        {"id": "u", "text": "😡 I had meth on me 💊", "lang": "zz"},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    proc = run(["redact"], stdin)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [a["id"] for a in answers] == ["a1", 7, "u"]
    for line, answer in zip(lines, answers, strict=True):
        text = line["text"]
        assert set(answer) == {"id", "text", "spans"}
        for span in answer["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
        # The redacted text is the input with the spans replaced.
        rebuilt = text
        for span in sorted(answer["spans"], key=lambda s: -s["start"]):
            rebuilt = rebuilt[: span["start"]] + "\x00" * (span["end"] - span["start"]) + rebuilt[span["end"] :]
        assert "\x00" in rebuilt
    assert "high" not in answers[0]["text"]
    assert "0175" not in answers[0]["text"]
    assert "He hit me in the face" in answers[0]["text"]
    assert "tina" not in answers[1]["text"]
    assert "me pegó con un tubo" in answers[1]["text"]
    assert "meth" not in answers[2]["text"]


def test_known_identifiers_on_the_line():
    stdin = json.dumps({"id": 1, "text": "Ask for Marisol.", "lang": "en", "known": ["Marisol"]}).encode() + b"\n"
    proc = run(["redact"], stdin)
    assert proc.returncode == 0
    assert "Marisol" not in proc.stdout.decode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"not json", "line 2: not valid JSON"),
        (b"[1, 2]", "line 2: expected a JSON object"),
        (b'{"text": "x"}', "line 2: missing 'id'"),
        (b'{"id": 1, "text": 5}', "line 2: 'text' must be a string"),
        (b'{"id": 1, "text": "x", "lang": 3}', "line 2: 'lang' must be a string"),
        (b"\xff\xfe", "line 2: not UTF-8"),
    ],
)
def test_bad_lines_are_named_without_traceback(line, message):
    good = b'{"id": 1, "text": "I was high", "lang": "en"}\n'
    proc = run(["redact"], good + line + b"\n" + good)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert message in err
    assert "Traceback" not in err
    # Good lines are still answered, and the bad line's content is not echoed.
    assert len(proc.stdout.decode().splitlines()) == 2
    assert "high" not in proc.stdout.decode()


def test_blank_lines_are_skipped():
    proc = run(["redact"], b'\n{"id": 1, "text": "hello", "lang": "en"}\n\n')
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"id": 1, "text": "hello", "spans": []}


def write_corpus(path: Path) -> None:
    records = [
        {
            "id": "t1",
            "lang": "en",
            "text": "I was working. He punched me. I had a knife for protection.",
            "must_go": ["I was working", "I had a knife for protection"],
            "must_stay": ["He punched me"],
        },
        {
            "id": "t2",
            "lang": "es",
            "text": "Estaba trabajando cuando él me golpeó.",
            "must_go": ["Estaba trabajando"],
            "must_stay": ["él me golpeó"],
        },
        {
            "id": "t3",
            "lang": "en",
            "text": "He was wearing a red hoodie.",
            "must_go": [],
            "must_stay": ["red hoodie"],
        },
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_evaluate_prints_rates(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus)
    proc = run(["evaluate", str(corpus), "--verbose"])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "total" in out
    assert "lang en" in out
    assert "lang es" in out
    assert "(0/3)" in out  # leaked/must-go
    assert "(3/3)" in out  # kept/must-stay


def test_evaluate_json_and_targets(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus)
    proc = run(["evaluate", str(corpus), "--json", "--max-leak", "0.01", "--min-keep", "0.95"])
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["total"]["must_go"] == 3
    assert data["total"]["leaked"] == 0
    assert data["total"]["keep_rate"] == 1.0
    assert set(data["languages"]) == {"en", "es"}


def test_evaluate_fails_when_a_target_is_missed(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "x", "lang": "en", "text": "The sky is blue today.", "must_go": ["blue"], "must_stay": []})
        + "\n"
    )
    proc = run(["evaluate", str(corpus), "--max-leak", "0.01", "--verbose"])
    assert proc.returncode == 1
    assert "missed  x [en] 'blue'" in proc.stdout.decode()
    assert "target missed" in proc.stderr.decode()


def test_evaluate_rejects_a_bad_corpus(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "x", "text": "abc", "must_go": ["zzz"]}\n')
    proc = run(["evaluate", str(corpus)])
    assert proc.returncode == 2
    assert "c.jsonl:1" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    proc = run(["evaluate", str(tmp_path / "missing.jsonl")])
    assert proc.returncode == 2


def test_review_flags_point_into_the_output_text():
    lines = [
        {"id": "r1", "text": "He found my listing on Tryst and sent the deposit on Venmo. He hit me.", "lang": "en"},
        {"id": "r2", "text": "Quedamos en 60 por un rato. Mi amiga la Chata vio todo.", "lang": "es"},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    proc = run(["redact", "--review"], stdin)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    for line, answer in zip(lines, answers, strict=True):
        assert set(answer) == {"id", "text", "spans", "review"}
        assert answer["review"], answer
        for start, end, reason in answer["review"]:
            piece = answer["text"][start:end]
            assert 0 <= start < end <= len(answer["text"])
            assert reason in REASONS
            assert "[removed]" not in piece
            assert piece in line["text"]  # flagged text is the reporter's own, left in place


def test_without_review_the_output_is_as_before():
    stdin = json.dumps({"id": 1, "text": "He sent the deposit on Venmo.", "lang": "en"}).encode() + b"\n"
    proc = run(["redact"], stdin)
    assert set(json.loads(proc.stdout)) == {"id", "text", "spans"}


def test_the_language_no_longer_chooses_the_lexicons():
    # A Spanish sentence on an English line: every lexicon runs, as in a referral.
    text = "No tengo papeles. Él me pegó con un tubo."
    for lang in ("en", "es", "zz"):
        stdin = json.dumps({"id": 1, "text": text, "lang": lang}).encode() + b"\n"
        assert "papeles" not in json.loads(run(["redact"], stdin).stdout)["text"]


def test_evaluate_reports_caught_and_coverage_and_their_targets(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus)
    proc = run(["evaluate", str(corpus), "--json", "--min-caught", "0.5", "--max-flag-coverage", "0.9"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"caught", "caught_rate", "flag_coverage", "flag_coverage_all"} <= set(data["total"])
    text = run(["evaluate", str(corpus)]).stdout.decode()
    assert "caught" in text and "flags: clean" in text
    clean = tmp_path / "clean.jsonl"
    record = {"id": "k", "lang": "en", "kind": "clean", "text": "He gave me a gift card.", "must_go": []}
    clean.write_text(json.dumps({**record, "must_stay": ["He gave me"]}) + "\n")
    proc = run(["evaluate", str(clean), "--max-flag-coverage", "0"])
    assert proc.returncode == 1
    assert "flag coverage of clean narratives" in proc.stderr.decode()
    proc = run(["evaluate", str(corpus), "--min-caught", "1.5"])
    assert proc.returncode == 2  # not a rate
