"""Rotating the organisation key, re-wrapping every report, retiring the old key."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from audit.models import Event
from casework import orgkey
from intake.models import Report
from tests.casework.admin_helpers import IMMEDIATE, SECRET_STORY, make_keeper, new_report
from tests.casework.conftest import PASSWORD
from vault import custody, envelope, rotation
from vault.exceptions import DecryptionError
from vault.models import OrgKey, OrgKeyGrant

pytestmark = pytest.mark.django_db

CONFIRM = {"confirm": "on"}


def run_worker(monkeypatch) -> None:
    """Run `manage.py db_worker --batch` in this process (it shares the LocMem cache with the test).

    The worker closes "old" connections between tasks; inside a test's transaction
    that would close the test's own connection, so that one step is skipped here.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", "--queue-name", "*")


def _actions() -> list[str]:
    return list(Event.objects.order_by("seq").values_list("action", flat=True))


def _unlock(user):
    return custody.unlock(user, PASSWORD)


def _assert_on_new_key_only(reports, new_private, old_private, new_key):
    for report in reports:
        report.refresh_from_db()
        assert report.org_key_id == new_key.pk
        envelope.unwrap_dek_with_org(bytes(report.dek_org_wrap), report.id, new_private)
        with pytest.raises(DecryptionError):
            envelope.unwrap_dek_with_org(bytes(report.dek_org_wrap), report.id, old_private)


@override_settings(TASKS=IMMEDIATE, HARBOR_ROTATION_GRACE_SECONDS=0)
def test_it_rotates_rewraps_and_retires_the_old_key(staff, logged_in, monkeypatch):
    monkeypatch.setattr(orgkey, "REWRAP_BATCH", 2)  # several batches with a few reports
    reports = [new_report() for _ in range(5)]
    old_key = staff["org_key"]
    updated = {r.id: r.updated_at for r in reports}
    make_keeper(staff)
    reader = logged_in("advocate")  # logged in before the rotation
    client = logged_in("keeper")
    assert "Rotate the organisation key" in client.get("/staff/accounts/rotate/").content.decode()

    response = client.submit("/staff/accounts/rotate/", CONFIRM)
    assert response.status_code == 302
    assert "it is retired" in client.get("/staff/accounts/rotate/").content.decode()

    new_key = OrgKey.objects.get(active=True)
    old_key.refresh_from_db()
    assert new_key != old_key
    assert not old_key.active and old_key.retired_at is not None
    assert not OrgKeyGrant.objects.filter(org_key=old_key).exists()  # the old private key exists nowhere
    holders = set(OrgKeyGrant.objects.filter(org_key=new_key).values_list("staff_key__user__username", flat=True))
    assert holders == {"advocate", "colleague", "keeper"}
    new_private = _unlock(staff["colleague"]).org_privates[new_key.key_id]  # granted without being there
    _assert_on_new_key_only(reports, new_private, staff["org_private"], new_key)
    assert {r.id: r.updated_at for r in Report.objects.all()} == updated  # a re-wrap is not a change

    # New reports go to the new key (the 30-second copy of the active key was dropped).
    fresh = new_report()
    assert fresh.org_key_id == new_key.pk
    envelope.unwrap_dek_with_org(bytes(fresh.dek_org_wrap), fresh.id, new_private)

    # An advocate whose session began before the rotation reads old and new reports.
    assert SECRET_STORY in reader.get(f"/staff/reports/{reports[0].id}/").content.decode()
    assert SECRET_STORY in reader.get(f"/staff/reports/{fresh.id}/").content.decode()

    actions = _actions()
    for action in ("key.rotated", "grant.created", "key.rewrap_started", "key.rewrap_done", "key.retired"):
        assert action in actions
    assert actions.index("key.rotated") < actions.index("key.rewrap_started") < actions.index("key.rewrap_done")
    call_command("verify_audit")


