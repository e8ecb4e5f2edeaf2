#!/usr/bin/env python
"""Black-box security scan of a local, production-settings Harbor (`make scan`).

1. Makes (once) the scanner's own virtualenv, var/wapiti-venv (or $HARBOR_WAPITI_VENV), with
   wapiti3 pinned. This is the only step that uses the network: pip, for PyPI.
2. Re-runs itself in a new network namespace holding only a loopback interface
   (`unshare --net`): from then on the kernel itself guarantees that nothing, neither
   Harbor nor the scanner nor anything they start, can reach anything but 127.0.0.1.
   It checks that (one interface, `lo`; no route to any other address) before going on.
3. `manage.py check --deploy --fail-level WARNING` under production settings, then a fresh
   SQLite database: migrate, collectstatic, one key holder made by `manage.py bootstrap`.
4. Starts Harbor under gunicorn with production settings on that database, twice:
   - behind a TLS proxy, as docs/operations.md deploys it (HARBOR_BEHIND_PROXY=True,
     requests carrying X-Forwarded-Proto: https; one without it must be sent to HTTPS);
   - terminating TLS itself with a throwaway self-signed certificate, so that the scanner
     sees what a browser sees in production: HTTPS, HSTS, Secure cookies.
   Checks the headers and cookies of representative pages of both (landing, form, check,
   404, 405, CSRF failure, a static file, the staff login, the page after it) against the
   OWASP Secure Headers rules in tests/owasp_headers.py.
5. Runs wapiti against the TLS server (scope: that folder; start pages: the landing page,
   the report form, /check/, the rights page, the staff login), with a local stand-in for
   wapiti's internet "endpoint" for its SSRF and XXE modules: any request Harbor itself
   made to it would be a finding. The scan server writes an access log (method, path and
   status only) to var/scan/requests.log so that the requests can be counted.
6. Reads wapiti's JSON report, prints a summary, writes var/scan/summary.json, and exits
   non-zero on any finding of severity medium or above that scripts/scan-allowlist.json
   does not list (each entry points to its explanation in docs/security.md), on any header
   problem, on a failed deploy check, on any 5xx answer or traceback in the server logs.

Options: --max-scan-time SECONDS (wapiti's whole budget, default $HARBOR_SCAN_SECONDS or 300:
the crawl and the quick modules first, then the slow ones share what is left; see run_wapiti),
--modules a,b,c (a subset of MODULES).
"""
# ruff: noqa: S603, S606, S607, T201

from __future__ import annotations

import argparse
import atexit
import collections
import datetime as dt
import errno
import fcntl
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import string
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import free_port, start_gunicorn, stop_gunicorn  # noqa: E402
from tests.owasp_headers import cookie_problems, header_problems  # noqa: E402

PY = sys.executable
WAPITI_VERSION = "3.3.2"
WAPITI_VENV = Path(os.environ.get("HARBOR_WAPITI_VENV") or ROOT / "var" / "wapiti-venv")
OUT = ROOT / "var" / "scan"
ALLOWLIST = ROOT / "scripts" / "scan-allowlist.json"
HOLDER = ("scan-holder", "scan holder passphrase 2026")

