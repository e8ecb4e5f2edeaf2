"""A small reader of gettext .po files for the tests (no dependency): entries' msgids and strings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False


def entries(path: Path) -> list[Entry]:
    """Return the entries of a .po file, header included (msgid "")."""
    out: list[Entry] = []
    current = Entry()
    key: str | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, key
        if started:
            out.append(current)
        current, started, key = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if not line:
            finish()
            continue
        if line.startswith("#,") and "fuzzy" in line:
            current.fuzzy = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            elif key == "msgid":
                current.msgid += value
            elif key == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            elif key is not None:
                current.msgstr[-1] += value
            continue
        word, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        started = True
        if word == "msgctxt":
            key, current.msgctxt = "msgctxt", value
        elif word == "msgid":
            key, current.msgid = "msgid", value
        elif word == "msgid_plural":
            key, current.msgid_plural = "msgid_plural", value
        elif word.startswith("msgstr"):
            key = word
            current.msgstr.append(value)
    finish()
    return [e for e in out if not e.obsolete]


def msgids(path: Path) -> set[str]:
    """Return every msgid of a catalogue, translated or not."""
    return {e.msgid for e in entries(path) if e.msgid}
