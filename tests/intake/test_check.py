"""Coming back with a receipt: read, add, change consent, erase; wrong receipts learn nothing."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from audit.models import Event
from audit.services import flush_pending
from intake import services
from intake.models import Attachment, AttachmentChunk, Message, Report, Section
from intake.services import ReportNotFound, open_with_receipt
from tests.conftest import FULL_REPORT, hidden, submit_report
from tests.intake.conftest import cache_keys, field_error, form_values, jpeg_bytes, page_text, press, upload
from vault import receipts, tags, tokens

pytestmark = pytest.mark.django_db

COULD_NOT_OPEN = "We couldn't open a report with that receipt. Please check it and try again."
TYPO = "That receipt isn't complete or has a typo."
TYPE_AGAIN = "Please type your receipt again."


@pytest.fixture
def receipt(client, org_keys) -> str:
    receipt, _ = submit_report(client, files={"photos": upload("p.jpg", jpeg_bytes())})
    return receipt.replace("-", "")


def _open(client, typed: str, **extra):
    return client.submit("/check/", {"receipt": typed}, **extra)


def _token(response) -> str:
    return hidden(response, "token")


def _neutral(response) -> str:
    """The page without what differs by design: the CSRF token and the receipt typed back."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'(name="receipt"[^>]*?) value="[^"]*"', r"\1", html)


# --- opening ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typing",
    [
        lambda r: r,
        receipts.display,
        lambda r: receipts.display(r).lower(),
        lambda r: " ".join(r[i : i + 4] for i in range(0, 20, 4)),
        lambda r: "  " + receipts.display(r).replace("-", " – ") + "\n",
        lambda r: r.lower().replace("0", "o").replace("1", "l"),
    ],
)
def test_it_opens_the_report_however_the_receipt_is_typed(client, receipt, typing):
    response = _open(client, typing(receipt))
    assert response.status_code == 200
    text = page_text(response)
    assert "Your report" in text
    assert FULL_REPORT["perp_description"] in text
    assert FULL_REPORT["ctx_payment"] in text  # the reporter sees everything they wrote
    assert "1 photo." in text


def test_it_never_puts_the_receipt_in_the_page(client, receipt):
    response = _open(client, receipts.display(receipt).lower())
    html = response.content.decode()
    for form in (receipt, receipt.lower(), receipts.display(receipt), receipts.display(receipt).lower()):
        assert form not in html
    assert receipt not in _token(response)


def test_it_gives_the_same_answer_for_a_wrong_and_an_unknown_receipt(client, receipt, org_keys):
    # A well-formed receipt that opens nothing...
    unknown = _open(client, receipts.generate())
    # ...the receipt of an erased report...
    receipt2, _ = submit_report(client)
    opened = open_with_receipt(receipt2)
    from intake.services import withdraw

    withdraw(opened)
    erased = _open(client, receipt2)
    # ...and a report whose lookup matches but whose key does not (a tampered row).
    other = receipts.generate()
    Report.objects.filter(
        lookup_id=receipts.lookup_id(receipt, bytes.fromhex(settings.HARBOR_RECEIPT_PEPPER)).hex()
    ).update(lookup_id=receipts.lookup_id(other, bytes.fromhex(settings.HARBOR_RECEIPT_PEPPER)).hex())
    mismatched = _open(client, other)

    for response in (unknown, erased, mismatched):
        assert response.status_code == 400
        assert COULD_NOT_OPEN in field_error(response, "receipt")
    assert _neutral(unknown) == _neutral(erased) == _neutral(mismatched)


def test_it_says_typo_for_a_malformed_receipt(client, receipt):
    typo = receipt[:5] + ("A" if receipt[5] != "A" else "B") + receipt[6:]
    for typed in (typo, receipt[:-1], receipt + "7", "hello", "#" * 20):
        response = _open(client, typed)
        assert response.status_code == 400
        assert TYPO in field_error(response, "receipt")
        assert COULD_NOT_OPEN not in response.content.decode()


def test_it_asks_for_an_empty_receipt(client, receipt):
    response = _open(client, "")
    assert response.status_code == 400
    assert "Please type your receipt." in field_error(response, "receipt")


def test_a_typo_does_not_count_as_a_failed_try(client, receipt):
    with override_settings(HARBOR_RATE_CHECK_FAIL=(2, 900)):
        for _ in range(5):
            assert _open(client, "not a receipt").status_code == 400
        assert _open(client, receipt).status_code == 200