# Passive modules look at every response of the crawl and cost no time of their own.
PASSIVE = [
    "cookieflags",
    "csp",
    "http_headers",
    "https_redirect",
    "inconsistent_redirection",
    "information_disclosure",
    "stacktrace_disclosure",
    "unsecure_password",
]
# Every active module that works offline against an HTTP application, minus EXCLUDED.
ACTIVE = [
    "backup",
    "buster",
    "crlf",
    "csrf",
    "exec",
    "file",
    "htaccess",
    "ldap",
    "methods",
    "permanentxss",
    "redirect",
    "shellshock",
    "spring4shell",
    "sql",
    "ssrf",
    "timesql",
    "upload",
    "xss",
    "xxe",
]
MODULES = PASSIVE + ACTIVE
# Active modules that finished within seconds against Harbor in a trial run with 96 s each
# (docs/security.md); the others were cut short there and share the time that is left.
QUICK = {"backup", "crlf", "csrf", "htaccess", "methods", "redirect", "shellshock", "spring4shell", "ssrf", "upload"}
# Quick too, but it looks for what xss planted, so it runs after xss, and takes no share.
AFTER_XSS = {"permanentxss"}
QUICK_CAP = 30
EXCLUDED = {
    "brute_login_form": (
        "guesses common user names and passwords at the staff login; the scan's only account has a long"
        " passphrase, and each guess costs an Argon2 hash (it ran out of 96 s in a trial run)"
    ),
    "ssl": "grades the TLS of the server it talks to: here a throwaway certificate; in production TLS is the proxy's",
    "log4shell": "needs a DNS endpoint on the internet; Harbor runs no Java",
    "nikto": "downloads its database from the internet at run time",
    "wapp": "downloads the Wappalyzer database from the internet at run time",
    "htp": "downloads the HashThePlanet database from the internet at run time",
    "takeover": "resolves DNS names and queries third-party sites",
    "cms": "fingerprints Drupal, Joomla, Magento, PrestaShop, SPIP, TYPO3 and WordPress",
    "wp_enum": "WordPress only",
    "network_device": "fingerprints network appliances",
    "printer": "fingerprints network printers",
}
SEVERITY = {4: "critical", 3: "high", 2: "medium", 1: "low", 0: "info"}
FAIL_AT = 2  # medium and above fail unless explained
START_PAGES = ("report/", "check/", "rights/", "staff/login/")


# --- stage 1: the scanner's own virtualenv, then isolation ----------------------------------------


def _wapiti_python() -> str:
    """A Python wapiti3 installs on (3.12 to 3.14): WAPITI_PYTHON, else Harbor's own, else one on PATH."""
    if os.environ.get("WAPITI_PYTHON"):
        return os.environ["WAPITI_PYTHON"]
    own = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if (3, 12) <= sys.version_info[:2] <= (3, 14) and own.exists():
        return str(own)
    for minor in ("3.13", "3.12", "3.14"):
        if shutil.which(f"python{minor}"):
            return f"python{minor}"
    return "python3"


def ensure_wapiti() -> Path:
    wapiti = WAPITI_VENV / "bin" / "wapiti"
    python = WAPITI_VENV / "bin" / "python"
    probe = "import importlib.metadata as m; print(m.version('wapiti3'))"
    if wapiti.exists():
        got = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False).stdout.strip()
        if got == WAPITI_VERSION:
            return wapiti
        print(f"== wapiti {got or '?'} found, {WAPITI_VERSION} wanted: rebuilding {WAPITI_VENV}")
        shutil.rmtree(WAPITI_VENV)
    interpreter = _wapiti_python()
    print(f"== installing wapiti3=={WAPITI_VERSION} into {WAPITI_VENV} with {interpreter}", flush=True)
    subprocess.run([interpreter, "-m", "venv", WAPITI_VENV], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"wapiti3=={WAPITI_VERSION}"],
        check=True,
    )
    return wapiti


