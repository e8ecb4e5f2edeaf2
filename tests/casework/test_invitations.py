"""Invitations: a single-use, expiring link, kept only as a keyed hash, that makes one account.

The administrator invites; the invitee opens the link in a browser where nobody is logged in,
chooses a password, enrols an authenticator and lands where their role belongs, with a key pair
made from that password. Every way a link can fail makes nothing: used twice, expired, withdrawn,
forged, cut short, planted in the database, or opened by someone already logged in.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation

from audit.models import Event
from casework import invitations, otp
from casework.forms import AcceptForm
from casework.models import Invitation, Organisation, StaffProfile
from intake.models import Report
from referrals import services as referral_services
from referrals.models import Referral
from tests.casework.admin_helpers import (
    INVITEE_PASSWORD,
    SECRET_STORY,
    accept_invitation,
    invitation_token,
    make_keeper,
)
from tests.casework.conftest import make_staff
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from tests.periodic.test_scheduler import run_worker
from vault import custody
from vault import invitations as tokens

pytestmark = pytest.mark.django_db

USED = "This invitation was already used"
EXPIRED = "This invitation has expired"
WITHDRAWN = "This invitation was withdrawn"
BROKEN = "This link does not work"
LOGGED_IN = "You are logged in"


def _invite(client, username: str = "dana", roles=("advocate",), **more) -> str:
    response = client.submit("/staff/accounts/invite/", {"username": username, "roles": list(roles), **more})
    assert response.status_code == 200, response.content.decode()[:2000]
    return invitation_token(response)


def _url(token: str) -> str:
    return f"/staff/invitation/{token}/"


def _choose(client, token: str, password: str = INVITEE_PASSWORD, again: str | None = None):
    return client.submit(_url(token), {"new_password": password, "new_password2": password if again is None else again})


def _users() -> set[str]:
    return set(get_user_model().objects.values_list("username", flat=True))


def _every_byte_at_rest() -> bytes:
    """Every value of every row of every table, as a thief with a copy of the database reads it."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        values.append(bytes(value))
                    elif value is not None:
                        values.append(str(value).encode())
    return b"\x00".join(values)


def _forms_of(token: str) -> list[bytes]:
    """What a token could be stored as and still be usable: itself, its bytes, encodings, unkeyed hashes."""
    raw = base64.urlsafe_b64decode(token + "=")
    forms = [token.encode(), token.lower().encode(), raw, raw.hex().encode(), base64.b64encode(raw)]
    for name in ("md5", "sha1", "sha256", "sha512"):
        for material in (token.encode(), raw):
            digest = hashlib.new(name, material).digest()
            forms += [digest, digest.hex().encode()]
    return forms


# --- the administrator invites --------------------------------------------------------------


def test_the_link_is_shown_once_and_the_database_keeps_only_a_keyed_hash(staff, logged_in):
    admin = logged_in("admin")
    token = _invite(admin)
    assert len(token) == 43 and len(base64.urlsafe_b64decode(token + "=")) * 8 == 256

    invitation = Invitation.objects.get()
    assert invitation.username == "dana" and invitation.roles == ["advocate"]
    assert invitation.invited_by == staff["admin"]
    rows = _every_byte_at_rest()
    for form in _forms_of(token):
        assert form not in rows
    assert "dana" not in _users()  # nothing is made before the invitee chooses a password

    # Sending the form again shows no link: the name is already invited.
    again = admin.submit("/staff/accounts/invite/", {"username": "dana", "roles": ["advocate"]})
    assert again.status_code == 400
    assert token not in again.content.decode()
    assert "invitation-link" not in again.content.decode()
    # Nor does the list of invitations.
    listing = admin.get("/staff/accounts/invitations/").content.decode()
    assert "dana" in listing and token not in listing


