"""One row per periodic task: when it is next due. Shared by every scheduler process."""

from __future__ import annotations

from django.db import models


class Schedule(models.Model):
    """When the registry entry ``name`` (periodic/registry.py) is next due, and its last enqueued run.

    Schedulers claim a due run with a conditional UPDATE on ``next_due``, so of
    several schedulers (or one restarted) exactly one enqueues each run.
    """

    name = models.CharField(max_length=100, unique=True)
    next_due = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name}, next due {self.next_due:%Y-%m-%d %H:%M:%S}"