def reexec_isolated(argv: list[str]) -> None:
    """Run this script again in a network namespace with nothing but loopback."""
    if not shutil.which("unshare"):
        sys.exit("unshare (util-linux) is needed to keep the scan on 127.0.0.1; install util-linux.")
    probe = subprocess.run(["unshare", "--net", "--map-root-user", "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        sys.exit(
            "refusing to scan: this machine does not allow a private network namespace "
            f"(`unshare --net` said: {probe.stderr.strip()}), so nothing would keep the scanner on 127.0.0.1."
        )
    sys.stdout.flush()
    os.execvp("unshare", ["unshare", "--net", "--map-root-user", PY, __file__, "--isolated", *argv])


def loopback_up() -> None:
    """Bring `lo` up in the new namespace (what `ip link set lo up` does), without iproute2."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, siocgifflags, request)[:18])[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))


def assert_loopback_only() -> None:
    names = sorted(name for _, name in socket.if_nameindex())
    if names != ["lo"]:
        sys.exit(f"refusing to scan: network interfaces {names} are present, not only loopback")
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): nobody answers there, and with no route the
    # kernel refuses the connection at once, without a packet leaving.
    with socket.socket() as s:
        s.settimeout(2)
        try:
            s.connect(("192.0.2.1", 80))
        except OSError as exc:
            if exc.errno != errno.ENETUNREACH:
                sys.exit(f"refusing to scan: a non-loopback address did not fail as unreachable ({exc!r})")
        else:
            sys.exit("refusing to scan: a non-loopback address is reachable")


# --- stage 2: Harbor under gunicorn -----------------------------------------------------------------


def server_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        HARBOR_ENV="production",
        DEBUG="False",
        SECRET_KEY=(tmp / "secret_key").read_text(encoding="utf-8"),
        HARBOR_RECEIPT_PEPPER=(tmp / "pepper").read_text(encoding="utf-8"),
        HARBOR_AUDIT_KEY=(tmp / "audit_key").read_text(encoding="utf-8"),
        HARBOR_AUDIT_HEAD_FILE=str(tmp / "audit-head.jsonl"),
        HARBOR_OTP_KEY=(tmp / "otp_key").read_text(encoding="utf-8"),
        DATABASE_URL=f"sqlite:///{tmp / 'harbor.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        ALLOWED_HOSTS="127.0.0.1",
        # Rate limits raised so the scanner's payloads reach the code rather than a 429;
        # the limits themselves are tested in tests/intake.
        HARBOR_RATE_SUBMIT="1000000",
        HARBOR_RATE_SUBMIT_GLOBAL="1000000",
        HARBOR_RATE_CHECK_FAIL="1000000",
        HARBOR_RATE_CHECK_FAIL_PREFIX="1000000",
        HARBOR_RATE_PREVIEW="1000000",
        HARBOR_RATE_PREVIEW_GLOBAL="1000000",
        HARBOR_MIN_FORM_SECONDS="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, input=stdin, text=True, capture_output=True, check=False
    )


def make_certificate(tmp: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1, valid for a day."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        + ["-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


class Server:
    """gunicorn with config/gunicorn.conf.py; with ``tls`` it terminates TLS itself."""

    def __init__(self, env: dict[str, str], log: Path, *, tls: tuple[Path, Path] | None = None, access_log=None):
        self.port = free_port()
        self.tls = tls
        self.log = log.open("w", encoding="utf-8")
        extra: list[str] = []
        if tls:
            extra += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
        if access_log:
            # Only on this throwaway server, whose only client is the scanner: no address
            # is logged, just what is needed to count the requests and their answers.
            extra += ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(s)s"]
        try:
            self.process = start_gunicorn(
                env, self.port, 3, subprocess.STDOUT, stdout=self.log, extra_args=extra, wait_s=30
            )
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; see {log}") from None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/"

    def fetch(self, method: str, path: str, headers: dict | None = None, body: str | None = None):
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.tls[0]))
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=30, context=context
            )
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        content = response.read()
        conn.close()
        return response, content

    def stop(self) -> None:
        stop_gunicorn(self.process, wait_s=10)
        self.log.close()


class Visitor:
    """One browser over HTTPS: it keeps its cookies, and each answer's headers and cookies are checked."""

    def __init__(self, server: Server, *, proxied: bool) -> None:
        self.server = server
        self.base = {"X-Forwarded-Proto": "https"} if proxied else {}
        self.origin = f"https://127.0.0.1:{server.port}"
        self.checked: list[str] = []
        self.problems: list[str] = []
        self.jar: dict[str, str] = {}

    def visit(self, label, method, path, *, static=False, headers=None, body=None, status=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        sent = {**self.base, **({"Cookie": cookie} if cookie else {}), **(headers or {})}
        response, content = self.server.fetch(method, path, sent, body)
        self.checked.append(f"{label} {response.status}")
        if status is not None and response.status != status:
            self.problems.append(f"{label}: status {response.status}, expected {status}")
        set_cookies = response.headers.get_all("Set-Cookie") or []
        found = header_problems(dict(response.getheaders()), static=static, https=True)
        found += cookie_problems(set_cookies, https=True)
        self.problems.extend(f"{label}: {p}" for p in found)
        for raw in set_cookies:
            name, value = raw.split(";", 1)[0].split("=", 1)
            self.jar[name.strip()] = value.strip()
        return response, content


def visit_public_pages(visitor: Visitor) -> None:
    """The reporter's pages, the error pages and a static file the landing page links."""
    _, html = visitor.visit("landing", "GET", "/", status=200)
    visitor.visit("report form", "GET", "/report/", status=200)
    visitor.visit("report form es", "GET", "/es/report/", status=200)
    visitor.visit("rights", "GET", "/rights/", status=200)
    visitor.visit("check", "GET", "/check/", status=200)
    visitor.visit("404", "GET", "/no-such-page/", status=404)
    visitor.visit("405", "GET", "/report/send/", status=405)
    visitor.visit("CSRF failure", "POST", "/report/send/", headers={"Origin": visitor.origin}, status=403)
    stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', html)
    if stylesheet:
        visitor.visit("static file", "GET", stylesheet.group(1).decode(), static=True, status=200)
    else:
        visitor.problems.append("landing page links no stylesheet")


def visit_staff_login(visitor: Visitor) -> None:
    """The staff login page, the key holder's login (session and key-unlock cookies), the page after it."""
    origin = visitor.origin
    _, page = visitor.visit("staff login", "GET", "/staff/login/", status=200)
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if "csrftoken" not in visitor.jar or not form_token:
        visitor.problems.append("staff login: no CSRF cookie or form token")
        return
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": form_token.group(1).decode(), "username": HOLDER[0], "password": HOLDER[1]}
    )
    response, _ = visitor.visit(
        "staff login POST",
        "POST",
        "/staff/login/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": f"{origin}/staff/login/",
        },
        body=body,
        status=302,
    )
    names = {c.split("=", 1)[0] for c in response.headers.get_all("Set-Cookie") or []}
    if not {"sessionid", "harbor_unlock"} <= names:
        visitor.problems.append(f"staff login POST: set cookies {sorted(names)}, not sessionid and harbor_unlock")
    location = urllib.parse.urlsplit(response.getheader("Location") or "").path
    if location.startswith("/staff/"):
        visitor.visit(f"staff page after login ({location})", "GET", location, status=200)
    else:
        visitor.problems.append(f"staff login POST: sent to {location!r}, not a staff page")


