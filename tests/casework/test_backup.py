"""Backups: an archive of ciphertext and metadata that restores into a fresh database and opens there.

The round trip runs the real commands (pg_dump and pg_restore on PostgreSQL, SQLite's backup API
on SQLite), restores into a second database, and opens the copy the way people do: a key holder
logs in and reads the report and its photo, the recipient opens the referral, the reporter opens
her report with the receipt.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import subprocess
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connections

from casework import backups
from intake import services as intake_services
from intake.models import Report
from referrals import services as referral_services
from referrals.models import Referral
from tests.casework.conftest import PASSWORD, staff_login
from tests.conftest import FULL_REPORT, CsrfClient, hidden, submit_report
from tests.intake.conftest import jpeg_bytes, upload
from vault import custody

# Committed data: pg_dump reads the database through a connection of its own.
committed = pytest.mark.django_db(transaction=True)

CANARY = "zqbackupzq"
NARRATIVE = f"He pushed me into the car door and took my bag, {CANARY}."


@contextmanager
def using_database(name: str):
    """Point the default connection at database ``name`` (the restored copy) for a while.

    The connection in use is set aside, not closed: Django never closes an in-memory SQLite
    test database, and closing it would lose it.
    """
    conn = connections["default"]
    saved_name, saved_raw = conn.settings_dict["NAME"], conn.connection
    conn.connection = None
    conn.settings_dict["NAME"] = name
    custody.forget_active_org_key()
    cache.clear()
    try:
        yield
    finally:
        conn.close()
        conn.connection = saved_raw
        conn.settings_dict["NAME"] = saved_name
        custody.forget_active_org_key()
        cache.clear()


@pytest.fixture
def fresh_database(tmp_path):
    """The name of a second, empty database: a file on SQLite, a new database on PostgreSQL."""
    conn = connections["default"]
    if conn.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = conn.ops.quote_name(f"{conn.settings_dict['NAME']}_restored"[:63])
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    yield name.strip('"')
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _referred_report_with_photo(staff) -> tuple[str, Report, bytes, Referral]:
    """A report with a photo, referred to the recipient's organisation with the narrative included."""
    data = dict(FULL_REPORT, narrative=NARRATIVE)
    receipt, _ = submit_report(CsrfClient(), data, files={"photos": upload("door.jpg", jpeg_bytes((320, 240)))})
    report = Report.objects.get()
    keys = custody.unlock(staff["advocate"], PASSWORD)
    opened = intake_services.open_for_staff(report, keys, "advocate")
    photo = opened.photo(report.attachments.get().item)
    fields, lang = referral_services.report_data(opened)
    target = referral_services.resolve(fields, str(staff["organisation"].pk))
    final = referral_services.reviewed(referral_services.build(fields, target, lang), {"include_narrative": "1"})
    referral = referral_services.send(opened, staff["advocate"], target, final)
    return receipt, report, photo, referral


def _backup(directory: Path) -> Path:
    out = io.StringIO()
    call_command("backup", "--dir", str(directory), stdout=out)
    archives = sorted(directory.glob("harbor-backup-*.tar.gz"))
    assert len(archives) == 1, out.getvalue()
    return archives[0]


def _database_as_text(archive: Path, tmp_path: Path) -> bytes:
    """The archived database as a thief would read it: the SQLite file, or the dump as SQL."""
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        member = manifest["database"]["member"]
        data = tar.extractfile(member).read()
    if member.endswith(".sqlite3"):
        return data
    dump = tmp_path / "dump"
    dump.write_bytes(data)
    return subprocess.run(["pg_restore", "--file=-", str(dump)], capture_output=True, check=True).stdout  # noqa: S607


