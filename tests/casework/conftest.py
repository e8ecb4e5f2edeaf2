"""Staff fixtures: one account per role, logged in through the real password + TOTP flow."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp

from casework import otp
from casework.models import Authenticator, Organisation, StaffProfile
from tests.conftest import CsrfClient
from vault.custody import create_org_key, create_staff_key, grant, open_grant, unlock_staff_key

PASSWORD = "a long staff passphrase 2026"


def make_staff(username: str, roles: list[str], organisation=None, *, totp_confirmed: bool = True):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    StaffProfile.objects.create(user=user, roles=roles, organisation=organisation)
    create_staff_key(user, PASSWORD)
    if totp_confirmed:
        otp.add_authenticator(user, (username.encode() * 20)[:20], confirmed=True)
    return user


def code_for(user) -> str:
    device = Authenticator.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def staff_login(client: CsrfClient, user, password: str = PASSWORD):
    """Log in with password then TOTP, as a browser would; return the last response."""
    response = client.submit(
        "/staff/login/",
        {"username": user.username, "password": password, "csrfmiddlewaretoken": client.token("/staff/login/")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.submit(
        "/staff/login/code/", {"token": code_for(user), "csrfmiddlewaretoken": client.token("/staff/login/")}
    )
    assert response.status_code == 302, "the second factor was refused"
    return response


@pytest.fixture
def staff(db):
    """advocate (key holder), colleague (advocate, key holder), admin, auditor, recipient, outsider (no role)."""
    org = Organisation.objects.create(name="Victim Services Unit", kind="victim_services")
    users = {
        "advocate": make_staff("advocate", ["advocate"]),
        "colleague": make_staff("colleague", ["advocate"]),
        "admin": make_staff("admin", ["admin"]),
        "auditor": make_staff("auditor", ["auditor"]),
        "recipient": make_staff("recipient", ["recipient"], organisation=org),
        "outsider": make_staff("outsider", []),
    }
    org_key = create_org_key(users["advocate"].vault_key)
    private = open_grant(org_key.grants.get(), unlock_staff_key(users["advocate"].vault_key, PASSWORD))
    grant(org_key, private, users["colleague"].vault_key)
    users["org_key"] = org_key
    users["org_private"] = private
    users["organisation"] = org
    return users


@pytest.fixture
def logged_in(staff):
    """Return a function: role name -> CSRF-enforcing client logged in as that user."""

    clients: dict[str, CsrfClient] = {}

    def _login(name: str) -> CsrfClient:
        # One client per user: a TOTP code cannot be used twice (django-otp refuses replays).
        if name not in clients:
            client = CsrfClient()
            staff_login(client, staff[name])
            clients[name] = client
        return clients[name]

    return _login
