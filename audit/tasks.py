"""Background work of the audit app, run by `manage.py db_worker` and scheduled by periodic/."""

from __future__ import annotations

from django.tasks import task


@task
def export_head() -> int | None:
    """Append the audit chain's head to HARBOR_AUDIT_HEAD_FILE; return its sequence number (None: off)."""
    from audit import anchor

    head = anchor.export_head()
    return None if head is None else head.seq


@task
def flush_pending() -> int:
    """Append the reporter events of every hour that has ended, in random order within the hour."""
    from audit import services

    return services.flush_pending()
