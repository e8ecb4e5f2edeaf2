"""Reporter events wait for their hour to end, so their place in the chain dates them only to the hour.

The attack: read the chain as a database thief. A reporter's event appended at once would sit
between two staff events with exact times, and they would date it to the minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from audit.models import Event, PendingEvent
from audit.services import flush_pending, record, verify
from periodic.registry import PERIODIC

pytestmark = pytest.mark.django_db

HOUR = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)


def _at(minutes: int, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: HOUR + timedelta(minutes=minutes))


def test_a_reporter_event_is_not_placed_between_the_staff_events_around_it(monkeypatch):
    _at(3, monkeypatch)
    record("advocate", "report.viewed", "a" * 32)
    _at(5, monkeypatch)
    held = record("reporter", "report.consent_changed", "b" * 32, coarse=True)
    assert isinstance(held, PendingEvent) and held.hour == HOUR
    _at(7, monkeypatch)
    record("advocate", "report.replied", "a" * 32)
    # The hour is not over: nothing of the reporter is in the chain yet.
    assert flush_pending(now=HOUR + timedelta(minutes=59)) == 0
    assert list(Event.objects.values_list("action", flat=True)) == ["report.viewed", "report.replied"]
    # After it: appended behind every staff event of the hour, timed to the hour.
    assert flush_pending(now=HOUR + timedelta(hours=1, minutes=1)) == 1
    chain = list(Event.objects.order_by("seq").values_list("actor", "action", "at"))
    assert chain[-1] == ("reporter", "report.consent_changed", HOUR)
    assert not PendingEvent.objects.exists()
    assert verify().ok


def test_the_waiting_row_says_nothing_finer_than_the_hour_and_carries_no_order(monkeypatch):
    ids = []
    for minute in (1, 17, 42):
        _at(minute, monkeypatch)
        ids.append(record("reporter", "report.withdrawn", f"{minute:032d}", coarse=True).pk)
    rows = list(PendingEvent.objects.values_list("id", "hour"))
    assert {hour for _id, hour in rows} == {HOUR}
    assert all(len(pk) == 32 and int(pk, 16) >= 0 for pk in ids)
    assert sorted(ids) != ids or sorted(ids, reverse=True) != ids  # random, not counting up


def test_the_events_of_one_hour_are_appended_in_random_order(monkeypatch):
    orders = set()
    for attempt in range(12):
        Event.objects.all().delete()
        for minute in range(6):
            _at(minute, monkeypatch)
            record("reporter", "report.consent_changed", f"{attempt:02d}{minute:030d}", coarse=True)
        flush_pending(now=HOUR + timedelta(hours=1))
        orders.add(tuple(Event.objects.order_by("seq").values_list("object_id", flat=True)))
    assert len(orders) > 1  # 720 orders of six: twelve flushes in the same order would be a bug


def test_an_event_edited_while_it_waited_is_recorded_as_altered(monkeypatch):
    _at(10, monkeypatch)
    record("reporter", "report.consent_changed", "c" * 32, coarse=True)
    PendingEvent.objects.update(action="report.viewed", actor="advocate")  # a database writer's forgery
    flush_pending(now=HOUR + timedelta(hours=1))
    event = Event.objects.get()
    assert (event.actor, event.action, event.object_id) == ("system", "audit.pending_altered", "c" * 32)
    assert verify().ok


def test_the_flush_is_scheduled():
    assert "audit.tasks.flush_pending" in {p.task for p in PERIODIC}
    assert "casework.tasks.purge_expired" in {p.task for p in PERIODIC}
