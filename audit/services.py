"""Append to and verify the audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import GENESIS, Event


def record(actor: str, action: str, object_id: str = "", *, coarse: bool = False) -> Event:
    """Append an event. ``coarse`` rounds the time down to the hour (reporter actions).

    Retries when two writers race for the same sequence number; the unique
    constraint on ``seq`` makes the chain linear.
    """
    now = timezone.now()
    if coarse:
        now = now.replace(minute=0, second=0, microsecond=0)
    for _ in range(20):
        try:
            with transaction.atomic():
                last = Event.objects.order_by("-seq").only("seq", "hash").first()
                event = Event(
                    seq=(last.seq + 1) if last else 1,
                    at=now,
                    actor=actor[:150],
                    action=action,
                    object_id=str(object_id)[:64],
                    prev_hash=last.hash if last else GENESIS,
                )
                event.hash = event.compute_hash()
                event.save()
                return event
        except IntegrityError:
            continue
    raise RuntimeError("audit chain is contended; event not recorded")


@dataclass
class Verification:
    ok: bool
    count: int
    problem: str = ""
    at_seq: int | None = None


def verify() -> Verification:
    """Walk the chain; report the first edited, missing or reordered event."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in Event.objects.order_by("seq").iterator():
        if event.seq != expected_seq:
            return Verification(False, count, f"event {expected_seq} is missing", expected_seq)
        if event.prev_hash != prev:
            return Verification(False, count, f"event {event.seq} does not follow its predecessor", event.seq)
        if event.compute_hash() != event.hash:
            return Verification(False, count, f"event {event.seq} was altered", event.seq)
        prev = event.hash
        expected_seq += 1
        count += 1
    return Verification(True, count)
