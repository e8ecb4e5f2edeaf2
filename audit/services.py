"""Append to and verify the audit chain.

Each event's hash is an HMAC under the audit key (vault/auditmac.py) over its
fields and the previous event's hash, so someone who can write to the database
but does not hold the key can neither edit, insert nor reorder events, nor
rebuild the chain. Deleting the newest events leaves a shorter chain that still
verifies: the head records exported off the host (audit/anchor.py) catch that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import GENESIS, Event, PendingEvent
from vault.auditmac import key_id_of, keyring

PURPOSE = "event"
PENDING_PURPOSE = "pending-event"


def record(actor: str, action: str, object_id: str = "", *, coarse: bool = False) -> Event | PendingEvent:
    """Append an event; with ``coarse`` (a reporter's action), hold it until its hour is over.

    A coarse event is kept to the hour and appended by :func:`flush_pending` once the hour has
    ended, among the other reporter events of that hour in random order: appended at once, its
    place between staff events with exact times would date it to the minute.
    """
    now = timezone.now()
    if coarse:
        pending = PendingEvent(hour=_hour(now), actor=actor[:150], action=action, object_id=str(object_id)[:64])
        pending.mac = keyring().sign(PENDING_PURPOSE, pending.material())
        pending.save(force_insert=True)
        return pending
    return _append(actor, action, object_id, now)


def _hour(when):
    return when.replace(minute=0, second=0, microsecond=0)


def _append(actor: str, action: str, object_id: str, at) -> Event:
    """Append one event to the chain.

    Retries when two writers race for the same sequence number; the unique
    constraint on ``seq`` makes the chain linear.
    """
    ring = keyring()
    for _attempt in range(20):
        try:
            with transaction.atomic():
                last = Event.objects.order_by("-seq").only("seq", "hash").first()
                event = Event(
                    seq=(last.seq + 1) if last else 1,
                    at=at,
                    actor=actor[:150],
                    action=action,
                    object_id=str(object_id)[:64],
                    prev_hash=last.hash if last else GENESIS,
                )
                event.hash = ring.sign(PURPOSE, event.material())
                event.save()
                return event
        except IntegrityError:
            continue
    raise RuntimeError("audit chain is contended; event not recorded")


def flush_pending(now=None) -> int:
    """Append every held reporter event whose hour has ended; return how many.

    Each hour's events go in random order (the order they were written in is exactly what
    must not show), each timed to its hour. One whose ``mac`` no longer matches was edited
    while it waited: it is appended as ``audit.pending_altered`` (with its object id) instead
    of what it now claims, so the chain records that, not the forgery.
    """
    cutoff = _hour(now or timezone.now())
    ring = keyring()
    rng = secrets.SystemRandom()
    appended = 0
    with transaction.atomic():
        waiting = list(PendingEvent.objects.select_for_update().filter(hour__lt=cutoff).order_by("hour"))
        by_hour: dict[datetime, list[PendingEvent]] = {}
        for pending in waiting:
            by_hour.setdefault(pending.hour, []).append(pending)
        for hour, events in sorted(by_hour.items(), key=lambda item: item[0]):
            rng.shuffle(events)
            for pending in events:
                if ring.check(PENDING_PURPOSE, pending.material(), pending.mac):
                    _append(pending.actor, pending.action, pending.object_id, hour)
                else:
                    _append("system", "audit.pending_altered", pending.object_id, hour)
                appended += 1
        PendingEvent.objects.filter(pk__in=[p.pk for p in waiting]).delete()
    return appended


@dataclass
class Verification:
    ok: bool
    count: int
    problem: str = ""
    at_seq: int | None = None
    # Events written before the chain was keyed (before 2026-12): always the first ones.
    unkeyed: int = 0


def verify() -> Verification:
    """Walk the chain; report the first edited, missing, reordered or unkeyed event.

    Events with a bare SHA-256 hash, written before the chain was keyed, are
    accepted only at the start of the chain and only when a keyed event follows
    them: that event's HMAC covers the last unkeyed hash, so the older part can
    no longer be rewritten without the key. A chain with no keyed event at all
    is what a rebuild without the key looks like, and fails. Problems name
    sequence numbers and key ids, never what an event says.
    """
    ring = keyring()
    prev = GENESIS
    expected_seq = 1
    count = unkeyed = 0
    for event in Event.objects.order_by("seq").iterator():
        seq = event.seq
        if seq != expected_seq:
            return Verification(False, count, _("event %(seq)d is missing") % {"seq": expected_seq}, expected_seq)
        if event.prev_hash != prev:
            return Verification(False, count, _("event %(seq)d does not follow its predecessor") % {"seq": seq}, seq)
        if event.keyed:
            valid = ring.check(PURPOSE, event.material(), event.hash)
            if valid is None:
                problem = _("event %(seq)d is keyed with a key this server does not have (key id %(key)s)") % {
                    "seq": seq,
                    "key": key_id_of(event.hash),
                }
                return Verification(False, count, problem, seq)
            if not valid:
                return Verification(False, count, _("event %(seq)d was altered") % {"seq": seq}, seq)
        else:
            if count > unkeyed:
                problem = _("event %(seq)d is not keyed, but events before it are: it was written without the key")
                return Verification(False, count, problem % {"seq": seq}, seq)
            if event.compute_unkeyed_hash() != event.hash:
                return Verification(False, count, _("event %(seq)d was altered") % {"seq": seq}, seq)
            unkeyed += 1
        prev = event.hash
        expected_seq += 1
        count += 1
    if count and unkeyed == count:
        problem = _(
            "none of the %(count)d events is keyed: a chain rebuilt without the audit key looks like this "
            "(events from before the key are accepted only when a keyed event follows them)"
        )
        return Verification(False, count, problem % {"count": count}, 1, unkeyed)
    return Verification(True, count, unkeyed=unkeyed)
