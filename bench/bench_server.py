#!/usr/bin/env python
"""Where people wait on the server: staff login, opening a receipt, a fresh worker's first preview.

`make bench` runs this through bench/run.py; it also runs alone. Harbor runs under gunicorn
(2 workers, production settings in bench mode) on a fresh database (PostgreSQL on
127.0.0.1:5432 if it answers). Bench mode adds a ``Server-Timing`` header to every answer
(config/wsgi.py): the milliseconds from the WSGI call to the status line. Every figure is
the median of that server time over distinct real requests, never the best of several, and
never a repeated input:

- ``login_ms``: a staff login, the password step (which unlocks the keys) plus the two-step
  code step, for ``--logins`` different advocates, each with a password, a staff key pair, a
  grant of the organisation key and an authenticator; each logs in once (a code is good once).
- ``receipt_open_ms``: ``POST /check/`` with a valid receipt, for ``--receipts`` different
  reports sent through ``/report/send/`` beforehand, each receipt opened once.
- ``first_preview_ms``: the first ``POST /report/`` (the confirmation page, which redacts the
  narrative for each recipient) a fresh worker serves, with a 5 kB narrative it has never
  seen. For each of ``--fresh`` samples gunicorn is started anew with one worker, which serves
  ``GET /report/`` (the form, as a browser asks first) and then the preview; the figure is the
  preview's server time. The wall time the client saw is reported too.

Traffic goes only to 127.0.0.1. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402 - beside this file
    HOLDER,
    HOLDER_PASSWORD,
    drop_database,
    free_port,
    pick_database,
    prepare,
    server_env,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
)
from load import hidden, multipart, receipt_of  # noqa: E402

ADVOCATE_PASSWORD = "bench advocate passphrase 2026"  # noqa: S105 - a throwaway database
PREVIEW_BYTES = 5_000
TARGETS = {"login_ms": 400.0, "receipt_open_ms": 20.0, "first_preview_ms": 300.0}


def server_ms(response: http.client.HTTPResponse) -> float:
    """The server's own time for this answer (bench mode's Server-Timing header)."""
    header = response.getheader("Server-Timing") or ""
    match = re.search(r"app;dur=([0-9.]+)", header)
    if not match:
        raise RuntimeError("no Server-Timing header: is the server in bench mode?")
    return float(match.group(1))


class Client:
    """One browser: a keep-alive connection to 127.0.0.1 and its cookies."""

    def __init__(self, port: int, timeout: float = 120):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.last_ms = 0.0

    def request(
        self, method: str, path: str, fields: dict | None = None, *, body: bytes | None = None, ctype: str = ""
    ) -> tuple[int, str, str]:
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if fields is not None:
            body = urllib.parse.urlencode(
                {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}, doseq=True
            ).encode()
            ctype = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Content-Type"] = ctype
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        self.last_ms = server_ms(response)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response.status, data.decode("utf-8", "replace"), response.getheader("Location") or ""


def make_advocates(count: int) -> list[tuple[str, str]]:
    """Advocates with a password, key pair, grant of the organisation key and an authenticator: (name, TOTP key hex)."""
    from django.contrib.auth import get_user_model

    from casework import otp
    from casework.models import StaffProfile
    from vault import custody
    from vault.models import OrgKey

    User = get_user_model()
    holder = User.objects.get(username=HOLDER)
    org_key = OrgKey.objects.get(active=True)
    org_private = custody.unlock(holder, HOLDER_PASSWORD).org_privates[org_key.key_id]
    out = []
    for i in range(count):
        name = f"bench-advocate-{i}"
        user = User.objects.create_user(name, password=ADVOCATE_PASSWORD, is_staff=True)
        StaffProfile.objects.create(user=user, roles=["advocate"])
        custody.grant(org_key, org_private, custody.create_staff_key(user, ADVOCATE_PASSWORD))
        totp_key = secrets.token_hex(20)
        otp.add_authenticator(user, bytes.fromhex(totp_key), confirmed=True, name="bench")
        out.append((name, totp_key))
    return out


def log_in(port: int, name: str, totp_key: str, password: str = ADVOCATE_PASSWORD) -> tuple[float, float, Client]:
    """Log one advocate in over HTTP; return the server milliseconds of the two steps and the client."""
    from django_otp.oath import totp

    client = Client(port)
    client.request("GET", "/staff/login/")
    status, _, location = client.request("POST", "/staff/login/", {"username": name, "password": password})
    if status != 302 or "code" not in location:
        raise RuntimeError(f"password step answered {status} {location}")
    password_ms = client.last_ms
    code = f"{totp(bytes.fromhex(totp_key), 30, 0, 6, 0):06d}"
    status, _, location = client.request("POST", "/staff/login/code/", {"token": code})
    if status != 302 or "login" in location:
        raise RuntimeError(f"code step answered {status} {location}")
    status, page, _ = client.request("GET", "/staff/reports/")
    if status != 200:
        raise RuntimeError(f"the queue after login answered {status}: the keys did not unlock")
    return password_ms, client.last_ms, client


def bench_login(port: int, advocates: list[tuple[str, str]]) -> dict:
    password, code, total = [], [], []
    for name, totp_key in advocates:
        p, c, _ = log_in(port, name, totp_key)
        password.append(p)
        code.append(c)
        total.append(p + c)
    return {
        "login_ms": round(statistics.median(total), 1),
        "login_password_step_ms": round(statistics.median(password), 1),
        "login_code_step_ms": round(statistics.median(code), 1),
        "login_samples": len(total),
    }


def send_reports(env: dict[str, str], port: int, count: int) -> list[str]:
    """Send ``count`` reports through the real view; return their receipts."""
    from run import PAYLOAD

    from intake.services import seal_draft

    receipts = []
    client = Client(port)
    client.request("GET", "/check/")
    for i in range(count):
        payload = dict(PAYLOAD, narrative=f"{PAYLOAD['narrative']} ({i})")
        status, page, _ = client.request("POST", "/report/send/", {"draft": seal_draft(payload, [], "en")})
        receipt = receipt_of(page)
        if status != 200 or not receipt:
            raise RuntimeError(f"send answered {status} without a receipt")
        receipts.append(receipt)
    return receipts


def bench_receipts(port: int, receipts: list[str]) -> dict:
    times = []
    for receipt in receipts:
        client = Client(port)
        client.request("GET", "/check/")
        status, page, _ = client.request("POST", "/check/", {"receipt": receipt})
        if status != 200:  # a receipt that does not open answers 400
            raise RuntimeError(f"/check/ answered {status} for a valid receipt")
        times.append(client.last_ms)
    return {"receipt_open_ms": round(statistics.median(times), 1), "receipt_open_samples": len(times)}


def unseen_narratives(count: int, size: int = PREVIEW_BYTES) -> list[str]:
    """``count`` narratives of about ``size`` bytes, each made of corpus texts no other one uses."""
    from bench_redact import FALLBACK, load_texts

    texts, _source = load_texts()
    pool = [text for _lang, text in texts] or [text for _lang, text in FALLBACK]
    out, at = [], 0
    for _ in range(count):
        parts: list[str] = []
        while len("\n\n".join(parts).encode()) < size:
            parts.append(pool[at % len(pool)])
            at += 1
        out.append("\n\n".join(parts).encode()[:size].decode("utf-8", "ignore"))
    return out


def preview_fields(narrative: str) -> dict[str, str | list[str]]:
    from run import PAYLOAD

    return {**PAYLOAD, "narrative": narrative, "consent": ["victim_services", "health_org", "police_via_advocate"]}


def _preview(client: Client, narrative: str) -> float:
    """GET the form and POST a preview with ``narrative``; return the preview's server ms."""
    status, page, _ = client.request("GET", "/report/")
    started = hidden(page, "started")
    csrf = hidden(page, "csrfmiddlewaretoken")
    if status != 200 or not started or not csrf:
        raise RuntimeError(f"the form answered {status} without its tokens")
    fields: list[tuple[str, str]] = [("csrfmiddlewaretoken", csrf)]
    for name, value in preview_fields(narrative).items():
        fields.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    fields += [("carried_photos", ""), ("website", ""), ("started", started)]
    body, ctype = multipart(fields)
    status, page, _ = client.request("POST", "/report/", body=body, ctype=ctype)
    if status != 200 or not hidden(page, "draft"):
        raise RuntimeError(f"the preview answered {status} without a draft")
    return client.last_ms


