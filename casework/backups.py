"""Backups an operator can restore: a dated archive of the database and the files Harbor keeps.

An archive (``harbor-backup-YYYYMMDDTHHMMSSZ.tar.gz``) holds ``manifest.json``, the database
(``pg_dump`` custom format on PostgreSQL, a vacuumed copy of the file on SQLite) and the files
named by FILE_SETTINGS that exist. It never holds a secret of the environment (``SECRET_KEY``,
the pepper, the audit key) nor anything that opens a key: those stay with their holders. What an
archive reveals, how long to keep it and how to restore it: docs/operations.md, "Backups".

Checksums in the manifest catch a damaged archive, not a forged one: whoever can write the
backup directory can rewrite the manifest too. Keep the directory as private as the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "harbor-backup/1"
NAME = re.compile(r"^harbor-backup-(\d{8}T\d{6}Z)\.tar\.gz$")
STAMP = "%Y%m%dT%H%M%SZ"
# Files outside the database an operator must keep, by the setting that names each. A new one is
# one entry here (and one line in deploy/harbor.env.example).
FILE_SETTINGS = ("HARBOR_AUDIT_HEAD_FILE",)
# Rows not worth keeping: staff sessions last 15 minutes and open nothing without their cookie.
SKIPPED_DATA = ("django_session",)
# Tables that `migrate` fills by itself: rows there do not mean a database is in use.
FILLED_BY_MIGRATE = ("django_content_type", "auth_permission")
# With one run a day (the timer may start up to 30 minutes late), deleting archives older than
# HARBOR_BACKUP_DAYS minus this keeps every archive less than HARBOR_BACKUP_DAYS, as the
# reporter's "erased" page promises.
PRUNE_MARGIN = dt.timedelta(hours=25)
COMMAND_TIMEOUT = 3600  # seconds for pg_dump or pg_restore: a hang must end, a large database must not


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


class DatabaseInUse(BackupError):
    """The database to restore into already holds data."""


@dataclass
class Restored:
    archive: Path
    created_at: str
    files: list[str] = field(default_factory=list)  # what was written, in words
    notes: list[str] = field(default_factory=list)  # what the operator should know or do next
    pending_migrations: list[str] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the database ------------------------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _pg_env(tool: str) -> dict[str, str]:
    """libpq's variables for the default database: the password never appears on a command line."""
    db = connection.settings_dict
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "PGAPPNAME": f"harbor-{tool}"}
    for key, var in (("NAME", "PGDATABASE"), ("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT")):
        if options.get(key):
            env[var] = str(options[key])
    if options.get("sslkey"):
        env["PGSSLKEY"] = str(options["sslkey"])
    return env


def _run_pg(tool: str, args: list[str]) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - a fixed client program, arguments built here
            [tool, *args], env=_pg_env(tool), capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise BackupError(f"{tool} is not installed. On Debian: apt-get install postgresql-client") from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{tool} did not finish within {COMMAND_TIMEOUT} s.") from exc
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")


def _dump_postgres(path: Path) -> None:
    skipped = [f"--exclude-table-data={table}" for table in SKIPPED_DATA]
    _run_pg("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", *skipped, f"--file={path}"])


def _dump_sqlite(path: Path) -> None:
    """Copy the database through SQLite's backup API, then vacuum the copy.

    The copy is consistent while Harbor runs. Vacuuming drops free pages, which can still hold
    bytes of deleted rows (a withdrawn report's key wraps among them).
    """
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        existing = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in SKIPPED_DATA:
            if table in existing:
                target.execute(f'DELETE FROM "{table}"')  # noqa: S608 - a constant table name
        target.commit()
        target.execute("PRAGMA journal_mode=DELETE")
        target.execute("VACUUM")
    finally:
        target.close()


def _load_postgres(path: Path) -> None:
    connection.close()
    _run_pg(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
    )


def _load_sqlite(path: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def tables_with_rows() -> list[str]:
    """Return the tables of the default database, among those Harbor's models use, that hold a row."""
    existing = set(connection.introspection.table_names())
    modelled = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    tables = sorted((modelled & existing) - set(FILLED_BY_MIGRATE))
    full = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - names from introspection
            if cursor.fetchone():
                full.append(table)
    return full


def _applied_migrations() -> list[str]:
    if not MigrationRecorder(connection).has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


# --- archives ----------------------------------------------------------------------------------------


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = path.stat().st_size, int(mtime), 0o600
    with path.open("rb") as f:
        tar.addfile(info, f)


def _private_directory(directory: Path) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory.")
    return directory


def create(directory: Path, *, now: Callable[[], dt.datetime] = _now) -> Path:
    """Write a backup archive into ``directory`` and return its path.

    The archive appears under its final name only when complete (written beside it, then
    renamed), readable by its owner only.
    """
    vendor = _vendor()
    if connection.in_atomic_block:
        # pg_dump could not see the uncommitted rows, and SQLite's backup would wait forever.
        raise BackupError("A backup cannot be taken inside a database transaction.")
    directory = _private_directory(Path(directory))
    created = now().astimezone(dt.UTC).replace(microsecond=0)
    final = directory / f"harbor-backup-{created.strftime(STAMP)}.tar.gz"
    if final.exists():
        raise BackupError(f"{final.name} already exists; wait a second and run the backup again.")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".harbor-backup-") as work:
        database = Path(work) / ("database.pgdump" if vendor == "postgresql" else "database.sqlite3")
        (_dump_postgres if vendor == "postgresql" else _dump_sqlite)(database)
        files = []
        for setting in FILE_SETTINGS:
            value = getattr(settings, setting, None)
            if value and Path(value).is_file():
                files.append({"setting": setting, "path": str(value), "member": f"files/{setting}"})
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "database": {"vendor": vendor, "member": database.name, "sha256": _sha256(database)},
            "migrations": _applied_migrations(),
            "files": [dict(f, sha256=_sha256(Path(f["path"]))) for f in files],
            "not_included": {"table_data": list(SKIPPED_DATA)},
        }
        partial = Path(work) / final.name
        old_umask = os.umask(0o077)
        try:
            with tarfile.open(partial, "w:gz") as tar:
                mtime = created.timestamp()
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode(), mtime)
                _add_file(tar, database.name, database, mtime)
                for f in files:
                    _add_file(tar, f["member"], Path(f["path"]), mtime)
        finally:
            os.umask(old_umask)
        partial.chmod(0o600)
        partial.replace(final)
    return final