def check_headers(server: Server, *, proxied: bool) -> tuple[list[str], list[str]]:
    """Visit representative pages over HTTPS; return (responses checked, problems)."""
    visitor = Visitor(server, proxied=proxied)
    visit_public_pages(visitor)
    visit_staff_login(visitor)
    if proxied:
        # Without the proxy's header the request came over HTTP: it must be sent to HTTPS.
        response, _ = server.fetch("GET", "/check/")
        visitor.checked.append(f"plain HTTP {response.status}")
        if response.status != 301 or not (response.getheader("Location") or "").startswith("https://"):
            visitor.problems.append(
                f"plain HTTP: {response.status} to {response.getheader('Location')!r}, not 301 to https"
            )
    return visitor.checked, visitor.problems


# --- the scanner's local endpoint -------------------------------------------------------------------


class Endpoint(ThreadingHTTPServer):
    """Stands in for wapiti's internet endpoint: wapiti polls it; Harbor must never call it."""

    daemon_threads = True

    def __init__(self):
        self.harbor_calls: list[str] = []
        self.polls = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server looks for
                if self.path.startswith("/get_"):
                    endpoint.polls += 1
                else:
                    endpoint.harbor_calls.append(f"{self.command} {self.path}")
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


# --- wapiti and its report ---------------------------------------------------------------------------


