"""Every periodic task, in one place. Adding one is one line.

``task`` is the dotted path of a django.tasks task that takes no arguments;
``every`` is its interval in seconds, or the dotted path of a function that
returns it (so a setting can change it, or turn it off with 0).
`manage.py harbor_scheduler` enqueues each when due; `manage.py db_worker` runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.tasks import Task
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    every: int | str

    def interval(self) -> int:
        """Return the interval in seconds; 0 or less means off."""
        if isinstance(self.every, int):
            return self.every
        return int(cast(Callable[[], int], import_string(self.every))())

    def resolve(self) -> Task:
        return cast(Task, import_string(self.task))


PERIODIC: list[Periodic] = [
    Periodic("audit.export_head", "audit.tasks.export_head", every="audit.anchor.export_interval"),
    # Reporter events wait for their hour to end (audit/models.py, PendingEvent).
    Periodic("audit.flush_pending", "audit.tasks.flush_pending", every=600),
    Periodic("casework.purge_expired", "casework.tasks.purge_expired", every="casework.retention.purge_interval"),
    Periodic("casework.notify", "casework.notifications.send_digests", every="casework.notifications.digest_interval"),
    Periodic("casework.delete_expired_invitations", "casework.tasks.delete_expired_invitations", every=3600),
    Periodic("referrals.expire_alerts", "referrals.tasks.expire_alerts", every="referrals.alerts.expiry_interval"),
]
