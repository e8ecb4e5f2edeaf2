#!/usr/bin/env python
"""Load and faults: many reporters at once, PostgreSQL stopped under them, a worker killed.

    python bench/load.py --seconds 60 --submitters 20 [--faults]

Starts a throwaway PostgreSQL cluster of its own (bench/pgcluster.py: initdb
in a temporary directory, 127.0.0.1 on a free port, deleted afterwards), so
stopping PostgreSQL never touches the machine's shared cluster on 5432; then
Harbor under gunicorn with production settings on a fresh database in it; then
N simulated reporters, each a real HTTP client over loopback doing the whole
flow a browser does:

1. GET /report/ (CSRF cookie, the signed ``started`` token);
2. POST /report/ as multipart/form-data, the way a browser sends a form with a
   file input, with a unique payload (random canary text in several fields,
   non-ASCII, a multi-line narrative with CRLF line ends);
3. parse the ``draft`` hidden field of the confirmation page and POST
   /report/send/;
4. parse the receipt (five ``<span class="receipt-group">``).

With --faults, during the load:

- The throwaway PostgreSQL is stopped (`pg_ctl stop -m fast`) for --outage
  seconds and started again. A send refused meanwhile must be a 503 that is the calm
  confirmation page: the "try again in a moment" notice, what the reporter
  wrote and the same draft token, so nothing is lost. The reporter waits and
  presses Send again, and must succeed once the database is back, with the
  same gunicorn workers (none restarted).
- A gunicorn worker is killed with SIGKILL in the middle of a request, inside
  its database transaction: the harness holds a SHARE lock on intake_section
  so submissions block after inserting their report row, finds the worker
  whose PostgreSQL backend waits on that lock, kills it, then releases the
  lock. The reporter sees a dropped connection and sends again; gunicorn
  starts a new worker.
- After the load, PostgreSQL is restarted once more with no traffic, and the
  next report must get a 200 at every step (dead pooled connections noticed).

Afterwards, in this process (Django set up on the same database and secrets):
every receipt is opened with intake.services.open_with_receipt and every
section compared with exactly what that reporter sent (check_receipts); and no
partial report may exist (check_integrity). Outside the fault windows any
answer other than 200 is a failure. The throwaway cluster is stopped and
deleted in a finally block, on SIGTERM and at exit; one left by a run killed
with SIGKILL is swept by the next run. Without a PostgreSQL installation (no
initdb), a run without --faults falls back to bench/harness.py's database.

Traffic goes only to 127.0.0.1. The last line printed is one JSON object; the
exit status is 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import html
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pgcluster  # noqa: E402 - bench/pgcluster.py, beside this file
from harness import (  # noqa: E402 - bench/harness.py, beside this file
    PY,
    ROOT,
    drop_database,
    free_port,
    pick_database,
    prepare,
    server_env,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
)

DB_NAME = "harbor_load"
CALM_WORDS = "Please try again in a moment"  # the send page's notice and the 503 page both say it
KEPT_WORDS = "your report is still here"
RETRY_PAUSE = 0.5  # seconds a reporter waits before pressing again
GIVE_UP_AFTER = 90.0  # seconds of retrying one step before it counts as a failure
FAULT_GRACE = 2.0  # seconds after a fault ends in which its effects may still be seen

# The form's choices, in the order of the page (a browser sends checked boxes in document order).
CRIME_TYPES = ["sexual_assault", "physical_assault", "robbery", "stalking", "threats_extortion", "burglary"]
NEEDS = ["medical", "shelter", "legal", "counselling", "safety_planning"]
CONSENTS = [["record_only"], ["victim_services"], ["victim_services", "health_org"], ["health_org", "peer_alert"]]
WORDS = (
    "he",
    "grabbed",
    "my",
    "arm",
    "near",
    "the",
    "bus",
    "stop",
    "and",
    "would",
    "not",
    "let",
    "go",
    "until",
    "a",
    "car",
)


def now() -> float:
    return time.monotonic()


# --- the reporter's side: payloads, a browser, the flow


def make_payload(rng: random.Random) -> tuple[str, dict[str, str | list[str]]]:
    """Return (canary, form fields) for one report; text fields carry the canary.

    The values are what a person types. The narrative is multi-line with CRLF
    line ends, as a browser sends a textarea; the stored value has LF.
    """
    canary = f"cnry{secrets.token_hex(8)}"
    tail = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
    narrative = "\r\n".join(
        [
            f"It happened on a Friday. {canary} is the word I'll remember.",
            f"Él me dijo «cállate» — {tail}.",
            "My wrist still hurts 🙁 & I'm scared <he> comes back.",
            "",
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(50, 400))),
        ]
    )
    day = datetime.date.today() - datetime.timedelta(days=rng.randint(2, 300))
    payload: dict[str, str | list[str]] = {
        "crime_types": sorted(rng.sample(CRIME_TYPES, rng.randint(1, 3)), key=CRIME_TYPES.index),
        "role": rng.choice(["victim", "witness"]),
        "incident_date": day.isoformat(),
        "incident_time": f"{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}",
        "area": f"Mission District {canary[-6:]}",
        "place_precise": f"behind the motel on 16th, bay {canary}",
        "perp_count": rng.choice(["one", "two", "unknown"]),
        "perp_relationship": rng.choice(["stranger", "client", "acquaintance"]),
        "perp_is_authority": rng.choice(["no", "unsure"]),
        "perp_description": f"tall, grey beard, Raiders cap — ref {canary}",
        "perp_vehicle": f"dark blue Ford Explorer, plate 8K{canary[-4:].upper()}",
        "injured": rng.choice(["yes", "no", "unsure"]),
        "injuries": f"split lip, swollen wrist ({canary})",
        "safe_now": rng.choice(["yes", "no", "unsure"]),
        "needs": sorted(rng.sample(NEEDS, rng.randint(0, 2)), key=NEEDS.index),
        "needs_other": f"bus fare home {canary}",
        "narrative": narrative,
        "ctx_working": rng.choice(["yes", "no", "prefer_not"]),
        "ctx_notes": f"only the advocates: {canary}",
        "reporter_name": f"Ré {canary[-5:]}",
        "contact_method": "signal",
        "contact_signal": f"{canary}.01",
        "consent": rng.choice(CONSENTS),
        "consent_share_contact": rng.choice(["yes", "no"]),
    }
    return canary, payload


def hidden(page: str, name: str) -> str | None:
    """Return the value of the input named ``name`` on ``page``, or None."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            match = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(match.group(1)) if match else ""
    return None