@override_settings(TASKS=IMMEDIATE, HARBOR_ROTATION_GRACE_SECONDS=0)
def test_inactive_holders_and_recipients_do_not_receive_the_new_key(staff, logged_in):
    make_keeper(staff)
    staff["colleague"].is_active = False
    staff["colleague"].save()
    assert logged_in("keeper").submit("/staff/accounts/rotate/", CONFIRM).status_code == 302
    new_key = OrgKey.objects.get(active=True)
    holders = set(OrgKeyGrant.objects.filter(org_key=new_key).values_list("staff_key__user__username", flat=True))
    assert holders == {"advocate", "keeper"}


@override_settings(HARBOR_REWRAP_INLINE=False, HARBOR_ROTATION_GRACE_SECONDS=0)
def test_the_worker_rewraps_and_the_task_table_holds_no_key(staff, logged_in, monkeypatch):
    reports = [new_report() for _ in range(3)]
    make_keeper(staff)
    client = logged_in("keeper")
    assert client.submit("/staff/accounts/rotate/", CONFIRM).status_code == 302
    assert "runs in the background" in client.get("/staff/accounts/rotate/").content.decode()
    new_key = OrgKey.objects.get(active=True)
    assert Report.objects.filter(org_key=staff["org_key"]).count() == 3  # not yet: the worker does it

    # The queued task's stored arguments: a handle and a ciphertext, no key in any encoding.
    task = DBTaskResult.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT args_kwargs FROM {DBTaskResult._meta.db_table}")  # noqa: S608 - our own table name
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    stored += json.dumps(task.args_kwargs)
    old_private = staff["org_private"]
    for encoding in (
        old_private.hex(),
        base64.b64encode(old_private).decode(),
        base64.urlsafe_b64encode(old_private).decode(),
    ):
        assert encoding not in stored
        for part in (encoding[:32], encoding[-32:]):
            assert part not in stored
    kwargs = task.args_kwargs["kwargs"]
    assert set(kwargs) == {"old_key_id", "new_key_id", "handle", "sealed", "actor"}
    assert cache.get("harbor:rewrap:" + kwargs["handle"]) is not None  # T is in the cache only
    assert base64.b64encode(cache.get("harbor:rewrap:" + kwargs["handle"]).encode()).decode() not in stored

    run_worker(monkeypatch)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    assert task.return_value == "done"
    assert cache.get("harbor:rewrap:" + kwargs["handle"]) is None  # T deleted when done
    new_private = _unlock(staff["advocate"]).org_privates[new_key.key_id]
    _assert_on_new_key_only(reports, new_private, old_private, new_key)
    assert OrgKey.objects.get(pk=staff["org_key"].pk).retired_at is not None
    call_command("verify_audit")


@override_settings(HARBOR_REWRAP_INLINE=False, HARBOR_ROTATION_GRACE_SECONDS=0)
def test_the_task_stops_when_the_one_time_key_expired_and_a_holder_starts_it_again(staff, logged_in, monkeypatch):
    reports = [new_report() for _ in range(2)]
    make_keeper(staff)
    client = logged_in("keeper")
    client.submit("/staff/accounts/rotate/", CONFIRM)
    cache.clear()  # T expired (or Redis was restarted)
    run_worker(monkeypatch)
    assert DBTaskResult.objects.get().return_value == "expired"
    assert "key.rewrap_expired" in _actions()
    assert Report.objects.filter(org_key=staff["org_key"]).count() == 2
    page = client.get("/staff/accounts/rotate/").content.decode()
    assert "2 reports still use it" in page

    # An administrator who never held the old key cannot restart it.
    admin = logged_in("admin")
    assert admin.submit(f"/staff/accounts/rotate/{staff['org_key'].key_id}/rewrap/", {}).status_code == 403

    assert client.submit(f"/staff/accounts/rotate/{staff['org_key'].key_id}/rewrap/", {}).status_code == 302
    run_worker(monkeypatch)
    new_key = OrgKey.objects.get(active=True)
    _assert_on_new_key_only(
        reports, _unlock(staff["keeper"]).org_privates[new_key.key_id], staff["org_private"], new_key
    )
    assert OrgKey.objects.get(pk=staff["org_key"].pk).retired_at is not None


