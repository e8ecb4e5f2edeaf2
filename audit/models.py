"""An append-only, hash-chained event log: who did what to which object, never content."""

from __future__ import annotations

import hashlib
import json
import secrets

from django.db import models

GENESIS = "0" * 64


class Event(models.Model):
    """One audit event. ``hash`` covers every field and the previous event's hash.

    Since 2026-12 ``hash`` is an HMAC under the audit key, stored self-describing
    (``hmac-sha256$<key id>$<hex>``, vault/auditmac.py). Events written before
    keep their bare SHA-256 hex; audit/services.py says when those still verify.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)  # a username, "reporter" or "system"
    action = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=128)
    hash = models.CharField(max_length=128, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"audit event {self.seq}: {self.action}"

    @property
    def keyed(self) -> bool:
        return "$" in self.hash

    def material(self) -> bytes:
        """Return what a keyed hash covers: every field, in an unambiguous encoding."""
        fields = [self.seq, self.at.isoformat(), self.actor, self.action, self.object_id, self.prev_hash]
        return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()

    def compute_unkeyed_hash(self) -> str:
        """Return the plain SHA-256 of events written before the chain was keyed."""
        material = "\x1f".join(
            [str(self.seq), self.at.isoformat(), self.actor, self.action, self.object_id, self.prev_hash]
        )
        return hashlib.sha256(material.encode()).hexdigest()


def _pending_id() -> str:
    return secrets.token_hex(16)


class PendingEvent(models.Model):
    """A reporter's event, held back until its hour has ended.

    A reporter's action is kept to the hour, but an event appended at once would sit in the
    chain's one order between staff events with exact times, and they would date it to the
    minute. So it waits here (random id, the hour, no order) and is appended when the hour is
    over, with the other reporter events of that hour in random order (audit/services.py,
    ``flush_pending``). ``mac`` (under the audit key) shows an edit made while it waited.
    """

    id = models.CharField(primary_key=True, max_length=32, default=_pending_id, editable=False)
    hour = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"pending audit event {self.action}"

    def material(self) -> bytes:
        """Return what ``mac`` covers: every field, in an unambiguous encoding."""
        fields = [self.id, self.hour.isoformat(), self.actor, self.action, self.object_id]
        return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()
