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


class _Reader:
    """Reads a catalogue line by line: comments, keywords and continued strings."""

    def __init__(self) -> None:
        self.out: list[Entry] = []
        self.current = Entry()
        self.key: str | None = None
        self.started = False

    def finish(self) -> None:
        if self.started:
            self.out.append(self.current)
        self.current, self.started, self.key = Entry(), False, None

    def line(self, line: str) -> None:
        if line.startswith("#~"):
            self.current.obsolete = True
        elif not line:
            self.finish()
        elif line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                self.current.fuzzy = True
        elif line.startswith('"'):
            self.continued(ast.literal_eval(line))
        else:
            word, _, rest = line.partition(" ")
            self.keyword(word, ast.literal_eval(rest))

    def continued(self, value: str) -> None:
        e = self.current
        if self.key == "msgctxt":
            e.msgctxt = (e.msgctxt or "") + value
        elif self.key == "msgid":
            e.msgid += value
        elif self.key == "msgid_plural":
            e.msgid_plural = (e.msgid_plural or "") + value
        elif self.key is not None:
            e.msgstr[-1] += value

    def keyword(self, word: str, value: str) -> None:
        self.started = True
        if word in ("msgctxt", "msgid", "msgid_plural"):
            self.key = word
            setattr(self.current, word, value)
        elif word.startswith("msgstr"):
            self.key = word
            self.current.msgstr.append(value)


def entries(path: Path) -> list[Entry]:
    """Return the entries of a .po file, header included (msgid "")."""
    reader = _Reader()
    for raw in path.read_text(encoding="utf-8").splitlines():
        reader.line(raw.strip())
    reader.finish()
    return [e for e in reader.out if not e.obsolete]


def msgids(path: Path) -> set[str]:
    """Return every msgid of a catalogue, translated or not."""
    return {e.msgid for e in entries(path) if e.msgid}
