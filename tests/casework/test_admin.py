"""Administrators: staff accounts, the forgotten-password ceremony, key grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from casework import invitations
from casework.models import Authenticator, RecoveryCodes, StaffProfile
from tests.casework.admin_helpers import (
    SECRET_STORY,
    change_password,
    first_login,
    make_keeper,
    new_report,
    one_time_password,
)
from tests.casework.conftest import PASSWORD, staff_login
from tests.conftest import CsrfClient
from vault import custody
from vault.exceptions import InvalidPassphraseError
from vault.models import OrgKeyGrant, StaffKey

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 2027"


def _actions(action: str) -> list[str]:
    return list(Event.objects.filter(action=action).values_list("object_id", flat=True))


def _pages(staff) -> dict[str, tuple[str, ...]]:
    """Every administrator URL and the methods it answers."""
    uid = staff["colleague"].pk
    org = staff["organisation"].pk
    waiting = invitations.invite("admin", "invitee", ["advocate"]).invitation.pk
    return {
        "/staff/accounts/": ("GET",),
        "/staff/accounts/invite/": ("GET", "POST"),
        "/staff/accounts/invitations/": ("GET",),
        f"/staff/accounts/invitations/{waiting}/revoke/": ("POST",),
        "/staff/accounts/organisations/": ("GET",),
        "/staff/accounts/organisations/new/": ("GET", "POST"),
        f"/staff/accounts/organisations/{org}/": ("GET", "POST"),
        f"/staff/accounts/organisations/{org}/retire/": ("GET", "POST"),
        f"/staff/accounts/{uid}/": ("GET", "POST"),
        f"/staff/accounts/{uid}/reset/": ("GET", "POST"),
        "/staff/accounts/grants/": ("GET",),
        f"/staff/accounts/grants/{uid}/": ("POST",),
        "/staff/accounts/rotate/": ("GET", "POST"),
        f"/staff/accounts/rotate/{staff['org_key'].key_id}/rewrap/": ("POST",),
        "/staff/retention/": ("GET", "POST"),
    }


# --- who may come in ------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(staff):
    client = CsrfClient()
    for url, methods in _pages(staff).items():
        for method in methods:
            response = client.get(url) if method == "GET" else client.submit(url, {})
            assert response.status_code == 302, (url, method)
            assert response["Location"].startswith("/staff/login/"), url


@pytest.mark.parametrize("role", ["advocate", "auditor", "recipient", "outsider"])
def test_it_refuses_other_roles(staff, logged_in, role):
    client = logged_in(role)
    for url, methods in _pages(staff).items():
        for method in methods:
            response = client.get(url) if method == "GET" else client.submit(url, {})
            assert response.status_code == 403, (role, url, method)


def test_it_answers_404_for_an_unknown_account_or_key(staff, logged_in):
    make_keeper(staff)
    client = logged_in("keeper")
    missing = 987654
    assert client.get(f"/staff/accounts/{missing}/").status_code == 404
    assert client.submit(f"/staff/accounts/{missing}/", {"roles": ["advocate"]}).status_code == 404
    assert client.get(f"/staff/accounts/{missing}/reset/").status_code == 404
    assert client.submit(f"/staff/accounts/{missing}/reset/", {"confirm": "on"}).status_code == 404
    assert client.submit(f"/staff/accounts/grants/{missing}/", {}).status_code == 404
    # The active key is not a pending one, and an unknown key id is unknown.
    assert client.submit(f"/staff/accounts/rotate/{staff['org_key'].key_id}/rewrap/", {}).status_code == 404
    assert client.submit("/staff/accounts/rotate/ffffffffffffffff/rewrap/", {}).status_code == 404
    assert client.submit(f"/staff/accounts/invitations/{missing}/revoke/", {}).status_code == 404
    assert client.get(f"/staff/accounts/organisations/{missing}/").status_code == 404
    assert (
        client.submit(f"/staff/accounts/organisations/{missing}/", {"name": "x", "kind": "health_org"}).status_code
        == 404
    )
    assert client.get(f"/staff/accounts/organisations/{missing}/retire/").status_code == 404
    assert client.submit(f"/staff/accounts/organisations/{missing}/retire/", {"confirm": "on"}).status_code == 404


def test_it_answers_405_to_the_wrong_method(staff, logged_in):
    make_keeper(staff)
    client = logged_in("keeper")
    csrf = {"X-CSRFToken": client.token()}
    for url, methods in _pages(staff).items():
        if "POST" not in methods:
            assert client.submit(url, {}).status_code == 405, url
        if "GET" not in methods:
            assert client.get(url).status_code == 405, url
        assert client.put(url, headers=csrf).status_code == 405, url
        assert client.delete(url, headers=csrf).status_code == 405, url


# --- the account list -------------------------------------------------------------------


def test_it_lists_accounts_with_their_key_status(staff, logged_in):
    locked = StaffProfile.objects.get(user=staff["auditor"])
    locked.locked_until = timezone.now() + timedelta(minutes=10)
    locked.save()
    Authenticator.objects.filter(user=staff["outsider"]).delete()
    StaffKey.objects.filter(user=staff["outsider"]).delete()
    response = logged_in("admin").get("/staff/accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = {
        name: html[html.index(f'<th scope="row">{name}</th>') :].split("</tr>")[0]
        for name in ("advocate", "admin", "auditor", "outsider")
    }
    assert rows["advocate"].count("<td>yes</td>") == 2  # key pair and the organisation key
    assert rows["admin"].count("<td>yes</td>") == 1  # a key pair, not the organisation key
    assert "locked" in rows["auditor"]
    assert "<strong>no</strong>" in rows["outsider"]  # no key pair
    assert "not yet" in rows["outsider"]  # no authenticator
    assert "enrolled" in rows["advocate"]


# --- editing an account ---------------------------------------------------------------------


def test_it_changes_roles_and_unlocks_a_locked_account(staff, logged_in):
    profile = StaffProfile.objects.get(user=staff["auditor"])
    profile.locked_until = timezone.now() + timedelta(minutes=10)
    profile.failed_logins = 3
    profile.save()
    client = logged_in("admin")
    url = f"/staff/accounts/{staff['auditor'].pk}/"
    assert "Unlock the account now" in client.get(url).content.decode()
    response = client.submit(url, {"roles": ["auditor", "advocate"], "is_active": "on", "unlock": "on"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.roles == ["auditor", "advocate"]
    assert profile.locked_until is None
    assert _actions("account.unlocked") == ["auditor"]
    assert "Saved auditor." in client.get("/staff/accounts/").content.decode()


def test_it_keeps_administrators_from_removing_their_own_role(staff, logged_in):
    client = logged_in("admin")
    url = f"/staff/accounts/{staff['admin'].pk}/"
    assert client.submit(url, {"roles": ["advocate"], "is_active": "on"}).status_code == 400
    assert client.submit(url, {"roles": ["admin"]}).status_code == 400  # deactivating oneself
    assert StaffProfile.objects.get(user=staff["admin"]).roles == ["admin"]


def test_deactivating_a_holder_removes_their_grants_but_never_the_last_holder(staff, logged_in):
    client = logged_in("admin")
    response = client.submit(f"/staff/accounts/{staff['colleague'].pk}/", {"roles": ["advocate"]})
    assert response.status_code == 302
    assert not OrgKeyGrant.objects.filter(staff_key__user=staff["colleague"]).exists()
    assert _actions("grant.revoked") == ["colleague"]
    refused = client.submit(f"/staff/accounts/{staff['advocate'].pk}/", {"roles": ["advocate"]})
    assert refused.status_code == 400
    assert "only active holder" in refused.content.decode()
    assert get_user_model().objects.get(username="advocate").is_active


# --- the forgotten-password ceremony -------------------------------------------------------


def test_the_forgotten_password_ceremony_ends_with_a_regrant(staff, logged_in):
    report = new_report()
    colleague = staff["colleague"]
    old_key_id = colleague.vault_key.key_id
    open_session = logged_in("colleague")
    admin = logged_in("admin")
    page = admin.get(f"/staff/accounts/{colleague.pk}/reset/")
    assert page.status_code == 200
    assert "new key pair" in page.content.decode()
    assert admin.submit(f"/staff/accounts/{colleague.pk}/reset/", {}).status_code == 400  # not confirmed
    response = admin.submit(f"/staff/accounts/{colleague.pk}/reset/", {"confirm": "on"})
    assert response.status_code == 200
    password = one_time_password(response)

    # A new key pair; the old password opens nothing; the grant and the authenticator are gone.
    colleague.refresh_from_db()
    staff_key = StaffKey.objects.get(user=colleague)
    assert staff_key.key_id != old_key_id
    assert not colleague.check_password(PASSWORD)
    with pytest.raises(InvalidPassphraseError):
        custody.unlock(colleague, PASSWORD)
    assert not OrgKeyGrant.objects.filter(staff_key__user=colleague).exists()
    assert not Authenticator.objects.filter(user=colleague).exists()
    assert not RecoveryCodes.objects.filter(user=colleague).exists()
    assert StaffProfile.objects.get(user=colleague).must_change_password
    assert _actions("account.reset") == ["colleague"]
    assert open_session.get(f"/staff/reports/{report.id}/")["Location"].startswith("/staff/login/")
    bad = CsrfClient().submit("/staff/login/", {"username": "colleague", "password": PASSWORD})
    assert bad.status_code == 400

    # They come back: new password, new authenticator, own password; still no key.
    client = CsrfClient()
    first_login(client, colleague, password)
    change_password(client, password, NEW_PASSWORD)
    page = client.get(f"/staff/reports/{report.id}/").content.decode()
    assert SECRET_STORY not in page
    assert "You hold no key that opens this report" in page

    # A key holder grants the key again; it works in the session already open.
    keeper = make_keeper(staff)
    holder = logged_in("keeper")
    grants_page = holder.get("/staff/accounts/grants/").content.decode()
    assert "Grant the key to colleague" in grants_page
    assert holder.submit(f"/staff/accounts/grants/{colleague.pk}/", {}).status_code == 302
    assert OrgKeyGrant.objects.get(staff_key__user=colleague, org_key=staff["org_key"]).granted_by == keeper
    assert _actions("grant.created") == [f"colleague@{staff['org_key'].key_id}"]
    assert SECRET_STORY in client.get(f"/staff/reports/{report.id}/").content.decode()

    # And after logging in again with the new password and the new authenticator.
    Authenticator.objects.filter(user=colleague).update(last_t=-1)  # a person would wait for the next code
    fresh = CsrfClient()
    staff_login(fresh, colleague, NEW_PASSWORD)
    assert SECRET_STORY in fresh.get(f"/staff/reports/{report.id}/").content.decode()
    call_command("verify_audit")


def test_administrators_cannot_reset_themselves(staff, logged_in):
    client = logged_in("admin")
    assert client.get(f"/staff/accounts/{staff['admin'].pk}/reset/").status_code == 403
    assert client.submit(f"/staff/accounts/{staff['admin'].pk}/reset/", {"confirm": "on"}).status_code == 403


def test_resetting_the_only_holder_needs_a_second_confirmation(staff, logged_in):
    OrgKeyGrant.objects.filter(staff_key__user=staff["colleague"]).delete()
    client = logged_in("admin")
    url = f"/staff/accounts/{staff['advocate'].pk}/reset/"
    assert "only active holder" in client.get(url).content.decode()
    assert client.submit(url, {"confirm": "on"}).status_code == 400
    assert client.submit(url, {"confirm": "on", "last_holder": "on"}).status_code == 200


# --- grants -------------------------------------------------------------------------------


def test_an_admin_without_the_key_is_told_to_ask_a_key_holder(staff, logged_in):
    dana = get_user_model().objects.create_user("dana", password=PASSWORD)
    StaffProfile.objects.create(user=dana, roles=["advocate"])
    custody.create_staff_key(dana, PASSWORD)
    client = logged_in("admin")
    page = client.get("/staff/accounts/grants/").content.decode()
    assert "Ask a key holder" in page
    assert "Grant the key to dana" not in page
    response = client.submit(f"/staff/accounts/grants/{dana.pk}/", {})
    assert response.status_code == 403
    assert "Ask a key holder" in response.content.decode()
    assert not OrgKeyGrant.objects.filter(staff_key__user=dana).exists()


def test_it_never_grants_the_key_to_recipients_or_auditors(staff, logged_in):
    make_keeper(staff)
    client = logged_in("keeper")
    page = client.get("/staff/accounts/grants/").content.decode()
    assert "Grant the key to admin" in page
    for name in ("recipient", "auditor", "outsider"):
        assert f"Grant the key to {name}" not in page
        assert client.submit(f"/staff/accounts/grants/{staff[name].pk}/", {}).status_code == 400
        assert not OrgKeyGrant.objects.filter(staff_key__user=staff[name]).exists()
