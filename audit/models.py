"""An append-only, hash-chained event log: who did what to which object, never content."""

from __future__ import annotations

import hashlib

from django.db import models

GENESIS = "0" * 64


class Event(models.Model):
    """One audit event. ``hash`` covers every field and the previous event's hash."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)  # a username, "reporter" or "system"
    action = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"audit event {self.seq}: {self.action}"

    def compute_hash(self) -> str:
        material = "\x1f".join(
            [str(self.seq), self.at.isoformat(), self.actor, self.action, self.object_id, self.prev_hash]
        )
        return hashlib.sha256(material.encode()).hexdigest()
