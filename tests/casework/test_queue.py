"""The advocate queue pages through ids and counts from the per-status totals; what it shows stays the same."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.utils import timezone

from intake.models import Report
from intake.services import Draft, submit


def make_reports(n: int) -> list[Report]:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    reports = []
    for i in range(n):
        data = {"crime_types": ["robbery"], "role": "victim", "consent": ["record_only"]}
        report, _ = submit(Draft(nonce=secrets.token_hex(16), lang="en", data=data, photos=[]))
        Report.objects.filter(pk=report.pk).update(received_at=now - timedelta(hours=i))
        reports.append(report)
    return reports


def report_links(html: str) -> list[str]:
    return re.findall(r'href="/staff/reports/([0-9a-f]{32})/"', html)


def test_it_pages_newest_first_and_counts(staff, logged_in):
    reports = make_reports(27)
    Report.objects.filter(pk__in=[r.pk for r in reports[:3]]).update(status="closed")
    client = logged_in("advocate")

    first = client.get("/staff/reports/").content.decode()
    assert report_links(first) == [r.id for r in reports[:25]]
    assert "27 reports" in first and "Page 1 of 2" in first
    second = client.get("/staff/reports/?page=2").content.decode()
    assert report_links(second) == [r.id for r in reports[25:]]
    oldest = client.get("/staff/reports/?sort=received_at").content.decode()
    assert report_links(oldest)[0] == reports[-1].id

    closed = client.get("/staff/reports/?status=closed").content.decode()
    assert report_links(closed) == [r.id for r in reports[:3]]
    assert "3 reports" in closed and "Page 1 of 1" in closed


def test_the_assignee_filter_counts_its_own_rows(staff, logged_in):
    reports = make_reports(4)
    Report.objects.filter(pk=reports[1].pk).update(assignee=staff["advocate"])
    client = logged_in("advocate")
    mine = client.get("/staff/reports/?assignee=me").content.decode()
    assert report_links(mine) == [reports[1].id]
    assert "1 reports" in mine
    nobody = client.get("/staff/reports/?assignee=none&status=new").content.decode()
    assert len(report_links(nobody)) == 3


def test_each_queue_page_is_audited_once_not_once_per_report(staff, logged_in):
    """The queue decrypts a summary per row: one event per page view, naming the page, nothing shown on it."""
    from audit.models import Event

    reports = make_reports(27)
    client = logged_in("advocate")
    before = Event.objects.count()
    client.get("/staff/reports/")
    client.get("/staff/reports/?page=2&status=new")
    new = list(Event.objects.filter(seq__gt=before).values_list("actor", "action", "object_id"))
    assert new == [("advocate", "queue.viewed", "1"), ("advocate", "queue.viewed", "2")]
    assert not {r.id for r in reports} & {object_id for _, _, object_id in new}
