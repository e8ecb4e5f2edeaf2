"""No duplicates: every send answers with a redirect, and a form sent twice writes once.

A bad day: a reload after a send, Back and "send again", a double press. Each send follows
Post/Redirect/Get, each form carries a one-time key (vault/once.py), and what is kept of a
spent key is a keyed hash, never the key.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from intake import services
from intake.models import Message, Report, Section, SpentDraft
from tests.conftest import FULL_REPORT, fill_and_preview, hidden, receipt_in, submit_report
from tests.intake.conftest import cache_keys, page_text

pytestmark = pytest.mark.django_db

SENT = "Sent. Only the advocates can read it."
SHOWN_ONCE = "For your safety, this page is shown only once. What you sent was saved."


def _handoff_key(response) -> str:
    assert response.status_code == 303, response.content.decode()[:1000]
    return parse_qs(urlsplit(response["Location"]).query)["h"][0]


def _new_form(client) -> tuple[str, dict[str, str]]:
    """A new report form's one-time key, and the full report as its preview posts it."""
    form = client.get("/report/")
    key = hidden(form, "once")
    return key, {"started": hidden(form, "started"), "once": key, "action": "preview", **FULL_REPORT}


def test_a_send_redirects_and_the_receipt_is_shown_once(client, org_keys):
    preview = fill_and_preview(client)
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")}, follow=False)
    assert sent.status_code == 303
    assert urlsplit(sent["Location"]).path == "/report/sent/"
    held = {key: repr(cache.get(key)) for key in cache_keys()}
    assert any(key.startswith("harbor:handoff:") for key in held)
    first = client.get(sent["Location"])
    receipt = receipt_in(first)
    # The receipt crossed the redirect sealed: not in the address, not in the cache as it is.
    for typed in (receipt, receipt.replace("-", "")):
        assert typed not in sent["Location"]
        assert not [key for key, value in held.items() if typed in key or typed in value]
    assert not [key for key in cache_keys() if key.startswith("harbor:handoff:")], "shown once, then forgotten"
    # A reload shows that it was sent, and no receipt.
    again = client.get(sent["Location"])
    assert again.status_code == 200
    assert "This report was already sent" in page_text(again)
    assert receipt not in again.content.decode()
    assert Report.objects.count() == 1


def test_the_sent_page_without_its_key_shows_no_receipt(client, org_keys):
    response = client.get("/report/sent/?h=" + "0" * 32)
    assert response.status_code == 200
    assert "receipt-group" not in response.content.decode()
    assert client.get("/report/sent/").status_code == 200


def test_a_replayed_send_writes_nothing_and_says_so_kindly(client, org_keys):
    preview = fill_and_preview(client)
    draft = hidden(preview, "draft")
    client.submit("/report/send/", {"draft": draft})
    again = client.submit("/report/send/", {"draft": draft})
    assert again.status_code == 409
    assert "This report was already sent" in page_text(again)
    assert Report.objects.count() == 1


def test_the_same_form_previewed_again_after_sending_sends_nothing_more(client, org_keys):
    key, payload = _new_form(client)
    first = client.submit("/report/", payload)
    second = client.submit("/report/", payload)  # a reload of the confirmation page, before sending
    assert first.status_code == second.status_code == 200
    sent = client.submit("/report/send/", {"draft": hidden(first, "draft")})
    assert sent.status_code == 200
    # The second preview's draft is the same form: it cannot send a second report.
    assert client.submit("/report/send/", {"draft": hidden(second, "draft")}).status_code == 409
    # Nor can the form previewed once more (Back and Continue).
    third = client.submit("/report/", payload)
    assert third.status_code == 409
    assert "This report was already sent" in page_text(third)
    assert Report.objects.count() == 1


def test_a_form_keeps_its_key_through_change_something(client, org_keys):
    key, payload = _new_form(client)
    preview = client.submit("/report/", payload)
    edit = client.submit("/report/", {"draft": hidden(preview, "draft"), "action": "edit"})
    assert hidden(edit, "once") == key
    assert services.unseal_draft(hidden(preview, "draft")).nonce == key


def test_a_new_form_is_a_new_report(client, org_keys):
    submit_report(client)
    submit_report(client)
    assert Report.objects.count() == 2