def receipt_of(page: str) -> str | None:
    groups = re.findall(r'<span class="receipt-group">([^<]*)</span>', page)
    if len(groups) == 5 and all(len(g) == 4 for g in groups):
        return "-".join(groups)
    return None


def multipart(fields: list[tuple[str, str]], empty_files: tuple[str, ...] = ("photos",)) -> tuple[bytes, str]:
    """Encode a form as a browser does when it has a file input nobody used."""
    boundary = "----HarborLoad" + secrets.token_hex(12)
    out = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    for name in empty_files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        )
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode(), f"multipart/form-data; boundary={boundary}"


class Browser:
    """One reporter's HTTP client: a connection to 127.0.0.1 and the CSRF cookie."""

    def __init__(self, port: int, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, ctype: str = "") -> tuple[int, str]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Accept-Language": "en"}
        if self.csrf:
            headers["Cookie"] = f"csrftoken={self.csrf}"
        if body is not None:
            headers["Content-Type"] = ctype
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            match = re.match(r"csrftoken=([^;]+)", value)
            if match:
                self.csrf = match.group(1)
        if response.will_close:
            self.conn.close()
            self.conn = None
        location = response.headers.get("Location", "")
        if response.status == 303 and location.startswith("/"):
            # A send answers with a redirect (Post/Redirect/Get): follow it as a browser does.
            return self.request("GET", location)
        return response.status, data.decode("utf-8", "replace")


@dataclass
class Event:
    """One HTTP attempt: its step, when it was sent and answered, and the status (0: connection lost)."""

    step: str
    start: float
    end: float
    status: int
    calm: bool = True


