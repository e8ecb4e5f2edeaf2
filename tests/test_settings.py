"""Settings fail closed: production starts only with every secret set, and passes the deploy checks."""

from __future__ import annotations

import io
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from config.env import ConfigError, env, envbool, envint, envlist, required
from config.logging import NoClientDataFilter

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """A complete production environment, and nothing else from the test run."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "HARBOR_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HARBOR_RECEIPT_PEPPER": secrets.token_hex(32),
        "HARBOR_AUDIT_KEY": secrets.token_hex(32),
        "HARBOR_AUDIT_HEAD_FILE": str(tmp_path / "audit-head.jsonl"),
        "HARBOR_OTP_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'harbor.sqlite3'}",
        "ALLOWED_HOSTS": "example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def _run(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _setup(environment: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deploy_checks_in_production(production_env):
    result = _run(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "secret" not in (result.stdout + result.stderr).lower().replace("secret_key", "")


# Importing config.settings is what django.setup() does first; one process
# tries every broken environment in turn (a process per case would be slow).
_TRY_EACH = """
import json, os, sys
results = []
for case in json.loads(sys.argv[1]):
    os.environ.clear()
    os.environ.update(case)
    for name in ("config.settings", "config.env"):
        sys.modules.pop(name, None)
    try:
        import config.settings
        results.append("started")
    except Exception as exc:
        results.append(f"{type(exc).__name__}: {exc}")