def first_preview(env: dict[str, str], narratives: list[str]) -> tuple[float, float, float]:
    """Start gunicorn with one fresh worker; return (server ms, client wall ms) of its first
    preview, and the server ms of its second (another unseen narrative), for comparison."""
    port = free_port()
    server = start_gunicorn(env, port, 1)
    try:
        client = Client(port)
        wall = time.perf_counter()
        first = _preview(client, narratives[0])
        wall_ms = 1000 * (time.perf_counter() - wall)
        second = _preview(client, narratives[1])
        return first, wall_ms, second
    finally:
        stop_gunicorn(server)


def bench_first_preview(env: dict[str, str], samples: int) -> dict:
    server, wall, second = [], [], []
    narratives = unseen_narratives(2 * samples)
    for i in range(samples):
        s, w, again = first_preview(env, narratives[2 * i : 2 * i + 2])
        server.append(s)
        wall.append(w)
        second.append(again)
        print(
            f"  fresh worker: first preview {s:.0f} ms server time (form and preview {w:.0f} ms seen by "
            f"the client), second {again:.0f} ms",
            file=sys.stderr,
        )
    return {
        "first_preview_ms": round(statistics.median(server), 1),
        "first_preview_wall_ms": round(statistics.median(wall), 1),
        "second_preview_ms": round(statistics.median(second), 1),
        "first_preview_samples": samples,
        "first_preview_narrative_bytes": PREVIEW_BYTES,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=9)
    parser.add_argument("--receipts", type=int, default=25)
    parser.add_argument("--fresh", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="harbor-bench-server-"))
    db_url, db_name = pick_database(tmp, "harbor_bench_server")
    env = server_env(db_url, tmp)
    prepare(env)
    setup_django(env)
    from django.db import connections

    results: dict = {}
    try:
        advocates = make_advocates(args.logins)
        connections.close_all()
        port = free_port()
        server = start_gunicorn(env, port, 2)
        try:
            results.update(bench_login(port, advocates))
            print(f"  staff login (password and code steps): {results['login_ms']:.0f} ms", file=sys.stderr)
            receipts = send_reports(env, port, args.receipts)
            results.update(bench_receipts(port, receipts))
            print(f"  /check/ with a valid receipt: {results['receipt_open_ms']:.1f} ms", file=sys.stderr)
        finally:
            stop_gunicorn(server)
        results.update(bench_first_preview(env, args.fresh))
    finally:
        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)
        if db_name == "PostgreSQL":
            drop_database("harbor_bench_server")
    for key, target in TARGETS.items():
        results[f"{key.removesuffix('_ms')}_target_ms"] = target
    results["server_timing_ok"] = all(results[key] <= target for key, target in TARGETS.items())
    print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
