"""Enqueue the periodic tasks that are due, once each, however many schedulers run.

The scheduler does not run tasks: it puts them on the django.tasks queue, where
`manage.py db_worker` picks them up. A restart enqueues nothing that is not due
(the next-due times live in the database), and two schedulers never both
enqueue one run: each claims it with a conditional UPDATE that only one of them
can win (on PostgreSQL the loser waits on the row lock, then finds the row no
longer due; on SQLite writers are serialised).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from periodic import registry
from periodic.models import Schedule

logger = logging.getLogger(__name__)


def run_due(now: datetime | None = None, entries: Iterable[registry.Periodic] | None = None) -> list[str]:
    """Enqueue every registry entry that is due at ``now``; return the names enqueued.

    An entry seen for the first time is due at once. One whose last run is
    still waiting for a worker is not enqueued again (its turn passes), so a
    stopped worker does not come back to a pile of identical runs.
    """
    now = now or timezone.now()
    enqueued = []
    for entry in registry.PERIODIC if entries is None else entries:
        seconds = entry.interval()
        if seconds > 0 and _enqueue_if_due(entry, now, timedelta(seconds=seconds)):
            enqueued.append(entry.name)
    return enqueued


def _enqueue_if_due(entry: registry.Periodic, now: datetime, every: timedelta) -> bool:
    Schedule.objects.get_or_create(name=entry.name, defaults={"next_due": now})
    # A shortened interval takes effect now, not after the old, longer one.
    Schedule.objects.filter(name=entry.name, next_due__gt=now + every).update(next_due=now + every)
    with transaction.atomic():
        claimed = Schedule.objects.filter(name=entry.name, next_due__lte=now).update(
            next_due=now + every, last_enqueued_at=now
        )
        if not claimed:
            return False
        task = entry.resolve()
        last = Schedule.objects.values_list("last_result_id", flat=True).get(name=entry.name)
        if last and _waiting(task, last):
            logger.warning("periodic task %s not enqueued: its last run is still waiting for a worker", entry.name)
            return False
        result = task.enqueue()
        Schedule.objects.filter(name=entry.name).update(last_result_id=str(result.id))
    return True


def _waiting(task, result_id: str) -> bool:
    if not task.get_backend().supports_get_result:
        return False
    try:
        return task.get_result(result_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:
        return False