# --- rate limits: past a limit, a stated wait (or work), never a refusal ---------------------


@override_settings(HARBOR_RATE_CHECK_FAIL=(3, 900))
def test_it_slows_down_guessing_kindly(client, receipt, clock):
    for _ in range(3):
        assert _open(client, receipts.generate()).status_code == 400
    held = _open(client, receipts.generate())
    assert held.status_code == 429
    # The wait is stated as it is: at least HARBOR_WAIT_SECONDS, on the queue's next turn.
    first = int(held["Retry-After"])
    assert 15 <= first <= 20
    assert f"Please wait {first} seconds, then press “Open my report”." in page_text(held)
    # Even the right receipt waits: the limit must not tell a guesser they hit...
    right = _open(client, receipt)
    assert right.status_code == 429
    wait = int(right["Retry-After"])
    assert f"Please wait {wait} seconds" in page_text(right)
    # ...and opens once the wait is over, without being typed again.
    clock.advance(wait)
    opened = press(client, right)
    assert opened.status_code == 200
    assert "Your report" in page_text(opened)
    # Another address is not held by this one's tries.
    assert _open(client, receipt, REMOTE_ADDR="198.51.100.9").status_code == 200


@override_settings(HARBOR_RATE_CHECK_FAIL=(3, 900))
def test_a_held_receipt_is_sealed_never_put_back_as_typed(client, receipt):
    for _ in range(3):
        _open(client, receipts.generate())
    held = _open(client, receipts.display(receipt).lower())
    assert held.status_code == 429
    html = held.content.decode()
    for form in (receipt, receipt.lower(), receipts.display(receipt), receipts.display(receipt).lower()):
        assert form not in html
    assert 'name="receipt"' not in html
    assert services.unseal_attempt(hidden(held, "attempt")) == receipt


def _bucket(receipt: str) -> int:
    return tags.bucket("receipt", services.receipt_lookup(receipt), settings.HARBOR_CHECK_PREFIXES)


@override_settings(HARBOR_RATE_LIMIT_BY_ADDRESS=False, HARBOR_RATE_CHECK_FAIL_PREFIX=(1, 900))
def test_without_addresses_wrong_receipts_count_per_bucket_not_for_everyone(client, receipt):
    # Behind an onion service every client is 127.0.0.1: no counter per address, one per
    # bucket of receipts. Filling one bucket holds only the receipts that fall in it.
    wrong = next(r for r in iter(receipts.generate, None) if _bucket(r) != _bucket(receipt))
    assert _open(client, wrong).status_code == 400
    assert [k for k in cache_keys() if "check_fail" in k] == [f"rl:check_fail:p{_bucket(wrong)}"]
    assert _open(client, wrong).status_code == 429  # its bucket is full...
    assert _open(client, receipt).status_code == 200  # ...the right receipt's is not


@override_settings(HARBOR_RATE_CHECK_FAIL=(2, 900))
def test_the_rate_limited_page_keeps_an_unsent_message(client, receipt, clock):
    for _ in range(2):
        _open(client, receipts.generate())
    response = client.submit("/check/", {"receipt": receipt, "pending_text": "please call me"})
    assert response.status_code == 429
    assert hidden(response, "pending_text") == "please call me"
    clock.advance(int(response["Retry-After"]))
    opened = press(client, response)
    assert opened.status_code == 200
    assert form_values(opened)["text"] == ["please call me"]


@override_settings(HARBOR_RATE_CHECK_FAIL=(1, 900))
def test_a_held_wrong_receipt_is_answered_without_being_shown(client, receipt, clock):
    _open(client, receipts.generate())
    wrong = receipts.generate()
    held = _open(client, wrong)
    assert held.status_code == 429
    clock.advance(int(held["Retry-After"]))
    response = press(client, held)
    assert response.status_code == 400
    assert COULD_NOT_OPEN in page_text(response)
    assert wrong not in response.content.decode() and receipts.display(wrong) not in response.content.decode()


def test_a_receipt_sealed_too_long_ago_is_asked_again_kindly(client, receipt):
    old = tokens.seal(settings.SECRET_KEY, services.ATTEMPT, receipt.encode(), now=time.time() - 3600)
    response = client.submit("/check/", {"attempt": old, "pending_text": "still here"})
    assert response.status_code == 400
    assert "a receipt you typed is kept for 15 minutes only" in page_text(response)
    assert hidden(response, "pending_text") == "still here"


