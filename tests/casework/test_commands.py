"""Management commands of the key ceremonies and retention."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from audit.models import Event
from casework.models import Organisation, RetentionRule, StaffProfile
from intake.models import Report
from tests.casework.admin_helpers import new_report
from tests.casework.conftest import PASSWORD
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


def _one_time(output: str) -> str:
    match = re.search(r"One-time password \(shown once\): (\S+)", output)
    assert match, output
    return match.group(1)


def test_createstaff_makes_an_account_with_a_key_and_prints_its_password_once(db):
    output = _run("createstaff", "dana", "--role", "advocate", "--role", "admin")
    password = _one_time(output)
    dana = get_user_model().objects.get(username="dana")
    profile = StaffProfile.objects.get(user=dana)
    assert profile.roles == ["advocate", "admin"]
    assert profile.must_change_password
    assert dana.check_password(password)
    assert custody.unlock(dana, password) is not None
    assert Event.objects.get(action="account.created").object_id == "dana"
    assert password not in " ".join(Event.objects.values_list("object_id", flat=True))


def test_createstaff_places_a_recipient_in_an_organisation(staff):
    _run("createstaff", "vsu", "--role", "recipient", "--organisation", "Victim Services Unit")
    assert StaffProfile.objects.get(user__username="vsu").organisation == staff["organisation"]
    with pytest.raises(CommandError, match="organisation"):
        _run("createstaff", "vsu2", "--role", "recipient")
    with pytest.raises(CommandError, match="No organisation"):
        _run("createstaff", "vsu3", "--role", "recipient", "--organisation", "Nowhere")
    with pytest.raises(CommandError):
        _run("createstaff", "x", "--role", "overlord")
    with pytest.raises(CommandError, match="taken"):
        _run("createstaff", "vsu", "--role", "advocate")


def test_createorganisation_makes_a_recipient_organisation_its_accounts_can_join(db):
    assert "Created 'Bay Clinic' (health_org)" in _run("createorganisation", "  Bay   Clinic ", "--kind", "health_org")
    organisation = Organisation.objects.get(name="Bay Clinic")
    assert organisation.kind == "health_org"
    assert Event.objects.get(action="organisation.created").object_id == str(organisation.pk)
    _run("createstaff", "nurse", "--role", "recipient", "--organisation", "Bay Clinic")
    assert StaffProfile.objects.get(user__username="nurse").organisation == organisation


def test_createorganisation_refuses_a_kind_no_referral_goes_to_and_a_second_of_the_same_name(db):
    for kind in ("peer_alert", "record_only", "police"):
        with pytest.raises(CommandError, match="invalid choice"):
            _run("createorganisation", "Somewhere", "--kind", kind)
    _run("createorganisation", "Bay Clinic", "--kind", "health_org")
    with pytest.raises(CommandError, match="already an organisation named"):
        _run("createorganisation", "bay clinic", "--kind", "victim_services")
    with pytest.raises(CommandError, match="needs a name"):
        _run("createorganisation", "   ", "--kind", "victim_services")
    assert Organisation.objects.count() == 1


def test_grant_unlocks_the_holder_and_grants_the_key(staff, monkeypatch):
    _run("createstaff", "dana", "--role", "advocate")
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
    _run("createstaff", "dana", "--role", "advocate")
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