def test_a_digest_planted_by_someone_who_can_write_to_the_database_opens_nothing(staff):
    """Without HARBOR_OTP_KEY a database writer cannot make a digest that a link of theirs matches."""
    token = tokens.new_token()
    for planted in (
        hashlib.sha256(token.encode()).hexdigest(),
        _digest_under_another_key(token),
    ):
        Invitation.objects.create(
            token_digest=planted,
            username="mallory",
            roles=["admin", "advocate"],
            expires_at=timezone.now() + timedelta(hours=1),
        )
        client = CsrfClient()
        assert client.get(_url(token)).status_code == 404
        assert _choose(client, token).status_code == 404
        Invitation.objects.all().delete()
    assert "mallory" not in _users()


def _digest_under_another_key(token: str) -> str:
    with override_settings(HARBOR_OTP_KEY="33" * 32, HARBOR_OTP_KEY_FALLBACKS=[]):
        return tokens.digest(token)


def test_a_link_made_before_the_key_rotated_still_opens_while_the_old_key_is_a_fallback(staff):
    with override_settings(HARBOR_OTP_KEY="44" * 32):
        issued = invitations.invite("admin", "dana", ["advocate"])
    with override_settings(HARBOR_OTP_KEY="55" * 32, HARBOR_OTP_KEY_FALLBACKS=["44" * 32]):
        assert CsrfClient().get(_url(issued.token)).status_code == 200
    with override_settings(HARBOR_OTP_KEY="55" * 32, HARBOR_OTP_KEY_FALLBACKS=[]):
        assert CsrfClient().get(_url(issued.token)).status_code == 404


def test_it_refuses_a_username_that_is_taken_or_already_invited_in_any_case(staff, logged_in):
    admin = logged_in("admin")
    _invite(admin, "dana")
    for username in ("dana", "DANA", "advocate", "Advocate"):
        response = admin.submit("/staff/accounts/invite/", {"username": username, "roles": ["advocate"]})
        assert response.status_code == 400, username
        assert "taken, or someone was already invited" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_a_recipient_is_invited_to_a_current_organisation_and_never_with_the_key_roles(staff, logged_in):
    admin = logged_in("admin")
    org = staff["organisation"]
    assert admin.submit("/staff/accounts/invite/", {"username": "vsu", "roles": ["recipient"]}).status_code == 400
    both = {"username": "vsu", "roles": ["recipient", "advocate"], "organisation": org.pk}
    assert admin.submit("/staff/accounts/invite/", both).status_code == 400
    retired = Organisation.objects.create(name="Gone Clinic", kind="health_org", retired_at=timezone.now())
    gone = {"username": "vsu", "roles": ["recipient"], "organisation": retired.pk}
    assert admin.submit("/staff/accounts/invite/", gone).status_code == 400
    assert not Invitation.objects.exists()
    # The organisation page's link comes with the organisation and the role filled in.
    form = admin.get(f"/staff/accounts/invite/?organisation={org.pk}").content.decode()
    assert re.search(rf'<option value="{org.pk}" selected>', form)
    assert re.search(r'value="recipient"[^>]*checked', form)
    _invite(admin, "vsu", ["recipient"], organisation=org.pk)
    assert Invitation.objects.get().organisation == org


def test_a_link_lasts_72_hours_unless_the_setting_or_the_administrator_says_otherwise(staff, logged_in, settings):
    admin = logged_in("admin")
    _invite(admin, "dana")
    settings.HARBOR_INVITATION_HOURS = 24
    _invite(admin, "eve")
    _invite(admin, "fay", hours="5")
    lasts = {i.username: i.expires_at - i.created_at for i in Invitation.objects.all()}
    assert lasts == {"dana": timedelta(hours=72), "eve": timedelta(hours=24), "fay": timedelta(hours=5)}
    for hours in ("0", "721", "-1", "soon"):
        response = admin.submit("/staff/accounts/invite/", {"username": "gus", "roles": ["advocate"], "hours": hours})
        assert response.status_code == 400, hours


# --- the invitee -------------------------------------------------------------------------


