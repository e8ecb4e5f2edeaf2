"""Gone means gone: withdrawal and purge leave no row that holds anything of the report.

Each test reads the tables afterwards as a database thief would, and opens what was erased as
the recipient and the advocate would try to.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.models import Note, RetentionRule
from casework.retention import purge_expired
from intake.models import Attachment, AttachmentChunk, Message, Report, Section
from referrals.models import PublishedAlert, Referral, ReferralMessage, ReferralWrap
from tests.conftest import FULL_REPORT, CsrfClient, hidden, submit_report
from tests.referrals.support import publish_alert, write_alert

pytestmark = pytest.mark.django_db

STORY = "He pushed me against the wall and took my phone and bag, zqerasurezq."


def _referred_report(logged_in, staff, *, open_it: bool):
    """A report with a photo-free thread, a note, a referral (opened or not) with messages, and a peer alert."""
    data = dict(FULL_REPORT, narrative=STORY, consent=["victim_services", "peer_alert"])
    receipt, _ = submit_report(CsrfClient(), data)
    report = Report.objects.get()
    advocate = logged_in("advocate")
    page = f"/staff/reports/{report.id}"
    assert advocate.submit(f"{page}/reply/", {"text": "We read it."}).status_code == 302
    assert advocate.submit(f"{page}/note/", {"text": "zqnotezq internal"}).status_code == 302
    org = staff["organisation"]
    sent = advocate.submit(f"/staff/reports/{report.id}/refer/{org.pk}/", {"action": "send", "include_narrative": "1"})
    assert sent.status_code == 302
    alert = write_alert(advocate, report, perp_vehicle="1")
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    assert PublishedAlert.objects.filter(referral=alert).exists()
    referral = Referral.objects.get(organisation=org)
    assert advocate.submit(f"/staff/referrals/{referral.id}/", {"text": "zqtorecipientzq"}).status_code == 302
    if open_it:
        assert logged_in("recipient").get(f"/staff/inbox/{referral.id}/").status_code == 200
    assert Note.objects.filter(report=report).exists() and ReferralMessage.objects.exists()
    return receipt, report, referral


def _rows_left(report_id: str) -> dict[str, int]:
    """Every row of every table that still points at the report, by table."""
    return {
        "sections": Section.objects.filter(report_id=report_id).count(),
        "messages": Message.objects.filter(report_id=report_id).count(),
        "notes": Note.objects.filter(report_id=report_id).count(),
        "attachments": Attachment.objects.filter(report_id=report_id).count(),
        "chunks": AttachmentChunk.objects.filter(attachment__report_id=report_id).count(),
        "referrals": Referral.objects.filter(report_id=report_id).count(),
    }


def _anywhere_in_the_database(needle: bytes) -> list[str]:
    """Tables whose raw rows hold ``needle`` (text or bytes), read as a thief reads a dump."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                    if needle in raw:
                        found.append(table)
    return found


def test_withdrawal_deletes_notes_referrals_and_their_messages(staff, logged_in):
    receipt, report, referral = _referred_report(logged_in, staff, open_it=False)
    check = CsrfClient()
    token = hidden(check.submit("/check/", {"receipt": receipt}), "token")
    page = check.submit("/check/withdraw/", {"token": token, "confirm": "on"})
    assert page.status_code == 200
    assert _rows_left(report.id) == dict.fromkeys(_rows_left(report.id), 0)
    # Nobody had opened the referral: nothing of it is left, for anyone.
    assert not Referral.objects.exists() and not ReferralWrap.objects.exists() and not ReferralMessage.objects.exists()
    assert not PublishedAlert.objects.exists()  # the published alert's copy went with it
    assert logged_in("recipient").get(f"/staff/inbox/{referral.id}/").status_code == 404
    assert logged_in("advocate").get(f"/staff/referrals/{referral.id}/").status_code == 404
    # The tombstone holds no key and no receipt lookup; the receipt opens nothing.
    tomb = Report.objects.get()
    assert (tomb.status, tomb.lookup_id, tomb.dek_org_wrap, tomb.dek_receipt_wrap) == ("withdrawn", None, None, None)
    assert "open a report with that receipt" in CsrfClient().submit("/check/", {"receipt": receipt}).content.decode()


def test_an_opened_referral_becomes_a_notice_without_content_or_link(staff, logged_in):
    receipt, report, referral = _referred_report(logged_in, staff, open_it=True)
    check = CsrfClient()
    token = hidden(check.submit("/check/", {"receipt": receipt}), "token")
    check.submit("/check/withdraw/", {"token": token, "confirm": "on"})
    assert _rows_left(report.id) == dict.fromkeys(_rows_left(report.id), 0)
    notice = Referral.objects.get()
    assert notice.pk == referral.pk and notice.report_id is None and notice.status == "withdrawn"
    assert bytes(notice.body) == b"" and notice.trace is None and notice.org_wrap is None and notice.org_key_id is None
    assert not ReferralWrap.objects.exists() and not ReferralMessage.objects.exists()
    assert not PublishedAlert.objects.exists()
    html = logged_in("recipient").get(f"/staff/inbox/{referral.id}/").content.decode()
    assert "withdrew their consent" in html and "zqerasurezq" not in html


def test_the_erased_page_says_what_backups_still_hold(staff, logged_in, settings):
    settings.HARBOR_BACKUP_DAYS = 14
    receipt, _report, _referral = _referred_report(logged_in, staff, open_it=False)
    check = CsrfClient()
    token = hidden(check.submit("/check/", {"receipt": receipt}), "token")
    html = check.submit("/check/withdraw/", {"token": token, "confirm": "on"}).content.decode()
    assert "Backups made before now may still hold an encrypted copy" in html
    assert "within 14 days" in html
    assert "Without the keys nobody can open that copy" in html


@pytest.mark.parametrize("open_it", [False, True])
def test_a_purged_report_leaves_no_row_and_its_referral_cannot_be_opened(staff, logged_in, open_it):
    _receipt, report, referral = _referred_report(logged_in, staff, open_it=open_it)
    RetentionRule.objects.create(status="referred", days=30)
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now() - timedelta(days=31))
    assert purge_expired() == 1
    assert not Report.objects.exists()
    assert _rows_left(report.id) == dict.fromkeys(_rows_left(report.id), 0)
    assert not Referral.objects.exists() and not ReferralWrap.objects.exists() and not ReferralMessage.objects.exists()
    assert not PublishedAlert.objects.exists()
    assert logged_in("recipient").get(f"/staff/inbox/{referral.id}/").status_code == 404
    assert logged_in("advocate").get(f"/staff/reports/{report.id}/").status_code == 404
    assert logged_in("advocate").get("/staff/alerts/").content.decode().count(FULL_REPORT["perp_vehicle"]) == 0
    # Only the audit chain names the ids, never content; no table holds anything else of them.
    for needle in (report.id.encode(), referral.id.encode()):
        assert set(_anywhere_in_the_database(needle)) <= {"audit_event"}