@dataclass
class LoadState:
    """What every reporter thread records, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    events: list[Event] = field(default_factory=list)
    done: list[tuple[str, dict]] = field(default_factory=list)  # (receipt, payload)
    failures: list[str] = field(default_factory=list)
    stop_at: float = 0.0
    faults_running: bool = False

    def keep_going(self) -> bool:
        return self.faults_running or now() < self.stop_at

    def record(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


class StepFailed(Exception):
    pass


def pause_or_give_up(first: float, failure: str) -> None:
    """Wait before trying again, or fail with ``failure`` once a step has been retried for too long."""
    if now() - first > GIVE_UP_AFTER:
        raise StepFailed(failure) from None
    time.sleep(RETRY_PAUSE)


class Reporter(threading.Thread):
    """A simulated reporter sending one report after another until told to stop."""

    def __init__(self, index: int, port: int, state: LoadState, seed: int):
        super().__init__(name=f"reporter-{index}", daemon=True)
        self.index = index
        self.browser = Browser(port)
        self.state = state
        self.rng = random.Random(seed)

    def run(self) -> None:
        while self.state.keep_going():
            try:
                self.one_report()
            except StepFailed as exc:
                self.state.fail(f"{self.name}: {exc}")
                time.sleep(RETRY_PAUSE)
            except Exception as exc:  # noqa: BLE001 - a crashed reporter is a failure, reported
                self.state.fail(f"{self.name}: {type(exc).__name__}: {exc}")
                return

    def call(
        self, step: str, method: str, path: str, *, body=None, ctype="", draft: str | None = None, canary: str = ""
    ) -> str:
        """Send one request until it gets a 200; a 503 must be calm, a lost connection is retried."""
        first = now()
        while True:
            start = now()
            try:
                status, page = self.browser.request(method, path, body, ctype)
            except (OSError, http.client.HTTPException):
                self.state.record(Event(step, start, now(), 0))
                pause_or_give_up(first, f"{step}: connection lost for {GIVE_UP_AFTER:.0f} s")
                continue
            end = now()
            if status == 200:
                self.state.record(Event(step, start, end, status))
                return page
            if status == 503:
                self.calm_503(step, start, end, page, draft=draft, canary=canary)
                pause_or_give_up(first, f"{step}: still 503 after {GIVE_UP_AFTER:.0f} s")
                continue
            self.state.record(Event(step, start, end, status))
            if status == 409 and step == "send":
                raise StepFailed("send: 409 already sent after a retry (a receipt was lost)")
            raise StepFailed(f"{step}: HTTP {status}")

    def calm_503(self, step: str, start: float, end: float, page: str, *, draft: str | None, canary: str) -> None:
        """Record a 503; refuse it unless it is the calm page, and on preview at all (the form would be lost)."""
        text = html.unescape(page)
        calm = CALM_WORDS in text
        if draft is not None:
            # The confirmation page again: the notice, what they wrote, and the same draft in the form.
            calm = calm and KEPT_WORDS in text and canary in text and hidden(page, "draft") == draft
        self.state.record(Event(step, start, end, 503, calm))
        if not calm:
            raise StepFailed(f"{step}: a 503 that is not the calm page (or lost the draft)")
        if step == "preview":
            raise StepFailed("preview: a 503 that does not show the form again (the text is lost)")

    def one_report(self) -> None:
        canary, payload = make_payload(self.rng)
        page = self.call("form", "GET", "/report/")
        started = hidden(page, "started")
        csrf = hidden(page, "csrfmiddlewaretoken")
        if not started or not csrf or not self.browser.csrf:
            raise StepFailed("form: no started token or CSRF token")
        fields: list[tuple[str, str]] = [("csrfmiddlewaretoken", csrf)]
        for name, value in payload.items():
            fields.extend((name, v) for v in (value if isinstance(value, list) else [value]))
        fields += [("carried_photos", ""), ("website", ""), ("started", started)]
        body, ctype = multipart(fields)
        page = self.call("preview", "POST", "/report/", body=body, ctype=ctype)
        draft = hidden(page, "draft")
        if not draft:
            raise StepFailed("preview: no draft on the confirmation page")
        if canary not in page:
            raise StepFailed("preview: the confirmation page does not show what was written")
        csrf = hidden(page, "csrfmiddlewaretoken") or csrf
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "draft": draft}).encode()
        page = self.call(
            "send",
            "POST",
            "/report/send/",
            body=body,
            ctype="application/x-www-form-urlencoded",
            draft=draft,
            canary=canary,
        )
        receipt = receipt_of(page)
        if not receipt:
            raise StepFailed("send: no receipt on the page")
        with self.state.lock:
            self.state.done.append((receipt, payload))


# --- PostgreSQL and gunicorn faults


def worker_pids(master: int) -> set[int]:
    """The gunicorn workers: processes whose parent is the master."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master:
            pids.add(int(entry))
    return pids