@committed
def test_a_restored_backup_opens_for_the_key_holder_the_recipient_and_the_reporter(
    staff, tmp_path, fresh_database, settings
):
    receipt, report, photo, referral = _referred_report_with_photo(staff)
    item = report.attachments.get().item
    staff_login(CsrfClient(), staff["auditor"])  # a staff session exists; backups leave sessions out
    archive = _backup(tmp_path / "backups")

    # Withdrawn after the backup: gone here, still in the archive (docs/operations.md says so).
    check = CsrfClient()
    token = hidden(check.submit("/check/", {"receipt": receipt}), "token")
    assert check.submit("/check/withdraw/", {"token": token, "confirm": "on"}).status_code == 200
    assert CsrfClient().submit("/check/", {"receipt": receipt}).status_code == 400

    with using_database(fresh_database):
        out = io.StringIO()
        call_command("restore", str(archive), stdout=out)
        assert f"Restored {archive.name}" in out.getvalue()
        assert not Session.objects.exists()
        users = get_user_model().objects

        advocate = CsrfClient()
        staff_login(advocate, users.get(username="advocate"))
        page = advocate.get(f"/staff/reports/{report.id}/")
        assert page.status_code == 200
        assert NARRATIVE in page.content.decode()
        shown = advocate.get(f"/staff/reports/{report.id}/photos/{item}/")
        assert shown.status_code == 200
        assert shown.content == photo

        recipient = CsrfClient()
        staff_login(recipient, users.get(username="recipient"))
        received = recipient.get(f"/staff/inbox/{referral.id}/")
        assert received.status_code == 200
        assert "took my bag" in received.content.decode()

        opened = CsrfClient().submit("/check/", {"receipt": receipt})
        assert opened.status_code == 200
        assert CANARY in opened.content.decode()


@committed
def test_an_archive_holds_ciphertext_not_content_secrets_or_sessions(staff, tmp_path, settings):
    receipt, _report, _photo, _referral = _referred_report_with_photo(staff)
    staff_login(CsrfClient(), staff["auditor"])
    archive = _backup(tmp_path / "backups")
    database = _database_as_text(archive, tmp_path)
    for secret in (
        CANARY,
        FULL_REPORT["contact_signal"],
        FULL_REPORT["perp_phone"],
        FULL_REPORT["place_precise"],
        receipt,
        receipt.replace("-", ""),
        settings.SECRET_KEY,
        settings.HARBOR_RECEIPT_PEPPER,
    ):
        assert secret.encode() not in database, secret
    session_key = Session.objects.values_list("session_key", flat=True).first()
    assert session_key and session_key.encode() not in database
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names == ["manifest.json", manifest["database"]["member"]]
    assert manifest["not_included"] == {"table_data": ["django_session"]}
    assert "intake.0001_initial" in manifest["migrations"]


@committed
def test_the_archive_and_its_directory_are_private(staff, tmp_path):
    archive = _backup(tmp_path / "backups")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]  # no leftover work files


@committed
def test_it_keeps_the_files_settings_name_and_puts_them_back_only_where_none_is(
    staff, tmp_path, fresh_database, settings
):
    head = tmp_path / "audit-head.jsonl"
    head.write_text('{"seq": 1}\n', encoding="utf-8")
    settings.HARBOR_AUDIT_HEAD_FILE = str(head)
    archive = _backup(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        assert tar.extractfile("files/HARBOR_AUDIT_HEAD_FILE").read() == b'{"seq": 1}\n'
    moved = tmp_path / "new-host" / "audit-head.jsonl"
    settings.HARBOR_AUDIT_HEAD_FILE = str(moved)
    with using_database(fresh_database):
        out = io.StringIO()
        call_command("restore", str(archive), stdout=out)
    assert moved.read_text(encoding="utf-8") == '{"seq": 1}\n'
    assert f"wrote {moved}" in out.getvalue()


@committed
def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(staff, tmp_path):
    receipt, report, _photo, _referral = _referred_report_with_photo(staff)
    archive = _backup(tmp_path / "backups")
    CsrfClient().submit("/report/", {})  # unrelated traffic: nothing to do with the refusal
    before = (Report.objects.count(), Referral.objects.count(), get_user_model().objects.count())
    with pytest.raises(CommandError, match="Refusing to restore: the database .* already holds data"):
        call_command("restore", str(archive))
    assert (Report.objects.count(), Referral.objects.count(), get_user_model().objects.count()) == before
    assert CsrfClient().submit("/check/", {"receipt": receipt}).status_code == 200
    assert Report.objects.get().pk == report.pk


@committed
def test_restore_refuses_a_damaged_or_altered_archive(staff, tmp_path, fresh_database):
    archive = _backup(tmp_path / "backups")
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(altered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-64] + bytes(64)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with using_database(fresh_database), pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(altered))
    not_ours = tmp_path / "harbor-backup-20261201T000000Z.tar.gz"
    not_ours.write_bytes(b"not an archive")
    with using_database(fresh_database), pytest.raises(CommandError, match="not a Harbor backup archive"):
        call_command("restore", str(not_ours))


