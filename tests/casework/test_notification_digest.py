"""The digest, end to end: scheduler, worker, a real SMTP server on 127.0.0.1, and the bytes it got.

Every field of every report, every message and the referral hold a canary; the raw message the
server received (and its decoded body) must hold none of them, nor a report, message or referral
id, a crime type, the organisation's name or any clock time. Only how many, to whom the role
allows, once.
"""

from __future__ import annotations

import logging
import re
import secrets
import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework import notifications
from casework.models import NotificationMark, NotificationPreference, Organisation, StaffProfile
from intake import choices
from intake.fields import TextField
from intake.forms import ReportForm
from intake.models import Message, Report
from intake.services import add_reporter_message, open_with_receipt, withdraw
from periodic.services import run_due
from referrals.models import Referral
from tests.casework.admin_helpers import new_report
from tests.casework.conftest import make_staff
from tests.casework.smtp import Inbox, LoopbackServer
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from tests.periodic.test_scheduler import run_worker

pytestmark = pytest.mark.django_db

TASK = "casework.notifications.send_digests"
TEXT_FIELDS = [name for name, field in ReportForm.base_fields.items() if isinstance(field, TextField)]
CLOCK = re.compile(rb"\b\d{1,2}[:h.]\d{2}\b")
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SUBJECT_WORDS = ("report", "violen", "crime", "assault", "rape", "referral", "message", "remisi", "mensaje", "denuncia")


def address(user) -> str:
    return f"{user.username}@staff.example.org"


def opt_in(user, *kinds: str, language: str = "en") -> None:
    profile = StaffProfile.objects.get(user=user)
    notifications.save_preference(user, profile, email=address(user), language=language, kinds=kinds)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, and Harbor's default mailer pointed at it."""
    inbox = Inbox()
    server = LoopbackServer(inbox)
    server.start()
    settings.MAILERS = server.mailers()
    settings.HARBOR_SITE_URL = "https://report.example.org"
    settings.DEFAULT_FROM_EMAIL = "Harbor <harbor@notify.example.org>"
    yield inbox
    server.stop()


def digest(monkeypatch, at: datetime) -> DBTaskResult:
    """Let the scheduler enqueue what is due at ``at`` and the worker run it; return the digest's run."""
    assert "casework.notify" in run_due(at)
    run_worker(monkeypatch)
    return DBTaskResult.objects.filter(task_path=TASK).order_by("-enqueued_at").first()


def _canary_report(tag: str) -> tuple[str, dict[str, str]]:
    canaries = {}
    for name in TEXT_FIELDS:
        token = secrets.token_hex(5)
        canaries[name] = f"canary.{token}@example.org" if name == "contact_email" else f"Canary-{tag}-{name}-{token}"
    receipt, _page = submit_report(CsrfClient(), dict(FULL_REPORT, **canaries))
    return receipt, canaries


def _forbidden(world) -> list[bytes]:
    """Everything a digest must never carry, as bytes."""
    words = list(world["canaries"])
    words += [r.id for r in Report.objects.all()] + [m.id for m in Message.objects.all()]
    words += [r.id for r in Referral.objects.all()] + [o.name for o in Organisation.objects.all()]
    for value, label in choices.CRIME_TYPES:
        if value in FULL_REPORT["crime_types"]:
            words += [value, str(label), str(label).split(" (")[0]]
    words += [FULL_REPORT["incident_time"], FULL_REPORT["incident_date"], "Mission"]
    return [w.encode() for w in words if w]