def local_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (to find its PostgreSQL backend)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[9] in inodes:
                ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports


@dataclass
class FaultLog:
    pg_stop_at: float = 0.0
    pg_ready_at: float = 0.0
    kill_begin: float = 0.0
    kill_at: float = 0.0
    kill_end: float = 0.0
    killed_pid: int = 0
    killed_in_transaction: bool = False
    respawn_s: float | None = None
    workers_replaced_by_outage: int = 0
    done_at: float = 0.0
    errors: list[str] = field(default_factory=list)

    def windows(self) -> list[tuple[float, float, str]]:
        out = []
        if self.pg_stop_at:
            out.append((self.pg_stop_at, (self.pg_ready_at or now()) + FAULT_GRACE, "pg"))
        if self.kill_begin:
            out.append((self.kill_begin, (self.kill_end or now()) + FAULT_GRACE, "kill"))
        return out


def postgres_outage(log: FaultLog, cluster: pgcluster.Cluster, seconds: float) -> None:
    """Stop the throwaway PostgreSQL (fast: open transactions are aborted), wait, start it again."""
    print(f"  fault: stopping PostgreSQL for {seconds:.0f} s", file=sys.stderr)
    log.pg_stop_at = now()
    try:
        cluster.stop("fast")
        time.sleep(seconds)
    finally:
        cluster.start()
    log.pg_ready_at = now()
    print(f"  fault: PostgreSQL answers again after {log.pg_ready_at - log.pg_stop_at:.1f} s", file=sys.stderr)


def kill_worker_mid_transaction(log: FaultLog, master: int, dsn: str, workers: int) -> None:
    """SIGKILL a gunicorn worker while its submission is inside its database transaction."""
    import psycopg

    before = worker_pids(master)
    log.kill_begin = now()
    victim = 0
    with psycopg.connect(dsn, connect_timeout=5) as lock_conn, psycopg.connect(dsn, autocommit=True) as watch:
        # Blocks INSERTs into intake_section (not reads): a submission stops after its
        # spent-draft and report rows, inside its transaction, until the lock is released.
        lock_conn.execute("LOCK TABLE intake_section IN SHARE MODE")
        deadline = now() + 15
        while now() < deadline and not victim:
            rows = watch.execute(
                "SELECT client_port FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND xact_start IS NOT NULL"
            ).fetchall()
            waiting = {r[0] for r in rows}
            for pid in worker_pids(master):
                if waiting & local_ports(pid):
                    victim = pid
                    break
            else:
                time.sleep(0.02)
        if victim:
            log.killed_in_transaction = True
        else:
            log.errors.append("no submission was seen waiting inside its transaction; killing a worker anyway")
            victim = next(iter(worker_pids(master)), 0)
        if victim:
            os.kill(victim, signal.SIGKILL)
            log.kill_at = now()
            log.killed_pid = victim
            print(
                f"  fault: SIGKILL worker {victim} (inside a transaction: {log.killed_in_transaction})", file=sys.stderr
            )
        time.sleep(0.5)
        lock_conn.rollback()
    log.kill_end = now()
    deadline = now() + 30
    while now() < deadline:
        current = worker_pids(master)
        if len(current) >= workers and victim not in current and current - before:
            log.respawn_s = now() - log.kill_at
            break
        time.sleep(0.05)
    else:
        log.errors.append("gunicorn did not start a new worker within 30 s")


def idle_restart(port: int, state: LoadState, cluster: pgcluster.Cluster, outage: float = 1.0) -> dict:
    """Restart PostgreSQL while no one submits, then send one report: every step must answer 200.

    Workers keep their database connections between requests (CONN_MAX_AGE); one
    that sat idle through a restart holds a dead connection. Django must notice
    before using it (CONN_HEALTH_CHECKS), not answer the next reporter "try again".
    """
    print("  fault: restarting PostgreSQL with no traffic, then one report", file=sys.stderr)
    try:
        cluster.stop("fast")
        time.sleep(outage)
    finally:
        cluster.start()
    probe = LoadState()
    try:
        Reporter(999, port, probe, seed=999).one_report()
    except StepFailed as exc:
        probe.failures.append(str(exc))
    answers = [e.status for e in probe.events]
    ok = bool(probe.done) and all(status == 200 for status in answers)
    with state.lock:
        state.done.extend(probe.done)
        if not ok:
            state.failures.append(f"after an idle PostgreSQL restart the next report got {answers}")
    return {"fault_idle_restart_answers": answers}


