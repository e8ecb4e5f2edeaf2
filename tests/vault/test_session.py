"""A staff session row alone opens nothing: the unlocked keys need the cookie's key too.

The attack: a host attacker (or a database thief) reads ``django_session`` while an advocate is
logged in. The row holds the advocate's private key and the organisation key — encrypted under
a random key K that exists only in the advocate's browser cookie.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.contrib.sessions.models import Session

from tests.casework.conftest import PASSWORD, logged_in, staff  # noqa: F401 - shared staff fixtures
from vault import crypto, session
from vault.custody import unlock_staff_key
from vault.exceptions import DecryptionError

pytestmark = pytest.mark.django_db


def test_a_session_row_opens_nothing_without_the_cookie(staff, logged_in):  # noqa: F811 - pytest fixtures
    client = logged_in("advocate")
    assert client.get("/staff/reports/").status_code == 200
    row = Session.objects.get()
    data = row.get_decoded()
    blob = base64.b64decode(data[session.SESSION_KEY])
    staff_private = unlock_staff_key(staff["advocate"].vault_key, PASSWORD)
    assert staff_private not in blob and staff["org_private"] not in blob  # nothing in the clear
    assert base64.b64encode(staff_private) not in row.session_data.encode()
    aad = f"harbor/v1/unlocked/{staff['advocate'].pk}".encode()
    for guess in (b"\x00" * 32, crypto.random_key(), row.session_key.encode()[:32].ljust(32, b"0")):
        with pytest.raises(DecryptionError):
            crypto.aead_decrypt(guess, blob, aad)
    # With the cookie's key (which only the browser holds) it opens, to the same keys.
    k = base64.urlsafe_b64decode(client.cookies[session.COOKIE].value.encode())
    opened = json.loads(crypto.aead_decrypt(k, blob, aad))
    assert base64.b64decode(opened["staff"]) == staff_private


def test_the_cookie_alone_opens_nothing_either(staff, logged_in):  # noqa: F811 - pytest fixtures
    """A stolen cookie without the session (after logout) unlocks no key."""
    client = logged_in("advocate")
    cookie = client.cookies[session.COOKIE].value
    client.submit("/staff/logout/", {})
    assert all(session.SESSION_KEY not in s.get_decoded() for s in Session.objects.all())
    thief = type(client)()
    thief.cookies[session.COOKIE] = cookie
    response = thief.get("/staff/reports/")
    assert response.status_code in (302, 403)  # no session: back to the login page
