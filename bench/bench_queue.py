#!/usr/bin/env python
"""The advocate queue over N encrypted reports against the same page over plaintext rows.

`make bench` runs this through bench/run.py; it also runs alone. It:

1. migrates a fresh database (PostgreSQL on 127.0.0.1:5432 if it answers) and
   creates the organisation key and an advocate with a password, a staff key
   pair, a grant of the organisation key and a TOTP device;
2. seeds reports in the real stored format (one DEK per report, wrapped with
   HPKE to the organisation key; the summary section encrypted under it) with
   bulk_create, the wraps made by two processes, and a plaintext twin of the
   same reports in bench.baseline (PlainReport/PlainSection);
3. logs the advocate in over HTTP (password, then TOTP) to gunicorn running
   with production settings, keeps the cookies, and times GET /staff/reports/
   (first page, a middle page, ?status=new) against /staff/bench/plain-queue/
   (the same view code and template over the plaintext rows), requests of the
   two paths interleaved; the figure is the median;
4. does it at 10,000 reports, then adds reports up to N (BENCH_QUEUE_REPORTS,
   default 100,000) and does it again; times the statistics page once at each size.

Only the summary section is seeded (the queue reads no other), for both twins.
Both tables are VACUUM ANALYZEd after seeding, as autovacuum does to a table
after a large insert. Traffic goes only to 127.0.0.1. The last line printed is
one JSON object.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from run import PY, free_port, manage, pick_database, server_env  # noqa: E402 - bench/run.py's helpers

HOLDER_PASSWORD = "bench holder passphrase 2026"  # noqa: S105 - a throwaway database
ADVOCATE = "bench-advocate"
ADVOCATE_PASSWORD = "bench advocate passphrase 2026"  # noqa: S105 - a throwaway database
SMALL = 10_000
ROUNDS = int(os.environ.get("BENCH_QUEUE_ROUNDS", "15"))
CHUNK = 5_000

CRIME_TYPES = [
    "sexual_assault",
    "physical_assault",
    "robbery",
    "stalking",
    "threats_extortion",
    "trafficking",
    "kidnapping",
    "burglary",
    "other_violence",
]
CRIME_WEIGHTS = [18, 28, 22, 10, 9, 3, 1, 6, 3]
NEEDS = ["medical", "shelter", "legal", "counselling", "immigration_legal", "safety_planning", "record_only"]
STATUSES = ["new", "in_review", "waiting", "referred", "closed", "withdrawn"]
STATUS_WEIGHTS = [10, 15, 10, 15, 45, 5]


# --- seeding


def _summary(rng: random.Random) -> dict:
    crime_types = sorted(set(rng.choices(CRIME_TYPES, CRIME_WEIGHTS, k=rng.choice((1, 1, 1, 2)))))
    safe_now = rng.choice(["yes", "yes", "no", "unsure", ""])
    return {
        "crime_types": crime_types,
        "role": rng.choice(["victim", "victim", "witness"]),
        "needs": sorted(rng.sample(NEEDS, rng.randint(0, 3))),
        "safe_now": safe_now,
        "injured": rng.choice(["yes", "no", "unsure", ""]),
        "under_18": False,
        "urgent": safe_now == "no" or bool({"trafficking", "kidnapping"} & set(crime_types)),
        "photos": 0,
        "lang": rng.choice(["en", "en", "es"]),
    }


def _generate(task: tuple[int, int, bytes, float]) -> list[tuple]:
    """Make ``count`` reports as stored: (id, lookup, received_at, status, org wrap, receipt wrap, summary blob, summary json)."""
    seed, count, org_public, now = task
    from vault import envelope

    rng = random.Random(seed)
    # id, lookup id, hour received, status, org wrap, receipt wrap, summary blob, summary as JSON
    rows: list[tuple[str, str | None, int, str, bytes | None, bytes | None, bytes | None, str | None]] = []
    for _ in range(count):
        rid = secrets.token_hex(16)  # as intake.models.new_report_id
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        hours = rng.randrange(2 * 365 * 24)
        received = int(now // 3600 - hours) * 3600
        summary = _summary(rng)
        if status == "withdrawn":  # crypto-shredded: a tombstone, no wraps, no sections
            rows.append((rid, None, received, status, None, None, None, None))
            continue
        dek = envelope.new_dek()
        rows.append(
            (
                rid,
                secrets.token_hex(32),
                received,
                status,
                envelope.wrap_dek_to_org(dek, rid, org_public),
                envelope.wrap_dek_to_receipt(dek, rid, secrets.token_bytes(32)),
                envelope.encrypt_json(dek, rid, "summary", summary),
                json.dumps(summary),
            )
        )
    return rows


def _store(rows: list[tuple], org_key) -> None:
    from django.db import transaction

    from bench.baseline.models import PlainReport, PlainSection
    from intake.models import Report, Section

    def at(ts: int) -> datetime:
        return datetime.fromtimestamp(ts, UTC)

    with transaction.atomic():
        Report.objects.bulk_create(
            [
                Report(
                    id=rid,
                    lookup_id=lookup,
                    received_at=at(ts),
                    status=status,
                    org_key=org_key if wrap else None,
                    dek_org_wrap=wrap,
                    dek_receipt_wrap=receipt_wrap,
                )
                for rid, lookup, ts, status, wrap, receipt_wrap, _blob, _plain in rows
            ],
            batch_size=1000,
        )
        Section.objects.bulk_create(
            [Section(report_id=row[0], name="summary", blob=row[6]) for row in rows if row[6] is not None],
            batch_size=1000,
        )
        plain = PlainReport.objects.bulk_create(
            [PlainReport(received_at=at(row[2]), status=row[3]) for row in rows], batch_size=1000
        )
        PlainSection.objects.bulk_create(
            [
                PlainSection(report_id=p.pk, name="summary", body=row[7])
                for p, row in zip(plain, rows, strict=True)
                if row[7] is not None
            ],
            batch_size=1000,
        )


def seed(pool, count: int, org_key, first_seed: int) -> float:
    """Add ``count`` reports to both twins; return the seconds it took."""
    started = time.perf_counter()
    now = time.time()
    tasks = [
        (first_seed + i, min(CHUNK, count - i * CHUNK), bytes(org_key.public_key), now)
        for i in range((count + CHUNK - 1) // CHUNK)
    ]
    for rows in pool.imap(_generate, tasks):
        _store(rows, org_key)
    vacuum()
    return time.perf_counter() - started


def vacuum() -> None:
    from django.db import connection

    tables = ["intake_report", "intake_section", "bench_baseline_plainreport", "bench_baseline_plainsection"]
    with connection.cursor() as cursor:
        for table in tables:
            verb = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
            cursor.execute(f"{verb} {table}")  # noqa: S608 - fixed table names


def make_advocate() -> tuple[object, str]:
    """Create the advocate (password, key pair, grant, TOTP device); return (org key, TOTP key hex)."""
    from django.contrib.auth import get_user_model

    from casework import otp
    from casework.models import StaffProfile
    from vault import custody
    from vault.models import OrgKey

    User = get_user_model()
    holder = User.objects.get(username="bench-holder")
    org_key = OrgKey.objects.get(active=True)
    org_private = custody.unlock(holder, HOLDER_PASSWORD).org_privates[org_key.key_id]
    user = User.objects.create_user(ADVOCATE, password=ADVOCATE_PASSWORD, is_staff=True)
    StaffProfile.objects.create(user=user, roles=["advocate"])
    custody.grant(org_key, org_private, custody.create_staff_key(user, ADVOCATE_PASSWORD))
    totp_key = secrets.token_hex(20)
    otp.add_authenticator(user, bytes.fromhex(totp_key), confirmed=True, name="bench")
    return org_key, totp_key


# --- HTTP


class Browser:
    """One keep-alive connection holding cookies, like one staff member's browser."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, bytes, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response.status, data, response.getheader("Location") or ""

    def log_in(self, totp_key: str) -> None:
        from django_otp.oath import totp

        self.request("GET", "/staff/login/")
        status, _, location = self.request(
            "POST", "/staff/login/", {"username": ADVOCATE, "password": ADVOCATE_PASSWORD}
        )
        if status != 302 or "code" not in location:
            raise RuntimeError(f"password step answered {status} {location}")
        code = f"{totp(bytes.fromhex(totp_key), 30, 0, 6, 0):06d}"
        status, _, location = self.request("POST", "/staff/login/code/", {"token": code})
        if status != 302:
            raise RuntimeError(f"TOTP step answered {status}")

    def timed_get(self, path: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        status, data, location = self.request("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status} {location}")
        return elapsed, data


def page_count(data: bytes) -> int:
    match = re.search(rb"Page \d+ of (\d+)", data)
    return int(match.group(1)) if match else 1


def measure(browser: Browser, rounds: int) -> dict[str, dict[str, float]]:
    """Median milliseconds per variant, for Harbor's queue and the plaintext one."""
    paths = {"enc": "/staff/reports/", "plain": "/staff/bench/plain-queue/"}
    _, first = browser.timed_get(paths["enc"])
    _, first_plain = browser.timed_get(paths["plain"])
    pages = page_count(first)
    if pages != page_count(first_plain):
        raise RuntimeError("the two queues do not have the same number of pages")
    variants = {"first": "", "middle": f"?page={max(pages // 2, 1)}", "status": "?status=new"}
    for _ in range(3):  # warm up every path on both workers
        for query in variants.values():
            for path in paths.values():
                browser.timed_get(path + query)
    times: dict[str, dict[str, list[float]]] = {v: {"enc": [], "plain": []} for v in variants}
    for r in range(rounds):
        for i, (variant, query) in enumerate(variants.items()):
            order = ("enc", "plain") if (r + i) % 2 == 0 else ("plain", "enc")
            for which in order:
                ms, _ = browser.timed_get(paths[which] + query)
                times[variant][which].append(ms)
    return {v: {k: statistics.median(ts) for k, ts in t.items()} for v, t in times.items()}


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def report(results: dict, n: int, medians: dict[str, dict[str, float]], stats_ms: float, seed_s: float) -> None:
    label = size_label(n)
    for variant, m in medians.items():
        prefix = f"queue_{label}" if variant == "first" else f"queue_{label}_{variant}"
        results[f"{prefix}_ms"] = round(m["enc"], 1)
        results[f"{prefix}_plain_ms"] = round(m["plain"], 1)
        results[f"{prefix}_ratio"] = round(m["enc"] / m["plain"], 2)
        print(
            f"  {n:>7} reports  {variant:6}  encrypted {m['enc']:7.1f} ms  plaintext {m['plain']:7.1f} ms  "
            f"ratio {m['enc'] / m['plain']:.2f}",
            file=sys.stderr,
        )
    results[f"stats_{label}_ms"] = round(stats_ms, 1)
    results[f"queue_{label}_seed_s"] = round(seed_s, 1)
    print(f"  {n:>7} reports  statistics page {stats_ms:.0f} ms (decrypts every summary of 12 months)", file=sys.stderr)


def main() -> int:
    total = int(os.environ.get("BENCH_QUEUE_REPORTS", "100000"))
    sizes = sorted({min(SMALL, total), total})
    tmp = Path(tempfile.mkdtemp(prefix="harbor-bench-queue-"))
    db_url, db_name = pick_database(tmp)
    env = server_env(db_url, tmp)
    env["STATIC_ROOT"] = str(tmp / "static")
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "bootstrap", "--username", "bench-holder", "--password-stdin", stdin=HOLDER_PASSWORD + "\n")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    org_key, totp_key = make_advocate()
    connections.close_all()  # the seeding processes fork: no shared connection
    results: dict = {"queue_database": db_name, "queue_target_ratio": 2.0}
    port = free_port()
    genv = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2")
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=genv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            seeded = 0
            for n in sizes:
                seconds = seed(pool, n - seeded, org_key, first_seed=seeded)
                print(f"  seeded {n - seeded} reports (both twins) in {seconds:.1f} s", file=sys.stderr)
                seeded = n
                browser = Browser(port)
                browser.log_in(totp_key)
                medians = measure(browser, ROUNDS)
                stats_ms, _ = browser.timed_get("/staff/stats/")
                report(results, n, medians, stats_ms, seconds)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    ratios = [v for k, v in results.items() if k.startswith("queue_") and k.endswith("_ratio")]
    results["queue_ok"] = all(r <= results["queue_target_ratio"] for r in ratios)
    print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
