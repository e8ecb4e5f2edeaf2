"""Retention: the rules administrators set per status, and the purge that crypto-shreds what outlived them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from audit.services import record
from casework.models import RetentionRule
from intake import services as intake_services
from intake.models import Report


def retention_days() -> dict[str, int]:
    return dict(RetentionRule.objects.values_list("status", "days"))


def save_retention(actor_name: str, days: dict[str, int | None]) -> None:
    """Store the retention rules; None means keep reports in that status."""
    with transaction.atomic():
        current = retention_days()
        for status, value in days.items():
            if value is None:
                if status in current:
                    RetentionRule.objects.filter(status=status).delete()
                    record(actor_name, "retention.changed", f"{status}=keep")
            elif current.get(status) != value:
                RetentionRule.objects.update_or_create(status=status, defaults={"days": value})
                record(actor_name, "retention.changed", f"{status}={value}")


def expired_reports(now=None):
    """Reports whose last change is older than their status's rule."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for status, days in retention_days().items():
        condition |= Q(status=status, updated_at__lt=now - timedelta(days=days))
    return Report.objects.filter(condition)


def purge(report: Report, actor_name: str = "retention") -> None:
    """Crypto-shred a report completely: content, wraps and the row; record only its id."""
    with transaction.atomic():
        report_id = report.pk
        intake_services.erase(report, reason="purged")
        Report.objects.filter(pk=report_id).update(dek_org_wrap=None, dek_receipt_wrap=None, lookup_id=None)
        report.delete()
        record(actor_name, "report.purged", report_id)


def purge_interval() -> int:
    """Seconds between scheduled retention purges (HARBOR_PURGE_EVERY; 0 turns the schedule off)."""
    return settings.HARBOR_PURGE_EVERY


def purge_expired(now=None, actor_name: str = "retention") -> int:
    """Purge every expired report; return how many were purged."""
    now = now or timezone.now()
    count = 0
    for report_id in list(expired_reports(now).values_list("id", flat=True)):
        # Read again: it may have changed (a reply, a new status) since the list was made.
        report = expired_reports(now).filter(pk=report_id).first()
        if report is None:
            continue
        try:
            purge(report, actor_name)
        except ProtectedError:
            continue  # something still refers to it and must go first; the next run retries
        count += 1
    return count
