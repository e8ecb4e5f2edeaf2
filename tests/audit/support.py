"""What an attacker who can write to the database, but holds no audit key, does to the chain."""

from __future__ import annotations

from datetime import timedelta

from audit.models import GENESIS, Event
from audit.services import record
from vault.auditmac import Keyring, parse_key

# Actors and object ids that must never appear in what verification prints.
ACTORS = ["dana-advocate", "riley-admin", "sam-auditor"]
OBJECT_ID = "5f0c1e2d3a4b5c6d7e8f90a1b2c3d4e5"


def make_chain(n: int) -> list[Event]:
    """Record n events through the real path: keyed under the test settings' audit key."""
    return [record(ACTORS[i % len(ACTORS)], "report.viewed", OBJECT_ID) for i in range(n)]


def rehash_from(seq: int, hasher, until: int | None = None) -> None:
    """Recompute prev_hash and hash of events ``seq`` to ``until`` (default: the last) with ``hasher(event)``."""
    prev = Event.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    events = Event.objects.filter(seq__gte=seq).order_by("seq")
    if until is not None:
        events = events.filter(seq__lte=until)
    for event in events:
        event.prev_hash = prev
        event.hash = hasher(event)
        Event.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash


def plain_sha256(event: Event) -> str:
    """The pre-2026-12 hash: what anyone can compute."""
    return event.compute_unkeyed_hash()


def keyed_with(hex_key: str):
    ring = Keyring(parse_key(hex_key), {})

    def hasher(event: Event) -> str:
        return ring.sign("event", event.material())

    return hasher


def edit(seq: int, /, **fields) -> None:
    Event.objects.filter(seq=seq).update(**fields)


def delete(*seqs: int) -> None:
    Event.objects.filter(seq__in=seqs).delete()


def swap(a: int, b: int) -> None:
    """Exchange the sequence numbers of two events (through a free number: seq is unique)."""
    Event.objects.filter(seq=a).update(seq=-1)
    Event.objects.filter(seq=b).update(seq=a)
    Event.objects.filter(seq=-1).update(seq=b)


def truncate_after(seq: int) -> None:
    Event.objects.filter(seq__gt=seq).delete()


def backdate(seq: int) -> None:
    event = Event.objects.get(seq=seq)
    edit(seq, at=event.at - timedelta(hours=3))
