"""The database as a thief reads it, after a reporter's whole story through the real pages.

Two reporters send reports that differ only in their answers (one
undocumented, one a citizen; different crimes, needs and consent). One comes
back through /check/: writes, is answered by an advocate, adds details,
changes who may see the report after a recipient opened its referral, and
finally withdraws it. Then every table is read as a stolen copy would be:

- no column a reporter's action wrote or moved holds minutes, seconds or
  microseconds (referrals_referral.status_changed_at included);
- every row a reporter's action wrote has a random id that orders nothing;
  the thread's order is a per-report place, and every message in it is
  timed to the hour, the advocates' too;
- the two reports' blobs have the same lengths, section by section, and
  every message has the same length whatever it says.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection

from intake.models import Attachment, AttachmentChunk, Message, Report, Section, SpentDraft
from intake.services import REPORT_SECTIONS, open_with_receipt
from referrals.models import Referral
from tests.conftest import FULL_REPORT, CsrfClient, hidden, submit_report
from tests.intake.conftest import jpeg_bytes, upload
from vault import envelope

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
# Tables whose rows a reporter's action writes, and the one column elsewhere it moves.
REPORTER_TABLES = (
    "intake_report",
    "intake_section",
    "intake_message",
    "intake_attachment",
    "intake_attachmentchunk",
    "intake_spentdraft",
)
REPORTER_COLUMNS = {("referrals_referral", "status_changed_at")}

UNDOCUMENTED = dict(FULL_REPORT, ctx_immigration="undocumented", ctx_working="yes", consent=["victim_services"])
CITIZEN = dict(
    FULL_REPORT,
    ctx_immigration="citizen",
    ctx_working="no",
    crime_types=["sexual_assault", "stalking", "trafficking", "kidnapping"],
    needs=["shelter", "immigration_legal", "safety_planning", "counselling"],
    safe_now="no",
    reporter_under_18="yes",
    perp_relationship="manager_or_third_party",
    consent=["health_org", "peer_alert", "police_via_advocate"],
    consent_share_contact="yes",
)


def _rows(table: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _exact_times() -> list[str]:
    """Every reporter-triggered column that holds more than the hour."""
    found = []
    for table in connection.introspection.table_names():
        for row in _rows(table):
            for column, value in row.items():
                if not isinstance(value, datetime.datetime):
                    continue
                if (table in REPORTER_TABLES or (table, column) in REPORTER_COLUMNS) and (
                    value.minute,
                    value.second,
                    value.microsecond,
                ) != (0, 0, 0):
                    found.append(f"{table}.{column}={value.isoformat()}")
    return found


def _check(client: CsrfClient, receipt: str) -> str:
    page = client.submit("/check/", {"receipt": receipt})
    assert page.status_code == 200
    return hidden(page, "token")


def _lengths(report_id: str) -> dict[str, int]:
    return {row["name"]: len(bytes(row["blob"])) for row in _rows("intake_section") if row["report_id"] == report_id}


def test_a_thief_learns_no_minute_no_order_and_no_answer_from_lengths(staff, logged_in):
    reporter = CsrfClient()
    receipt, _ = submit_report(reporter, UNDOCUMENTED, {"photos": upload("a.jpg", jpeg_bytes(size=(300, 200)))})
    report = open_with_receipt(receipt).report
    other_receipt, _ = submit_report(CsrfClient(), CITIZEN, {"photos": upload("b.jpg", jpeg_bytes(size=(40, 30)))})
    other = open_with_receipt(other_receipt).report

    advocate = logged_in("advocate")
    assert (
        advocate.submit(f"/staff/reports/{report.id}/reply/", {"text": "We read it. Are you safe?"}).status_code == 302
    )
    sent = advocate.submit(f"/staff/reports/{report.id}/refer/{staff['organisation'].pk}/", {"action": "send"})
    assert sent.status_code == 302, sent.content.decode()[:800]
    referral = Referral.objects.get(report=report)
    assert logged_in("recipient").get(f"/staff/inbox/{referral.id}/").status_code == 200

    token = _check(reporter, receipt)
    assert (
        reporter.submit("/check/message/", {"token": token, "text": "Yes, thank you.", "kind": "message"}).status_code
        == 200
    )
    assert (
        advocate.submit(
            f"/staff/reports/{report.id}/reply/",
            {"text": "Good. Can you tell us more about the car?", "then": "waiting"},
        ).status_code
        == 302
    )
    answer = "It was a silver Honda, the plate started 7ABC, and he had a second phone he kept in the glove box. " * 2
    assert reporter.submit("/check/message/", {"token": token, "text": answer, "kind": "details"}).status_code == 200
    assert reporter.submit("/check/consent/", {"token": token, "consent": ["health_org"]}).status_code == 200
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN  # opened, then consent gone

    # --- what the thief reads --------------------------------------------------------------
    assert _exact_times() == []

    for model in (Section, Message, Attachment, AttachmentChunk, SpentDraft, Report):
        ids = list(model.objects.values_list("pk", flat=True))
        assert ids and all(HEX_ID.match(str(pk)) for pk in ids), (model.__name__, ids)
    messages = _rows("intake_message")
    assert sorted(m["seq"] for m in messages) == [1, 2, 3, 4]
    assert {m["kind"] for m in messages} == {""}  # "details" is inside the ciphertext
    assert {m["author"] for m in messages} == {"reporter", "advocate"}
    assert len({len(bytes(m["blob"])) for m in messages}) == 1  # 15 characters or 200: one length

    assert sorted(_lengths(report.id)) == sorted(_lengths(other.id)) == sorted(REPORT_SECTIONS)
    assert _lengths(report.id) == _lengths(other.id)
    assert len({len(bytes(c["blob"])) for c in _rows("intake_attachmentchunk")}) == 1  # a big photo and a small one

    # The thread still reads in order, with what each message was.
    thread = open_with_receipt(receipt).messages()
    assert [(m["author"], m["kind"]) for m in thread] == [
        ("advocate", "message"),
        ("reporter", "message"),
        ("advocate", "message"),
        ("reporter", "details"),
    ]
    assert thread[3]["text"] == answer.strip()

    # --- and after the withdrawal ------------------------------------------------------------
    token = _check(reporter, receipt)
    assert reporter.submit("/check/withdraw/", {"token": token, "confirm": "on"}).status_code == 200
    assert Report.objects.get(pk=report.id).status == Report.Status.WITHDRAWN
    assert not Section.objects.filter(report_id=report.id).exists()
    assert _exact_times() == []


def test_the_consent_section_is_changed_in_place(client, org_keys):
    receipt, _ = submit_report(client, dict(FULL_REPORT, consent=["victim_services"]))
    before = list(Section.objects.values_list("id", "name"))
    size = len(bytes(Section.objects.get(name="consent").blob))
    token = _check(client, receipt)
    choices = ["victim_services", "health_org", "police_via_advocate", "peer_alert"]
    assert (
        client.submit(
            "/check/consent/", {"token": token, "consent": choices, "consent_share_contact": "yes"}
        ).status_code
        == 200
    )
    assert list(Section.objects.values_list("id", "name")) == before
    assert len(bytes(Section.objects.get(name="consent").blob)) == size
    assert open_with_receipt(receipt).section("consent")["consent"] == choices


def test_an_empty_report_stores_every_section(client, org_keys):
    receipt, _ = submit_report(client, {"crime_types": ["robbery"], "role": "victim"})
    assert sorted(Section.objects.values_list("name", flat=True)) == sorted(REPORT_SECTIONS)
    opened = open_with_receipt(receipt)
    assert opened.section("sensitive") == {} and opened.section("narrative") == {}
    assert opened.section("consent") == {"consent": ["record_only"]}
    blobs = {bytes(b) for b in Section.objects.values_list("blob", flat=True)}
    assert {len(b) for b in blobs} == {len(envelope.encrypt_json(b"k" * 32, "r", "summary", {}))}