def test_a_recipient_invitee_sets_a_password_enrols_and_lands_in_the_inbox(staff, logged_in):
    token = _invite(logged_in("admin"), "vsu", ["recipient"], organisation=staff["organisation"].pk)
    client = CsrfClient()
    page = client.get(_url(token)).content.decode()
    assert "Welcome to Harbor" in page and "Victim Services Unit" in page
    accept_invitation(client, token, "vsu")

    vsu = get_user_model().objects.get(username="vsu")
    profile = StaffProfile.objects.get(user=vsu)
    assert profile.roles == ["recipient"] and profile.organisation == staff["organisation"]
    assert not profile.must_change_password  # the password is their own already
    assert vsu.check_password(INVITEE_PASSWORD)
    assert custody.unlock(vsu, INVITEE_PASSWORD) is not None  # their key pair is locked with it
    assert otp.is_enrolled(vsu)
    assert client.get("/staff/")["Location"] == "/staff/inbox/"
    assert "Referrals received" in client.get("/staff/inbox/").content.decode()
    assert Invitation.objects.get().state() == Invitation.State.ACCEPTED
    assert Invitation.objects.get().account == vsu


def test_the_invitees_key_pair_opens_a_referral_sent_after_they_joined(staff, logged_in):
    token = _invite(logged_in("admin"), "vsu", ["recipient"], organisation=staff["organisation"].pk)
    invitee = CsrfClient()
    accept_invitation(invitee, token, "vsu")

    submit_report(CsrfClient(), dict(FULL_REPORT, narrative=SECRET_STORY))
    report = Report.objects.get()
    sent = logged_in("advocate").submit(
        f"/staff/reports/{report.id}/refer/{staff['organisation'].pk}/", {"action": "send", "include_narrative": "1"}
    )
    assert sent.status_code == 302
    referral = Referral.objects.get()
    assert referral.wraps.filter(staff_key__user__username="vsu").exists()

    # In the dashboard, in the session the invitation opened...
    assert SECRET_STORY in invitee.get(f"/staff/inbox/{referral.id}/").content.decode()
    # ...and at the key level, with nothing but the password they chose.
    vsu = get_user_model().objects.get(username="vsu")
    keys = custody.unlock(vsu, INVITEE_PASSWORD)
    key = referral_services.key_for_recipient(referral, vsu, keys)
    assert SECRET_STORY in str(referral_services.body(referral, key))


def test_an_advocate_invitee_reads_reports_once_a_key_holder_grants_the_key(staff, logged_in):
    token = _invite(logged_in("admin"), "dana", ["advocate"])
    submit_report(CsrfClient(), dict(FULL_REPORT, narrative=SECRET_STORY))
    report = Report.objects.get()
    client = CsrfClient()
    accept_invitation(client, token, "dana")
    assert client.get("/staff/")["Location"] == "/staff/reports/"
    assert SECRET_STORY not in client.get(f"/staff/reports/{report.id}/").content.decode()
    make_keeper(staff)
    dana = get_user_model().objects.get(username="dana")
    assert logged_in("keeper").submit(f"/staff/accounts/grants/{dana.pk}/", {}).status_code == 302
    assert SECRET_STORY in client.get(f"/staff/reports/{report.id}/").content.decode()


def test_the_password_must_pass_djangos_validators_and_a_refusal_makes_nothing(staff, logged_in):
    token = _invite(logged_in("admin"), "dana")
    client = CsrfClient()
    for password, again, says in (
        ("short", None, "too short"),
        ("password1234", None, "too common"),
        ("482910573618", None, "entirely numeric"),
        (INVITEE_PASSWORD, "something else entirely", "The two passwords differ."),
    ):
        response = _choose(client, token, password, again)
        assert response.status_code == 400, password
        assert says in response.content.decode(), password
        assert 'name="new_password" value' not in response.content.decode()  # a password is never sent back
    assert "dana" not in _users()
    assert Invitation.objects.get().state() == Invitation.State.PENDING
    assert _choose(client, token).status_code == 302  # the link still works


def test_a_link_used_twice_makes_one_account(staff, logged_in):
    token = _invite(logged_in("admin"), "dana")
    accept_invitation(CsrfClient(), token, "dana")
    before = set(_users())
    for client in (CsrfClient(), CsrfClient()):
        page = client.get(_url(token))
        assert page.status_code == 410 and USED in page.content.decode()
        again = _choose(client, token, "another passphrase entirely 2029")
        assert again.status_code == 410 and USED in again.content.decode()
    with pytest.raises(invitations.Unusable) as refused:
        invitations.accept(token, "another passphrase entirely 2029")
    assert refused.value.state == "accepted"
    assert _users() == before
    assert get_user_model().objects.get(username="dana").check_password(INVITEE_PASSWORD)


def test_an_expired_link_makes_nothing_and_one_just_inside_its_time_works(staff):
    now = timezone.now()
    old = invitations.invite("admin", "dana", ["advocate"], hours=72, now=now - timedelta(hours=72, seconds=1))
    fresh = invitations.invite("admin", "eve", ["advocate"], hours=72, now=now - timedelta(hours=71, minutes=59))
    client = CsrfClient()
    page = client.get(_url(old.token))
    assert page.status_code == 410 and EXPIRED in page.content.decode()
    assert _choose(client, old.token).status_code == 410
    assert "dana" not in _users()
    assert _choose(CsrfClient(), fresh.token).status_code == 302
    # Its name is free again: the administrator can invite them anew.
    assert invitations.username_free("dana")


def test_a_withdrawn_link_makes_nothing(staff, logged_in):
    admin = logged_in("admin")
    token = _invite(admin, "dana")
    invitation = Invitation.objects.get()
    client = CsrfClient()
    assert client.get(_url(token)).status_code == 200  # opened, not yet sent

    response = admin.submit(f"/staff/accounts/invitations/{invitation.pk}/revoke/", {})
    assert response.status_code == 302
    assert "was withdrawn" in admin.get("/staff/accounts/invitations/").content.decode()
    refused = _choose(client, token)
    assert refused.status_code == 410 and WITHDRAWN in refused.content.decode()
    assert "dana" not in _users()
    # Withdrawing it again changes nothing and says why.
    admin.submit(f"/staff/accounts/invitations/{invitation.pk}/revoke/", {})
    assert "no longer waiting" in admin.get("/staff/accounts/invitations/").content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_by == staff["admin"]
    assert list(Event.objects.filter(action="invitation.revoked").values_list("actor", "object_id")) == [
        ("admin", "dana")
    ]


def _flip(token: str, where: int) -> str:
    swap = "B" if token[where] != "B" else "C"
    return token[:where] + swap + token[where + 1 :]


def test_a_forged_or_truncated_token_makes_nothing(staff):
    issued = invitations.invite("admin", "dana", ["advocate"])
    token = issued.token
    for forged in (
        token[:-1],
        token[:22],
        token + "A",
        _flip(token, 0),
        _flip(token, 42),
        tokens.new_token(),
        "A" * 43,
    ):
        client = CsrfClient()
        page = client.get(_url(forged))
        assert page.status_code == 404, forged
        assert BROKEN in page.content.decode()
        assert _choose(client, forged).status_code == 404
    for hostile in ("%00", "..", "a%2Fb", "x" * 200):
        assert CsrfClient().get(f"/staff/invitation/{hostile}/").status_code == 404
    assert "dana" not in _users()
    assert _choose(CsrfClient(), token).status_code == 302  # the genuine one still works


def test_someone_logged_in_cannot_accept_an_invitation(staff, logged_in):
    token = _invite(logged_in("admin"), "dana")
    for name in ("advocate", "admin", "recipient"):
        client = logged_in(name)
        page = client.get(_url(token))
        assert page.status_code == 403 and LOGGED_IN in page.content.decode()
        assert _choose(client, token).status_code == 403
        assert client.get("/staff/").status_code == 302  # still logged in as themselves
    assert "dana" not in _users()
    assert Invitation.objects.get().state() == Invitation.State.PENDING
    accept_invitation(CsrfClient(), token, "dana")