@pytest.fixture
def world(staff, logged_in, smtp):
    """Who wants what, and then what came in: two reports, three reporter messages, a referral."""
    org = staff["organisation"]
    Organisation.objects.filter(pk=org.pk).update(name=f"Canary Org {secrets.token_hex(4)}")
    other_org = Organisation.objects.create(name=f"Canary Other Org {secrets.token_hex(4)}", kind="victim_services")
    other_recipient = make_staff("elsewhere", ["recipient"], organisation=other_org)

    opt_in(staff["advocate"], "reports", "messages")
    opt_in(staff["recipient"], "referrals", language="es")
    opt_in(other_recipient, "referrals")
    opt_in(staff["colleague"])  # an address, and nothing chosen: opted out
    for name in ("admin", "auditor", "outsider"):  # chosen by hand in the table, but no role for it
        NotificationPreference.objects.create(
            user=staff[name], email=address(staff[name]), reports=True, messages=True, referrals=True
        )

    canaries: list[str] = []
    receipts = []
    for tag in ("one", "two"):
        receipt, planted = _canary_report(tag)
        receipts.append(receipt)
        canaries += planted.values()
    for n, receipt in enumerate([receipts[0], receipts[0], receipts[1]]):
        text = f"Canary-message-{n}-{secrets.token_hex(5)}"
        add_reporter_message(open_with_receipt(receipt), text)
        canaries.append(text)
    first = open_with_receipt(receipts[0]).report
    advocate = logged_in("advocate")
    reply = f"Canary-reply-{secrets.token_hex(5)}"
    assert advocate.submit(f"/staff/reports/{first.id}/reply/", {"text": reply, "then": ""}).status_code == 302
    canaries.append(reply)
    sent = advocate.submit(f"/staff/reports/{first.id}/refer/{org.pk}/", {"action": "send", "include_narrative": "1"})
    assert sent.status_code == 302, sent.content.decode()[:500]
    assert Referral.objects.count() == 1
    return {"staff": staff, "canaries": canaries, "other_recipient": other_recipient}


def test_the_digest_says_how_many_and_nothing_else(world, smtp, monkeypatch):
    staff = world["staff"]
    run = digest(monkeypatch, timezone.now())
    assert run.status == "SUCCESSFUL"
    assert run.return_value is None  # a count in the task table would say when news came

    # Only those whose role lets them see it, and who chose it.
    assert sorted(addr for r in smtp.received for addr in r.to) == sorted(
        [address(staff["advocate"]), address(staff["recipient"])]
    )
    (to_advocate,) = smtp.to(address(staff["advocate"]))
    (to_recipient,) = smtp.to(address(staff["recipient"]))
    assert to_advocate.text.splitlines()[4:6] == ["2 new reports", "3 new messages from reporters"]
    assert "referral" not in to_advocate.text
    assert to_recipient.message["Subject"] == "Harbor: hay algo nuevo para usted"  # her language
    assert "1 remisión nueva para su organización" in to_recipient.text
    assert "https://report.example.org/staff/login/" in to_advocate.text

    for received in smtp.received:
        message = received.message
        shown = received.raw + received.text.encode() + str(message["Subject"]).encode()
        for word in _forbidden(world):
            assert word not in shown, word
        assert not CLOCK.search(received.text.encode())  # no time in the body at all
        headers = {name.lower() for name in message}
        assert headers <= {
            "subject",
            "from",
            "to",
            "date",
            "message-id",
            "auto-submitted",
            "mime-version",
            "content-type",
            "content-transfer-encoding",
        }, headers
        for name in headers - {"date"}:
            assert not CLOCK.search(str(message[name]).encode()), name  # the send time, and only in Date
        assert not any(word in str(message["Subject"]).lower() for word in SUBJECT_WORDS)
        assert message.get_content_type() == "text/plain" and not message.is_multipart()
        # Random, not Django's default (the clock, the process id and this machine's name).
        assert re.fullmatch(r"<[0-9a-f]{32}@notify\.example\.org>", str(message["Message-ID"]))
        assert message["From"] == "Harbor <harbor@notify.example.org>"
        assert b"http" not in received.raw.replace(b"https://report.example.org/staff/login/", b"")  # one link
        assert received.text.splitlines()[:3] in (
            ["Hello,", "", "There is something new for you on Harbor."],
            ["Hola:", "", "Hay algo nuevo para usted en Harbor."],
        )  # what a lock screen shows under the subject

    # A second run with nothing new sends nothing.
    before = len(smtp.received)
    assert digest(monkeypatch, timezone.now() + timedelta(minutes=15)).status == "SUCCESSFUL"
    assert len(smtp.received) == before


