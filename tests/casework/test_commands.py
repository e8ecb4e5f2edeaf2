"""Management commands of the key ceremonies and retention."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from audit.models import Event
from casework import grants
from casework.models import Invitation, Organisation, RetentionRule, StaffProfile
from intake.models import Report
from tests.casework.admin_helpers import accept_invitation, new_report
from tests.casework.conftest import PASSWORD, make_staff
from tests.conftest import CsrfClient
from vault import custody, envelope
from vault.exceptions import DecryptionError
from vault.models import OrgKey, OrgKeyGrant

pytestmark = pytest.mark.django_db


def _run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _link(output: str) -> str:
    match = re.search(r"Invitation link \(shown once, works once, until [^)]*\): (\S+)", output)
    assert match, output
    return match.group(1)


def test_invite_prints_a_link_once_that_makes_the_account(db):
    output = _run("invite", "dana", "--role", "advocate", "--role", "admin", "--base-url", "https://harbor.example.org")
    link = _link(output)
    assert link.startswith("https://harbor.example.org/staff/invitation/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert (invitation.username, invitation.roles) == ("dana", ["advocate", "admin"])
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)
    assert token not in invitation.token_digest
    assert Event.objects.get(action="invitation.created").actor == "manage.py invite"
    assert token not in " ".join(Event.objects.values_list("object_id", flat=True))
    assert "dana" not in get_user_model().objects.values_list("username", flat=True)
    accept_invitation(CsrfClient(), token, "dana")
    assert StaffProfile.objects.get(user__username="dana").roles == ["advocate", "admin"]


def test_invite_places_a_recipient_in_a_current_organisation(staff):
    output = _run("invite", "vsu", "--role", "recipient", "--organisation", "victim services unit", "--hours", "5")
    _link(output)
    invitation = Invitation.objects.get()
    assert invitation.organisation == staff["organisation"]
    assert invitation.expires_at - invitation.created_at == timedelta(hours=5)
    with pytest.raises(CommandError, match="organisation"):
        _run("invite", "vsu2", "--role", "recipient")
    with pytest.raises(CommandError, match="No organisation"):
        _run("invite", "vsu3", "--role", "recipient", "--organisation", "Nowhere")
    with pytest.raises(CommandError):
        _run("invite", "x", "--role", "overlord")
    with pytest.raises(CommandError, match="taken"):
        _run("invite", "VSU", "--role", "advocate")
    with pytest.raises(CommandError, match="taken"):
        _run("invite", "advocate", "--role", "advocate")
    with pytest.raises(CommandError, match="hours"):
        _run("invite", "gus", "--role", "advocate", "--hours", "0")
    _run("recipient", "retire", "Victim Services Unit", "--yes")
    with pytest.raises(CommandError, match="retired"):
        _run("invite", "vsu4", "--role", "recipient", "--organisation", "Victim Services Unit")
    assert Invitation.objects.get().state() == "revoked"  # retiring withdrew it


def test_invite_lists_and_withdraws(db):
    token = _link(_run("invite", "dana", "--role", "advocate")).rstrip("/").rsplit("/", 1)[1]
    assert "dana\tadvocate\tpending" in _run("invite", "--list")
    assert "Withdrew" in _run("invite", "dana", "--revoke")
    assert "dana\tadvocate\trevoked" in _run("invite", "--list")
    assert CsrfClient().get(f"/staff/invitation/{token}/").status_code == 410
    with pytest.raises(CommandError, match="No waiting invitation"):
        _run("invite", "dana", "--revoke")
    with pytest.raises(CommandError, match="Name the username"):
        _run("invite")


def test_recipient_adds_edits_lists_and_retires(staff):
    assert "Added 'Bay Clinic' (health_org)" in _run(
        "recipient", "add", "  Bay   Clinic ", "--kind", "health_org", "--contact", "555-0150"
    )
    clinic = Organisation.objects.get(name="Bay Clinic")
    assert clinic.contact == "555-0150"
    assert Event.objects.get(action="organisation.created").object_id == str(clinic.pk)
    _run("recipient", "edit", "bay clinic", "--rename", "Bay Community Clinic", "--contact", "Ask for Ana")
    clinic.refresh_from_db()
    assert (clinic.name, clinic.kind, clinic.contact) == ("Bay Community Clinic", "health_org", "Ask for Ana")
    listing = _run("recipient", "list")
    assert "Jurisdiction: City and County of San Francisco, California, United States (US-CA-SF)" in listing
    assert "Bay Community Clinic\thealth_org\tcurrent" in listing

    with pytest.raises(CommandError, match="add --yes"):
        _run("recipient", "retire", "Victim Services Unit")
    assert not Organisation.objects.get(pk=staff["organisation"].pk).retired
    output = _run("recipient", "retire", "Victim Services Unit", "--yes")
    assert "Accounts deactivated: recipient." in output
    assert not get_user_model().objects.get(username="recipient").is_active
    assert Event.objects.get(action="organisation.retired").actor == "manage.py recipient"
    assert "Victim Services Unit\tvictim_services\tretired" in _run("recipient", "list")
    with pytest.raises(CommandError, match="already retired"):
        _run("recipient", "retire", "Victim Services Unit", "--yes")
    with pytest.raises(CommandError, match="cannot be changed"):
        _run("recipient", "edit", "Victim Services Unit", "--contact", "x")


def test_recipient_refuses_a_kind_no_referral_goes_to_and_a_second_of_the_same_name(db):
    for kind in ("peer_alert", "record_only", "police"):
        with pytest.raises(CommandError, match="invalid choice"):
            _run("recipient", "add", "Somewhere", "--kind", kind)
    _run("recipient", "add", "Bay Clinic", "--kind", "health_org")
    with pytest.raises(CommandError, match="already an organisation"):
        _run("recipient", "add", "bay clinic", "--kind", "victim_services")
    with pytest.raises(CommandError, match="name"):
        _run("recipient", "add", "   ", "--kind", "victim_services")
    with pytest.raises(CommandError, match="No organisation"):
        _run("recipient", "edit", "Nowhere", "--contact", "x")
    assert Organisation.objects.count() == 1


@override_settings(DEBUG=True)
def test_demo_makes_two_key_holders_and_organisations_with_contact_lines(db):
    output = _run("demo", "--reports", "0")
    assert "manage.py invite" in output
    assert set(Organisation.objects.values_list("name", "kind")) == {
        ("Demo Victim Services", "victim_services"),
        ("Demo Health Clinic", "health_org"),
    }
    assert all(Organisation.objects.values_list("contact", flat=True))
    assert grants.active_holder_ids() == set(
        get_user_model().objects.filter(username__in=["advocate", "admin"]).values_list("pk", flat=True)
    )
    _run("demo", "--reports", "0")  # again: nothing doubles
    assert Organisation.objects.count() == 2


def test_grant_unlocks_the_holder_and_grants_the_key(staff, monkeypatch):
    make_staff("dana", ["advocate"])
    output = _run(
        "grant",
        "--holder",
        "advocate",
        "--to",
        "dana",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert "now holds" in output
    grant = OrgKeyGrant.objects.get(staff_key__user__username="dana")
    assert grant.granted_by == staff["advocate"]
    assert Event.objects.get(action="grant.created").actor == "advocate"


def test_grant_refuses_a_wrong_password_a_non_holder_and_a_recipient(staff, monkeypatch):
    make_staff("dana", ["advocate"])
    with pytest.raises(CommandError, match="does not unlock"):
        _run(
            "grant",
            "--holder",
            "advocate",
            "--to",
            "dana",
            "--password-stdin",
            stdin="wrong\n",
            monkeypatch=monkeypatch,
        )
    with pytest.raises(CommandError, match="does not hold"):
        _run(
            "grant",
            "--holder",
            "admin",
            "--to",
            "dana",
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
    with pytest.raises(CommandError, match="cannot receive"):
        _run(
            "grant",
            "--holder",
            "advocate",
            "--to",
            "recipient",
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
    with pytest.raises(CommandError, match="No account"):
        _run(
            "grant",
            "--holder",
            "advocate",
            "--to",
            "nobody",
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
    assert not OrgKeyGrant.objects.filter(staff_key__user__username__in=["dana", "recipient"]).exists()


@override_settings(HARBOR_ROTATION_GRACE_SECONDS=0)
def test_rotate_org_key_rotates_and_rewraps_in_one_go(staff, monkeypatch):
    reports = [new_report() for _ in range(2)]
    output = _run(
        "rotate_org_key", "--holder", "advocate", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch
    )
    assert "retired" in output
    new_key = OrgKey.objects.get(active=True)
    private = custody.unlock(staff["colleague"], PASSWORD).org_privates[new_key.key_id]
    for report in reports:
        report.refresh_from_db()
        assert report.org_key == new_key
        envelope.unwrap_dek_with_org(bytes(report.dek_org_wrap), report.id, private)
        with pytest.raises(DecryptionError):
            envelope.unwrap_dek_with_org(bytes(report.dek_org_wrap), report.id, staff["org_private"])
    call_command("verify_audit")


def test_replace_lost_refuses_while_someone_holds_the_key_and_then_makes_a_new_one(staff, monkeypatch):
    report = new_report()
    with pytest.raises(CommandError, match="still holds"):
        _run(
            "rotate_org_key",
            "--holder",
            "advocate",
            "--replace-lost",
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
    OrgKeyGrant.objects.all().delete()  # as after resetting the last holder
    _run(
        "rotate_org_key",
        "--holder",
        "advocate",
        "--replace-lost",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    new_key = OrgKey.objects.get(active=True)
    old_key = OrgKey.objects.get(pk=staff["org_key"].pk)
    assert old_key.retired_at is not None
    assert custody.unlock(staff["advocate"], PASSWORD).org_key(new_key.key_id) is not None
    assert new_report().org_key == new_key
    assert Report.objects.get(pk=report.pk).org_key == old_key  # lost for ever
    assert Event.objects.filter(action="key.replaced_lost").exists()


def test_purge_expired_command(staff, monkeypatch):
    RetentionRule.objects.create(status="closed", days=1)
    assert "Purged 0 report(s)." in _run("purge_expired")
    output = _run("purge_expired", "--enqueue")
    assert "Purge queued" in output


def test_bootstrap_makes_the_first_holder_an_administrator_and_advocate(db, monkeypatch):
    _run("bootstrap", "--username", "first", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    profile = StaffProfile.objects.get(user__username="first")
    assert profile.roles == ["admin", "advocate"]
    assert OrgKeyGrant.objects.filter(staff_key__user__username="first").exists()
    call_command("verify_audit")
