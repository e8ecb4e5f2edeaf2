"""What a report leaves on the reporter's phone: one cookie, gone when the browser closes; no session."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from tests.conftest import CsrfClient, hidden, submit_report
from tests.intake.conftest import page_text

pytestmark = pytest.mark.django_db


def _journey(client: CsrfClient):
    """Yield (label, response) along everything a reporter does, first visit to erasure."""
    yield "landing", client.get("/")
    yield "landing es", client.get("/es/")
    yield "rights", client.get("/rights/")
    yield "rights es", client.get("/es/rights/")
    yield "form", client.get("/report/")
    receipt, sent = submit_report(client)  # the form's preview, then send
    yield "receipt", sent
    yield "done", client.get("/report/done/")
    yield "check", client.get("/check/")
    opened = client.submit("/check/", {"receipt": receipt})
    yield "opened", opened
    message = client.submit("/check/message/", {"token": hidden(opened, "token"), "text": "hi", "kind": "message"})
    yield "message", message
    consent = client.submit("/check/consent/", {"token": hidden(message, "token"), "consent": ["record_only"]})
    yield "consent", consent
    erased = client.submit("/check/withdraw/", {"token": hidden(consent, "token"), "confirm": "on"})
    assert "Your report has been erased" in page_text(erased)
    yield "withdraw", erased


def test_reporter_pages_set_no_lasting_cookie_and_no_session(org_keys):
    client = CsrfClient()
    set_cookies = []
    for label, response in _journey(client):
        assert response.status_code == 200, label
        set_cookies += [(label, morsel) for morsel in response.cookies.values()]
    assert set_cookies, "no cookie at all: the CSRF token must travel somehow"
    for label, morsel in set_cookies:
        assert morsel.key == "csrftoken", (label, morsel.OutputString())
        # A browser-session cookie: no Expires, no Max-Age, so it goes when the browser closes.
        assert not morsel["expires"] and not morsel["max-age"], (label, morsel.OutputString())
    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies
