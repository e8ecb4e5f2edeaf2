"""An append-only, hash-chained event log: who did what to which object, never content."""

from __future__ import annotations

import hashlib
import json

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
