"""What the benchmarks share: a fresh database, production settings, gunicorn on loopback.

bench/run.py, bench/bench_queue.py and bench/load.py start Harbor the same way:
a fresh PostgreSQL database on 127.0.0.1:5432 if one answers (else SQLite;
bench/load.py uses a throwaway cluster of its own, bench/pgcluster.py, since it
stops PostgreSQL), production settings from the environment (``HARBOR_ENV=bench``: production's
rules, on loopback only, with the plaintext baseline allowed) with throwaway secrets and raised
rate limits, migrations, collected static files, an organisation key
(`manage.py bootstrap`) and gunicorn with config/gunicorn.conf.py. Traffic
goes only to 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOLDER = "bench-holder"
HOLDER_PASSWORD = "bench holder passphrase 2026"  # noqa: S105 - a throwaway database
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick_database(tmp: Path, name: str = "harbor_bench") -> tuple[str, str]:
    """Return (DATABASE_URL, "PostgreSQL"|"SQLite"|"given") for a fresh, empty database ``name``."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url, "given"
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgres://postgres@127.0.0.1:5432/{name}", "PostgreSQL"
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not available ({type(exc).__name__}); using SQLite.", file=sys.stderr)
        return f"sqlite:///{tmp / f'{name}.sqlite3'}", "SQLite"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def server_env(db_url: str, tmp: Path) -> dict[str, str]:
    """Production settings in bench mode, throwaway secrets; rate limits raised so load is not refused.

    Bench mode is production (every start-up refusal applies) on loopback only, and the one mode
    besides test that may mount the plaintext baseline (config/invariants.py).
    """
    env = dict(os.environ)
    env.update(
        HARBOR_ENV="bench",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        HARBOR_RECEIPT_PEPPER=secrets.token_hex(32),
        HARBOR_AUDIT_KEY=secrets.token_hex(32),
        HARBOR_OTP_KEY=secrets.token_hex(32),
        DATABASE_URL=db_url,
        ALLOWED_HOSTS="127.0.0.1",
        HARBOR_HTTPS="False",
        HARBOR_BENCH_BASELINE="True",
        HARBOR_RATE_SUBMIT="1000000000",
        HARBOR_RATE_SUBMIT_GLOBAL="1000000000",
        HARBOR_RATE_CHECK_FAIL="1000000000",
        HARBOR_RATE_CHECK_FAIL_PREFIX="1000000000",
        HARBOR_RATE_PREVIEW="1000000000",
        HARBOR_RATE_PREVIEW_GLOBAL="1000000000",
        HARBOR_MIN_FORM_SECONDS="0",
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        STATIC_ROOT=str(tmp / "static"),
    )
    env.pop("REDIS_URL", None)
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, input=stdin, text=True, stdout=subprocess.DEVNULL
    )


def prepare(env: dict[str, str]) -> None:
    """Migrate, collect static files and create the organisation key with one key holder."""
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "bootstrap", "--username", HOLDER, "--password-stdin", stdin=HOLDER_PASSWORD + "\n")


def start_gunicorn(
    env: dict[str, str],
    port: int,
    workers: int,
    stderr: IO | int = subprocess.DEVNULL,
    *,
    stdout: IO | int = subprocess.DEVNULL,
    extra_args: Sequence[str] = (),
    wait_s: float = 120,
):
    """Start gunicorn (production config) on 127.0.0.1:port and wait until it accepts connections.

    The master warms Harbor before it opens the port (intake/warmup.py): a few seconds, more on
    a loaded machine, hence the generous wait.

    ``extra_args`` go before the application (scripts/scan.py adds TLS and an access log).
    """
    genv = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers))
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", *extra_args, "config.wsgi:application"],
        cwd=ROOT,
        env=genv,
        stdout=stdout,
        stderr=stderr,
    )
    for _ in range(int(wait_s * 10)):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"gunicorn did not start listening within {wait_s:g} s")


def stop_gunicorn(server: subprocess.Popen, wait_s: float = 15) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(wait_s)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def setup_django(env: dict[str, str]) -> None:
    """Set Django up in this process against the server's database and secrets."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