def run_faults(
    log: FaultLog, state: LoadState, cluster: pgcluster.Cluster, master: int, dsn: str, *, start: float, args
) -> None:
    try:
        time.sleep(max(0.0, start + args.fault_at - now()))
        workers_before = worker_pids(master)
        postgres_outage(log, cluster, args.outage)
        # Let the service show it recovered before the next fault.
        deadline = now() + 15
        while now() < deadline and not any(
            e.step == "send" and e.status == 200 and e.start >= log.pg_ready_at for e in list(state.events)
        ):
            time.sleep(0.1)
        time.sleep(2)
        # Recovering means the same workers serve again: none died of the outage, none was restarted.
        log.workers_replaced_by_outage = len(workers_before ^ worker_pids(master))
        if log.workers_replaced_by_outage:
            log.errors.append("gunicorn workers died or were replaced during the PostgreSQL outage")
        kill_worker_mid_transaction(log, master, dsn, args.workers)
    except Exception as exc:  # noqa: BLE001 - reported as a failure of the run
        log.errors.append(f"fault injection failed: {type(exc).__name__}: {exc}")
    finally:
        log.done_at = now()
        # Keep the load on a little after the last fault, whatever --seconds said.
        state.stop_at = max(state.stop_at, log.done_at + 3)
        state.faults_running = False


# --- checks after the load (in this process, Django set up on the same database)


def expected_sections(payload: dict) -> dict[str, dict]:
    """What the report must hold: what the reporter sent, section by section (LF line ends)."""
    from intake.choices import FORM_SECTIONS

    sent = {k: (v.replace("\r\n", "\n") if isinstance(v, str) else v) for k, v in payload.items()}
    sections: dict[str, dict] = {}
    for section, names in FORM_SECTIONS.items():
        sections[section] = {n: sent[n] for n in names if sent.get(n) not in (None, "", [])}
    sections["consent"].setdefault("consent", ["record_only"])
    crimes = sent["crime_types"]
    sections["summary"] = {
        "crime_types": crimes,
        "role": sent["role"],
        "needs": sent.get("needs", []),
        "safe_now": sent["safe_now"],
        "injured": sent["injured"],
        "under_18": False,
        "urgent": sent["safe_now"] == "no" or bool({"trafficking", "kidnapping"} & set(crimes)),
        "photos": 0,
        "lang": "en",
    }
    return sections


def check_receipts(done: list[tuple[str, dict]]) -> tuple[int, list[str]]:
    """Open every receipt and compare every section with what was sent; return (verified, problems)."""
    from intake.services import ReportNotFound, open_with_receipt

    verified, problems, seen = 0, [], set()
    for receipt, payload in done:
        try:
            opened = open_with_receipt(receipt)
        except ReportNotFound:
            problems.append(f"receipt {receipt[:4]}…: no report opens with it")
            continue
        if opened.report.id in seen:
            problems.append(f"receipt {receipt[:4]}…: opens a report another receipt opened")
        seen.add(opened.report.id)
        expected = expected_sections(payload)
        stored = set(opened.report.sections.values_list("name", flat=True))
        if stored != set(expected):
            problems.append(f"report {opened.report.id[:8]}: sections {sorted(stored)} != {sorted(expected)}")
            continue
        bad = [name for name, values in expected.items() if opened.section(name) != values]
        if bad:
            problems.append(f"report {opened.report.id[:8]}: sections differ from what was sent: {bad}")
            continue
        verified += 1
    return verified, problems


