"""Retention rules and the purge that crypto-shreds expired reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from audit.models import Event
from casework import tasks
from casework.models import Note, RetentionRule
from intake.models import Attachment, AttachmentChunk, Message, Report, Section
from tests.casework.admin_helpers import IMMEDIATE, SECRET_STORY, new_report

pytestmark = pytest.mark.django_db


def _age(report, days: int, status: str) -> None:
    Report.objects.filter(pk=report.pk).update(status=status, updated_at=timezone.now() - timedelta(days=days))


def _purged() -> list[str]:
    return list(Event.objects.filter(action="report.purged").values_list("object_id", flat=True))


def test_it_shows_and_saves_the_rules(staff, logged_in):
    RetentionRule.objects.create(status="withdrawn", days=30)
    client = logged_in("admin")
    page = client.get("/staff/retention/")
    assert page.status_code == 200
    assert 'value="30"' in page.content.decode()
    response = client.submit("/staff/retention/", {"closed": "365", "referred": "730", "withdrawn": ""})
    assert response.status_code == 302
    assert dict(RetentionRule.objects.values_list("status", "days")) == {"closed": 365, "referred": 730}
    assert sorted(Event.objects.filter(action="retention.changed").values_list("object_id", flat=True)) == [
        "closed=365",
        "referred=730",
        "withdrawn=keep",
    ]
    assert "Retention rules saved" in client.get("/staff/retention/").content.decode()


@pytest.mark.parametrize("value", ["0", "-3", "soon", "99999999"])
def test_it_refuses_a_rule_that_is_not_a_number_of_days(staff, logged_in, value):
    response = logged_in("admin").submit("/staff/retention/", {"closed": value})
    assert response.status_code == 400
    assert not RetentionRule.objects.exists()


def test_the_purge_shreds_only_expired_reports(staff):
    RetentionRule.objects.create(status="closed", days=30)
    RetentionRule.objects.create(status="withdrawn", days=7)
    expired = new_report(photos=(b"\xff\xd8 not really a jpeg",))
    Note.objects.create(report=expired, blob=b"ciphertext")
    Message.objects.create(report=expired, seq=1, author="advocate", blob=b"ciphertext")
    _age(expired, 31, "closed")
    recent = new_report()
    _age(recent, 29, "closed")
    kept = new_report()  # no rule for "in review": kept however old
    _age(kept, 4000, "in_review")
    tombstone = new_report()
    _age(tombstone, 8, "withdrawn")

    assert tasks.purge_expired.call() == 2
    assert set(Report.objects.values_list("id", flat=True)) == {recent.id, kept.id}
    for model in (Section, Message, Attachment):
        assert not model.objects.filter(report_id=expired.id).exists()
    assert not Note.objects.filter(report_id=expired.id).exists()
    assert not AttachmentChunk.objects.filter(attachment__report_id=expired.id).exists()
    assert sorted(_purged()) == sorted([expired.id, tombstone.id])
    assert SECRET_STORY not in " ".join(Event.objects.values_list("object_id", flat=True))
    call_command("verify_audit")


def test_a_change_restarts_the_clock(staff):
    RetentionRule.objects.create(status="closed", days=30)
    report = new_report()
    _age(report, 31, "closed")
    Report.objects.get(pk=report.pk).save()  # a change now: updated_at moves
    assert tasks.purge_expired.call() == 0
    assert Report.objects.filter(pk=report.pk).exists()


@override_settings(TASKS=IMMEDIATE)
def test_the_purge_runs_as_a_task(staff):
    RetentionRule.objects.create(status="closed", days=1)
    report = new_report()
    _age(report, 2, "closed")
    result = tasks.purge_expired.enqueue()
    assert result.return_value == 1
    assert _purged() == [report.id]


def test_the_retention_page_counts_what_the_next_purge_removes(staff, logged_in):
    RetentionRule.objects.create(status="closed", days=1)
    _age(new_report(), 2, "closed")
    assert "1 report is past its rule" in logged_in("admin").get("/staff/retention/").content.decode()
