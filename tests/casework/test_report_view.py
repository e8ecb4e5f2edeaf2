"""An advocate reads a report, replies, notes; the reporter reads the reply with the receipt."""

from __future__ import annotations

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
    assert "robbery" in html


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
