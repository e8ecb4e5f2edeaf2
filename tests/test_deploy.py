"""The files of deploy/ agree with the code: every setting in the example, every command in a unit.

`make deploy-check` runs them for real (nginx, systemd-analyze, tor, gunicorn, the worker);
these tests catch, in the suite, a setting or a command added on one side and not the other.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from config.envfile import EnvFileError, parse
from deploy import files
from tests.owasp_headers import header_problems

ROOT = files.ROOT


def _example() -> dict[str, files.Setting]:
    return files.example_settings()


# --- the example environment file ---------------------------------------------------------------------


def test_the_example_lists_every_setting_harbor_reads_and_nothing_else():
    read = files.settings_read()
    described = set(_example())
    assert "SECRET_KEY" in read and "GUNICORN_BIND" in read  # the parser sees both modules
    assert read - described == set(), "settings read but missing from deploy/harbor.env.example"
    assert described - read == set(), "settings in deploy/harbor.env.example that nothing reads"


def test_the_settings_parser_finds_every_way_settings_are_read(tmp_path):
    source = tmp_path / "s.py"
    source.write_text(
        "import os\nA = env('A')\nB = envbool('B', False)\nC = envint('C', 1)\nD = envlist('D', [])\n"
        "E = required('E')\nF = os.environ.get('F', '1')\nG = os.getenv('G')\nH = other('H')\n",
        encoding="utf-8",
    )
    assert files.settings_read((source,)) == set("ABCDEFG")


def test_required_settings_are_filled_in_and_optional_ones_sit_at_their_default():
    for setting in _example().values():
        if setting.kind.startswith("required"):
            assert setting.active, f"{setting.name} is required but commented out"
        else:
            assert not setting.active, f"{setting.name} is optional: leave it commented out at its default"


def test_the_example_refuses_a_header_without_its_line(tmp_path):
    broken = tmp_path / "env"
    broken.write_text("## A (required)\nB=1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not under its own"):
        files.example_settings(broken)
    broken.write_text("## A (required)\n# about A\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no A= line"):
        files.example_settings(broken)


def _start_production(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings in production with exactly ``environment``; print what the checks need."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'hsts': f'max-age={s.SECURE_HSTS_SECONDS}'"
        " + ('; includeSubDomains' if s.SECURE_HSTS_INCLUDE_SUBDOMAINS else '')"
        " + ('; preload' if s.SECURE_HSTS_PRELOAD else ''), 'debug': s.DEBUG}))"
    )
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def filled() -> dict[str, str]:
    return files.fill_example({}, lambda: secrets.token_hex(32))


def test_the_example_filled_in_starts_harbor_in_production(filled):
    assert set(filled) == {s.name for s in _example().values() if s.active}
    started = _start_production(filled)
    assert started.returncode == 0, started.stderr[-2000:]
    assert json.loads(started.stdout)["debug"] is False


def test_harbor_refuses_to_start_without_each_required_setting(filled):
    required = [s.name for s in _example().values() if s.kind == "required"]
    assert {"SECRET_KEY", "HARBOR_RECEIPT_PEPPER", "DATABASE_URL", "ALLOWED_HOSTS"} <= set(required)
    for name in required:
        without = {k: v for k, v in filled.items() if k != name}
        started = _start_production(without)
        assert started.returncode != 0, f"Harbor started without {name}: mark it optional in the example"
        assert name in started.stderr, started.stderr[-500:]


def test_filling_refuses_an_empty_value_nobody_could_generate(tmp_path):
    example = tmp_path / "env"
    example.write_text(
        "## SECRET_KEY (required)\nSECRET_KEY=\n## SOME_PATH (required here)\nSOME_PATH=\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="SOME_PATH is empty"):
        files.fill_example({}, lambda: "s", example)
    assert files.fill_example({"SOME_PATH": "/x"}, lambda: "s", example) == {"SECRET_KEY": "s", "SOME_PATH": "/x"}


def test_the_environment_file_reader_reads_as_systemd_does():
    text = "# comment\n; also a comment\n\n  A=1  \nB='two words'\nC=\"x\"\nD=a=b\nA=3\nE=\n"
    assert parse(text) == {"A": "3", "B": "two words", "C": "x", "D": "a=b", "E": ""}
    with pytest.raises(EnvFileError, match="line 2"):
        parse("A=1\nexport B=2\n")


# --- systemd units ------------------------------------------------------------------------------------


def _services() -> list[files.Unit]:
    return [u for u in files.units() if u.name.endswith(".service")]


def test_every_service_is_sandboxed_and_reads_the_environment_file():
    assert {u.name for u in _services()} >= {"harbor-web.service", "harbor-worker.service", "harbor-scheduler.service"}
    for unit in _services():
        for key, wanted in files.SANDBOX.items():
            values = unit.values("Service", key)
            assert wanted in values, f"{unit.name}: {key}={wanted} missing (has {values})"
        assert not unit.values("Service", "ReadWritePaths") or unit.name == "harbor-backup.service", unit.name


def test_every_unit_runs_a_command_that_exists_from_the_install_root():
    commands = get_commands()
    seen = set()
    for unit in _services():
        argv = unit.exec_start
        assert argv and argv[0].startswith(files.INSTALL_ROOT + "/.venv/bin/"), unit.name
        assert (ROOT / Path(argv[0]).relative_to(files.INSTALL_ROOT)).exists(), argv[0]
        assert unit.value("Service", "WorkingDirectory") == files.INSTALL_ROOT, unit.name
        command = unit.manage_command
        if command is None:
            assert Path(argv[0]).name == "gunicorn", unit.name
            assert argv[1:3] == ["-c", files.INSTALL_ROOT + "/config/gunicorn.conf.py"], unit.name
            continue
        seen.add(command)
        if command in files.PENDING_COMMANDS:
            assert command not in commands, (
                f"manage.py {command} exists now: remove it from deploy.files.PENDING_COMMANDS so it is checked"
            )
        else:
            assert command in commands, f"{unit.name} runs manage.py {command}, which does not exist"
    assert {"db_worker", "backup", "purge_expired", "harbor_scheduler"} <= seen


def test_long_running_services_belong_to_harbor_target_and_timers_have_their_service():
    names = {u.name for u in files.units()}
    for unit in files.units():
        if unit.long_running:
            assert unit.value("Unit", "PartOf") == "harbor.target", unit.name
            assert unit.value("Install", "WantedBy") == "harbor.target", unit.name
            assert unit.value("Service", "Restart") in ("always", "on-failure"), unit.name
        if unit.name.endswith(".timer"):
            assert unit.name.replace(".timer", ".service") in names
            assert unit.value("Timer", "Persistent") == "true", unit.name


def test_extra_environment_files_exist_in_the_checkout():
    for unit in _services():
        for path in unit.values("Service", "EnvironmentFile"):
            if path != files.ENV_FILE:
                assert (ROOT / Path(path).relative_to(files.INSTALL_ROOT)).is_file(), path


def test_the_backup_timer_runs_once_a_day_as_backup_prune_assumes():
    timer = files.read_unit(files.UNITS / "harbor-backup.timer")
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00", timer.value("Timer", "OnCalendar"))
    assert timer.value("Timer", "RandomizedDelaySec") in ("30min", "15min", "0")
    assert files.read_unit(files.UNITS / "harbor-backup.service").exec_start[-2:] == ["backup", "--prune"]


# --- nginx and tor ------------------------------------------------------------------------------------


def _site(name: str) -> str:
    return (files.NGINX / name).read_text(encoding="utf-8")


def test_every_nginx_server_keeps_no_access_log_and_names_no_version():
    sites = [p for p in files.NGINX.glob("*.conf")]
    assert len(sites) == 3
    for site in sites:
        blocks = files.server_blocks(site.read_text(encoding="utf-8"))
        assert blocks, site.name
        for block in blocks:
            assert re.search(r"^\s*access_log off;", block, re.M), f"{site.name}: a server with an access log"
            assert re.search(r"^\s*server_tokens off;", block, re.M), f"{site.name}: a server that names its version"


def test_proxied_requests_and_answers_never_touch_nginx_temporary_files():
    for name in ("harbor.conf", "harbor-onion.conf"):
        text = _site(name)
        assert files.proxied_ports(text), name
        for directive in (
            "proxy_request_buffering off;",
            "proxy_max_temp_file_size 0;",
            "proxy_set_header X-Forwarded-Proto https;",
            'proxy_set_header X-Forwarded-For "";',
        ):
            assert directive in text, f"{name}: {directive}"


def test_nginx_sends_harbors_exact_hsts_and_its_own_error_page_passes_the_header_checks(filled):
    started = _start_production(filled)
    hsts = json.loads(started.stdout)["hsts"]
    text = _site("harbor.conf")
    sent = set(re.findall(r'add_header Strict-Transport-Security "([^"]+)" always;', text))
    assert sent == {hsts}, f"nginx sends {sent}, Harbor {hsts!r}"
    assert "proxy_hide_header Strict-Transport-Security;" in text
    for name, https in (("harbor.conf", True), ("harbor-onion.conf", False)):
        page = _site(name).split("location = /harbor-unavailable.html", 1)[1].split("}", 1)[0]
        headers = {
            m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'add_header (\S+) (?:"([^"]*)"|(\S+)) always;', page)
        }
        assert len(headers) == len(re.findall("add_header", page))
        assert header_problems(headers, https=https) == [], name
    assert (files.NGINX / "harbor-unavailable.html").is_file()


def test_only_error_pages_get_headers_from_nginx():
    """Harbor's own answers carry Harbor's headers; nginx adds only HSTS (and Onion-Location)."""
    for name in ("harbor.conf", "harbor-onion.conf"):
        outside = re.sub(r"location = /harbor-unavailable\.html \{.*?\n    \}", "", _site(name), flags=re.S)
        added = set(re.findall(r"^\s*add_header (\S+)", outside, re.M))
        assert added <= {"Strict-Transport-Security"}, f"{name}: {added}"


def test_the_ports_line_up_from_tor_to_nginx_to_gunicorn():
    torrc = files.TORRC.read_text(encoding="utf-8")
    target = int(re.search(r"^HiddenServicePort 80 127\.0\.0\.1:(\d+)$", torrc, re.M).group(1))
    assert files.listen_ports(_site("harbor-onion.conf")) == {target}
    assert re.search(rf"listen 127\.0\.0\.1:{target};", _site("harbor-onion.conf")), "the onion server is loopback only"
    onion_env = parse((files.UNITS / "harbor-web-onion.env").read_text(encoding="utf-8"))
    assert files.proxied_ports(_site("harbor-onion.conf")) == {int(onion_env["GUNICORN_BIND"].rsplit(":", 1)[1])}
    assert onion_env["HARBOR_RATE_LIMIT_BY_ADDRESS"] == "False"
    default_bind = re.search(
        r'"GUNICORN_BIND", "127\.0\.0\.1:(\d+)"', (ROOT / "config" / "gunicorn.conf.py").read_text()
    )
    assert files.proxied_ports(_site("harbor.conf")) == {int(default_bind.group(1))}
    assert files.listen_ports(_site("harbor.conf")) == {443}
    assert files.listen_ports(_site("harbor-http.conf")) == {80}