def prune(directory: Path, days: int, *, keep: Path | None = None, now: Callable[[], dt.datetime] = _now) -> list[Path]:
    """Delete the archives in ``directory`` that would outlive ``days`` before the next daily run.

    Only files named like an archive are touched; ``keep`` (the one just written) never is.
    """
    if days < 1:
        raise BackupError("HARBOR_BACKUP_DAYS must be at least 1.")
    cutoff = now().astimezone(dt.UTC) - max(dt.timedelta(days=days) - PRUNE_MARGIN, dt.timedelta(0))
    removed = []
    for path in sorted(Path(directory).iterdir()):
        match = NAME.match(path.name)
        if not match or not path.is_file() or (keep is not None and path.resolve() == keep.resolve()):
            continue
        made = dt.datetime.strptime(match.group(1), STAMP).replace(tzinfo=dt.UTC)
        if made <= cutoff:
            path.unlink()
            removed.append(path)
    return removed


def _read_archive(archive: Path, work: Path) -> dict:
    """Check and unpack ``archive`` into ``work``; return its manifest. Unpacks only what it lists."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return _unpack(tar, archive, work)
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise BackupError(f"{archive} is not a Harbor backup archive, or it is damaged ({exc}).") from exc


def _unpack(tar: tarfile.TarFile, archive: Path, work: Path) -> dict:
    try:
        manifest = json.load(tar.extractfile("manifest.json") or io.BytesIO(b"{}"))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"{archive} has no readable manifest.json: not a Harbor backup.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is in format {manifest.get('format')!r}; this Harbor reads {FORMAT}.")
    wanted = {manifest["database"]["member"]: manifest["database"]["sha256"]}
    wanted.update({f["member"]: f["sha256"] for f in manifest.get("files", [])})
    for member, digest in wanted.items():
        if not re.fullmatch(r"(database\.(pgdump|sqlite3))|(files/[A-Z0-9_]+)", member):
            raise BackupError(f"{archive} lists an unexpected member {member!r}.")
        try:
            source = tar.extractfile(member)
        except KeyError as exc:
            raise BackupError(f"{archive} lacks {member}.") from exc
        if source is None:
            raise BackupError(f"{archive}: {member} is not a regular file.")
        target = work / member
        target.parent.mkdir(exist_ok=True)
        with target.open("wb") as out:
            while block := source.read(1 << 20):
                out.write(block)
        if _sha256(target) != digest:
            raise BackupError(f"{archive}: {member} does not match its checksum; the archive is damaged.")
    return manifest


def restore(archive: Path) -> Restored:
    """Load ``archive`` into the default database, which must hold no data; return what was done."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist.")
    vendor = _vendor()
    with tempfile.TemporaryDirectory(prefix="harbor-restore-") as tmp:
        work = Path(tmp)
        manifest = _read_archive(archive, work)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                f"{archive.name} holds a {manifest['database']['vendor']} database; this Harbor uses {vendor}."
            )
        unknown = sorted(set(manifest.get("migrations", [])) - _known_migrations())
        if unknown:
            raise BackupError(
                f"{archive.name} was made by a newer Harbor (migrations this one does not have: "
                f"{', '.join(unknown[:5])}). Restore it with that version or a later one."
            )
        full = tables_with_rows()
        if full:
            raise DatabaseInUse(
                f"Refusing to restore: the database {connection.settings_dict['NAME']} already holds data "
                f"(tables {', '.join(full[:8])}{' …' if len(full) > 8 else ''}). Restore into a new, empty "
                "database (docs/operations.md, “Restoring”); nothing was changed."
            )
        database = work / manifest["database"]["member"]
        (_load_postgres if vendor == "postgresql" else _load_sqlite)(database)
        result = Restored(archive=archive, created_at=manifest["created_at"])
        for f in manifest.get("files", []):
            result.files.append(_restore_file(work / f["member"], f))
    applied = set(_applied_migrations())
    result.pending_migrations = sorted(_known_migrations() - applied)
    return result


def _restore_file(source: Path, entry: dict) -> str:
    """Put a kept file back where the setting names it, never over an existing file."""
    value = getattr(settings, entry["setting"], None)
    if not value:
        return f"{entry['setting']} is not set here: its copy from {entry['path']} was not written."
    target = Path(value)
    if target.exists():
        return f"{target} exists and was left as it is (the archive's copy was not written)."
    target.parent.mkdir(parents=True, exist_ok=True)
    old_umask = os.umask(0o077)
    try:
        target.write_bytes(source.read_bytes())
    finally:
        os.umask(old_umask)
    return f"{entry['setting']}: wrote {target}"
