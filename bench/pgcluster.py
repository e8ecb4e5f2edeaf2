"""A throwaway PostgreSQL cluster for bench/load.py, so its faults never touch a shared one.

The fault test stops PostgreSQL under load. The machine's cluster on
127.0.0.1:5432 serves the test suite, CI and other people's work at the same
time, so the load test makes its own: `initdb` into a temporary directory (run
as the ``postgres`` user when this runs as root), listening on 127.0.0.1 only,
on a free port, its Unix socket inside that directory, trust authentication for
127.0.0.1 and nothing else. It is stopped and its directory deleted when the
run ends, however it ends (`close()` from a finally block, at exit, and on
SIGTERM via SystemExit in load.py). A cluster left behind by a run killed with
SIGKILL is swept by the next run (`sweep()`): its directory records the pid of
the process that made it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import free_port

PREFIX = "harbor-pgload-"
OWNER_FILE = "owner.pid"


def bindir() -> Path | None:
    """The directory of initdb/pg_ctl (Debian keeps them out of PATH: the newest installed), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def available() -> bool:
    return bindir() is not None


def _as_postgres(cmd: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", "postgres", "--", *cmd]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Cluster:
    """One throwaway cluster: `start()`, `stop()` (for the fault), `close()` (for good)."""

    def __init__(self) -> None:
        bins = bindir()
        if bins is None:
            raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        self.bin = bins
        self.port = free_port()
        self.host = "127.0.0.1"
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.data = self.root / "data"
        self.log = self.root / "postgresql.log"
        (self.root / OWNER_FILE).write_text(str(os.getpid()))
        # initdb and postgres refuse to run as root: hand the directory to the postgres user.
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.root.chmod(0o700)
        made = False
        try:
            self._init()
            made = True
        finally:
            if not made:  # initdb failed (or we were told to stop): leave nothing behind
                shutil.rmtree(self.root, ignore_errors=True)

    def _init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
        (self.data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# harbor bench/load.py: a throwaway cluster on loopback only\n"
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "max_connections = 60\nshared_buffers = 64MB\n"
                "logging_collector = off\n"
            )

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgres://postgres@{self.host}:{self.port}/{database}"

    def _run(self, program: str, *args: str, check: bool = True, timeout: float = 120) -> int:
        cmd = _as_postgres([str(self.bin / program), *args])
        done = subprocess.run(
            cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args[:1])} failed: {done.stderr.strip()[-500:]}")
        return done.returncode

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections."""
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60")
        if not self.wait_ready(60):
            raise RuntimeError(f"the throwaway cluster did not answer on {self.host}:{self.port}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster (fast: open transactions are aborted, connections closed)."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def running(self) -> bool:
        if not self.data.exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False) == 0

    def ready(self) -> bool:
        cmd = [str(self.bin / "pg_isready"), "-h", self.host, "-p", str(self.port), "-q"]
        return subprocess.run(cmd, check=False).returncode == 0

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        """Stop the cluster at once and delete its directory. Safe to call twice."""
        if not self.root.exists():
            return
        if self.running():
            try:
                self.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"!! could not stop the throwaway cluster: {exc}", file=sys.stderr)
                return
        shutil.rmtree(self.root, ignore_errors=True)


def sweep() -> None:
    """Stop and delete throwaway clusters whose creating process is gone (a run killed with SIGKILL)."""
    bins = bindir()
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        data = root / "data"
        if bins is not None and (data / "postmaster.pid").exists():
            cmd = _as_postgres([str(bins / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"])
            subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
