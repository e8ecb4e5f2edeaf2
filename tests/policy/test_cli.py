"""python -m policy: assess, rights, refer, check, and the hooks for redact/evaluate."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from policy.__main__ import build_parser, main

from .strategies import full_report
from .support import real_redactor

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_it_assesses_a_report_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"crime_types": ["robbery"], "role": "victim"}), encoding="utf-8")
    status, out, _ = run(capsys, "assess", str(path), "--date", "2019-06-01")
    assert status == 0
    data = json.loads(out)
    assert data["on_date"] == "2019-06-01"
    sf = next(p for p in data["packs"] if p["id"] == "us-ca-sf-2018")
    assert {p["status"] for p in sf["protections"]} == {"applies"}
    # Every reporter language (since 2026-12: data/i18n holds the six beyond English and Spanish).
    assert set(sf["protections"][0]["reporter"]) == {"en", "es", "zh-hant", "zh-hans", "tl", "vi", "ko", "th"}
    assert "reporter_lines" not in data


def test_it_assesses_a_report_from_stdin_in_one_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"crime_types": ["burglary"], "role": "witness"})))
    status, out, _ = run(capsys, "assess", "--date", "2024-02-01", "--lang", "es", "--pack", "us-ny-pl-230.45")
    assert status == 0
    data = json.loads(out)
    assert [p["id"] for p in data["packs"]] == ["us-ny-pl-230.45"]
    assert data["reporter_lines"][0]["text"].startswith("Esto podría aplicarse")
    assert set(data["packs"][0]["protections"][0]["reporter"]) == {"es"}


def test_the_output_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(full_report()), encoding="utf-8")
    first = run(capsys, "assess", str(path), "--date", "2024-02-01")
    assert first == run(capsys, "assess", str(path), "--date", "2024-02-01")


def test_bad_input_is_a_usage_error_that_does_not_echo_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"narrative": "zqsecretzq"', encoding="utf-8")
    status, out, err = run(capsys, "assess", str(path))
    assert status == 2
    assert "zqsecretzq" not in out + err
    path.write_text('["zqsecretzq"]', encoding="utf-8")
    status, out, err = run(capsys, "assess", str(path))
    assert status == 2
    assert "JSON object" in err
    assert "zqsecretzq" not in out + err
    status, _, err = run(capsys, "assess", str(path), "--pack", "us-xx")
    assert status == 2


def test_a_bad_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["assess", "--date", "June"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_rights(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rights", "--date", "2024-01-01", "--lang", "es")
    assert status == 0
    data = json.loads(out)
    assert data["lang"] == "es"
    assert len(data["packs"]) == 3


needs_redactor = pytest.mark.skipif(real_redactor() is None, reason="refer uses policy.redact")


@needs_redactor
def test_refer_leaves_the_trace_out_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(full_report()), encoding="utf-8")
    status, out, _ = run(capsys, "refer", str(path), "--profile", "peer_alert", "--date", "2019-03-20")
    assert status == 0
    assert "trace" not in json.loads(out)
    assert "ctx_" not in out
    status, out, _ = run(capsys, "refer", str(path), "--profile", "peer_alert", "--date", "2019-03-20", "--trace")
    assert "trace" in json.loads(out)
    status, _, err = run(capsys, "refer", str(path), "--profile", "police")
    assert status == 2
    assert "unknown profile" in err


def test_refer_without_consent_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(full_report(consent=["health_org"])), encoding="utf-8")
    status, out, err = run(capsys, "refer", str(path), "--profile", "peer_alert")
    assert status == 2
    assert "requires consent 'peer_alert'" in err
    assert out == ""


def test_check_validates_the_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check")
    assert status == 0
    data = json.loads(out)
    assert data["ok"] is True
    assert data["catalogue"]["fields"] == 39


def test_check_names_the_file_and_key_of_a_bad_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (ROOT / "policy/data/packs/us-ny-pl-230.45.toml").read_text(encoding="utf-8")
    path = tmp_path / "us-ny-pl-230.45.toml"
    path.write_text(
        source.replace(
            'verification = "verified"\nstaff = "N.Y. PL 230.45', 'verification = "sure"\nstaff = "N.Y. PL 230.45'
        ),
        encoding="utf-8",
    )
    status, _, err = run(capsys, "check", "--pack-file", str(path))
    assert status == 1
    assert str(path) in err
    assert "protection 'ny-immunity'.verification" in err


def test_redact_and_evaluate_hooks_are_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if policy/cli_redact.py did not exist.
    monkeypatch.delitem(sys.modules, "policy.cli_redact", raising=False)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"assess", "rights", "refer", "check"} <= set(commands)


def test_redact_and_evaluate_hooks_are_called(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = types.ModuleType("policy.cli_redact")

    def add(name: str):  # type: ignore[no-untyped-def]
        def adder(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
            p = subparsers.add_parser(name)
            p.set_defaults(func=lambda args: print(f"ran {name}"))

        return adder

    fake.add_redact_parser = add("redact")  # type: ignore[attr-defined]
    fake.add_evaluate_parser = add("evaluate")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "policy.cli_redact", fake)
    assert run(capsys, "redact") == (0, "ran redact\n", "")
    assert run(capsys, "evaluate") == (0, "ran evaluate\n", "")


def test_python_dash_m_policy_works_without_django() -> None:
    code = "import runpy, sys; sys.argv = ['policy', 'check']; runpy.run_module('policy', run_name='__main__')"
    guard = "import sys; sys.modules['django'] = None; " + code  # any Django import would fail
    result = subprocess.run([sys.executable, "-c", guard], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True