# --- messages, details, consent -------------------------------------------------------------


def test_it_adds_a_message_and_details(client, receipt):
    page = _open(client, receipt)
    response = client.submit(
        "/check/message/", {"token": _token(page), "text": "He came back last night.", "kind": "message"}
    )
    assert response.status_code == 200
    assert "Sent. Only the advocates can read it." in page_text(response)
    response = client.submit(
        "/check/message/", {"token": _token(response), "text": "His car is blue.", "kind": "details"}
    )
    assert response.status_code == 200

    again = page_text(_open(client, receipts.display(receipt)))
    assert "He came back last night." in again
    assert "Details you added" in again and "His car is blue." in again
    opened = open_with_receipt(receipt)
    assert [(m["kind"], m["text"]) for m in opened.messages()] == [
        ("message", "He came back last night."),
        ("details", "His car is blue."),
    ]
    assert Message.objects.count() == 2
    for message in Message.objects.all():
        assert b"blue" not in bytes(message.blob) and b"night" not in bytes(message.blob)


def test_it_refuses_an_empty_message_and_keeps_the_page(client, receipt):
    page = _open(client, receipt)
    response = client.submit("/check/message/", {"token": _token(page), "text": "  \x00 ", "kind": "message"})
    assert response.status_code == 400
    assert "The message is empty." in field_error(response, "text")
    assert Message.objects.count() == 0


def test_it_refuses_an_unknown_message_kind(client, receipt):
    page = _open(client, receipt)
    response = client.submit("/check/message/", {"token": _token(page), "text": "hi", "kind": "advocate"})
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_it_changes_consent(client, receipt):
    page = _open(client, receipt)
    assert form_values(page)["consent"] == ["victim_services"]
    response = client.submit(
        "/check/consent/",
        {"token": _token(page), "consent": ["health_org", "peer_alert"], "consent_share_contact": "yes"},
    )
    assert response.status_code == 200
    assert "Your choice is saved." in page_text(response)
    assert sorted(form_values(response)["consent"]) == ["health_org", "peer_alert"]
    consent = open_with_receipt(receipt).section("consent")
    assert consent == {"consent": ["health_org", "peer_alert"], "consent_share_contact": "yes"}
    assert not Event.objects.filter(action="report.consent_changed").exists()  # held until the hour is over
    flush_pending(now=timezone.now() + timedelta(hours=1))
    event = Event.objects.get(action="report.consent_changed")
    assert event.actor == "reporter" and event.object_id == Report.objects.get().id
    assert (event.at.minute, event.at.second) == (0, 0)


def test_withdrawing_every_consent_means_record_only(client, receipt):
    page = _open(client, receipt)
    client.submit("/check/consent/", {"token": _token(page)})
    assert open_with_receipt(receipt).section("consent")["consent"] == ["record_only"]


def test_it_refuses_record_only_with_someone_to_share_with(client, receipt):
    page = _open(client, receipt)
    response = client.submit("/check/consent/", {"token": _token(page), "consent": ["record_only", "victim_services"]})
    assert response.status_code == 400
    assert "Only record it" in field_error(response, "consent")
    assert open_with_receipt(receipt).section("consent")["consent"] == ["victim_services"]


# --- withdrawing -------------------------------------------------------------------------------


def test_it_erases_the_report_on_withdrawal(client, receipt):
    page = _open(client, receipt)
    client.submit("/check/message/", {"token": _token(page), "text": "one more thing", "kind": "message"})
    report = Report.objects.get()
    assert Section.objects.filter(report=report).exists() and Attachment.objects.exists()

    response = client.submit("/check/withdraw/", {"token": _token(page), "confirm": "on"})
    assert response.status_code == 200
    assert "Your report has been erased" in page_text(response)

    report.refresh_from_db()
    assert report.status == Report.Status.WITHDRAWN
    assert report.lookup_id is None
    assert report.dek_org_wrap is None and report.dek_receipt_wrap is None
    assert Section.objects.count() == 0
    assert Message.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert AttachmentChunk.objects.count() == 0
    flush_pending(now=timezone.now() + timedelta(hours=1))
    event = Event.objects.get(action="report.withdrawn")
    assert event.actor == "reporter" and event.object_id == report.id

    with pytest.raises(ReportNotFound):
        open_with_receipt(receipt)
    again = _open(client, receipt)
    assert again.status_code == 400
    assert COULD_NOT_OPEN in field_error(again, "receipt")
    # The old page's token opens nothing any more either.
    stale = client.submit("/check/message/", {"token": _token(page), "text": "still there?", "kind": "message"})
    assert stale.status_code == 400
    assert Message.objects.count() == 0


