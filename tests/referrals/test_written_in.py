"""Staff see which language each free-text answer is in, and when automatic removal cannot read it."""

from __future__ import annotations

import pytest

from intake.models import Report
from tests.conftest import FULL_REPORT, CsrfClient, submit_report

pytestmark = pytest.mark.django_db

THAI = "เขาตีฉันและเอาโทรศัพท์ของฉันไป ฉันกลัวมากและวิ่งไปที่ป้ายรถเมล์"
UNREAD = (
    "Written in Thai: automatic removal works only in English and Spanish. Read it yourself, or ask someone who "
    "reads Thai."
)


def test_the_report_page_names_each_answers_language(staff, logged_in):
    submit_report(
        CsrfClient(),
        dict(FULL_REPORT, narrative=THAI, perp_description="A tall man with a scar on his left hand, he was angry."),
    )
    report = Report.objects.get()
    html = logged_in("advocate").get(f"/staff/reports/{report.id}/").content.decode()
    assert THAI in html  # her own words, as she wrote them
    assert UNREAD in html
    assert "Written in English." in html
    assert "The reporter's pages were in: English" in html


def test_the_include_step_says_who_must_read_it(staff, logged_in):
    submit_report(
        CsrfClient(),
        dict(FULL_REPORT, narrative=THAI + "\nHe took my money and my phone.", consent=["victim_services"]),
    )
    report = Report.objects.get()
    html = logged_in("advocate").get(f"/staff/reports/{report.id}/refer/{staff['organisation'].pk}/").content.decode()
    assert (
        "Written in Thai and English: automatic removal works only in English and Spanish. Read it yourself, or ask "
        "someone who reads Thai."
    ) in html
    # It still waits for a person: nothing leaves until the box is ticked.
    assert (
        'name="include_narrative"' in html
        and 'name="include_narrative" id="include_narrative" value="1" checked' not in html
    )


def test_the_dashboard_in_spanish_says_it_in_spanish(staff, logged_in):
    submit_report(CsrfClient(), dict(FULL_REPORT, narrative=THAI))
    report = Report.objects.get()
    html = logged_in("advocate").get(f"/staff/reports/{report.id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Escrito en tailandés" in html
