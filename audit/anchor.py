"""Anchor the audit chain outside the database: append its head to a file.

Threat answered: someone who can write to the database deletes the newest
events (the keyed chain that is left still verifies), or rebuilds the chain
from some point on. Each export appends one JSON line, ``{"seq", "hash",
"at", "mac"}``, to ``HARBOR_AUDIT_HEAD_FILE``; the operator keeps that file
where the database writer cannot change it (append-only, shipped off the host:
docs/operations.md). ``check_heads`` then finds every anchored event still in
the chain with the same hash, or names the sequence number where it is not.
The line's MAC, under the audit key, catches a line forged by someone without
the key.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import GENESIS, Event
from vault.auditmac import key_id_of, keyring

logger = logging.getLogger(__name__)

PURPOSE = "head"
MAX_PROBLEMS = 100  # a rebuilt chain fails every line; the first hundred say enough


@dataclass(frozen=True)
class Head:
    """The chain's newest event when it was exported: sequence number, hash, export time (UTC)."""

    seq: int
    hash: str
    at: str

    def message(self) -> bytes:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}, sort_keys=True).encode()


def export_interval() -> int:
    """Return the seconds between scheduled exports; 0 (off) when no head file is set."""
    return settings.HARBOR_AUDIT_HEAD_EVERY if settings.HARBOR_AUDIT_HEAD_FILE else 0


def export_head(path: str | Path | None = None, *, now: datetime | None = None) -> Head | None:
    """Append the chain's current head to the head file; return it, or None when export is off.

    One ``write`` on a file opened for appending: concurrent exports never
    interleave within a line, and nothing already in the file is rewritten.
    """
    path = path or settings.HARBOR_AUDIT_HEAD_FILE
    if not path:
        logger.warning("audit head export is off: HARBOR_AUDIT_HEAD_FILE is not set")
        return None
    at = (now or timezone.now()).astimezone(UTC).isoformat().replace("+00:00", "Z")
    last = Event.objects.order_by("-seq").only("seq", "hash").first()
    head = Head(seq=last.seq if last else 0, hash=last.hash if last else GENESIS, at=at)
    record = {"seq": head.seq, "hash": head.hash, "at": head.at, "mac": keyring().sign(PURPOSE, head.message())}
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        written = os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if written != len(line):
        raise OSError(f"audit head file {path}: short write ({written} of {len(line)} bytes)")
    return head


@dataclass
class HeadCheck:
    """What ``check_heads`` found: how many records, the newest, and every problem (by line and sequence)."""

    records: int = 0
    newest: Head | None = None
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def _parse(text: str) -> tuple[Head, str] | None:
    try:
        data = json.loads(text)
        head = Head(seq=data["seq"], hash=data["hash"], at=data["at"])
        mac = data["mac"]
    except (ValueError, TypeError, KeyError):
        return None
    fields_ok = isinstance(head.seq, int) and head.seq >= 0 and isinstance(head.hash, str) and isinstance(head.at, str)
    if not fields_ok or not isinstance(mac, str):
        return None
    return head, mac


def check_heads(path: str | Path) -> HeadCheck:
    """Check every head record in ``path`` against the chain in the database.

    Reports, by line and sequence number: a line that is not a head record or
    whose MAC does not verify (forged or edited), an anchored event that is no
    longer in the chain (the newest events were deleted) and one whose hash
    changed (the chain was rewritten, reordered or rebuilt). Raises OSError if
    the file cannot be read.
    """
    ring = keyring()
    result = HeadCheck()
    anchored: list[tuple[int, Head]] = []
    with open(path, encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            parsed = _parse(text)
            if parsed is None:
                result.add(_("line %(line)d is not a head record") % {"line": number})
                continue
            head, mac = parsed
            valid = ring.check(PURPOSE, head.message(), mac)
            if valid is None:
                problem = _("line %(line)d is signed with a key this server does not have (key id %(key)s)")
                result.add(problem % {"line": number, "key": key_id_of(mac)})
            elif not valid:
                result.add(_("line %(line)d is forged or altered: its MAC does not verify") % {"line": number})
            else:
                result.records += 1
                result.newest = head
                anchored.append((number, head))
    hashes = _hashes_of({head.seq for _line, head in anchored if head.seq > 0})
    for number, head in anchored:
        if head.seq == 0:
            continue
        values = {"seq": head.seq, "line": number, "at": head.at}
        stored = hashes.get(head.seq)
        if stored is None:
            result.add(_("event %(seq)d, anchored at %(at)s (line %(line)d), is gone from the chain") % values)
        elif stored != head.hash:
            result.add(
                _("event %(seq)d differs from its head anchored at %(at)s (line %(line)d): the chain was rewritten")
                % values
            )
    return result


def _hashes_of(seqs: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(seqs)
    for start in range(0, len(ordered), 500):  # SQLite limits the parameters of one query
        chunk = ordered[start : start + 500]
        found.update(Event.objects.filter(seq__in=chunk).values_list("seq", "hash"))
    return found
