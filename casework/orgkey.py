"""Rotating the organisation key, moving old reports' data keys to the new one, and replacing a lost key.

Keys are handled only through vault/ (rotation); this module decides when a
re-wrap runs (in the request, inline, or queued for a worker) and records
every step in the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.tasks.backends.immediate import ImmediateBackend

from audit.services import record
from casework.accounts import Refused, may_hold_key
from intake.models import Report
from vault import rotation
from vault.exceptions import DecryptionError
from vault.models import OrgKey, StaffKey
from vault.session import Unlocked

REWRAP_BATCH = 500


@dataclass
class RewrapStatus:
    old: OrgKey
    remaining: int
    may_retire_at: object


def pending() -> list[RewrapStatus]:
    """Inactive keys still awaiting their re-wrap or retirement."""
    return [
        RewrapStatus(
            old=key,
            remaining=Report.objects.filter(org_key=key, dek_org_wrap__isnull=False).count(),
            may_retire_at=rotation.retire_after(key),
        )
        for key in rotation.pending_keys()
    ]


def rotate(actor, keys: Unlocked | None, *, inline: bool = False) -> str:
    """Rotate the organisation key and start moving old reports to it; return the re-wrap outcome.

    ``inline`` re-wraps in this process whatever the task backend (the command line).
    """
    with transaction.atomic():
        done = rotation.rotate(keys, granted_by=actor, eligible=lambda sk: may_hold_key(sk.user))
        record(actor.username, "key.rotated", f"{done.old.key_id}>{done.new.key_id}")
        for staff_key in done.holders:
            record(actor.username, "grant.created", f"{staff_key.user.username}@{done.new.key_id}")
    return start_rewrap(actor.username, keys, done.old, inline=inline)


def rewrap_mode() -> str:
    """How a re-wrap runs here: "immediate", "inline" or "queue".

    The worker reads T from the cache, so it needs a cache shared with the web
    processes (Redis). With the immediate task backend the task runs inside
    the request. With a per-process cache (development without Redis) a worker
    could never read T, so the request does the work itself, with the key it
    already holds. ``HARBOR_REWRAP_INLINE`` (True/False) overrides the guess.
    """
    from casework import tasks

    if isinstance(tasks.rewrap_reports.get_backend(), ImmediateBackend):
        return "immediate"
    inline = getattr(settings, "HARBOR_REWRAP_INLINE", None)
    if inline is None:
        inline = isinstance(caches["default"], LocMemCache | DummyCache)
    return "inline" if inline else "queue"


def start_rewrap(actor_name: str, keys: Unlocked | None, old: OrgKey, *, inline: bool = False) -> str:
    """Move the reports wrapped to ``old`` onto the active key, as the actor's mode allows.

    Return "queued" (a worker will do it), or the outcome of a run done now:
    "done", "grace" (all moved; too soon after the rotation to retire the
    old key) or "incomplete" (some wraps did not open).
    Raise vault.exceptions.NotKeyHolderError if the actor does not hold ``old``.
    """
    from casework import tasks

    new = rotation.active_key()
    mode = "inline" if inline else rewrap_mode()
    if mode == "inline":
        loaded = rotation.loaded_private(keys, old)
        record(actor_name, "key.rewrap_started", old.key_id)
        return finish_rewrap(old, new, loaded, actor_name)
    handoff = rotation.hand_off(keys, old, new)
    record(actor_name, "key.rewrap_started", old.key_id)
    result = tasks.rewrap_reports.enqueue(
        old_key_id=old.key_id, new_key_id=new.key_id, handle=handoff.handle, sealed=handoff.sealed, actor=actor_name
    )
    if mode == "immediate":
        return str(result.return_value) if result.status == "SUCCESSFUL" else "failed"
    return "queued"


def replace_lost_key(actor_name: str, holder) -> OrgKey:
    """Make a new organisation key for ``holder`` when nobody holds the active one any more.

    Reports wrapped to the lost key stay unreadable for ever (the retention
    purge removes them in time). Raise vault.exceptions.NotKeyHolderError if
    someone still holds the active key.
    """
    staff_key = StaffKey.objects.filter(user=holder).first()
    if staff_key is None or not may_hold_key(holder):
        raise Refused(f"{holder.username} cannot hold the organisation key.")
    with transaction.atomic():
        done = rotation.replace_lost(staff_key, granted_by=holder)
        record(actor_name, "key.replaced_lost", f"{done.old.key_id}>{done.new.key_id}")
        record(actor_name, "grant.created", f"{holder.username}@{done.new.key_id}")
    return done.new


def _rewrap_pass(old: OrgKey, new: OrgKey, loaded, batch_size: int) -> tuple[int, int]:
    moved = failed = 0
    last = ""
    while True:
        with transaction.atomic():
            batch = list(
                Report.objects.select_for_update()
                .filter(org_key=old, dek_org_wrap__isnull=False, id__gt=last)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return moved, failed
            changed = []
            for report in batch:
                wrap = report.dek_org_wrap
                if wrap is None:  # never: the query chose rows with a wrap and holds them locked
                    continue
                try:
                    report.dek_org_wrap = rotation.rewrap_dek(bytes(wrap), report.id, loaded, new)
                except DecryptionError:
                    failed += 1
                    continue
                report.org_key = new
                changed.append(report)
            # Not updated_at: a re-wrap is not a change to the report, and retention counts from changes.
            Report.objects.bulk_update(changed, ["dek_org_wrap", "org_key"])
            moved += len(changed)
            last = batch[-1].id


def finish_rewrap(old: OrgKey, new: OrgKey, loaded, actor_name: str) -> str:
    """Re-wrap every report on ``old`` to ``new`` in batches; retire ``old`` when it is safe.

    Return "done", "grace" or "incomplete" (see start_rewrap).
    """
    failed = 0
    for _attempt in range(3):  # a report wrapped to the old key by a lagging process while we worked
        _moved, failed = _rewrap_pass(old, new, loaded, REWRAP_BATCH)
        if failed or not Report.objects.filter(org_key=old, dek_org_wrap__isnull=False).exists():
            break
    if Report.objects.filter(org_key=old, dek_org_wrap__isnull=False).exists():
        record(actor_name, "key.rewrap_incomplete", old.key_id)
        return "incomplete"
    if not rotation.may_retire(old):
        return "grace"
    rotation.retire(old)
    record(actor_name, "key.rewrap_done", old.key_id)
    record(actor_name, "key.retired", old.key_id)
    return "done"


def run_rewrap_task(*, old_key_id: str, new_key_id: str, handle: str, sealed: str, actor: str) -> str:
    """The worker's side of a re-wrap: take the key from the hand-off, move, retire."""
    from casework import tasks

    handoff = rotation.Handoff(handle=handle, sealed=sealed)
    old = OrgKey.objects.filter(key_id=old_key_id).first()
    new = OrgKey.objects.filter(key_id=new_key_id).first()
    if old is None or new is None or old.retired_at is not None:
        rotation.release(handoff)
        return "nothing to do"
    loaded = rotation.take_over(handoff, old, new)
    if loaded is None:
        # T expired (or the cache was flushed): only an unlocked holder can start again.
        record(actor, "key.rewrap_expired", old.key_id)
        return "expired"
    outcome = finish_rewrap(old, new, loaded, actor)
    backend = tasks.rewrap_reports.get_backend()
    if outcome == "grace" and backend.supports_defer:
        tasks.rewrap_reports.using(run_after=rotation.retire_after(old) + timedelta(seconds=1)).enqueue(
            old_key_id=old_key_id, new_key_id=new_key_id, handle=handle, sealed=sealed, actor=actor
        )
        return "deferred"
    rotation.release(handoff)
    return outcome
