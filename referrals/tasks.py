"""Background work of the referrals app, run by `manage.py db_worker` and scheduled by periodic/."""

from __future__ import annotations

from django.tasks import task


@task
def expire_alerts() -> int:
    """Take down every published safety alert whose time (HARBOR_ALERT_DAYS) is over; return how many."""
    from referrals import alerts

    return alerts.expire_due()
