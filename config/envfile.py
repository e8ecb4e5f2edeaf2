"""Read an environment file the way systemd's EnvironmentFile= does (the subset Harbor's uses).

/etc/harbor/env is read by systemd for the services and by deploy/manage for management
commands; scripts/deploy_check.py reads deploy/harbor.env.example with it. One reader, so that
all three agree on what a line means.
"""

from __future__ import annotations

import re
from pathlib import Path

_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


class EnvFileError(ValueError):
    """A line is neither a comment, blank, nor NAME=value; the message gives its number."""


def parse(text: str, *, where: str = "environment file") -> dict[str, str]:
    """Return NAME → value for each ``NAME=value`` line.

    Blank lines and lines starting with ``#`` or ``;`` are skipped. Whitespace around a line is
    ignored; a value wholly inside matching single or double quotes loses them. A later line
    wins over an earlier one, as in systemd.
    """
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        match = _LINE.match(line)
        if not match:
            raise EnvFileError(f"{where}, line {number}: expected NAME=value")
        name, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def read(path: Path | str) -> dict[str, str]:
    return parse(Path(path).read_text(encoding="utf-8"), where=str(path))