def check_integrity(receipts_returned: int) -> tuple[dict, list[str]]:
    """No partial report: every report whole, no orphan rows, one spent draft per stored report.

    A partial report is one without its wraps or lookup id, or missing one of
    the sections every submission writes (all of them since 2026-12), or with
    an attachment missing chunks. Orphans are reports no returned receipt
    accounts for. Spent drafts are written in the report's transaction, so
    there must be exactly one per report.
    """
    from django.db.models import Count, F

    from intake.models import Attachment, Report, Section, SpentDraft
    from intake.services import REPORT_SECTIONS  # every report has every section, empty or not

    problems: list[str] = []
    names: dict[str, set[str]] = defaultdict(set)
    for rid, name in Section.objects.values_list("report_id", "name"):
        names[rid].add(name)
    partial = 0
    ids = set()
    rows = Report.objects.values_list("id", "status", "lookup_id", "dek_org_wrap", "dek_receipt_wrap", "org_key_id")
    for rid, status, lookup, org_wrap, receipt_wrap, org_key in rows.iterator():
        ids.add(rid)
        if status == Report.Status.WITHDRAWN:
            if names.get(rid) or org_wrap or receipt_wrap:
                partial += 1
                problems.append(f"report {rid[:8]}: withdrawn but not shredded")
            continue
        missing = set(REPORT_SECTIONS) - names.get(rid, set())
        if missing or not lookup or not org_wrap or not receipt_wrap or not org_key:
            partial += 1
            problems.append(f"report {rid[:8]}: partial (missing sections {sorted(missing)} or wraps)")
    orphan_sections = len(set(names) - ids)
    short = Attachment.objects.annotate(n=Count("chunks")).exclude(n=F("chunk_count")).count()
    spent = SpentDraft.objects.count()
    reports = len(ids)
    figures = {
        "reports_stored": reports,
        "partial_reports": partial + orphan_sections + short,
        "orphan_reports": reports - receipts_returned,
        "spent_drafts": spent,
    }
    if orphan_sections:
        problems.append(f"{orphan_sections} sections belong to no report")
    if short:
        problems.append(f"{short} attachments miss chunks")
    if reports != receipts_returned:
        problems.append(f"{reports} reports stored but {receipts_returned} receipts returned")
    if spent != reports:
        problems.append(f"{spent} spent drafts for {reports} reports")
    return figures, problems


# --- the run


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def in_fault(windows: list[tuple[float, float, str]], event: Event, kind: str) -> bool:
    """Did the event overlap a fault window of this kind ("pg" or "kill")?"""
    return any(k == kind and event.end >= a and event.start <= b for a, b, k in windows)


def outage_figures(
    faults: FaultLog, answered: list[Event], fives: list[Event], calm: list[Event]
) -> tuple[dict, list[str]]:
    """The PostgreSQL outage: how long, how fast submissions came back, which steps met a calm 503."""
    figures: dict = {"fault_pg_down_s": round(faults.pg_ready_at - faults.pg_stop_at, 1)}
    problems = []
    after = [e for e in answered if e.step == "send" and e.status == 200 and e.start >= faults.pg_ready_at]
    first = min((e.end for e in after), default=None)
    figures["fault_recovered_s"] = round(first - faults.pg_ready_at, 2) if first is not None else None
    late = [e for e in fives if e.start >= faults.pg_ready_at]
    figures["fault_503_after_pg_back"] = len(late)
    by_step = {step: sum(1 for e in calm if e.step == step) for step in ("form", "preview", "send")}
    figures["fault_calm_503_by_step"] = by_step
    figures["fault_workers_replaced_by_outage"] = faults.workers_replaced_by_outage
    if first is None:
        problems.append("no submission succeeded after PostgreSQL came back")
    if not by_step["send"]:
        problems.append("no send met the outage: the fault did not test what it is for")
    return figures, problems


def kill_figures(faults: FaultLog, lost: list[Event]) -> dict:
    """The worker killed mid-transaction: whether it was, how fast gunicorn replaced it, which step it cut."""
    killed = [e for e in lost if faults.kill_at and abs(e.end - faults.kill_at) < 1.0]
    return {
        "fault_worker_killed": bool(faults.killed_pid),
        "fault_killed_in_transaction": faults.killed_in_transaction,
        "fault_worker_respawn_s": round(faults.respawn_s, 2) if faults.respawn_s is not None else None,
        "fault_killed_step": killed[0].step if killed else None,
    }


