"""What the files of deploy/ say, read as their programs read them: for `make deploy-check` and the tests.

The layout they describe: Harbor checked out in /srv/harbor (INSTALL_ROOT) with its virtualenv in
/srv/harbor/.venv, settings in /etc/harbor/env (ENV_FILE), run by systemd as the user harbor.
Standard library only: the check runs before anything else is known to work.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
INSTALL_ROOT = "/srv/harbor"
ENV_FILE = "/etc/harbor/env"
EXAMPLE = DEPLOY / "harbor.env.example"
UNITS = DEPLOY / "systemd"
NGINX = DEPLOY / "nginx"
TORRC = DEPLOY / "tor" / "harbor.torrc"
# Where Harbor reads its settings: config/env.py's readers, and os.environ in gunicorn's config.
SETTINGS_SOURCES = (ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.conf.py")
ENV_READERS = {"env", "envbool", "envint", "envlist", "required"}

# Every Harbor service runs with these (systemd.exec(5)); tests/test_deploy.py holds each unit to them.
SANDBOX = {
    "NoNewPrivileges": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "ProtectClock": "yes",
    "ProtectHostname": "yes",
    "ProtectProc": "invisible",
    "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "PrivateMounts": "yes",
    "CapabilityBoundingSet": "",
    "SystemCallArchitectures": "native",
    "UMask": "0077",
    "User": "harbor",
    "EnvironmentFile": ENV_FILE,
}

# Commands a unit runs that another part of the project is still adding. The deploy check skips
# such a unit, saying why, and tests/test_deploy.py fails once the command exists, so that the
# entry is removed and the unit is checked like the others.
PENDING_COMMANDS: dict[str, str] = {}


# --- the example environment file --------------------------------------------------------------------

_HEADER = re.compile(r"^## ([A-Z][A-Z0-9_]*) \((required here|required|optional)\b[^)]*\)$")
_ASSIGN = re.compile(r"^(#?)([A-Z][A-Z0-9_]*)=(.*)$")


@dataclass
class Setting:
    name: str
    kind: str  # "required", "required here" or "optional"
    active: bool  # a NAME=value line, not commented out
    value: str
    about: list[str] = field(default_factory=list)


def example_settings(path: Path = EXAMPLE) -> dict[str, Setting]:
    """Return each setting the example describes under a ``## NAME (kind)`` header.

    Raise ValueError when a header is not followed by its own NAME= line, or a NAME= line has
    no header: the file's shape is what the check and the tests rely on.
    """
    settings: dict[str, Setting] = {}
    current: Setting | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        header = _HEADER.match(line)
        assign = _ASSIGN.match(line)
        if header:
            if current is not None:
                raise ValueError(f"{path.name}:{number}: {current.name} has no {current.name}= line")
            current = Setting(header.group(1), header.group(2), active=False, value="")
        elif assign and (current is not None or not assign.group(1)):
            name = assign.group(2)
            if current is None or name != current.name:
                raise ValueError(f"{path.name}:{number}: {name}= is not under its own ## {name} header")
            current.active, current.value = not assign.group(1), assign.group(3)
            if name in settings:
                raise ValueError(f"{path.name}:{number}: {name} is described twice")
            settings[name] = current
            current = None
        elif current is not None and line.startswith("# "):
            current.about.append(line[2:])
    if current is not None:
        raise ValueError(f"{path.name}: {current.name} has no {current.name}= line")
    return settings


def settings_read(sources: tuple[Path, ...] = SETTINGS_SOURCES) -> set[str]:
    """Return the name of every environment variable the settings modules read."""
    names: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            func = node.func
            reader = (isinstance(func, ast.Name) and func.id in ENV_READERS) or (
                isinstance(func, ast.Attribute)
                and (
                    (func.attr == "get" and ast.unparse(func.value) == "os.environ") or ast.unparse(func) == "os.getenv"
                )
            )
            if reader and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


# --- systemd units ------------------------------------------------------------------------------------


@dataclass
class Unit:
    path: Path
    sections: dict[str, list[tuple[str, str]]]

    @property
    def name(self) -> str:
        return self.path.name

    def values(self, section: str, key: str) -> list[str]:
        return [v for k, v in self.sections.get(section, []) if k == key]

    def value(self, section: str, key: str, default: str | None = None) -> str | None:
        found = self.values(section, key)
        return found[-1] if found else default

    @property
    def exec_start(self) -> list[str]:
        """ExecStart= as an argument vector (systemd's quoting, close enough: shlex)."""
        command = self.value("Service", "ExecStart") or ""
        return shlex.split(command.lstrip("-@:+!"))

    @property
    def manage_command(self) -> str | None:
        """The manage.py command the unit runs, if it runs one."""
        argv = self.exec_start
        for i, arg in enumerate(argv[:-1]):
            if arg.endswith("/manage.py"):
                return argv[i + 1]
        return None

    @property
    def long_running(self) -> bool:
        return self.path.suffix == ".service" and self.value("Service", "Type", "simple") != "oneshot"


def read_unit(path: Path) -> Unit:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        key, _, value = line.partition("=")
        sections.setdefault(current, []).append((key.strip(), value.strip()))
    return Unit(path, sections)


def units(directory: Path = UNITS) -> list[Unit]:
    return [read_unit(p) for p in sorted(directory.iterdir()) if p.suffix in (".service", ".timer", ".target")]


# --- nginx ----------------------------------------------------------------------------------------------

LISTEN = re.compile(r"^(\s*)listen\s+(\S+?)(\s[^;]*)?;", re.M)
PROXY_PASS = re.compile(r"proxy_pass\s+http://127\.0\.0\.1:(\d+)\s*;")


def listen_ports(text: str) -> set[int]:
    """The TCP ports a site's ``listen`` lines name (IPv4 or IPv6, with or without an address)."""
    return {int(m.group(2).rsplit(":", 1)[-1]) for m in LISTEN.finditer(text)}


def proxied_ports(text: str) -> set[int]:
    return {int(p) for p in PROXY_PASS.findall(text)}


def server_blocks(text: str) -> list[str]:
    """The text of each top-level ``server { … }`` block (braces counted; no braces in strings here)."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"\bserver\s*\{|\{|\}", text):
        if match.group(0) == "}":
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append(text[start : match.end()])
                start = None
            continue
        if depth == 0 and match.group(0).startswith("server"):
            start = match.start()
        depth += 1
    return blocks


# --- filling in the example ---------------------------------------------------------------------------

_SECRET_WORDS = ("KEY", "PEPPER", "SECRET", "PASSWORD", "TOKEN")


def looks_secret(name: str) -> bool:
    return any(word in name for word in _SECRET_WORDS)


def fill_example(overrides: dict[str, str], make_secret, path: Path = EXAMPLE) -> dict[str, str]:
    """Return the example's active settings with every empty secret made by ``make_secret()``.

    ``overrides`` replace values (and may add settings the example leaves commented out). An
    empty value that is not a secret and has no override is an error: the check would not know
    what to put there, and neither would an administrator reading the example.
    """
    values = {}
    for setting in example_settings(path).values():
        if not setting.active:
            continue
        value = overrides.get(setting.name, setting.value)
        if value == "":
            if not looks_secret(setting.name):
                raise ValueError(f"{path.name}: {setting.name} is empty and is not a secret anyone could generate")
            value = make_secret()
        values[setting.name] = value
    values.update({k: v for k, v in overrides.items() if k not in values})
    return values
