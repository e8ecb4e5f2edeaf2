"""Append to and verify the audit chain.

Each event's hash is an HMAC under the audit key (vault/auditmac.py) over its
fields and the previous event's hash, so someone who can write to the database
but does not hold the key can neither edit, insert nor reorder events, nor
rebuild the chain. Deleting the newest events leaves a shorter chain that still
verifies: the head records exported off the host (audit/anchor.py) catch that.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import GENESIS, Event
from vault.auditmac import key_id_of, keyring

PURPOSE = "event"


def record(actor: str, action: str, object_id: str = "", *, coarse: bool = False) -> Event:
    """Append an event. ``coarse`` rounds the time down to the hour (reporter actions).

    Retries when two writers race for the same sequence number; the unique
    constraint on ``seq`` makes the chain linear.
    """
    now = timezone.now()
    if coarse:
        now = now.replace(minute=0, second=0, microsecond=0)
    ring = keyring()
    for _attempt in range(20):
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
                event.hash = ring.sign(PURPOSE, event.material())
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