def test_the_marks_hold_no_id_content_or_time_finer_than_the_hour(world, smtp, monkeypatch):
    digest(monkeypatch, timezone.now())
    marks = list(NotificationMark.objects.values())
    assert {m["kind"] for m in marks} == {"reports", "messages", "referrals"}
    dumped = repr(marks).encode()
    for word in _forbidden(world):
        assert word not in dumped
    for mark in marks:
        assert (mark["hour"].minute, mark["hour"].second, mark["hour"].microsecond) == (0, 0, 0)


def test_nothing_is_scheduled_or_sent_without_a_mail_server(staff, settings, mailoutbox):
    settings.MAILERS = {}
    opt_in(staff["advocate"], "reports")
    new_report()
    assert notifications.digest_interval() == 0
    assert "casework.notify" not in run_due(timezone.now())
    notifications.run_digests()
    assert mailoutbox == []


def _refuse_data(inbox, settings):
    inbox.refuse_data = "451 4.3.0 Try again later"


def _refuse_recipient(inbox, settings):
    inbox.refuse_rcpt = "550 5.1.1 <advocate@staff.example.org>: no such user here"


def _nobody_listening(inbox, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.MAILERS = {**settings.MAILERS, "default": {**settings.MAILERS["default"]}}
    settings.MAILERS["default"]["OPTIONS"] = {**settings.MAILERS["default"]["OPTIONS"], "port": port}


@pytest.mark.parametrize("failure", [_refuse_data, _refuse_recipient, _nobody_listening])
def test_a_failing_server_loses_nothing_and_logs_no_address(staff, smtp, settings, monkeypatch, caplog, failure):  # noqa: PLR0917 - fixtures
    working = dict(settings.MAILERS)
    opt_in(staff["advocate"], "reports")
    story = f"Canary-story-{secrets.token_hex(5)}"
    new_report(narrative=story)
    marks_before = list(NotificationMark.objects.values_list("hour", "seen", "seen_before"))
    failure(smtp, settings)
    caplog.set_level(logging.DEBUG)

    run = digest(monkeypatch, timezone.now())
    assert run.status == "SUCCESSFUL"  # failed softly: no traceback (with an address) in the task table
    assert smtp.received == []
    assert list(NotificationMark.objects.values_list("hour", "seen", "seen_before")) == marks_before
    (warning,) = [r for r in caplog.records if r.name == "casework.notifications"]
    assert warning.levelno == logging.WARNING
    assert "1 of 1 messages not sent" in warning.getMessage()
    ours = [r for r in caplog.records if not r.name.startswith("mail.")]  # "mail.log" is the test server's own
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_info!r}" for r in ours)
    assert "@" not in logged and story not in logged and "staff.example.org" not in logged

    # Next time the server works: the news it could not take is counted again, with what came since.
    smtp.refuse_data = smtp.refuse_rcpt = ""
    settings.MAILERS = working
    new_report()
    digest(monkeypatch, timezone.now() + timedelta(minutes=15))
    (received,) = smtp.received
    assert "2 new reports" in received.text


def test_one_refused_address_does_not_stop_the_others(staff, smtp, monkeypatch):
    opt_in(staff["advocate"], "reports")
    opt_in(staff["colleague"], "reports")
    smtp.unknown = {address(staff["advocate"])}
    new_report()
    digest(monkeypatch, timezone.now())
    assert [r.to for r in smtp.received] == [[address(staff["colleague"])]]
    smtp.unknown = set()  # the address was fixed
    new_report()
    digest(monkeypatch, timezone.now() + timedelta(minutes=15))
    assert "2 new reports" in smtp.to(address(staff["advocate"]))[0].text
    assert "1 new report\n" in smtp.to(address(staff["colleague"]))[1].text


# --- counting by the hour, without the server: the marks ------------------------------


H = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_tally_counts_beyond_the_mark_and_moves_it():
    counts = {H - timedelta(hours=1): 4, H: 3, H + timedelta(hours=2): 2}
    result = notifications.tally(counts, H, seen=1, seen_before=4)
    assert result == notifications.Tally(new=2 + 2, hour=H + timedelta(hours=2), seen=2, seen_before=0)
    assert notifications.tally(counts, H, seen=3, seen_before=4).new == 2
    assert notifications.tally({H: 3}, H, seen=3, seen_before=0) == notifications.Tally(0, H, 3, 0)


