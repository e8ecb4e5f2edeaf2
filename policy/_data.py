"""Strict reading of the TOML data files.

Every accessor names the file and the dotted key in its error, rejects the wrong type and
(through `done()`) rejects keys nobody asked for: a misspelt key in a policy file must be a
load error, never a silently ignored rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

from .errors import DataFileError

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
#: The languages every data file writes inline ({en = ..., es = ...}).
LANGS: Final = ("en", "es")
#: The languages of the reporter's pages: LANGS, and those translated in data/i18n/<lang>.toml.
TRANSLATED_LANGS: Final = ("zh-hant", "zh-hans", "tl", "vi", "ko", "th")
REPORTER_LANGS: Final = (*LANGS, *TRANSLATED_LANGS)
VERIFICATION_LEVELS: Final = ("verified", "secondary", "unverified")
CODE_RE: Final = re.compile(r"[a-z][a-z0-9_]*\Z")
ID_RE: Final = re.compile(r"[a-z0-9][a-z0-9_.\-]*\Z")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning syntax errors into DataFileError."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise DataFileError(path, "", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(path, "", f"not valid TOML: {exc}") from None


class Table:
    """A view on one TOML table that remembers where it came from."""

    def __init__(self, path: Path, key: str, data: Mapping[str, Any]) -> None:
        self.path = path
        self.key = key
        self.data = data
        self._seen: set[str] = set()

    def _k(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, name: str, problem: str) -> DataFileError:
        return DataFileError(self.path, self._k(name) if name else self.key, problem)

    def has(self, name: str) -> bool:
        return name in self.data

    def _get(self, name: str, required: bool) -> Any:
        self._seen.add(name)
        if name not in self.data:
            if required:
                raise self.error(name, "missing")
            return None
        return self.data[name]

    def string(self, name: str, *, required: bool = True, default: str = "") -> str:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, "must be a non-empty string")
        return value.strip()

    def code(self, name: str, *, required: bool = True, pattern: re.Pattern[str] = CODE_RE) -> str:
        value = self.string(name, required=required)
        if value and not pattern.match(value):
            raise self.error(name, f"{value!r} is not a valid code ({pattern.pattern})")
        return value

    def choice(self, name: str, allowed: tuple[str, ...], *, required: bool = True, default: str = "") -> str:
        if not required and name not in self.data:
            self._seen.add(name)
            return default
        value = self.string(name)
        if value not in allowed:
            raise self.error(name, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def boolean(self, name: str, *, required: bool = True, default: bool = False) -> bool:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def integer(self, name: str) -> int:
        value = self._get(name, True)
        if type(value) is not int:
            raise self.error(name, "must be an integer")
        return value

    def schema(self, expected: int) -> None:
        """Check the file's schema version."""
        if self.integer("schema") != expected:
            raise self.error("schema", f"must be {expected}")

    def renamed(self, key: str, seen: tuple[str, ...] = ()) -> Table:
        """Return the same table under a more telling key (e.g. the field id, not the index)."""
        t = Table(self.path, key, self.data)
        t._seen.update(self._seen, seen)
        return t

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self._get(name, required)
        if value is None:
            return None
        # tomllib gives datetime for offset/local date-times, which are subclasses of date.
        if type(value) is not date:
            raise self.error(name, "must be a TOML date (YYYY-MM-DD, unquoted)")
        return value

    def strings(self, name: str, *, required: bool = True, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self._get(name, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, "must be a list of non-empty strings")
        if len(set(value)) != len(value):
            raise self.error(name, "has duplicates")
        if pattern is not None:
            for v in value:
                if not pattern.match(v):
                    raise self.error(name, f"{v!r} is not a valid code ({pattern.pattern})")
        return tuple(v.strip() for v in value)

    def table(self, name: str, *, required: bool = True) -> Table | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(name, "must be a table")
        return Table(self.path, self._k(name), value)

    def tables(self, name: str, *, required: bool = True) -> list[Table]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, "must be an array of tables ([[...]])")
        return [Table(self.path, f"{self._k(name)}[{i}]", v) for i, v in enumerate(value)]

    def texts(self, name: str, *, required: bool = True) -> dict[str, str]:
        """Read a table of texts, one per supported language ({en = ..., es = ...})."""
        t = self.table(name, required=required)
        if t is None:
            return {}
        out = {lang: t.string(lang) for lang in LANGS}
        t.done()
        return out

    def done(self) -> None:
        """Reject keys that no accessor asked for."""
        extra = sorted(set(self.data) - self._seen)
        if extra:
            raise self.error("", f"unknown key(s): {', '.join(extra)}")


def open_file(path: Path) -> Table:
    """Return the top-level table of a TOML file."""
    return Table(path, "", read_toml(path))
