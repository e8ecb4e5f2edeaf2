"""The mail server and notification settings: read from the environment, refused when unsafe."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_settings import BASE_DIR, _run, _start_each, production_env  # noqa: F401 - the fixture

MAIL = {"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "True", "DEFAULT_FROM_EMAIL": "harbor@example.org"}


def test_it_refuses_a_mail_setup_that_would_leak_or_misfire(production_env):  # noqa: F811 - the fixture imported above
    cases = {
        "no mail server at all": ({}, "started"),
        "STARTTLS": (MAIL, "started"),
        "TLS from the start": ({**MAIL, "EMAIL_USE_TLS": "False", "EMAIL_USE_SSL": "True"}, "started"),
        "a relay on this machine, in the clear": (
            {**MAIL, "EMAIL_HOST": "127.0.0.1", "EMAIL_USE_TLS": "False"},
            "started",
        ),
        "another machine, in the clear": (
            {**MAIL, "EMAIL_USE_TLS": "False"},
            "ConfigError: EMAIL_HOST is another machine but neither EMAIL_USE_TLS nor EMAIL_USE_SSL",
        ),
        "both TLS settings": ({**MAIL, "EMAIL_USE_SSL": "True"}, "ConfigError: EMAIL_USE_TLS and EMAIL_USE_SSL"),
        "no sender": (
            {"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "True"},
            "ConfigError: EMAIL_HOST is set but DEFAULT_FROM_EMAIL is not",
        ),
        "vague TLS": ({**MAIL, "EMAIL_USE_TLS": "yes"}, "ConfigError: EMAIL_USE_TLS must be True or False"),
        "digests off": ({"HARBOR_NOTIFY_EVERY_MINUTES": "0"}, "started"),
        "a digest every two minutes": (
            {"HARBOR_NOTIFY_EVERY_MINUTES": "2"},
            "ConfigError: HARBOR_NOTIFY_EVERY_MINUTES must be 0 (off) or at least 5",
        ),
        "site over https": ({"HARBOR_SITE_URL": "https://report.example.org/"}, "started"),
        "onion site over http": ({"HARBOR_SITE_URL": "http://harborxyz.onion"}, "started"),
        "site over http": ({"HARBOR_SITE_URL": "http://report.example.org"}, "ConfigError: HARBOR_SITE_URL must be"),
        "site with a path": ({"HARBOR_SITE_URL": "https://example.org/staff"}, "ConfigError: HARBOR_SITE_URL must be"),
        "site with a password": (
            {"HARBOR_SITE_URL": "https://user:pw@example.org"},
            "ConfigError: HARBOR_SITE_URL must be",
        ),
        "no site at all": ({"HARBOR_SITE_URL": "report.example.org"}, "ConfigError: HARBOR_SITE_URL must be"),
    }
    results = _start_each([{**production_env, **changes} for changes, _ in cases.values()])
    for (label, (_, expected)), got in zip(cases.items(), results, strict=True):
        assert got.startswith(expected), (label, got)


_SHOW = """
import json
import config.settings as s
print(json.dumps({"mailers": s.MAILERS, "site": s.HARBOR_SITE_URL, "silenced": s.SILENCED_SYSTEM_CHECKS}))
"""


def test_the_mailer_is_built_from_the_environment_with_the_password_from_a_file(production_env, tmp_path):  # noqa: F811 - the fixture imported above
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret-smtp-pass\n")
    environment = {
        **production_env,
        **MAIL,
        "EMAIL_PORT": "2587",
        "EMAIL_HOST_USER": "harbor",
        "EMAIL_HOST_PASSWORD_FILE": str(secret),
        "HARBOR_SITE_URL": "https://report.example.org/",
    }
    result = subprocess.run(
        [sys.executable, "-c", _SHOW],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["mailers"] == {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "smtp.example.org",
                "port": 2587,
                "username": "harbor",
                "password": "s3cret-smtp-pass",
                "use_tls": True,
                "use_ssl": False,
                "timeout": 30,
            },
        }
    }
    assert shown["site"] == "https://report.example.org"
    assert shown["silenced"] == []


def test_the_deploy_checks_pass_with_a_mail_server(production_env):  # noqa: F811 - the fixture imported above
    result = _run({**production_env, **MAIL}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