def csrf_cookie_file() -> Path:
    """A cookie jar for wapiti holding one CSRF cookie.

    wapiti crawls with several tasks at once; starting without a cookie, each would be given
    a different one and the last one kept, so forms read under another cookie would fail
    CSRF when replayed, and its csrf module would then take the identical 403s as "token not
    checked". A browser has one cookie; so does the scanner. The CSRF check still runs on
    every request (the csrf module replaces the token and must get a different answer).
    """
    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    cookie = {"value": secret, "expires": None, "secure": True, "port": None, "version": 0}
    path = OUT / "cookies.json"
    path.write_text(json.dumps({"127.0.0.1": {"/": {"csrftoken": cookie}}}), encoding="utf-8")
    return path


def run_wapiti(
    wapiti: Path, server: Server, endpoint: Endpoint, modules: list[str], budget: int
) -> tuple[Path, list[dict]]:
    """Crawl and run the quick modules, then share what is left of ``budget`` among the slow ones.

    wapiti's own limits are one crawl limit and one per-module limit, the same for every
    module; most modules finish in seconds here while a few could run for hours. So: a first
    run crawls and runs the passive and quick modules, a second (--skip-crawl, same session)
    gives each slow module an equal share of the time left. The second run's report holds
    the findings of both.
    """
    base = server.url
    deadline = time.monotonic() + budget
    common = [
        "--url",
        base,
        "--scope",
        "folder",
        "--store-session",
        str(OUT / "session"),
        "--store-config",
        str(OUT / "config"),
        "--cookie",
        str(csrf_cookie_file()),
        "--endpoint",
        endpoint.url,
        "--no-bugreport",
        "--tasks",
        "4",
        "--timeout",
        "20",
        # Start pages are depth 0, their forms and links depth 1; a form's answer holds the
        # same form again with a new token, which would be attacked again as a new one.
        "--depth",
        "1",
        # The CSRF token is the csrf module's to test; payloads in it only meet the 403.
        "--skip",
        "csrfmiddlewaretoken",
        "--format",
        "json",
        "--detailed-report",
        "1",
        "--verbose",
        "1",
        "--exclude",
        f"{base}staff/logout/",
        # The Spanish pages are the same views and templates (translated strings only):
        # attacking them too would halve the depth of the attack on each form.
        "--exclude",
        f"{base}es/*",
    ]
    for path in START_PAGES:
        common += ["--start", base + path]
    quick = [m for m in modules if m in PASSIVE or m in QUICK]
    slow = [m for m in modules if m not in quick]
    crawl = max(30, budget // 5)
    runs: list[tuple[str, list[str], list[str], int | None]] = [
        ("crawl and quick modules", quick, ["--flush-session", "--max-scan-time", str(crawl)], QUICK_CAP)
    ]
    if slow:
        runs.append(("slow modules", slow, ["--skip-crawl"], None))
    log = (OUT / "wapiti.log").open("w", encoding="utf-8")
    report = OUT / "wapiti.json"
    done: list[dict] = []
    try:
        for number, (label, group, extra, fixed_cap) in enumerate(runs, 1):
            active = [m for m in group if m not in PASSIVE]
            sharing = [m for m in active if m not in AFTER_XSS]
            cap = fixed_cap or max(10, int((deadline - time.monotonic() - 15) / max(1, len(sharing))))
            report = OUT / f"wapiti-{number}.json"
            report.unlink(missing_ok=True)
            command = [str(wapiti), *common, *extra, "--module", ",".join(group)]
            command += ["--max-attack-time", str(cap), "--output", str(report)]
            print(f"== wapiti run {number}, {label}: {len(active)} active modules, at most {cap} s each", flush=True)
            print("   wapiti " + " ".join(c.replace(base, "<base>/") for c in command[1:]), flush=True)
            log.write(f"\n===== run {number}: {label}\n")
            log.flush()
            t0 = time.monotonic()
            result = subprocess.run(
                command,
                cwd=OUT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=crawl + cap * len(active) + 120,
                check=False,
            )
            if result.returncode != 0 or not report.exists():
                raise RuntimeError(f"wapiti exited {result.returncode}; see {OUT / 'wapiti.log'}")
            seconds = round(time.monotonic() - t0)
            done.append({"run": label, "modules": group, "seconds_per_module": cap, "seconds": seconds})
    finally:
        log.close()
    shutil.copyfile(report, OUT / "wapiti.json")
    return OUT / "wapiti.json", done


def read_findings(report: Path, base: str) -> list[dict]:
    data = json.loads(report.read_text(encoding="utf-8"))
    findings = []
    for kind in ("vulnerabilities", "anomalies", "additionals"):
        for category, items in (data.get(kind) or {}).items():
            for item in items:
                level = int(item.get("level", 0))
                findings.append(
                    {
                        "kind": kind,
                        "category": category,
                        "level": level,
                        "severity": SEVERITY.get(level, "?"),
                        "module": item.get("module", ""),
                        "method": item.get("method", ""),
                        "path": item.get("path", "").replace(base.rstrip("/"), ""),
                        "parameter": item.get("parameter") or "",
                        "info": (item.get("info") or "").strip().replace(base.rstrip("/"), ""),
                    }
                )
    return findings


def wapiti_log_facts(log: Path) -> dict:
    text = log.read_text(encoding="utf-8", errors="replace")
    return {
        "crawled": int(m.group(1)) if (m := re.search(r"Wapiti found (\d+) URLs and forms", text)) else None,
        "crawl_cut_short": "Max scan time was reached" in text,
        "modules_launched": re.findall(r"Launching module (\w+)", text),
        "modules_cut_short": re.findall(r"Max attack time was reached for module (\w+)", text),
        "module_errors": [line for line in text.splitlines() if "seems broken" in line or "Traceback" in line],
    }


def count_requests(log: Path, skip: int) -> dict:
    lines = log.read_text(encoding="utf-8").splitlines()[skip:]
    statuses = collections.Counter(line.rsplit(" ", 1)[-1] for line in lines)
    return {"total": len(lines), "by_status": dict(sorted(statuses.items()))}


def allowed_by(finding: dict, allowlist: list[dict]) -> dict | None:
    for entry in allowlist:
        if entry["category"] != finding["category"] or finding["level"] > entry.get("max_level", 0):
            continue
        if "path" in entry and not re.fullmatch(entry["path"], finding["path"]):
            continue
        if "info" in entry and not re.search(entry["info"], finding["info"]):
            continue
        return entry
    return None


def load_allowlist() -> list[dict]:
    entries = json.loads(ALLOWLIST.read_text(encoding="utf-8"))["allowed"]
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for entry in entries:
        anchor = entry["explained"].split("#", 1)[1]
        if f'<a id="{anchor}"></a>' not in doc:
            sys.exit(f"{ALLOWLIST.name}: {entry['explained']} does not exist in docs/security.md")
    return entries


# --- main ----------------------------------------------------------------------------------------------


def throwaway_directory() -> Path:
    """A temporary directory, removed at exit, for throwaway secrets, the database and the certificate."""
    tmp = Path(tempfile.mkdtemp(prefix="harbor-scan-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="utf-8")
    (tmp / "pepper").write_text(secrets.token_hex(32), encoding="utf-8")
    (tmp / "audit_key").write_text(secrets.token_hex(32), encoding="utf-8")
    (tmp / "otp_key").write_text(secrets.token_hex(32), encoding="utf-8")
    return tmp


def check_deploy_and_prepare(proxy_env: dict, tls_env: dict, summary: dict, failures: list[str]) -> None:
    """`check --deploy` under production settings; then migrate, collectstatic and one key holder."""
    deploy = manage(proxy_env, "check", "--deploy", "--fail-level", "WARNING")
    summary["check_deploy"] = deploy.returncode == 0
    print(f"== manage.py check --deploy (production): {'clean' if deploy.returncode == 0 else 'FAILED'}")
    if deploy.returncode != 0:
        failures.append("check --deploy: " + (deploy.stdout + deploy.stderr).strip())
    for step in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        done = manage(tls_env, *step, "--verbosity", "0")
        if done.returncode != 0:
            sys.exit(f"{' '.join(step)} failed:\n{done.stderr}")
    done = manage(tls_env, "bootstrap", "--username", HOLDER[0], "--password-stdin", stdin=HOLDER[1] + "\n")
    if done.returncode != 0:
        sys.exit(f"bootstrap failed:\n{done.stderr}")
    print(f"== {done.stdout.splitlines()[0]}", flush=True)


def report_headers(results: dict, summary: dict, failures: list[str]) -> None:
    for label, (checked, problems) in results.items():
        summary[f"headers ({label})"] = {"checked": checked, "problems": problems}
        print(f"== headers, {label}: {len(checked)} responses, {len(problems)} problems")
        for problem in problems:
            print(f"   ! {problem}")
        failures += [f"headers ({label}): {p}" for p in problems]


def judge_findings(findings: list[dict], allowlist: list[dict], failures: list[str]) -> None:
    """Mark each finding with its explanation; fail on one of medium severity or above that has none."""
    for finding in findings:
        entry = allowed_by(finding, allowlist)
        finding["explained"] = entry["explained"] if entry else None
        if finding["level"] >= FAIL_AT and not entry:
            failures.append(f"wapiti {finding['severity']}: {finding['category']} {finding['path']}: {finding['info']}")


def server_problems(
    endpoint: Endpoint, logs: list[Path], requests: dict, facts: dict, failures: list[str]
) -> list[str]:
    """Calls out of Harbor, errors in its logs, 5xx answers, broken wapiti modules; return the log errors."""
    if endpoint.harbor_calls:
        failures.append(f"Harbor made outgoing requests to the scanner's endpoint: {endpoint.harbor_calls[:5]}")
    errors = [
        line
        for log in logs
        for line in log.read_text(encoding="utf-8").splitlines()
        if "Traceback" in line or " ERROR " in line or "[CRITICAL]" in line
    ]
    if errors:
        failures.append(f"{len(errors)} errors in the server logs (var/scan/gunicorn-*.log)")
    server_errors = sum(n for status, n in requests["by_status"].items() if status.startswith("5"))
    if server_errors:
        failures.append(f"{server_errors} answers with a 5xx status under the scan (var/scan/requests.log)")
    if facts["module_errors"]:
        failures.append(f"wapiti modules failed: {facts['module_errors'][:3]}")
    return errors


def print_results(summary: dict, facts: dict, requests: dict, findings: list[dict], endpoint: Endpoint) -> None:
    print(
        f"== wapiti {WAPITI_VERSION}: {facts['crawled']} URLs and forms crawled"
        f"{' (crawl cut short)' if facts['crawl_cut_short'] else ''}, {len(facts['modules_launched'])} active modules"
        f" run ({len(facts['modules_launched']) - len(facts['modules_cut_short'])} to the end"
        f"{', cut short: ' + ', '.join(facts['modules_cut_short']) if facts['modules_cut_short'] else ''}),"
        f" {requests['total']} requests {requests['by_status']}, {summary['wapiti_seconds']} s"
    )
    print(
        f"== {len(findings)} findings: "
        + ", ".join(f"{n} {s}" for s, n in summary["findings_by_severity"].items() if n)
        if findings
        else "== no findings"
    )
    for f in sorted(findings, key=lambda f: (-f["level"], f["category"], f["path"])):
        mark = "explained" if f["explained"] else ("FAIL" if f["level"] >= FAIL_AT else "noted")
        where = f"{f['method']} {f['path']}" + (f" [{f['parameter']}]" if f["parameter"] else "")
        print(f"   {f['severity']:<8} {mark:<9} {f['category']}: {where}")
        print(f"            {f['info'].splitlines()[0][:150] if f['info'] else ''}")
    print(f"== endpoint: {endpoint.polls} polls by wapiti, {len(endpoint.harbor_calls)} calls by Harbor")
    print(f"== report var/scan/wapiti.json, summary var/scan/summary.json ({summary['seconds']} s in all)")


def verdict(failures: list[str]) -> int:
    """Print the failures, if any; return the exit status."""
    if failures:
        print(f"== scan FAILED: {len(failures)} problems")
        for failure in failures:
            print(f"   - {failure}")
        return 1
    print("== scan passed: no unexplained finding of medium severity or above")
    return 0


def scan(args) -> int:
    loopback_up()
    assert_loopback_only()
    print("== network namespace: loopback only, no route elsewhere", flush=True)
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    allowlist = load_allowlist()
    wapiti = WAPITI_VENV / "bin" / "wapiti"
    tmp = throwaway_directory()
    proxy_env = server_env(tmp, HARBOR_BEHIND_PROXY="True")
    tls_env = server_env(tmp)
    failures: list[str] = []
    summary: dict = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "wapiti": WAPITI_VERSION,
        "modules": args.modules,
        "excluded_modules": EXCLUDED,
        "budget_seconds": args.max_scan_time,
    }
    check_deploy_and_prepare(proxy_env, tls_env, summary, failures)
    certificate = make_certificate(tmp)

    logs = [OUT / "gunicorn-proxy.log", OUT / "gunicorn-tls.log"]
    access_log = OUT / "requests.log"
    access_log.unlink(missing_ok=True)
    results = {}
    proxied = Server(proxy_env, logs[0])
    try:
        results["behind a TLS proxy"] = check_headers(proxied, proxied=True)
    finally:
        proxied.stop()
    tls = Server(tls_env, logs[1], tls=certificate, access_log=access_log)
    endpoint = Endpoint()
    try:
        results["TLS at gunicorn"] = check_headers(tls, proxied=False)
        report_headers(results, summary, failures)
        time.sleep(1)  # let the access log catch up
        before = len(access_log.read_text(encoding="utf-8").splitlines())
        t0 = time.monotonic()
        report, summary["wapiti_runs"] = run_wapiti(wapiti, tls, endpoint, args.modules, args.max_scan_time)
        summary["wapiti_seconds"] = round(time.monotonic() - t0)
    finally:
        tls.stop()
        endpoint.shutdown()

    findings = read_findings(report, tls.url)
    judge_findings(findings, allowlist, failures)
    facts = wapiti_log_facts(OUT / "wapiti.log")
    requests = count_requests(access_log, before)
    errors = server_problems(endpoint, logs, requests, facts, failures)
    by_severity = collections.Counter(f["severity"] for f in findings)
    summary.update(
        wapiti_run=facts,
        requests=requests,
        findings_by_severity={s: by_severity.get(s, 0) for s in SEVERITY.values()},
        findings=findings,
        endpoint={"polls": endpoint.polls, "harbor_calls": endpoint.harbor_calls},
        server_errors=errors,
        failures=failures,
        seconds=round(time.monotonic() - started),
    )
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print_results(summary, facts, requests, findings, endpoint)
    return verdict(failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-scan-time", type=int, default=int(os.environ.get("HARBOR_SCAN_SECONDS", "300")))
    parser.add_argument("--modules", type=lambda s: s.split(","), default=MODULES)
    parser.add_argument("--isolated", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    unknown = set(args.modules) - set(MODULES) - set(EXCLUDED)
    if unknown:
        parser.error(f"unknown wapiti modules: {sorted(unknown)}")
    if args.isolated:
        return scan(args)
    ensure_wapiti()
    reexec_isolated([a for a in sys.argv[1:] if a != "--isolated"])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
