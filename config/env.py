"""Strict readers for settings that come from the environment.

Modelled on healthchecks' ``envbool``: a value is either exactly what we expect
or start-up fails with a message naming the variable. A secret may also come
from ``NAME_FILE`` (a path), so it need not sit in the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import overload


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...


def env(name: str, default: str | None = None) -> str | None:
    """Return NAME, or the contents of the file named by NAME_FILE, or default."""
    value = os.environ.get(name)
    if value is not None:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={path} cannot be read: {exc.strerror}") from exc
    return default


def envbool(name: str, default: bool) -> bool:
    """Return a boolean; anything but True/False (or 1/0) is an error."""
    value = env(name)
    if value is None:
        return default
    if value in ("True", "true", "1"):
        return True
    if value in ("False", "false", "0"):
        return False
    raise ConfigError(f"{name} must be True or False, not {value!r}")


def envint(name: str, default: int) -> int:
    """Return an integer setting."""
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list setting."""
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def required(name: str) -> str:
    """Return a setting that has no default outside development."""
    value = env(name)
    if not value:
        raise ConfigError(
            f"{name} is not set. Harbor has no default for it outside development; see docs/operations.md."
        )
    return value
