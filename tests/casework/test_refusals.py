"""A staff page that refuses says so in staff words; a 404 stays a 404 and gives nothing away.

Since 2026-12 every /staff/ address refuses through casework/views_errors.py: never the
reporter's "That isn't available" with its link back to the report form.
"""

from __future__ import annotations

import pytest

from casework.models import Organisation
from intake.models import Report
from referrals.models import Referral
from tests.casework.conftest import make_staff
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from tests.intake.conftest import page_text

pytestmark = pytest.mark.django_db

REPORTER_WORDS = ("That isn't available", "There is nothing here", "Back to the start", "Leave quickly")


def assert_staff_words(response, status: int, *sentences: str) -> str:
    assert response.status_code == status
    text = page_text(response)
    for sentence in sentences:
        assert sentence in text, text
    for words in REPORTER_WORDS:
        assert words not in text, f"the reporter's words on a staff page: {words}"
    assert 'href="/report/"' not in response.content.decode()
    return text


def test_a_role_that_may_not_open_a_page_is_told_so(staff, logged_in):
    submit_report(CsrfClient())
    report = Report.objects.get()
    for name, path in [
        ("recipient", "/staff/reports/"),
        ("auditor", f"/staff/reports/{report.id}/"),
        ("admin", "/staff/alerts/"),
        ("advocate", "/staff/audit/"),
        ("outsider", "/staff/stats/"),
    ]:
        assert_staff_words(logged_in(name).get(path), 403, "Your role can't open this page", "ask an administrator")


def test_a_missing_report_says_so_in_staff_words(staff, logged_in):
    text = assert_staff_words(
        logged_in("advocate").get(f"/staff/reports/{'0' * 32}/"), 404, "There is no report here that you can open"
    )
    assert "The list of reports shows every report you can open." in text


def test_a_referral_of_another_organisation_reads_exactly_like_no_referral(staff, logged_in):
    """The recipient of one organisation cannot tell another's referral from one that does not exist."""
    submit_report(CsrfClient(), dict(FULL_REPORT, consent=["victim_services"]))
    report = Report.objects.get()
    other = Organisation.objects.create(name="Other Services", kind="victim_services")
    make_staff("other_recipient", ["recipient"], organisation=other)
    sent = logged_in("advocate").submit(f"/staff/reports/{report.id}/refer/{other.pk}/", {"action": "send"})
    assert sent.status_code == 302
    theirs = Referral.objects.get()
    recipient = logged_in("recipient")
    for suffix in ("", "print/", "pdf/"):
        exists = recipient.get(f"/staff/inbox/{theirs.id}/{suffix}")
        missing = recipient.get(f"/staff/inbox/{'0' * 32}/{suffix}")
        text = assert_staff_words(exists, 404, "This referral is not in your organisation's inbox")
        assert page_text(missing) == text and missing.status_code == 404


def test_an_unknown_staff_address_is_a_staff_404(staff, logged_in):
    assert_staff_words(logged_in("advocate").get("/staff/no-such-page/"), 404, "There is no such page")
    assert_staff_words(CsrfClient().get("/staff/no-such-page/"), 404, "There is no such page", "Staff login")


def test_a_wrong_method_and_an_expired_form_say_so_in_staff_words(staff, logged_in):
    client = logged_in("advocate")
    assert_staff_words(client.submit("/staff/reports/", {}), 405, "This page can't be opened that way")
    expired = client.post("/staff/password/", {"csrfmiddlewaretoken": "stale" * 8})
    assert_staff_words(expired, 403, "This form has expired", "15 minutes without activity")


def test_refusals_are_in_spanish_for_a_spanish_browser(staff, logged_in):
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    text = page_text(logged_in("recipient").get("/staff/reports/", **spanish))
    assert "Su rol no puede abrir esta página" in text
    text = page_text(logged_in("recipient").get(f"/staff/inbox/{'0' * 32}/", **spanish))
    assert "Esta remisión no está en la bandeja de entrada de su organización" in text


def test_the_reporter_keeps_her_own_words(db):
    response = CsrfClient().get("/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing here" in page_text(response)
    assert "staff" not in page_text(response).lower()
