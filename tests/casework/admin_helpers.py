"""Helpers shared by the administrator tests: a key-holding admin, reports, a first login."""

from __future__ import annotations

import re
import secrets

from django_otp.oath import totp

from casework.models import Authenticator
from intake.services import Draft, submit
from tests.casework.conftest import make_staff
from vault.custody import grant

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ONE_TIME = re.compile(r'<code class="one-time-password">([0-9a-z-]+)</code>')
LINK = re.compile(r'<code class="invitation-link">https?://[^/]+/staff/invitation/([A-Za-z0-9_-]+)/</code>')
INVITEE_PASSWORD = "a passphrase of my own 2026"
SECRET_STORY = "He cornered me behind the laundromat on 5th"


def make_keeper(staff):
    """An administrator who is also an advocate and holds the organisation key."""
    keeper = make_staff("keeper", ["admin", "advocate"])
    grant(staff["org_key"], staff["org_private"], keeper.vault_key)
    staff["keeper"] = keeper  # so logged_in("keeper") works
    return keeper


def new_report(narrative: str = SECRET_STORY, photos: tuple[bytes, ...] = ()):
    data = {"crime_types": ["physical_assault"], "role": "victim", "area": "Mission District", "narrative": narrative}
    report, _receipt = submit(Draft(nonce=secrets.token_hex(8), lang="en", data=data, photos=list(photos)))
    return report


def one_time_password(response) -> str:
    match = ONE_TIME.search(response.content.decode())
    assert match, "no one-time password on the page"
    return match.group(1)


def invitation_token(response) -> str:
    """The token of the invitation link shown (once) on the page."""
    match = LINK.search(response.content.decode())
    assert match, "no invitation link on the page"
    return match.group(1)


def enrol(client, username: str):
    """The enrolment step as a person does it: read the code off the new authenticator, confirm it."""
    assert client.get("/staff/login/enrol/").status_code == 200
    device = Authenticator.objects.get(user__username=username, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.submit("/staff/login/enrol/", {"token": code})
    assert response.status_code == 200, response.content.decode()[:1000]
    assert "recovery codes" in response.content.decode()
    return response


def accept_invitation(client, token: str, username: str, password: str = INVITEE_PASSWORD):
    """Open an invitation, choose a password, enrol: as the invitee does; return the recovery-codes page."""
    assert client.get(f"/staff/invitation/{token}/").status_code == 200
    response = client.submit(f"/staff/invitation/{token}/", {"new_password": password, "new_password2": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/staff/login/enrol/"
    return enrol(client, username)


def first_login(client, user, password: str):
    """Log in with a one-time password, enrol an authenticator, as a new person would."""
    response = client.submit("/staff/login/", {"username": user.username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/enrol/"
    assert client.get("/staff/login/enrol/").status_code == 200
    device = Authenticator.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.submit("/staff/login/enrol/", {"token": code})
    assert response.status_code == 200
    assert "recovery codes" in response.content.decode()
    return response


def change_password(client, old: str, new: str):
    response = client.submit("/staff/password/", {"old_password": old, "new_password": new, "new_password2": new})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response