def test_tally_catches_a_row_committed_late_into_the_hour_before():
    assert notifications.tally({H - timedelta(hours=1): 5, H: 1}, H, seen=1, seen_before=4).new == 1


def test_tally_follows_a_deletion_down_so_the_next_row_is_not_masked():
    after_withdrawal = notifications.tally({H: 2}, H, seen=3, seen_before=0)
    assert after_withdrawal.new == 0 and after_withdrawal.seen == 2
    assert notifications.tally({H: 3}, H, seen=after_withdrawal.seen, seen_before=0).new == 1


@pytest.fixture
def locmem(settings, mailoutbox):
    settings.MAILERS = LOCMEM
    return mailoutbox


def _at(hours: float) -> datetime:
    return timezone.now() + timedelta(hours=hours)


def test_a_report_committed_late_into_the_last_hour_is_still_counted(staff, locmem):
    opt_in(staff["advocate"], "reports")
    notifications.run_digests()
    late = new_report()
    mark = NotificationMark.objects.get()
    Report.objects.filter(pk=late.pk).update(received_at=mark.hour - timedelta(hours=1))
    notifications.run_digests()
    assert len(locmem) == 1 and "1 new report\n" in locmem[0].body


def test_a_report_dated_in_a_later_hour_is_counted_once(staff, locmem):
    opt_in(staff["advocate"], "reports")
    ahead = new_report()  # written by an app server whose clock is ahead
    Report.objects.filter(pk=ahead.pk).update(received_at=NotificationMark.objects.get().hour + timedelta(hours=1))
    notifications.run_digests()
    notifications.run_digests()
    assert [m.body.count("1 new report\n") for m in locmem] == [1]


def test_a_withdrawal_does_not_hide_the_next_message(staff, locmem):
    opt_in(staff["advocate"], "messages")
    receipts = [_canary_report(tag)[0] for tag in ("a", "b")]
    add_reporter_message(open_with_receipt(receipts[0]), "first")
    notifications.run_digests()
    withdraw(open_with_receipt(receipts[0]))  # her message goes with the report
    notifications.run_digests()
    add_reporter_message(open_with_receipt(receipts[1]), "second")
    notifications.run_digests()
    assert ["1 new message from a reporter" in m.body for m in locmem] == [True, True]


def test_an_advocates_reply_is_not_news(staff, locmem, org_keys):
    opt_in(staff["advocate"], "messages")
    from intake.services import append_message

    report = new_report()
    append_message(report, b"\0" * 32, Message.Author.ADVOCATE, "We can meet Tuesday.")
    notifications.run_digests()
    assert locmem == []


def test_a_role_taken_away_stops_the_news_and_a_role_given_back_starts_from_then(staff, locmem):
    opt_in(staff["advocate"], "reports")
    profile = StaffProfile.objects.get(user=staff["advocate"])
    profile.roles = ["admin"]
    profile.save()
    new_report()
    notifications.run_digests()
    assert locmem == [] and not NotificationMark.objects.exists()
    profile.roles = ["advocate"]
    profile.save()
    notifications.run_digests()  # the mark starts again here: no backlog of what came meanwhile
    assert locmem == []
    new_report()
    notifications.run_digests()
    assert len(locmem) == 1 and "1 new report\n" in locmem[0].body


def test_a_recipient_moved_to_another_organisation_hears_only_of_the_new_ones(staff, locmem):
    opt_in(staff["recipient"], "referrals")
    elsewhere = Organisation.objects.create(name="Clinic", kind="health_org")
    StaffProfile.objects.filter(user=staff["recipient"]).update(organisation=elsewhere)
    notifications.run_digests()
    mark = NotificationMark.objects.get()
    assert mark.scope == str(elsewhere.pk)
    assert locmem == []


def test_an_inactive_account_gets_nothing(staff, locmem):
    opt_in(staff["advocate"], "reports")
    staff["advocate"].is_active = False
    staff["advocate"].save()
    new_report()
    notifications.run_digests()
    assert locmem == [] and not NotificationMark.objects.exists()
    staff["advocate"].is_active = True
    staff["advocate"].save()
    notifications.run_digests()  # back: counted from now, not what came while away
    assert locmem == []