def test_it_asks_before_erasing(client, receipt):
    page = _open(client, receipt)
    response = client.submit("/check/withdraw/", {"token": _token(page)})
    assert response.status_code == 400
    assert "Tick the box if you are sure." in field_error(response, "confirm")
    assert Report.objects.get().status == Report.Status.NEW
    assert Section.objects.exists()


# --- stale and forged pages --------------------------------------------------------------------


def _expired_token(receipt: str) -> str:
    sealed_at = time.time() - settings.HARBOR_CHECK_MAX_AGE - 5
    return tokens.seal(settings.SECRET_KEY, "check", receipt.encode(), now=sealed_at)


@pytest.mark.parametrize("kind", ["expired", "forged", "other purpose", "empty"])
def test_a_stale_page_asks_for_the_receipt_and_keeps_the_unsent_message(client, receipt, kind):
    token = {
        "expired": lambda: _expired_token(receipt),
        "forged": lambda: "AQEA" + "A" * 80,
        "other purpose": lambda: tokens.seal(settings.SECRET_KEY, "draft", receipt.encode()),
        "empty": lambda: "",
    }[kind]()
    text = "He found me again.\nPlease call after 6 — <b>not</b> before."
    response = client.submit("/check/message/", {"token": token, "text": text, "kind": "message"})
    assert response.status_code == 400
    assert TYPE_AGAIN in page_text(response)
    assert form_values(response)["pending_text"] == [text]
    assert "<b>not</b>" not in response.content.decode()  # escaped, not markup
    assert Message.objects.count() == 0

    # Typing the receipt brings the report back with the message ready to send.
    reopened = client.submit("/check/", {"receipt": receipt, "pending_text": form_values(response)["pending_text"][0]})
    assert reopened.status_code == 200
    assert form_values(reopened)["text"] == [text]


@pytest.mark.parametrize("url", ["/check/consent/", "/check/withdraw/"])
def test_a_stale_page_changes_nothing(client, receipt, url):
    response = client.submit(url, {"token": _expired_token(receipt), "consent": ["health_org"], "confirm": "on"})
    assert response.status_code == 400
    assert TYPE_AGAIN in page_text(response)
    assert Report.objects.get().status == Report.Status.NEW
    assert open_with_receipt(receipt).section("consent")["consent"] == ["victim_services"]


def test_a_token_for_one_report_does_not_open_another(client, receipt, org_keys):
    receipt2, _ = submit_report(client)
    page = _open(client, receipt2)
    sent = client.submit("/check/message/", {"token": _token(page), "text": "for report two", "kind": "message"})
    assert sent.status_code == 200
    assert [m["text"] for m in open_with_receipt(receipt).messages()] == []
    assert [m["text"] for m in open_with_receipt(receipt2).messages()] == ["for report two"]


# --- methods and CSRF ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/check/message/", "/check/consent/", "/check/withdraw/"])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_actions_allow_only_post(client, url, method):
    token = client.token()
    assert getattr(client, method)(url, headers={"X-CSRFToken": token}).status_code == 405


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_check_allows_only_get_and_post(client, method):
    token = client.token()
    assert getattr(client, method)("/check/", headers={"X-CSRFToken": token}).status_code == 405


@pytest.mark.parametrize("url", ["/check/", "/check/message/", "/check/consent/", "/check/withdraw/"])
def test_it_enforces_csrf(client, receipt, url):
    page = _open(client, receipt)
    raw = Client(enforce_csrf_checks=True)
    response = raw.post(url, {"receipt": receipt, "token": _token(page), "text": "x", "confirm": "on"})
    assert response.status_code == 403
    assert "This form has expired" in page_text(response)
    # With another browser's token, too.
    raw.get("/check/")
    response = raw.post(
        url, {"receipt": receipt, "token": _token(page), "confirm": "on", "csrfmiddlewaretoken": "x" * 64}
    )
    assert response.status_code == 403
    assert Report.objects.get().status == Report.Status.NEW
    assert Message.objects.count() == 0