print(json.dumps(results))
"""


def _start_each(cases: list[dict[str, str]]) -> list[str]:
    import json

    result = subprocess.run(
        [sys.executable, "-c", _TRY_EACH, json.dumps(cases)],
        cwd=BASE_DIR,
        env=cases[0],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    result = _setup(production_env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ConfigError: SECRET_KEY is not set" in result.stderr


def test_it_names_every_missing_or_malformed_variable(production_env, tmp_path):
    def without(*names, **values):
        case = {k: v for k, v in production_env.items() if k not in names}
        case.update(values)
        return case

    cases = {
        "complete": (production_env, "started"),
        "no secret key": (without("SECRET_KEY"), "ConfigError: SECRET_KEY is not set"),
        "empty secret key": (without(SECRET_KEY=""), "ConfigError: SECRET_KEY is not set"),
        "no pepper": (without("HARBOR_RECEIPT_PEPPER"), "ConfigError: HARBOR_RECEIPT_PEPPER is not set"),
        "empty pepper": (without(HARBOR_RECEIPT_PEPPER=""), "ConfigError: HARBOR_RECEIPT_PEPPER is not set"),
        "no audit key": (without("HARBOR_AUDIT_KEY"), "ConfigError: HARBOR_AUDIT_KEY is not set"),
        "no OTP key": (without("HARBOR_OTP_KEY"), "ConfigError: HARBOR_OTP_KEY is not set"),
        "no database": (without("DATABASE_URL"), "ConfigError: DATABASE_URL is not set"),
        "no hosts": (without("ALLOWED_HOSTS"), "ConfigError: ALLOWED_HOSTS is not set"),
        "blank hosts": (without(ALLOWED_HOSTS=" , "), "ConfigError: ALLOWED_HOSTS is not set"),
        "no mode means production": (without("HARBOR_ENV", "SECRET_KEY"), "ConfigError: SECRET_KEY is not set"),
        "unknown mode": (
            without(HARBOR_ENV="staging"),
            "ConfigError: HARBOR_ENV must be production, development, test or bench",
        ),
        "vague boolean": (without(HARBOR_HTTPS="yes"), "ConfigError: HARBOR_HTTPS must be True or False"),
        "vague debug": (without(DEBUG="on"), "ConfigError: DEBUG must be True or False"),
        "bad number": (without(HARBOR_MAX_IMAGES="four"), "ConfigError: HARBOR_MAX_IMAGES must be a whole number"),
        "a limit that is gone": (
            without(HARBOR_RATE_CHECK_FAIL_GLOBAL="600"),
            "ConfigError: HARBOR_RATE_CHECK_FAIL_GLOBAL is gone (since 2026-12)",
        ),
        "shortest wait over the longest": (
            without(HARBOR_WAIT_SECONDS="400"),
            "ConfigError: HARBOR_WAIT_RATE must be positive and HARBOR_WAIT_SECONDS at most",
        ),
        "no queue at all": (without(HARBOR_WAIT_RATE="0"), "ConfigError: HARBOR_WAIT_RATE must be positive"),
        "work past SHA-256's reach for a phone": (
            without(HARBOR_WORK_BITS_MAX="40"),
            "ConfigError: HARBOR_WORK_BITS_MIN and _MAX must satisfy",
        ),
        "unreadable secret file": (
            without("SECRET_KEY", SECRET_KEY_FILE=str(tmp_path / "missing")),
            f"ConfigError: SECRET_KEY_FILE={tmp_path / 'missing'} cannot be read",
        ),
    }
    results = _start_each([case for case, _ in cases.values()])
    for (label, (_, expected)), got in zip(cases.items(), results, strict=True):
        assert got.startswith(expected), (label, got)


REFUSED = "ConfigError: Harbor refuses to start"
DEBUG_REFUSED = "DEBUG must be False in production"
PEPPER_REFUSED = "HARBOR_RECEIPT_PEPPER must be at least 32 bytes written in hex"
OTP_KEY_REFUSED = "HARBOR_OTP_KEY and each of HARBOR_OTP_KEY_FALLBACKS must be at least 32 bytes"
ARGON2_REFUSED = "HARBOR_ARGON2_MEMORY_KIB and HARBOR_ARGON2_ITERATIONS must be at least 19456"
BASELINE_REFUSED = "HARBOR_BENCH_BASELINE=True mounts a plaintext intake"
LOOPBACK_REFUSED = "HARBOR_ENV=bench answers only on loopback"


def test_it_refuses_unsafe_production_values_and_lists_every_one(production_env):
    short_pepper = "ab" * 16  # 16 bytes: half of what a pepper needs
    cases = {
        "debug": ({"DEBUG": "True"}, [DEBUG_REFUSED]),
        "short pepper": ({"HARBOR_RECEIPT_PEPPER": short_pepper}, [PEPPER_REFUSED]),
        "pepper not hex": ({"HARBOR_RECEIPT_PEPPER": "z" * 80}, [PEPPER_REFUSED]),
        "four-character pepper": ({"HARBOR_RECEIPT_PEPPER": "abcd"}, [PEPPER_REFUSED]),
        "short OTP key": ({"HARBOR_OTP_KEY": "cd" * 16}, [OTP_KEY_REFUSED]),
        "short OTP fallback": ({"HARBOR_OTP_KEY_FALLBACKS": f"{'ef' * 32},{'ef' * 8}"}, [OTP_KEY_REFUSED]),
        "1 MiB Argon2": ({"HARBOR_ARGON2_MEMORY_KIB": "1024"}, [ARGON2_REFUSED]),
        "one Argon2 pass": ({"HARBOR_ARGON2_ITERATIONS": "1"}, [ARGON2_REFUSED]),
        "all at once": (
            {
                "DEBUG": "True",
                "HARBOR_RECEIPT_PEPPER": short_pepper,
                "HARBOR_OTP_KEY": "cd" * 16,
                "HARBOR_ARGON2_MEMORY_KIB": "1024",
            },
            [DEBUG_REFUSED, PEPPER_REFUSED, OTP_KEY_REFUSED, ARGON2_REFUSED],
        ),
        "the floor itself": ({"HARBOR_ARGON2_MEMORY_KIB": "19456", "HARBOR_ARGON2_ITERATIONS": "2"}, []),
        "a fallback OTP key": ({"HARBOR_OTP_KEY_FALLBACKS": "ef" * 32}, []),
    }
    results = _start_each([{**production_env, **changes} for changes, _ in cases.values()])
    for (label, (_, expected)), got in zip(cases.items(), results, strict=True):
        if not expected:
            assert got == "started", (label, got)
            continue
        assert got.startswith(REFUSED), (label, got)
        for problem in (DEBUG_REFUSED, PEPPER_REFUSED, OTP_KEY_REFUSED, ARGON2_REFUSED):
            assert (problem in got) == (problem in expected), (label, problem, got)
        assert short_pepper not in got  # a message names the variable, never its value


def test_bench_mode_is_production_on_loopback_with_the_baseline(production_env):
    bench = {**production_env, "HARBOR_ENV": "bench", "ALLOWED_HOSTS": "127.0.0.1"}
    cases = {
        "production with the baseline": ({**production_env, "HARBOR_BENCH_BASELINE": "True"}, BASELINE_REFUSED),
        "bench with the baseline": ({**bench, "HARBOR_BENCH_BASELINE": "True"}, "started"),
        "bench without it": (bench, "started"),
        "bench on a public host name": ({**bench, "ALLOWED_HOSTS": "127.0.0.1,report.example.org"}, LOOPBACK_REFUSED),
        "bench with DEBUG": ({**bench, "DEBUG": "True"}, DEBUG_REFUSED),
        "bench with a short pepper": ({**bench, "HARBOR_RECEIPT_PEPPER": "abcd"}, PEPPER_REFUSED),
        "test with the baseline": (
            {**production_env, "HARBOR_ENV": "test", "HARBOR_BENCH_BASELINE": "True"},
            "started",
        ),
    }
    results = _start_each([case for case, _ in cases.values()])
    for (label, (_, expected)), got in zip(cases.items(), results, strict=True):
        if expected == "started":
            assert got == "started", (label, got)
        else:
            assert got.startswith(REFUSED) and expected in got, (label, got)


def test_development_refuses_the_baseline_too():
    from config.invariants import start_problems

    argon2 = settings.HARBOR_ARGON2
    common = {"debug": True, "pepper": "abcd", "otp_keys": ["ab"], "argon2": argon2, "allowed_hosts": ["localhost"]}
    problems = start_problems("development", bench_baseline=True, **common)
    assert len(problems) == 1 and problems[0].startswith(BASELINE_REFUSED)
    # Development keeps its own shortcuts: DEBUG and whatever pepper it generated.
    assert start_problems("development", bench_baseline=False, **common) == []


def test_the_bench_harness_starts_harbor_in_bench_mode(tmp_path):
    sys.path.insert(0, str(BASE_DIR / "bench"))
    try:
        from harness import server_env
    finally:
        sys.path.remove(str(BASE_DIR / "bench"))
    environment = server_env(f"sqlite:///{tmp_path / 'bench.sqlite3'}", tmp_path)
    assert environment["HARBOR_ENV"] == "bench"
    assert _start_each([environment]) == ["started"]


def _gunicorn(environment: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=BASE_DIR,
        env={**environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_refuses_unsafe_production_settings_without_listening(production_env):
    unsafe = {**production_env, "DEBUG": "True", "HARBOR_RECEIPT_PEPPER": "abcd", "HARBOR_ARGON2_MEMORY_KIB": "1024"}
    port = _free_port()
    server = _gunicorn(unsafe, port)
    listened = False
    deadline = time.monotonic() + 60
    while server.poll() is None and time.monotonic() < deadline:
        listened = listened or _answers(port)
        time.sleep(0.05)
    if server.poll() is None:
        server.kill()
    _stdout, stderr = server.communicate(timeout=10)
    assert server.returncode != 0
    assert not listened, "gunicorn accepted a connection with settings it should refuse"
    for problem in (DEBUG_REFUSED, PEPPER_REFUSED, ARGON2_REFUSED):
        assert problem in stderr, stderr


def test_gunicorn_serves_with_safe_production_settings(production_env):
    # The control for the test above: the same start, with safe settings, listens.
    port = _free_port()
    server = _gunicorn(production_env, port)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _answers(port), server.stderr.read() if server.poll() is not None else "not listening"
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_it_reads_secrets_from_files(production_env, tmp_path):
    for name in ("SECRET_KEY", "HARBOR_RECEIPT_PEPPER", "HARBOR_AUDIT_KEY", "HARBOR_OTP_KEY"):
        path = tmp_path / name.lower()
        path.write_text(production_env.pop(name) + "\n", encoding="utf-8")
        production_env[f"{name}_FILE"] = str(path)
    result = _run(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_secure(production_env):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.PASSWORD_HASHERS[0].endswith('HarborArgon2idHasher'), s.HARBOR_ARGON2['memory_cost'] >= 19456, "
        "s.HARBOR_MIN_FORM_SECONDS > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"] + ["True"] * 9


# --- the strict readers, in process ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "no", "on", "off", "TRUE", "False ", "", "2"])
def test_envbool_refuses_anything_but_true_or_false(monkeypatch, value):
    monkeypatch.setenv("HARBOR_TEST_FLAG", value)
    with pytest.raises(ConfigError, match="HARBOR_TEST_FLAG must be True or False"):
        envbool("HARBOR_TEST_FLAG", False)


@pytest.mark.parametrize(
    "value,expected", [("True", True), ("true", True), ("1", True), ("False", False), ("false", False), ("0", False)]
)
def test_envbool_reads_true_and_false(monkeypatch, value, expected):
    monkeypatch.setenv("HARBOR_TEST_FLAG", value)
    assert envbool("HARBOR_TEST_FLAG", not expected) is expected


def test_envbool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("HARBOR_TEST_FLAG", raising=False)
    monkeypatch.delenv("HARBOR_TEST_FLAG_FILE", raising=False)
    assert envbool("HARBOR_TEST_FLAG", True) is True


def test_envint_names_a_bad_number(monkeypatch):
    monkeypatch.setenv("HARBOR_TEST_INT", "ten")
    with pytest.raises(ConfigError, match="HARBOR_TEST_INT must be a whole number"):
        envint("HARBOR_TEST_INT", 1)


def test_envlist_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HARBOR_TEST_LIST", " example.org, ,www.example.org ,")
    assert envlist("HARBOR_TEST_LIST", []) == ["example.org", "www.example.org"]


def test_file_variant_reads_a_secret(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.delenv("HARBOR_TEST_SECRET", raising=False)
    monkeypatch.setenv("HARBOR_TEST_SECRET_FILE", str(path))
    assert env("HARBOR_TEST_SECRET") == "s3cret-from-file"
    assert required("HARBOR_TEST_SECRET") == "s3cret-from-file"
    # The variable itself wins over the file.
    monkeypatch.setenv("HARBOR_TEST_SECRET", "from-env")
    assert env("HARBOR_TEST_SECRET") == "from-env"


def test_required_names_the_missing_variable(monkeypatch):
    monkeypatch.delenv("HARBOR_TEST_SECRET", raising=False)
    monkeypatch.delenv("HARBOR_TEST_SECRET_FILE", raising=False)
    with pytest.raises(ConfigError, match="HARBOR_TEST_SECRET is not set"):
        required("HARBOR_TEST_SECRET")


# --- system checks -----------------------------------------------------------------------------------


def _ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_the_test_settings_pass_the_harbor_checks(db):
    assert not {i for i in _ids(run_checks()) if i.startswith("harbor.E")}


def test_it_flags_a_logging_handler_without_the_filter(db):
    logging_config = {
        **settings.LOGGING,
        "handlers": {
            **settings.LOGGING["handlers"],
            "file": {"class": "logging.FileHandler", "filename": "/dev/null"},
        },
    }
    with override_settings(LOGGING=logging_config):
        errors = [m for m in run_checks() if m.id == "harbor.E010"]
    assert len(errors) == 1
    assert "'file'" in errors[0].msg


def test_it_flags_a_handler_whose_filters_omit_no_client(db):
    logging_config = {
        **settings.LOGGING,
        "filters": {**settings.LOGGING["filters"], "something_else": {"()": "logging.Filter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["something_else"]}},
    }
    with override_settings(LOGGING=logging_config):
        assert "harbor.E010" in _ids(run_checks())


def test_it_flags_a_live_handler_without_the_filter(db):
    # Not in settings.LOGGING at all: added to a logger at run time, as a library might.
    logger = logging.getLogger("harbor.added_later")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        errors = [m for m in run_checks() if m.id == "harbor.E010"]
        assert len(errors) == 1
        assert "StreamHandler on logger 'harbor.added_later'" in errors[0].msg
        handler.addFilter(NoClientDataFilter())
        assert "harbor.E010" not in _ids(run_checks())
    finally:
        logger.removeHandler(handler)


def test_it_flags_uploads_that_could_touch_the_disk(db):
    with override_settings(
        FILE_UPLOAD_HANDLERS=[
            "django.core.files.uploadhandler.MemoryFileUploadHandler",
            "django.core.files.uploadhandler.TemporaryFileUploadHandler",
        ]
    ):
        assert "harbor.E011" in _ids(run_checks())


def test_it_flags_a_short_pepper(db):
    with override_settings(HARBOR_RECEIPT_PEPPER="ab" * 16):
        assert "harbor.E001" in _ids(run_checks())
    with override_settings(HARBOR_RECEIPT_PEPPER="not hex at all, but long enough to fool a length check......"):
        assert "harbor.E001" in _ids(run_checks())


def test_it_flags_a_short_otp_key_or_fallback(db):
    with override_settings(HARBOR_OTP_KEY="ab" * 16):
        assert "harbor.E004" in _ids(run_checks())
    with override_settings(HARBOR_OTP_KEY_FALLBACKS=["cd" * 32, "not hex"]):
        assert "harbor.E004" in _ids(run_checks())
    with override_settings(HARBOR_OTP_KEY_FALLBACKS=["cd" * 32]):
        assert "harbor.E004" not in _ids(run_checks())


def test_it_flags_debug_outside_development(db):
    with override_settings(TESTING=False, DEVELOPMENT=False, DEBUG=True):
        assert "harbor.E002" in _ids(run_checks())
    with override_settings(TESTING=False, DEVELOPMENT=False, DEBUG=False):
        assert "harbor.E002" not in _ids(run_checks())


def test_it_flags_weak_argon2_outside_tests(db):
    weak = {"memory_cost": 1024, "iterations": 1, "lanes": 1}
    with override_settings(TESTING=False, HARBOR_ARGON2=weak):
        assert "harbor.E003" in _ids(run_checks())
    with override_settings(TESTING=False, HARBOR_ARGON2={"memory_cost": 65536, "iterations": 3, "lanes": 4}):
        assert "harbor.E003" not in _ids(run_checks())