def classify(state: LoadState, faults: FaultLog | None, start: float, end: float) -> tuple[dict, list[str]]:
    """Figures from the events, and every answer that is not allowed where it happened."""
    windows = faults.windows() if faults else []
    problems = []
    answered = [e for e in state.events if e.status]
    fives = [e for e in answered if e.status >= 500]
    calm = [e for e in fives if e.status == 503 and e.calm]
    lost = [e for e in state.events if e.status == 0]
    for e in fives:
        if not (e.status == 503 and e.calm and in_fault(windows, e, "pg")):
            problems.append(f"{e.step}: HTTP {e.status} at {e.start - start:.1f} s, outside a database outage")
    for e in lost:
        if not in_fault(windows, e, "kill"):
            problems.append(f"{e.step}: connection lost at {e.start - start:.1f} s, outside a worker kill")
    elapsed = end - start
    send_ms = [1000 * (e.end - e.start) for e in answered if e.step == "send" and e.status == 200]
    figures: dict[str, object] = {
        "load_seconds": round(elapsed, 1),
        "load_submissions": len(state.done),
        "load_submissions_per_s": round(len(state.done) / elapsed, 1),
        "load_requests": len(answered),
        "load_rps": round(len(answered) / elapsed, 1),
        "load_send_p50_ms": round(statistics.median(send_ms), 1) if send_ms else None,
        "load_send_p95_ms": round(pct(send_ms, 0.95), 1),
        "load_send_max_ms": round(max(send_ms, default=0.0), 1),
        "load_5xx": len(fives),
        "load_5xx_outside_faults": sum(1 for e in fives if not in_fault(windows, e, "pg")),
        "load_calm_503": len(calm),
        "load_connection_errors": len(lost),
        "load_non_200": sum(1 for e in answered if e.status != 200),
    }
    if faults and faults.pg_stop_at:
        outage, outage_problems = outage_figures(faults, answered, fives, calm)
        figures.update(outage)
        problems += outage_problems
    if faults and faults.kill_begin:
        figures.update(kill_figures(faults, lost))
    if faults:
        problems += faults.errors
    return figures, problems


