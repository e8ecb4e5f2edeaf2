"""An advocate reads a report, replies, notes; the reporter reads the reply with the receipt."""

from __future__ import annotations

import re

import pytest

from intake.models import Message, Report
from intake.services import open_with_receipt
from tests.conftest import CsrfClient, submit_report

pytestmark = pytest.mark.django_db


def test_it_shows_the_queue_with_decrypted_summaries(staff, logged_in):
    submit_report(CsrfClient())
    client = logged_in("advocate")
    response = client.get("/staff/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Robbery (something taken by force or threat), Physical assault (hit, choked, hurt)" in html


def test_it_opens_a_report_and_marks_the_private_section(staff, logged_in):
    submit_report(CsrfClient())
    report = Report.objects.get()
    client = logged_in("advocate")
    response = client.get(f"/staff/reports/{report.id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "grey hoodie, scar on left hand" in html
    assert "never leaves this organisation" in html


def test_reply_reaches_the_reporter(staff, logged_in):
    receipt, _ = submit_report(CsrfClient())
    report = Report.objects.get()
    client = logged_in("advocate")
    response = client.submit(
        f"/staff/reports/{report.id}/reply/", {"text": "We can meet you Tuesday.", "then": "waiting"}
    )
    assert response.status_code == 302
    assert Message.objects.get().author == "advocate"
    assert b"We can meet you Tuesday." not in bytes(Message.objects.get().blob)
    opened = open_with_receipt(receipt)
    assert [m["text"] for m in opened.messages()] == ["We can meet you Tuesday."]
    assert Report.objects.get().status == "waiting"


def test_wrong_role_gets_403(staff, logged_in):
    submit_report(CsrfClient())
    report = Report.objects.get()
    for name in ("admin", "auditor", "recipient", "outsider"):
        client = logged_in(name)
        assert client.get(f"/staff/reports/{report.id}/").status_code == 403, name
        assert client.get("/staff/reports/").status_code == 403, name


def test_anonymous_is_sent_to_login(db):
    response = CsrfClient().get("/staff/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_the_thread_keeps_its_order_within_an_hour_and_shows_hours(staff, logged_in):
    """Every message of a thread is kept to the hour: its place (seq) orders it, and it reads as an hour."""
    from casework.presenters import reporter_hour
    from intake.services import append_message

    receipt, _ = submit_report(CsrfClient())
    report = Report.objects.get()
    dek = open_with_receipt(receipt).dek
    texts = [f"message number {i}" for i in range(6)]
    for i, text in enumerate(texts):
        append_message(report, dek, "reporter" if i % 2 == 0 else "advocate", text)
    # One hour for all, and random ids: only the place in the thread can order them.
    hour = Message.objects.order_by("seq").first().created_at
    Message.objects.filter(report=report).update(created_at=hour)

    html = logged_in("advocate").get(f"/staff/reports/{report.id}/").content.decode()
    assert [html.index(text) for text in texts] == sorted(html.index(text) for text in texts)
    thread = html[html.index("Conversation with the reporter") : html.index("Reply to the reporter")]
    assert thread.count(reporter_hour(hour)) == 6
    assert not re.search(r"\d:\d\d", thread), "a message's time claims a minute"
    assert f"{reporter_hour(report.received_at)}" in html