@override_settings(TASKS=IMMEDIATE, HARBOR_ROTATION_GRACE_SECONDS=3600)
def test_the_old_key_is_retired_only_after_every_server_has_switched(staff, logged_in):
    report = new_report()
    make_keeper(staff)
    client = logged_in("keeper")
    client.submit("/staff/accounts/rotate/", CONFIRM)
    old_key = OrgKey.objects.get(pk=staff["org_key"].pk)
    report.refresh_from_db()
    assert report.org_key.active  # moved at once
    assert old_key.retired_at is None  # but kept: a lagging server may still wrap to it
    assert OrgKeyGrant.objects.filter(org_key=old_key).exists()
    assert "can be retired after" in client.get("/staff/accounts/rotate/").content.decode()
    # A report wrapped to the old key by a lagging server is picked up by the next run.
    late = new_report()
    Report.objects.filter(pk=late.pk).update(
        org_key=old_key,
        dek_org_wrap=rotation.rewrap_dek(
            bytes(late.dek_org_wrap), late.id, _unlock(staff["advocate"]).org_key(late.org_key.key_id), old_key
        ),
    )
    with override_settings(HARBOR_ROTATION_GRACE_SECONDS=0):
        assert client.submit(f"/staff/accounts/rotate/{old_key.key_id}/rewrap/", {}).status_code == 302
    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert not Report.objects.filter(org_key=old_key).exists()


@override_settings(TASKS=IMMEDIATE, HARBOR_ROTATION_GRACE_SECONDS=3600)
def test_it_refuses_a_second_rotation_before_the_first_is_finished(staff, logged_in):
    make_keeper(staff)
    client = logged_in("keeper")
    client.submit("/staff/accounts/rotate/", CONFIRM)
    response = client.submit("/staff/accounts/rotate/", CONFIRM)
    assert response.status_code == 400
    assert "has not finished" in response.content.decode()
    assert OrgKey.objects.count() == 2


def test_an_admin_without_the_key_cannot_rotate(staff, logged_in):
    client = logged_in("admin")
    page = client.get("/staff/accounts/rotate/")
    assert page.status_code == 200
    assert "Ask a key holder" in page.content.decode()
    assert client.submit("/staff/accounts/rotate/", CONFIRM).status_code == 403
    assert OrgKey.objects.get(active=True) == staff["org_key"]


@override_settings(TASKS=IMMEDIATE)
def test_rotation_needs_confirmation(staff, logged_in):
    make_keeper(staff)
    assert logged_in("keeper").submit("/staff/accounts/rotate/", {}).status_code == 400
    assert OrgKey.objects.count() == 1


def test_inline_rewrap_when_the_cache_is_per_process(staff, logged_in, settings):
    """Development without Redis: a worker could never read T, so the request does the work."""
    settings.HARBOR_ROTATION_GRACE_SECONDS = 0
    report = new_report()
    make_keeper(staff)
    assert orgkey.rewrap_mode() == "inline"
    logged_in("keeper").submit("/staff/accounts/rotate/", CONFIRM)
    assert not DBTaskResult.objects.exists()
    report.refresh_from_db()
    assert report.org_key.active
    assert OrgKey.objects.get(pk=staff["org_key"].pk).retired_at is not None


@override_settings(HARBOR_REWRAP_INLINE=False, HARBOR_ROTATION_GRACE_SECONDS=3600)
def test_the_worker_comes_back_after_the_grace_to_retire_the_old_key(staff, logged_in, monkeypatch):
    new_report()
    make_keeper(staff)
    logged_in("keeper").submit("/staff/accounts/rotate/", CONFIRM)
    run_worker(monkeypatch)
    first, again = DBTaskResult.objects.order_by("enqueued_at")
    assert first.return_value == "deferred"
    assert again.status == "READY" and again.run_after > first.finished_at  # waits for the grace
    assert again.args_kwargs == first.args_kwargs  # the same handle and ciphertext; T stays in the cache
    assert OrgKey.objects.get(pk=staff["org_key"].pk).retired_at is None
    with override_settings(HARBOR_ROTATION_GRACE_SECONDS=0):
        DBTaskResult.objects.filter(pk=again.pk).update(run_after=first.finished_at)
        run_worker(monkeypatch)
    again.refresh_from_db()
    assert again.return_value == "done"
    assert OrgKey.objects.get(pk=staff["org_key"].pk).retired_at is not None