@committed
def test_restore_refuses_an_archive_from_another_database_engine(staff, tmp_path, fresh_database):
    archive = _backup(tmp_path / "backups")
    other = {"postgresql": "sqlite", "sqlite": "postgresql"}[connections["default"].vendor]
    swapped = tmp_path / "swapped.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(swapped, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database"]["vendor"] = other
                data = json.dumps(manifest).encode()
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with using_database(fresh_database), pytest.raises(CommandError, match=f"holds a {other} database"):
        call_command("restore", str(swapped))


def test_backup_needs_a_directory(db, settings):
    settings.HARBOR_BACKUP_DIR = None
    with pytest.raises(CommandError, match="Set HARBOR_BACKUP_DIR"):
        call_command("backup")


NOW = dt.datetime(2026, 12, 6, 3, 30, tzinfo=dt.UTC)


def _archive_made(directory: Path, ago: dt.timedelta) -> Path:
    path = directory / f"harbor-backup-{(NOW - ago).strftime(backups.STAMP)}.tar.gz"
    path.write_bytes(b"x")
    return path


@pytest.mark.parametrize(("made_late", "run_late"), [(0, 0), (0, 30), (30, 0), (30, 30)])
def test_with_one_run_a_day_no_archive_outlives_harbor_backup_days(tmp_path, made_late, run_late):
    """The timer starts up to 30 minutes late (RandomizedDelaySec): the reporter's page still holds."""
    days = 30
    made = _archive_made(tmp_path, -dt.timedelta(minutes=made_late))
    made_at = NOW + dt.timedelta(minutes=made_late)
    for day in range(1, days + 2):
        run_at = NOW + dt.timedelta(days=day, minutes=run_late)
        backups.prune(tmp_path, days, now=lambda at=run_at: at)
        if not made.exists():
            break
    assert dt.timedelta(days=days - 2) < run_at - made_at < dt.timedelta(days=days)


def test_prune_touches_only_archives(tmp_path):
    gone = _archive_made(tmp_path, dt.timedelta(days=45))
    kept = _archive_made(tmp_path, dt.timedelta(days=2))
    others = [tmp_path / "notes.txt", tmp_path / "harbor-backup-latest.tar.gz", tmp_path / "harbor-backup-x.tar"]
    for path in others:
        path.write_bytes(b"x")
    assert backups.prune(tmp_path, 30, now=lambda: NOW) == [gone]
    assert all(p.exists() for p in [kept, *others])


def test_prune_never_deletes_the_archive_just_written(tmp_path):
    newest = _archive_made(tmp_path, dt.timedelta(0))
    older = _archive_made(tmp_path, dt.timedelta(hours=20))
    assert backups.prune(tmp_path, 1, keep=newest, now=lambda: NOW) == [older]
    assert newest.exists()
    with pytest.raises(backups.BackupError, match="at least 1"):
        backups.prune(tmp_path, 0, now=lambda: NOW)


@committed
def test_backup_prune_uses_harbor_backup_days(tmp_path, settings):
    settings.HARBOR_BACKUP_DAYS = 7
    old = tmp_path / "harbor-backup-20000101T000000Z.tar.gz"
    old.write_bytes(b"x")
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), "--prune", stdout=out)
    assert not old.exists()
    assert f"Deleted {old.name} (older than 7 days)" in out.getvalue()
    assert len(list(tmp_path.glob("harbor-backup-*.tar.gz"))) == 1