def test_a_half_logged_in_browser_accepts_for_the_new_person_only(staff):
    """Someone gave their password but not their code: the invitation replaces that, never mixes with it."""
    issued = invitations.invite("admin", "dana", ["advocate"])
    client = CsrfClient()
    assert client.submit("/staff/login/", {"username": "advocate", "password": "a long staff passphrase 2026"})[
        "Location"
    ] == ("/staff/login/code/")
    accept_invitation(client, issued.token, "dana")
    assert client.get("/staff/").wsgi_request.user.username == "dana"


def test_a_username_taken_after_the_invitation_makes_nothing(staff):
    issued = invitations.invite("admin", "dana", ["advocate"])
    make_staff("Dana", ["auditor"])
    response = _choose(CsrfClient(), issued.token)
    assert response.status_code == 409
    assert "already in use" in response.content.decode()
    assert _users() >= {"Dana"} and "dana" not in _users()
    assert Invitation.objects.get().account is None


def test_it_records_who_invited_whom_and_never_the_token(staff, logged_in):
    token = _invite(logged_in("admin"), "dana")
    accept_invitation(CsrfClient(), token, "dana")
    events = list(Event.objects.filter(action__startswith="invitation.").values_list("actor", "action", "object_id"))
    assert events == [("admin", "invitation.created", "dana"), ("dana", "invitation.accepted", "dana")]
    for event in Event.objects.all():
        assert token not in f"{event.actor} {event.action} {event.object_id}"
    call_command("verify_audit")


def test_the_invitation_pages_have_spanish(staff):
    """Every string of the invitee's pages is translated (staff pages are served in English for now)."""
    issued = invitations.invite("admin", "dana", ["advocate"])
    request = RequestFactory().get(_url(issued.token))
    request.user = AnonymousUser()
    with translation.override("es"):
        context = {"invitation": issued.invitation, "roles": ["persona de apoyo"], "form": AcceptForm(username="dana")}
        page = render_to_string("casework/accept.html", context, request=request)
        assert "Le damos la bienvenida a Harbor" in page and "Elija una contraseña" in page
        for state, heading in (
            ("unknown", "Este enlace no funciona"),
            ("accepted", "Esta invitación ya se usó"),
            ("revoked", "Esta invitación se retiró"),
            ("expired", "Esta invitación venció"),
        ):
            assert heading in render_to_string("casework/invitation_unusable.html", {"state": state}, request=request)


# --- expiry, through the scheduler --------------------------------------------------------


def test_the_scheduler_deletes_expired_invitations_used_or_not(staff, monkeypatch):
    now = timezone.now()
    unused = invitations.invite("admin", "dana", ["advocate"], hours=1, now=now - timedelta(hours=2))
    accepted = invitations.invite("admin", "eve", ["advocate"], hours=1, now=now - timedelta(minutes=30))
    invitations.accept(accepted.token, INVITEE_PASSWORD)
    withdrawn = invitations.invite("admin", "fay", ["advocate"], hours=1, now=now - timedelta(minutes=30))
    invitations.revoke("admin", withdrawn.invitation)
    waiting = invitations.invite("admin", "gus", ["advocate"], hours=72)

    from periodic.services import run_due

    later = now + timedelta(hours=1)
    assert "casework.delete_expired_invitations" in run_due(later)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    run_worker(monkeypatch)

    assert list(Invitation.objects.values_list("pk", flat=True)) == [waiting.invitation.pk]
    assert "eve" in _users()  # the account stays; only the invitation goes
    expired = Event.objects.filter(action="invitation.expired")
    assert list(expired.values_list("actor", "object_id")) == [("expiry", "dana")]
    assert CsrfClient().get(_url(unused.token)).status_code == 404


def test_an_invitation_names_at_least_one_role(staff, logged_in):
    response = logged_in("admin").submit("/staff/accounts/invite/", {"username": "dana"})
    assert response.status_code == 400
    assert "Choose at least one role" in response.content.decode()
    with pytest.raises(invitations.Refused):
        invitations.invite("admin", "dana", [])
    with pytest.raises(invitations.Refused):
        invitations.invite("admin", "dana", ["overlord"])
    assert not Invitation.objects.exists()