def test_only_a_keyed_hash_of_a_key_is_kept(client, org_keys):
    key, payload = _new_form(client)
    preview = client.submit("/report/", payload)
    client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    stored = list(SpentDraft.objects.values_list("digest", flat=True))
    assert len(stored) == 1
    assert key not in stored[0]
    assert stored[0] != hashlib.sha256(key.encode()).hexdigest()
    assert stored[0] != hashlib.sha256(b"harbor/v1/draft-nonce" + key.encode()).hexdigest()
    created = SpentDraft.objects.get().created_at
    assert (created.minute, created.second, created.microsecond) == (0, 0, 0)


@pytest.fixture
def opened(client, org_keys):
    receipt, _ = submit_report(client)
    return client.submit("/check/", {"receipt": receipt})


def _message(client, page, text: str, **kwargs):
    return client.submit(
        "/check/message/",
        {"token": hidden(page, "token"), "once": hidden(page, "once"), "text": text, "kind": "message"},
        **kwargs,
    )


def test_a_message_redirects_and_a_reload_sends_nothing(client, opened):
    posted = _message(client, opened, "He came back last night.", follow=False)
    key = _handoff_key(posted)
    assert urlsplit(posted["Location"]).path == "/check/"
    shown = client.get(posted["Location"])
    assert SENT in page_text(shown)
    assert "He came back last night." in page_text(shown)
    # A reload: the same address, once more. Nothing is sent, and the report is not shown again.
    reloaded = client.get(f"/check/?h={key}")
    assert SHOWN_ONCE in page_text(reloaded)
    assert "He came back last night." not in page_text(reloaded)
    assert Message.objects.count() == 1


def test_a_replayed_message_writes_nothing_and_shows_the_same_outcome(client, opened):
    first = _message(client, opened, "Once only.")
    replay = _message(client, opened, "Once only.")
    assert first.status_code == replay.status_code == 200
    assert SENT in page_text(replay)
    assert Message.objects.count() == 1
    # A new page of the report has a new key: a second message is a second message.
    _message(client, replay, "A second one.")
    assert Message.objects.count() == 2


def test_a_replayed_consent_change_writes_nothing(client, opened):
    data = {"token": hidden(opened, "token"), "consent": ["health_org"], "consent_share_contact": "no"}
    data["once"] = _consent_key(opened)
    first = client.submit("/check/consent/", data)
    assert "Your choice is saved." in page_text(first)
    blob = bytes(Section.objects.get(name="consent").blob)
    replay = client.submit("/check/consent/", data)
    assert "Your choice is saved." in page_text(replay)
    assert bytes(Section.objects.get(name="consent").blob) == blob  # not written again


def _consent_key(page) -> str:
    html = page.content.decode()
    form = html[html.index('action="/check/consent/"') :]
    marker = 'name="once" value="'
    start = form.index(marker) + len(marker)
    return form[start : start + 32]


def test_an_erasure_redirects_to_a_page_naming_no_report(client, opened):
    posted = client.submit("/check/withdraw/", {"token": hidden(opened, "token"), "confirm": "on"}, follow=False)
    assert posted.status_code == 303
    assert posted["Location"] == "/check/withdrawn/"
    assert "Your report has been erased" in page_text(client.get(posted["Location"]))
    assert Report.objects.get().status == Report.Status.WITHDRAWN


def test_a_replayed_erasure_says_it_is_erased(client, opened):
    html = opened.content.decode()
    form = html[html.index('action="/check/withdraw/"') :]
    key = form[form.index('name="once" value="') + 19 :][:32]
    data = {"token": hidden(opened, "token"), "confirm": "on", "once": key}
    first = client.submit("/check/withdraw/", data, follow=False)
    again = client.submit("/check/withdraw/", data, follow=False)
    assert first.status_code == again.status_code == 303
    assert again["Location"] == "/check/withdrawn/"
    assert Report.objects.get().status == Report.Status.WITHDRAWN


def test_without_the_cache_a_send_still_shows_its_receipt(client, org_keys, monkeypatch):
    monkeypatch.setattr(services, "hand_off", lambda payload: None)
    preview = fill_and_preview(client)
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")}, follow=False)
    assert sent.status_code == 200
    receipt_in(sent)


def test_with_caches_in_each_process_a_send_answers_directly(client, org_keys, settings):
    # Several processes, each with its own cache: the redirect could land on another one.
    settings.DEBUG = False
    settings.TESTING = False
    preview = fill_and_preview(client)
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")}, follow=False)
    assert sent.status_code == 200
    receipt_in(sent)
    assert client.submit("/report/send/", {"draft": hidden(preview, "draft")}).status_code == 409
