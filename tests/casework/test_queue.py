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


# --- at a glance (since 2026-12): the hour, never a minute; an unanswered message marked


def rows_by_report(html: str) -> dict[str, str]:
    """Each queue row's HTML, by the id of the report it links to."""
    rows = re.findall(r"<tr role=\"row\"[^>]*>.*?</tr>", html, re.S)
    return {link: row for row in rows for link in report_links(row)}


def test_it_shows_the_hour_each_report_arrived_never_a_minute(staff, logged_in):
    from casework.presenters import reporter_hour

    reports = make_reports(3)
    html = logged_in("advocate").get("/staff/reports/").content.decode()
    rows = rows_by_report(html)
    for report in reports:
        report.refresh_from_db()
        assert reporter_hour(report.received_at) in rows[report.id]
        assert not re.search(r"\d:\d\d", rows[report.id]), rows[report.id]  # "20:00" would claim a minute


def test_within_an_hour_the_queue_keeps_its_order(staff, logged_in):
    """The hour first, then the queue's own order (the id): never an order the hour cannot tell."""
    reports = make_reports(4)
    same_hour = Report.objects.get(pk=reports[1].pk).received_at
    Report.objects.filter(pk__in=[r.pk for r in reports[1:]]).update(received_at=same_hour)
    html = logged_in("advocate").get("/staff/reports/").content.decode()
    assert report_links(html) == [reports[0].id, *sorted(r.id for r in reports[1:])]


def _thread(report, receipt, *authors):
    from intake.services import append_message, open_with_receipt

    dek = open_with_receipt(receipt).dek
    for i, author in enumerate(authors):
        append_message(report, dek, author, f"message {i}", kind="details" if i == 1 else "message")


def test_a_report_whose_newest_message_is_the_reporters_is_marked_until_an_advocate_answers(staff, logged_in):
    data = {"crime_types": ["robbery"], "role": "victim", "consent": ["record_only"]}
    made = [submit(Draft(nonce=secrets.token_hex(16), lang="en", data=data, photos=[])) for _ in range(5)]
    (waiting, w_receipt), (answered, a_receipt), (asked, q_receipt), (quiet, _), (details, d_receipt) = made
    _thread(waiting, w_receipt, "advocate", "reporter")
    _thread(answered, a_receipt, "reporter", "advocate")
    _thread(asked, q_receipt, "advocate")
    _thread(details, d_receipt, "advocate", "reporter")  # her second message adds details: still hers
    client = logged_in("advocate")

    rows = rows_by_report(client.get("/staff/reports/").content.decode())
    marked = {report_id for report_id, row in rows.items() if "Unanswered message" in row}
    assert marked == {waiting.id, details.id}
    page = client.get(f"/staff/reports/{waiting.id}/").content.decode()
    assert page.count("Not answered yet") == 1
    assert "Not answered yet" not in client.get(f"/staff/reports/{answered.id}/").content.decode()
    assert "Not answered yet" not in client.get(f"/staff/reports/{quiet.id}/").content.decode()

    # Reading is not answering: still marked. Answering clears it.
    rows = rows_by_report(client.get("/staff/reports/").content.decode())
    assert "Unanswered message" in rows[waiting.id]
    assert client.submit(f"/staff/reports/{waiting.id}/reply/", {"text": "We are here."}).status_code == 302
    rows = rows_by_report(client.get("/staff/reports/").content.decode())
    assert "Unanswered message" not in rows[waiting.id]
    assert "Unanswered message" in rows[details.id]


def test_the_mark_is_derived_reading_writes_nothing_to_a_report(staff, logged_in):
    """No "read" flag: opening the queue and a report changes no row a reporter's action writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report, receipt = submit(
        Draft(nonce=secrets.token_hex(16), lang="en", data={"crime_types": ["robbery"]}, photos=[])
    )
    _thread(report, receipt, "reporter")
    client = logged_in("advocate")
    with CaptureQueriesContext(connection) as queries:
        assert "Unanswered message" in client.get("/staff/reports/").content.decode()
        assert client.get(f"/staff/reports/{report.id}/").status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and '"intake_' in q["sql"]
    ]
    assert not writes, writes