def create_database(cluster: pgcluster.Cluster) -> str:
    """Create the load database in the throwaway cluster; return its DATABASE_URL."""
    import psycopg

    with psycopg.connect(cluster.admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return cluster.url(DB_NAME)


def run(args, cluster: pgcluster.Cluster | None) -> tuple[dict, list[str]]:
    """Set up, load (with faults), check; return (figures, failures)."""
    tmp = Path(tempfile.mkdtemp(prefix="harbor-load-"))
    try:
        return _run(args, cluster, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_database(cluster: pgcluster.Cluster | None, tmp: Path) -> tuple[str, str]:
    """A fresh database: in the throwaway cluster if there is one, else bench/harness.py's; (url, kind)."""
    if cluster is not None:
        return create_database(cluster), "PostgreSQL (throwaway cluster)"
    return pick_database(tmp, DB_NAME)


def apply_load(
    args,
    port: int,
    state: LoadState,
    *,
    faults: FaultLog | None,
    cluster: pgcluster.Cluster | None,
    master: int,
    db_url: str,
    start: float,
) -> list[Reporter]:
    """Run the reporters until the load ends, the faults (if any) beside them; return the reporters."""
    reporters = [Reporter(i, port, state, seed=args.seed * 1000 + i) for i in range(args.submitters)]
    fault_thread = None
    if faults:
        state.faults_running = True
        dsn = db_url.replace("postgres://", "postgresql://", 1)
        fault_thread = threading.Thread(
            target=run_faults,
            args=(faults, state, cluster, master, dsn),
            kwargs={"start": start, "args": args},
            daemon=True,
        )
        fault_thread.start()
    for r in reporters:
        r.start()
    if fault_thread:
        fault_thread.join()
    for r in reporters:
        r.join(GIVE_UP_AFTER + 120)
    return reporters


def verify_stored(done: list[tuple[str, dict]], figures: dict, failures: list[str]) -> int:
    """Open every receipt and check that no partial report exists; return how many receipts verified."""
    verified, mismatches = check_receipts(done)
    figures["load_verified"] = verified
    failures += mismatches
    integrity, broken = check_integrity(len(done))
    figures.update(integrity)
    failures += broken
    return verified


def check_server_log(log_path: Path, figures: dict, failures: list[str]) -> None:
    """No traceback and no internal error in gunicorn's log (kept in var/ when there is one)."""
    log_text = log_path.read_text(errors="replace")
    tracebacks = log_text.count("Traceback")
    figures["server_tracebacks"] = tracebacks
    if tracebacks or "Internal Server Error" in log_text:
        failures.append(f"the server log has {tracebacks} tracebacks / internal errors: var/load-gunicorn.log")
        shutil.copy(log_path, ROOT / "var" / "load-gunicorn.log")


def _run(args, cluster: pgcluster.Cluster | None, tmp: Path) -> tuple[dict, list[str]]:
    db_url, db_kind = load_database(cluster, tmp)
    env = server_env(db_url, tmp)
    env["HARBOR_BENCH_BASELINE"] = "False"  # the product as deployed, no plaintext twin
    prepare(env)
    setup_django(env)
    figures: dict = {"load_database": db_kind, "load_submitters": args.submitters, "load_workers": args.workers}
    failures: list[str] = []
    port = free_port()
    log_path = tmp / "gunicorn.log"
    with log_path.open("w") as log_file:
        server = start_gunicorn(env, port, args.workers, stderr=log_file)
        try:
            state = LoadState()
            start = now()
            state.stop_at = start + args.seconds
            faults = FaultLog() if args.faults else None
            reporters = apply_load(
                args, port, state, faults=faults, cluster=cluster, master=server.pid, db_url=db_url, start=start
            )
            end = now()
            if faults and cluster is not None:
                figures.update(idle_restart(port, state, cluster))
            if server.poll() is not None:
                failures.append(f"gunicorn exited (status {server.returncode}): it must recover without a restart")
        finally:
            stop_gunicorn(server)
    load_figures, problems = classify(state, faults, start, end)
    figures.update(load_figures)
    failures += state.failures + problems
    failures += [r.name + ": still running" for r in reporters if r.is_alive()]

    from django.db import connections

    connections.close_all()
    verified = verify_stored(state.done, figures, failures)
    check_server_log(log_path, figures, failures)
    if verified != len(state.done) or not state.done:
        failures.append(f"{verified} of {len(state.done)} receipts verified")
    figures["load_ok"] = not failures
    connections.close_all()
    if failures and cluster is not None and cluster.log.exists():
        shutil.copy(cluster.log, ROOT / "var" / "load-postgresql.log")
    if db_kind == "PostgreSQL":  # a database in the shared cluster (no initdb here): drop it
        drop_database(DB_NAME)
    return figures, failures


def bench_load(results: dict, seconds: float, submitters: int, faults: bool = True) -> None:
    """For bench/run.py: run this file in its own process (its own Django setup) and merge its figures."""
    cmd = [PY, str(Path(__file__)), "--seconds", str(seconds), "--submitters", str(submitters)]
    if faults:
        cmd.append("--faults")
    out = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    lines = out.stdout.strip().splitlines()
    try:
        results.update(json.loads(lines[-1]))
    except (IndexError, json.JSONDecodeError):
        results["load_ok"] = False
    if out.returncode != 0:
        results["load_ok"] = False


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--submitters", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--faults", action="store_true", help="stop PostgreSQL and kill a worker during the load")
    parser.add_argument("--outage", type=float, default=5, help="seconds PostgreSQL stays down (default 5)")
    parser.add_argument("--fault-at", type=float, default=None, help="seconds into the load (default: a quarter)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.fault_at is None:
        args.fault_at = max(3.0, args.seconds / 4)
    if args.faults and not pgcluster.available():
        print("--faults needs PostgreSQL's server programs (initdb, pg_ctl) for a throwaway cluster.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(
        f"Load: {args.submitters} reporters for {args.seconds:.0f} s{' with faults' if args.faults else ''}:",
        file=sys.stderr,
    )
    cluster = None
    try:
        if pgcluster.available():
            pgcluster.sweep()
            cluster = pgcluster.Cluster()
            atexit.register(cluster.close)
            cluster.start()
            print(f"  throwaway PostgreSQL cluster on {cluster.host}:{cluster.port}", file=sys.stderr)
        figures, failures = run(args, cluster)
    finally:
        if cluster is not None:
            cluster.close()
    print("", file=sys.stderr)
    print("| figure | value |", file=sys.stderr)
    print("|---|---|", file=sys.stderr)
    for key, value in figures.items():
        print(f"| {key} | {value} |", file=sys.stderr)
    if failures:
        print(f"\nFAILED ({len(failures)}):", file=sys.stderr)
        for line in failures[:30]:
            print(f"  - {line}", file=sys.stderr)
    print(json.dumps(figures, sort_keys=True))
    return 0 if figures.get("load_ok") else 1


if __name__ == "__main__":
    sys.exit(main())
