"""`make deploy-check`: check deploy/ with the real tools, then run it and use it end to end.

1. Tools: nginx, tor, openssl, systemd-analyze, pg_dump; missing ones are installed with
   `apt-get install -y` when running as root (no service is started by the install).
2. deploy/harbor.env.example lists every setting Harbor reads (as tests/test_deploy.py checks).
3. `systemd-analyze verify` on the units, their /srv/harbor paths moved to this checkout, and
   `systemd-analyze security --offline` (exposure at most MAX_EXPOSURE). Where systemd-analyze
   cannot run, this says so and why: a skip is printed and counted, never silent.
4. `nginx -t` on a temporary configuration tree holding the three sites, with a throwaway
   certificate made by openssl for the site's host name; `tor --verify-config` on the torrc.
5. Production, for real: a throwaway PostgreSQL role and database on 127.0.0.1:5432, a Redis
   database number nobody uses on 127.0.0.1:6379 (Redis must not write to disk), the example
   env file filled in with generated secrets, then through deploy/manage: migrate,
   collectstatic, `check --deploy`, the first administrator (bootstrap), an organisation and a
   recipient account (recipient add, invite). Each long-running unit's ExecStart is
   started with the unit's own environment files (gunicorn reports READY over NOTIFY_SOCKET, as
   Type=notify needs), and nginx in front of them with the sites as shipped, on free loopback
   ports.
6. End to end over HTTPS through nginx, as a browser does (cookies, CSRF tokens, the form's own
   hidden fields): a report with a photo, its receipt, /check/; the same receipt through the
   onion server; the administrator's first login (authenticator enrolment with TOTP), the report
   and its photo, a referral with the narrative included; the recipient's invitation (a password,
   enrolment) and the referral. Headers of the answers are checked
   against tests/owasp_headers.py and for a single HSTS header.
7. The worker runs a queued task; Redis holds the rate-limit counters; each oneshot unit (backup,
   purge) runs; the backup restores into a second database, and restoring it over the first is
   refused.
8. Logs: nginx's catch-all access log stays empty, no traceback, no client address anywhere.
9. On a server: the installed units, nginx configuration, torrc and /etc/harbor/env, when present.

Everything it starts and creates is stopped and removed at the end, also on failure, Ctrl-C or
SIGTERM (`timeout`). Exits non-zero on any failure. Traffic goes only to 127.0.0.1.
"""
# ruff: noqa: S603, S607, T201

from __future__ import annotations

import base64
import contextlib
import html
import http.client
import io
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.envfile import read as read_envfile  # noqa: E402
from deploy import files  # noqa: E402
from tests.owasp_headers import cookie_problems, header_problems  # noqa: E402

PY = sys.executable
MAX_EXPOSURE = 2.0  # systemd-analyze security's scale: 0 (locked down) to 10 (exposed)
ADMIN_URL = os.environ.get("DEPLOY_CHECK_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOLS = {  # program: Debian package
    "nginx": "nginx",
    "tor": "tor",
    "openssl": "openssl",
    "systemd-analyze": "systemd",
    "pg_dump": "postgresql-client",
    "pg_restore": "postgresql-client",
}
CANARY = "zq" + secrets.token_hex(4) + "zq"
NARRATIVE = f"He pushed me against the wall and took my phone and my bag ({CANARY})."
ADMIN = ("check-admin", "check admin passphrase " + secrets.token_hex(8))
RECIPIENT_ORG = "Deploy Check Victim Services"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


class Failure(Exception):
    """A check failed; the message says what was expected and what happened."""


# --- reporting -------------------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.skips: list[str] = []
        self.started = time.monotonic()

    def ok(self, text: str) -> None:
        print(f"ok    {text}", flush=True)

    def skip(self, what: str, why: str) -> None:
        self.skips.append(f"{what}: {why}")
        print(f"SKIP  {what}: {why}", flush=True)

    def fail(self, text: str) -> None:
        self.failures.append(text)
        print(f"FAIL  {text}", flush=True)

    def note(self, text: str) -> None:
        print(f"      {text}", flush=True)

    @contextlib.contextmanager
    def stage(self, title: str) -> Iterator[None]:
        print(f"== {title}", flush=True)
        t0 = time.monotonic()
        try:
            yield
        except Failure as exc:
            self.fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - any error is a failed check, reported with its place
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.fail(f"{title}: {type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})")
        finally:
            print(f"   ({time.monotonic() - t0:.1f} s)", flush=True)


def run(
    args: list,
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300,
    check=True,
    cwd=None,
):
    program = str(args[0])
    if "/" not in program:  # /usr/sbin is not on every user's PATH; it is on a service's
        program = shutil.which(program, path=f"{os.environ.get('PATH', '')}:{SERVICE_PATH}") or program
    done = subprocess.run(
        [program, *(str(a) for a in args[1:])],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    if check and done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise Failure(f"`{' '.join(str(a) for a in args[:4])}` exited {done.returncode}: {output[-1500:]}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Failure(f"the process for port {port} exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise Failure(f"nothing listens on 127.0.0.1:{port} after {seconds:g} s")


# --- HTTP as a browser does it -----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[-1] if found else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _TLSConnection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 but speaks TLS to ``server_name`` (SNI and certificate check)."""

    def __init__(self, port: int, server_name: str, context: ssl.SSLContext, *, small_window: bool = False):
        super().__init__("127.0.0.1", port, context=context, timeout=60)
        self.tls_context = context
        self.server_name = server_name
        self.small_window = small_window

    def connect(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.small_window:
            # A slow phone: a small TCP window, so the answer cannot wait in the kernel's buffers.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.settimeout(self.timeout)
        sock.connect(("127.0.0.1", self.port))
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.server_name)


class Browser:
    """Cookies, the Host and Origin a browser would send, redirects by hand."""

    def __init__(self, port: int, host: str, *, tls: ssl.SSLContext | None = None, default_port: bool = False):
        self.port, self.host, self.tls = port, host, tls
        scheme = "https" if tls else "http"
        self.host_header = host if default_port else f"{host}:{port}"
        self.origin = f"{scheme}://{self.host_header}"
        self.cookies: dict[str, str] = {}
        self.answers: list[tuple[str, Answer]] = []

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None, *, slow=False
    ) -> Answer:
        conn = (
            _TLSConnection(self.port, self.host, self.tls, small_window=slow)
            if self.tls
            else http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        )
        sent = {"Host": self.host_header, "User-Agent": "harbor-deploy-check", "Accept-Language": "en"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent.update(Origin=self.origin, Referer=self.origin + path)
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            if slow:
                # A phone on a slow line: nginx must hold the rest of a large answer without
                # writing it to a temporary file (proxy_max_temp_file_size 0).
                time.sleep(1.5)
            answer = Answer(response.status, response.getheaders(), response.read())
        finally:
            conn.close()
        for raw in answer.all("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel.value and str(morsel["max-age"]) != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        self.answers.append((f"{method} {path}", answer))
        return answer

    def get(self, path: str, expect: int = 200, *, slow=False) -> Answer:
        answer = self.request("GET", path, slow=slow)
        _expect(answer, expect, f"GET {path}")
        return answer

    def post(self, path: str, fields: list[tuple[str, str]], *, files: list | None = None, expect: int = 200) -> Answer:
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        answer = self.request("POST", path, body, {"Content-Type": content_type})
        _expect(answer, expect, f"POST {path}")
        return answer


def _expect(answer: Answer, status: int, what: str) -> None:
    if answer.status != status:
        text = re.sub(r"<[^>]+>", " ", answer.text)
        raise Failure(f"{what}: status {answer.status}, expected {status}: {' '.join(text.split())[:600]}")


def found(pattern: str, text: str) -> str:
    """Return the first group of ``pattern`` in ``text``; raise Failure naming the pattern if it is not there."""
    match = re.search(pattern, text)
    if match is None:
        raise Failure(f"expected {pattern!r} in a file of the repository")
    return match.group(1)


def location(answer: Answer) -> str:
    target = answer.header("Location") or ""
    return urllib.parse.urlsplit(target).path + (
        "?" + urllib.parse.urlsplit(target).query if urllib.parse.urlsplit(target).query else ""
    )


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----harbor" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, content_type, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Form:
    action: str | None
    method: str
    fields: list[dict] = field(default_factory=list)  # {"tag", "type", "name", "value", "checked", "selected"}
    buttons: list[dict] = field(default_factory=list)  # {"name", "value", "formaction", "text"}

    def defaults(self) -> list[tuple[str, str]]:
        """What a browser sends from this form untouched, without the submit button."""
        out = []
        for f in self.fields:
            kind = f.get("type", "text")
            if not f.get("name") or kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if f.get("checked"):
                    out.append((f["name"], f.get("value", "on")))
            else:
                out.append((f["name"], f.get("value", "")))
        return out

    def options(self, name: str) -> set[str]:
        return {f.get("value", "on") for f in self.fields if f.get("name") == name}

    def names(self) -> set[str]:
        return {f["name"] for f in self.fields if f.get("name")}

    def button(self, text: str) -> dict:
        for b in self.buttons:
            if b["text"].strip() == text:
                return b
        raise Failure(f"no button {text!r} (buttons: {[b['text'].strip() for b in self.buttons]})")


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: dict | None = None
        self._button: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action"), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            self.forms[-1].fields.append(
                {
                    "tag": "input",
                    "type": a.get("type", "text").lower(),
                    "name": a.get("name"),
                    "value": a.get("value", "on" if a.get("type") in ("checkbox", "radio") else ""),
                    "checked": "checked" in a,
                }
            )
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "type": "textarea", "name": a.get("name"), "value": ""}
            self.forms[-1].fields.append(self._textarea)
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if "selected" in a:
                self.forms[-1].fields.append(
                    {"tag": "select", "type": "select", "name": self._select, "value": a.get("value", "")}
                )
        elif tag == "button":
            self._button = {
                "name": a.get("name"),
                "value": a.get("value", ""),
                "formaction": a.get("formaction"),
                "text": "",
            }
            self.forms[-1].buttons.append(self._button)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "button":
            self._button = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._button is not None:
            self._button["text"] += data


def forms(answer: Answer) -> list[Form]:
    parser = _FormParser()
    parser.feed(answer.text)
    return parser.forms


def the_form(answer: Answer, *, having: str) -> Form:
    for form in forms(answer):
        if having in form.names() or any(b["text"].strip() == having for b in form.buttons):
            return form
    raise Failure(f"no form with {having!r} on the page")


def submit(
    browser: Browser,
    page_path: str,
    form: Form,
    changes: dict[str, str | list[str]],
    *,
    button: str | None = None,
    files=None,
    expect: int = 200,
) -> Answer:
    """Send ``form`` as a browser would, with ``changes`` typed in and ``button`` pressed."""
    fields = [(k, v) for k, v in form.defaults() if k not in changes]
    for name, value in changes.items():
        for item in value if isinstance(value, list) else [value]:
            fields.append((name, item))
    action = form.action or page_path
    if button:
        pressed = form.button(button)
        action = pressed["formaction"] or action
        if pressed["name"]:
            fields.append((pressed["name"], pressed["value"]))
    return browser.post(action, fields, files=files, expect=expect)


# --- the check ------------------------------------------------------------------------------------------------


@dataclass
class Started:
    name: str
    proc: subprocess.Popen
    log: Path


class DeployCheck:
    def __init__(self, report: Report) -> None:
        self.r = report
        self.tmp = Path(tempfile.mkdtemp(prefix="harbor-deploy-check-"))
        self.root = os.geteuid() == 0
        self.started: list[Started] = []
        self.ports: dict[int, int] = {}  # production port -> the port used here
        self.databases: list[str] = []
        self.role: str | None = None
        self.redis_db: int | None = None
        self.admin_mode: str | None = None
        self.policy_rc: Path | None = None
        self.suffix = secrets.token_hex(4)
        self.onion = "".join(secrets.choice(BASE32) for _ in range(56)) + ".onion"
        self.host = ""
        self.env_file = self.tmp / "env"
        self.db_url = ""
        self.recipient = ("", "")
        for sub in (
            "state",
            "backups",
            "home",
            "nginx/log",
            "nginx/temp",
            "nginx/sites",
            "acme",
            "tor/data",
            "tor/hs",
            "notify",
        ):
            (self.tmp / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.moved = {  # production paths -> their place here, longest first
            "/etc/letsencrypt/live": str(self.tmp / "tls"),
            files.ENV_FILE: str(self.env_file),
            files.INSTALL_ROOT: str(ROOT),
            "/var/lib/harbor": str(self.tmp / "state"),
            "/var/backups/harbor": str(self.tmp / "backups"),
            "/var/log/nginx": str(self.tmp / "nginx" / "log"),
            "/var/www/letsencrypt": str(self.tmp / "acme"),
            "/var/lib/tor/harbor": str(self.tmp / "tor" / "hs"),
        }

    # --- helpers ---------------------------------------------------------------------------------

    def move(self, text: str) -> str:
        for prod, here in sorted(self.moved.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(prod, here)
        return text

    def port(self, production: int) -> int:
        if production not in self.ports:
            self.ports[production] = free_port()
        return self.ports[production]

    def manage(self, *args: str, env_file: Path | None = None, stdin: str | None = None, check=True):
        env = {
            "PATH": SERVICE_PATH,
            "LANG": "C.UTF-8",
            "HOME": str(self.tmp / "home"),
            "HARBOR_ENVFILE": str(env_file or self.env_file),
        }
        if self.root:
            env["HARBOR_MANAGE_AS_ROOT"] = "1"
        return run([PY, ROOT / "deploy" / "manage", *args], env=env, stdin=stdin, check=check)

    # --- 1. tools ---------------------------------------------------------------------------------

    def tools(self) -> None:
        missing = sorted({pkg for tool, pkg in TOOLS.items() if not shutil.which(tool, path=SERVICE_PATH)})
        if missing:
            if not self.root or not shutil.which("apt-get"):
                raise Failure(
                    f"missing {', '.join(missing)}: install them with `sudo apt-get install -y {' '.join(missing)}`"
                )
            self.r.note(f"installing {' '.join(missing)} (apt-get; no service is started)")
            policy = Path("/usr/sbin/policy-rc.d")
            if not policy.exists():
                # Installing nginx or tor must not start them: they are here to check files.
                policy.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
                policy.chmod(0o755)
                self.policy_rc = policy
            try:
                env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
                run(["apt-get", "update", "-qq"], env=env, timeout=600)
                run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env, timeout=900)
            finally:
                if self.policy_rc:
                    self.policy_rc.unlink(missing_ok=True)
                    self.policy_rc = None
        versions = [
            run(["nginx", "-v"]).stderr.strip(),
            run(["tor", "--version"]).stdout.splitlines()[0].rstrip("."),
            run(["systemd-analyze", "--version"]).stdout.splitlines()[0],
            run(["pg_dump", "--version"]).stdout.strip(),
        ]
        self.r.ok("; ".join(versions))

    # --- 2. the example env file --------------------------------------------------------------------

    def example(self) -> None:
        read = files.settings_read()
        described = files.example_settings()
        missing, stale = sorted(read - set(described)), sorted(set(described) - read)
        if missing:
            raise Failure(f"deploy/harbor.env.example lacks {', '.join(missing)} (read by config/)")
        if stale:
            raise Failure(f"deploy/harbor.env.example describes {', '.join(stale)}, which nothing reads")
        hosts = described["ALLOWED_HOSTS"].value.split(",")
        self.host = hosts[0].strip()
        self.r.ok(f"deploy/harbor.env.example describes all {len(read)} settings config/ reads")

    # --- 3. systemd -----------------------------------------------------------------------------------

    def systemd(self) -> None:
        units_dir = self.tmp / "systemd"
        units_dir.mkdir()
        for path in files.UNITS.iterdir():
            (units_dir / path.name).write_text(self.move(path.read_text(encoding="utf-8")), encoding="utf-8")
        probe = units_dir / "harbor-probe.service"
        probe.write_text("[Service]\nType=oneshot\nExecStart=/bin/true\n", encoding="utf-8")
        pid1 = Path("/proc/1/comm").read_text(encoding="utf-8").strip() if Path("/proc/1/comm").exists() else "?"
        tried = run(["systemd-analyze", "verify", "--man=no", probe], check=False)
        probe.unlink()
        if tried.returncode != 0 or tried.stderr.strip():
            self.r.skip(
                "systemd-analyze verify",
                f"cannot run here (PID 1 is {pid1!r}): {(tried.stderr or tried.stdout).strip()[:300]}; the units were not verified",
            )
            return
        names = sorted(p.name for p in units_dir.iterdir() if p.suffix in (".service", ".timer", ".target"))
        # From the unit directory, so that each timer finds its service.
        done = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", *names],
            cwd=units_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        said = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or said:
            raise Failure(f"systemd-analyze verify: {said[-2000:] or done.returncode}")
        note = "" if pid1 == "systemd" else f" (PID 1 is {pid1!r}, not systemd: verified offline)"
        self.r.ok(f"systemd-analyze verify: {', '.join(names)}{note}")
        services = [n for n in names if n.endswith(".service")]
        offline = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", services[0]],
            cwd=units_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if offline.returncode != 0 and "offline" in offline.stderr:
            self.r.skip("systemd-analyze security", f"this systemd has no --offline ({offline.stderr.strip()[:200]})")
            return
        scores = {}
        for name in services:
            out = subprocess.run(
                ["systemd-analyze", "security", "--offline=true", "--no-pager", name],
                cwd=units_dir,
                capture_output=True,
                text=True,
                check=False,
            )
            match = re.search(r"Overall exposure level for \S+: ([\d.]+)", out.stdout + out.stderr)
            if not match:
                raise Failure(f"systemd-analyze security {name}: no score in {(out.stdout + out.stderr)[-500:]}")
            scores[name] = float(match.group(1))
        worst = max(scores.values())
        if worst > MAX_EXPOSURE:
            raise Failure(f"systemd-analyze security: exposure above {MAX_EXPOSURE}: {scores}")
        self.r.ok(f"systemd-analyze security: every service at most {worst} (of 10; limit {MAX_EXPOSURE})")

    # --- 4. nginx and tor -----------------------------------------------------------------------------

    def certificate(self) -> None:
        tls = self.tmp / "tls" / self.host
        tls.mkdir(parents=True)
        run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "1",
                "-subj",
                f"/CN={self.host}",
                "-addext",
                f"subjectAltName=DNS:{self.host}",
                "-keyout",
                tls / "privkey.pem",
                "-out",
                tls / "fullchain.pem",
            ]
        )
        (tls / "privkey.pem").chmod(0o600)

    def nginx_tree(self) -> Path:
        sites = self.tmp / "nginx" / "sites"
        slow_ports: set[int] = set()  # options of a listening socket go on one listen line only
        for path in sorted(files.NGINX.glob("*.conf")):
            text = path.read_text(encoding="utf-8")
            if f"server_name {self.host};" not in text and "server_name _;" not in text:
                raise Failure(f"{path.name}: no server_name {self.host} (ALLOWED_HOSTS in the example)")

            def listen(match: re.Match) -> str:
                address = match.group(2)
                if address.startswith("["):
                    return f"{match.group(1)}# (IPv6 listen left out by the check)"
                port = self.port(int(address.rsplit(":", 1)[-1]))
                # A small send buffer, as towards a phone on a slow line: a large answer cannot
                # wait in the kernel, so nginx must hold it without a temporary file.
                options = "" if port in slow_ports else " sndbuf=32k"
                slow_ports.add(port)
                return f"{match.group(1)}listen 127.0.0.1:{port}{match.group(3) or ''}{options};"

            text = files.LISTEN.sub(listen, text)
            text = files.PROXY_PASS.sub(lambda m: f"proxy_pass http://127.0.0.1:{self.port(int(m.group(1)))};", text)
            (sites / path.name).write_text(self.move(text), encoding="utf-8")
        log, temp = self.tmp / "nginx" / "log", self.tmp / "nginx" / "temp"
        user = "user nobody nogroup;\n" if self.root else ""
        conf = self.tmp / "nginx" / "nginx.conf"
        conf.write_text(
            f"""{user}worker_processes 1;
pid {self.tmp}/nginx/nginx.pid;
error_log {log}/error.log warn;
daemon off;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # As Debian's nginx.conf: an access log for every server that does not turn it off.
    access_log {log}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {sites}/*.conf;
}}
""",
            encoding="utf-8",
        )
        return conf

    def nginx_test(self) -> Path:
        self.certificate()
        conf = self.nginx_tree()
        done = run(["nginx", "-e", self.tmp / "nginx" / "log" / "startup.log", "-t", "-c", conf], check=False)
        if done.returncode != 0 or "[warn]" in done.stderr or "[emerg]" in done.stderr:
            raise Failure(f"nginx -t: {done.stderr.strip()[-1500:]}")
        self.r.ok(
            f"nginx -t: {', '.join(p.name for p in sorted(files.NGINX.glob('*.conf')))} with a throwaway certificate for {self.host}"
        )
        return conf

    def tor_test(self) -> None:
        snippet = self.tmp / "tor" / "harbor.conf"
        snippet.write_text(self.move(files.TORRC.read_text(encoding="utf-8")), encoding="utf-8")
        (self.tmp / "tor" / "hs").chmod(0o700)
        torrc = self.tmp / "tor" / "torrc"
        torrc.write_text(f"DataDirectory {self.tmp}/tor/data\nSocksPort 0\n%include {snippet}\n", encoding="utf-8")
        done = run(["tor", "--verify-config", "-f", torrc], check=False)
        if done.returncode != 0 or "Configuration was valid" not in done.stdout:
            raise Failure(f"tor --verify-config: {(done.stdout + done.stderr).strip()[-1500:]}")
        target = re.search(r"^HiddenServicePort 80 127\.0\.0\.1:(\d+)$", files.TORRC.read_text(encoding="utf-8"), re.M)
        onion_site = (files.NGINX / "harbor-onion.conf").read_text(encoding="utf-8")
        if not target or int(target.group(1)) not in files.listen_ports(onion_site):
            raise Failure("the torrc's HiddenServicePort does not point at the onion nginx server's port")
        self.r.ok("tor --verify-config: deploy/tor/harbor.torrc (through %include, as /etc/tor/torrc.d)")

    # --- 5. production ----------------------------------------------------------------------------------

    def admin_sql(self, *statements: str) -> None:
        if self.admin_mode in (None, "psycopg"):
            try:
                import psycopg

                with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                    for statement in statements:
                        conn.execute(statement)
                self.admin_mode = "psycopg"
                return
            except psycopg.OperationalError as exc:
                if self.admin_mode == "psycopg" or not (self.root and shutil.which("runuser")):
                    raise Failure(
                        f"cannot reach PostgreSQL as an administrator at {ADMIN_URL.split('@')[-1]} ({exc}); "
                        "set DEPLOY_CHECK_ADMIN_URL (and PGPASSWORD), or run as root on the database server"
                    ) from exc
                self.admin_mode = "runuser"
        script = "\n".join(s + ";" for s in statements)
        run(
            ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            stdin=script,
            timeout=120,
        )

    def database(self) -> str:
        self.role = f"harbor_check_{self.suffix}"
        password = secrets.token_hex(16)
        name = self.role
        self.admin_sql(f"CREATE ROLE {self.role} LOGIN PASSWORD '{password}'")
        self.databases.append(name)
        self.admin_sql(f"CREATE DATABASE {name} OWNER {self.role}")
        self.db_url = f"postgres://{self.role}:{password}@127.0.0.1:5432/{name}"
        self.r.ok(f"PostgreSQL: role and database {name} (throwaway)")
        return self.db_url

    def redis(self) -> str:
        import redis

        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=5)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise Failure(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT} ({exc})") from exc
        try:
            save = str(client.config_get("save").get("save") or "")
            appendonly = str(client.config_get("appendonly").get("appendonly") or "no")
        except redis.ResponseError as exc:
            self.r.skip(
                "Redis persistence", f'CONFIG is not allowed here ({exc}); check `save ""` and `appendonly no` by hand'
            )
        else:
            if save.strip() or appendonly == "yes":
                raise Failure(
                    f"Redis writes to disk (save {save!r}, appendonly {appendonly}): rate-limit tags and the "
                    'one-time re-wrap key would land on disk; set `save ""` and `appendonly no` (docs/operations.md, Redis)'
                )
            self.r.ok('Redis keeps nothing on disk (save "", appendonly no)')
        count = int(client.config_get("databases").get("databases") or 16)
        for number in range(count - 1, 0, -1):
            if redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number).dbsize() == 0:
                self.redis_db = number
                break
        else:
            raise Failure("every Redis database number is in use; the check needs an empty one")
        self.r.ok(f"Redis database {self.redis_db} (empty, used by nothing else)")
        return f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.redis_db}"

    def env(self, db_url: str, redis_url: str) -> dict[str, str]:
        tls = self.port(443)
        overrides = {
            "DATABASE_URL": db_url,
            "ALLOWED_HOSTS": f"{self.host},{self.onion}",
            # A browser on a port other than 443 sends it in its Origin; production needs only the onion's.
            "CSRF_TRUSTED_ORIGINS": f"https://{self.host}:{tls},http://{self.onion}",
            "REDIS_URL": redis_url,
            "STATIC_ROOT": str(self.tmp / "static"),
        }
        values = files.fill_example(overrides, lambda: secrets.token_hex(32))
        values = {k: self.move(v) for k, v in values.items()}
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        self.env_file.chmod(0o600)
        self.r.ok(
            f"the example env file, filled in: {len(values)} settings, secrets generated ({', '.join(k for k in values if files.looks_secret(k))})"
        )
        return values

    def prepare(self) -> None:
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("bootstrap", "--username", ADMIN[0], "--password-stdin", stdin=ADMIN[1] + "\n")
        deploy = self.manage("check", "--deploy", "--fail-level", "WARNING", check=False)
        if deploy.returncode != 0:
            raise Failure(f"manage.py check --deploy: {(deploy.stdout + deploy.stderr).strip()[-1500:]}")
        self.r.ok("migrate, collectstatic, bootstrap, check --deploy (clean), all through deploy/manage")
        self.manage("recipient", "add", RECIPIENT_ORG, "--kind", "victim_services", "--contact", "check line")
        made = self.manage("invite", "check-recipient", "--role", "recipient", "--organisation", RECIPIENT_ORG)
        match = re.search(
            r"Invitation link \(shown once, works once, until [^)]*\): \S*?(/staff/invitation/[^/\s]+/)", made.stdout
        )
        if not match:
            raise Failure(f"invite printed no invitation link: {made.stdout}")
        self.recipient = ("check-recipient", match.group(1))
        self.r.ok("first administrator and organisation key (bootstrap), recipient add, invite (a recipient)")

    def unit_env(self, unit: files.Unit) -> dict[str, str]:
        """The environment systemd gives the unit: its Environment= and EnvironmentFile= lines, in order."""
        env = {"PATH": SERVICE_PATH, "LANG": "C.UTF-8", "HOME": str(self.tmp / "home")}
        for line in unit.values("Service", "Environment"):
            for item in shlex.split(line):
                name, _, value = item.partition("=")
                env[name] = value
        for path in unit.values("Service", "EnvironmentFile"):
            optional = path.startswith("-")
            moved = Path(self.move(path.lstrip("-")))
            if moved.exists():
                env.update(read_envfile(moved))
            elif not optional:
                raise Failure(f"{unit.name}: EnvironmentFile {path} does not exist")
        return env

    def pending_here(self, unit: files.Unit) -> bool:
        """Is the unit's manage.py command one this checkout does not have yet? Then it is skipped, said so."""
        command = unit.manage_command
        if command not in files.PENDING_COMMANDS:
            return False
        known = self.manage("help", "--commands").stdout.split()
        if command in known:
            return False
        self.r.skip(unit.name, f"{files.PENDING_COMMANDS[command]}; not in this checkout yet, so not started")
        return True

    def gunicorn_port(self, env: dict[str, str]) -> int:
        """Bind gunicorn to a free local port instead of its own (the unit's, else config/gunicorn.conf.py's)."""
        default = found(
            r'"GUNICORN_BIND", "([^"]+)"', (ROOT / "config" / "gunicorn.conf.py").read_text(encoding="utf-8")
        )
        listening = self.port(int(env.get("GUNICORN_BIND", default).rsplit(":", 1)[1]))
        env["GUNICORN_BIND"] = f"127.0.0.1:{listening}"
        return listening

    def notify_socket(self, unit: files.Unit, env: dict[str, str]) -> socket.socket:
        """The socket a Type=notify unit sends READY=1 to, as systemd's NOTIFY_SOCKET."""
        path = self.tmp / "notify" / unit.name
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(path))
        sock.settimeout(1)
        env["NOTIFY_SOCKET"] = str(path)
        return sock

    @staticmethod
    def wait_ready(unit: files.Unit, proc: subprocess.Popen, log: Path, sock: socket.socket) -> None:
        """Wait up to 60 s for READY=1 on the notify socket (then close it); fail if the unit exits first."""
        deadline = time.monotonic() + 60
        ready = False
        try:
            while time.monotonic() < deadline and not ready:
                if proc.poll() is not None:
                    raise Failure(
                        f"{unit.name} exited with {proc.returncode}: {log.read_text(encoding='utf-8')[-1500:]}"
                    )
                with contextlib.suppress(TimeoutError):
                    ready = b"READY=1" in sock.recv(4096)
        finally:
            sock.close()
        if not ready:
            raise Failure(f"{unit.name} (Type=notify) sent no READY=1 within 60 s")

    def start_unit(self, unit: files.Unit) -> Started | None:
        if self.pending_here(unit):
            return None
        env = self.unit_env(unit)
        argv = [self.move(a) for a in unit.exec_start]
        notify = unit.value("Service", "Type") == "notify"
        listening = self.gunicorn_port(env) if Path(argv[0]).name == "gunicorn" else None
        sock = self.notify_socket(unit, env) if notify else None
        log = self.tmp / f"{unit.name}.log"
        proc = subprocess.Popen(
            argv,
            cwd=self.move(unit.value("Service", "WorkingDirectory") or "/"),
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = Started(unit.name, proc, log)
        self.started.append(started)
        if sock is not None:
            self.wait_ready(unit, proc, log, sock)
        if listening:
            wait_for_port(listening, 30, proc)
        time.sleep(0.5)
        if proc.poll() is not None:
            raise Failure(f"{unit.name} exited with {proc.returncode}: {log.read_text(encoding='utf-8')[-1500:]}")
        how = "READY=1 received" if notify else "running"
        self.r.ok(
            f"{unit.name}: {' '.join(a.replace(str(ROOT), '…') for a in argv[:4])}… ({how}{f', 127.0.0.1:{listening}' if listening else ''})"
        )
        return started

    def start_nginx(self, conf: Path) -> None:
        log = self.tmp / "nginx" / "stderr.log"
        proc = subprocess.Popen(
            [
                shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:{SERVICE_PATH}") or "nginx",
                "-e",
                str(self.tmp / "nginx" / "log" / "startup.log"),
                "-c",
                str(conf),
            ],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.started.append(Started("nginx", proc, log))
        for port in sorted(set(self.ports.values()) & self.nginx_ports()):
            wait_for_port(port, 20, proc)
        self.r.ok(
            f"nginx with the three sites, ports {', '.join(f'{p}→{q}' for p, q in sorted(self.ports.items()) if q in self.nginx_ports())}"
        )

    def nginx_ports(self) -> set[int]:
        ports = set()
        for path in files.NGINX.glob("*.conf"):
            ports |= {self.ports[p] for p in files.listen_ports(path.read_text(encoding="utf-8")) if p in self.ports}
        return ports

    # --- 6. end to end -----------------------------------------------------------------------------------

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.tmp / "tls" / self.host / "fullchain.pem"))
        return context

    def site(self) -> Browser:
        return Browser(self.port(443), self.host, tls=self.tls_context())

    def unavailable_page(self) -> None:
        answer = self.site().get("/", expect=502)
        if "Please try again" not in answer.text:
            raise Failure("with Harbor down, nginx did not show deploy/nginx/harbor-unavailable.html")
        problems = header_problems(dict(answer.headers), https=True) + self.single_hsts(answer)
        if problems:
            raise Failure(f"the unavailable page's headers: {problems}")
        self.r.ok("Harbor down: nginx answers 502 with its own page, in English and Spanish, with Harbor's headers")

    def single_hsts(self, answer: Answer) -> list[str]:
        hsts = answer.all("Strict-Transport-Security")
        nginx = found(
            r'add_header Strict-Transport-Security "([^"]+)"', (files.NGINX / "harbor.conf").read_text(encoding="utf-8")
        )
        return [] if hsts == [nginx] else [f"Strict-Transport-Security sent {len(hsts)} times: {hsts}"]

    def check_headers(self, browser: Browser, https: bool) -> int:
        problems = []
        for label, answer in browser.answers:
            static = "/static/" in label
            found = header_problems(dict(answer.headers), static=static, https=https)
            found += cookie_problems(answer.all("Set-Cookie"), https=True)
            if https:
                found += self.single_hsts(answer)
            if answer.all("Content-Security-Policy") and len(answer.all("Content-Security-Policy")) != 1:
                found.append("more than one Content-Security-Policy")
            if (answer.header("Server") or "").lower() not in ("nginx", ""):
                found.append(f"Server: {answer.header('Server')}")
            problems += [f"{label} ({answer.status}): {p}" for p in found]
        if problems:
            raise Failure("headers: " + "; ".join(problems[:8]))
        return len(browser.answers)

    def report_flow(self) -> str:
        from PIL import Image

        reporter = self.site()
        landing = reporter.get("/")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', landing.text)
        if not stylesheet:
            raise Failure("the landing page links no stylesheet")
        reporter.get(stylesheet.group(1))
        page = reporter.get("/report/")
        form = the_form(page, having="narrative")
        wanted = {
            "crime_types": ["physical_assault", "robbery"],
            "role": ["victim"],
            "injured": ["yes"],
            "consent": ["victim_services"],
            "consent_share_contact": ["no"],
            "contact_method": ["none"],
        }
        for name, values in wanted.items():
            if not set(values) <= form.options(name):
                raise Failure(f"the report form offers no {values} for {name}")
        noise = Image.frombytes("RGB", (2048, 1536), os.urandom(2048 * 1536 * 3))
        photo = io.BytesIO()
        noise.save(photo, "JPEG", quality=92)
        minimum = int(files.example_settings()["HARBOR_MIN_FORM_SECONDS"].value or 4)
        time.sleep(minimum + 0.5)  # a person takes longer than the minimum; so does the check
        confirm = submit(
            reporter,
            "/report/",
            form,
            {**wanted, "area": "Mission District", "narrative": NARRATIVE},
            button="Continue: check before sending",
            files=[("photos", "door.jpg", "image/jpeg", photo.getvalue())],
        )
        if "photo" not in confirm.text.lower():
            raise Failure("the confirmation page does not mention the photo")
        # Post/Redirect/Get: the send answers with a redirect to the receipt page, shown once.
        posted = submit(
            reporter, "/report/", the_form(confirm, having="Send report"), {}, button="Send report", expect=303
        )
        sent = reporter.get(location(posted))
        groups = re.findall(r'<span class="receipt-group">([0-9A-Z]{4})</span>', sent.text)
        if len(groups) != 5:
            raise Failure("the receipt page shows no receipt")
        receipt = "-".join(groups)
        self.r.ok(
            f"reporter: form, preview, send with a {len(photo.getvalue()) // 1024} KiB photo through nginx; receipt {receipt[:4]}-…"
        )
        opened = submit(
            reporter,
            "/check/",
            the_form(reporter.get("/check/"), having="receipt"),
            {"receipt": receipt.replace("-", " ").lower()},
        )
        if CANARY not in opened.text:
            raise Failure("/check/ with the receipt does not show the report")
        self.r.ok(
            f"reporter: /check/ opens the report with the receipt; {self.check_headers(reporter, True)} answers with sound headers and cookies"
        )
        self.receipt_used = receipt
        return receipt

    def onion_flow(self, receipt: str) -> None:
        visitor = Browser(self.port(8081), self.onion, default_port=True)
        visitor.get("/report/")
        opened = submit(visitor, "/check/", the_form(visitor.get("/check/"), having="receipt"), {"receipt": receipt})
        if CANARY not in opened.text:
            raise Failure("the onion server does not open the report with the receipt")
        self.check_headers(visitor, False)
        self.r.ok(
            f"onion server (Host {self.onion[:8]}….onion, no TLS): form page, /check/ with the receipt; cookies Secure, CSRF passes"
        )

    def enrol(self, browser: Browser, answer: Answer, username: str) -> Answer:
        from django_otp.oath import totp

        if location(answer) != "/staff/login/enrol/":
            raise Failure(f"{username}'s first login went to {location(answer)}, not the authenticator enrolment")
        page = browser.get("/staff/login/enrol/")
        secret = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', page.text)
        if not secret:
            raise Failure("the enrolment page shows no authenticator key")
        code = f"{totp(base64.b32decode(secret.group(1))):06d}"
        return submit(browser, "/staff/login/enrol/", the_form(page, having="token"), {"token": code}, button="Confirm")

    def login(self, browser: Browser, username: str, password: str) -> Answer:
        page = browser.get("/staff/login/")
        return submit(
            browser,
            "/staff/login/",
            the_form(page, having="password"),
            {"username": username, "password": password},
            expect=302,
        )

    def staff_flow(self) -> str:
        admin = self.site()
        codes = self.enrol(admin, self.login(admin, *ADMIN), ADMIN[0])
        if "recovery" not in codes.text.lower():
            raise Failure("no recovery codes after enrolment")
        queue = admin.get(location(admin.request("GET", "/staff/")))
        ids = sorted(set(re.findall(r'href="/staff/reports/([0-9a-f]{16,32})/"', queue.text)))
        if len(ids) != 1:
            raise Failure(f"the queue lists {len(ids)} reports, not 1")
        report = admin.get(f"/staff/reports/{ids[0]}/")
        if CANARY not in report.text:
            raise Failure("the report page does not show the narrative")
        photo_path = re.search(r'<img class="staff-photo" src="([^"]+)"', report.text)
        if not photo_path:
            raise Failure("the report page shows no photo")
        photo = admin.get(html.unescape(photo_path.group(1)), slow=True)
        from PIL import Image

        size = Image.open(io.BytesIO(photo.body)).size
        self.r.ok(
            f"administrator: first login with authenticator enrolment (TOTP), the queue, the report and its photo ({size[0]}×{size[1]}, {len(photo.body) // 1024} KiB)"
        )
        choose = admin.get(f"/staff/reports/{ids[0]}/refer/")
        target = re.search(rf'href="(/staff/reports/{ids[0]}/refer/\d+/)"', choose.text)
        if not target:
            raise Failure(f"{RECIPIENT_ORG} is not offered as a recipient")
        build = admin.get(target.group(1))
        form = the_form(build, having="include_narrative")
        sent = submit(admin, target.group(1), form, {"include_narrative": "1"}, button="Encrypt and send", expect=302)
        referral = re.search(r"/staff/referrals/([0-9a-f]+)/", location(sent))
        if not referral:
            raise Failure(f"sending the referral went to {location(sent)}")
        self.check_headers(admin, True)
        self.r.ok("administrator: referral built and sent with the narrative included")
        return referral.group(1)

    def recipient_joins(self) -> Browser:
        """The recipient opens her invitation link, chooses a password and enrols: her key pair exists from now."""
        reader = self.site()
        username, link = self.recipient
        page = reader.get(link)
        password = "recipient passphrase " + secrets.token_hex(8)
        chosen = submit(
            reader,
            link,
            the_form(page, having="new_password"),
            {"new_password": password, "new_password2": password},
            expect=302,
        )
        self.enrol(reader, chosen, username)
        again = reader.request("GET", link)
        if again.status == 200 and "new_password" in again.text:
            raise Failure("an invitation link opened a second time")
        self.r.ok("recipient: the invitation link (a password, enrolment); the link refused a second time")
        return reader

    def recipient_flow(self, reader: Browser, referral: str) -> None:
        inbox = reader.get("/staff/inbox/")
        if referral not in inbox.text:
            raise Failure("the referral is not in the recipient's inbox")
        opened = reader.get(f"/staff/inbox/{referral}/")
        if "took my phone" not in opened.text:
            raise Failure("the recipient's referral does not show the narrative")
        self.check_headers(reader, True)
        self.r.ok("recipient: inbox, the referral with the narrative")

    # --- 7. worker, Redis, oneshot units, restore --------------------------------------------------------

    def worker(self) -> None:
        queued = self.manage("purge_expired", "--enqueue")
        task = re.search(r"task ([0-9a-f-]{36})", queued.stdout)
        if not task:
            raise Failure(f"purge_expired --enqueue printed no task id: {queued.stdout}")
        # Django's task API, asked in one process: the worker should finish it within a minute.
        waited = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "import time\nfrom casework.tasks import purge_expired\n"
            f"r = purge_expired.get_result({task.group(1)!r})\n"
            "for _ in range(120):\n    r.refresh()\n    if r.is_finished: break\n    time.sleep(0.5)\n"
            "print(r.status)",
        )
        status = (waited.stdout.strip().splitlines() or ["?"])[-1]
        if status != "SUCCESSFUL":
            raise Failure(f"the worker left the queued purge {status}")
        self.r.ok("harbor-worker ran a queued task (purge_expired --enqueue): SUCCESSFUL")

    def redis_used(self) -> None:
        import redis

        if self.redis_db is None:
            raise Failure("no Redis database was set up for this check")
        found_keys = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=self.redis_db).keys("*rl:*")
        keys = [k.decode() if isinstance(k, bytes) else str(k) for k in found_keys]
        if not any(k.endswith("rl:submit:all") for k in keys) or not any(
            ":rl:submit:" in k and not k.endswith(":all") for k in keys
        ):
            raise Failure(f"the rate-limit counters are not in Redis database {self.redis_db}: {keys}")
        self.r.ok(f"Redis database {self.redis_db} holds the rate-limit counters ({len(keys)} keys, tags only)")

    def oneshots(self) -> Path:
        for unit in files.units():
            if unit.name.endswith(".service") and not unit.long_running:
                done = run(
                    [self.move(a) for a in unit.exec_start],
                    env=self.unit_env(unit),
                    cwd=self.move(unit.value("Service", "WorkingDirectory") or "/"),
                    check=False,
                    timeout=600,
                )
                if done.returncode != 0:
                    raise Failure(
                        f"{unit.name}: exited {done.returncode}: {(done.stdout + done.stderr).strip()[-1500:]}"
                    )
                said = (done.stdout.strip().splitlines() or ["(nothing)"])[0].replace(str(self.tmp), "…")
                argv = unit.exec_start
                shown = " ".join(argv[argv.index(unit.manage_command) :]) if unit.manage_command else " ".join(argv)
                self.r.ok(f"{unit.name}: {shown} → {said}")
        archives = sorted((self.tmp / "backups").glob("harbor-backup-*.tar.gz"))
        if len(archives) != 1:
            raise Failure(f"HARBOR_BACKUP_DIR holds {len(archives)} archives after harbor-backup.service")
        return archives[0]

    def restore(self, archive: Path) -> None:
        name = f"{self.role}_restored"
        self.databases.append(name)
        self.admin_sql(f"CREATE DATABASE {name} OWNER {self.role}")
        restored_env = self.tmp / "env-restored"
        values = read_envfile(self.env_file)
        values["DATABASE_URL"] = self.db_url.rsplit("/", 1)[0] + "/" + name
        restored_env.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        restored_env.chmod(0o600)
        self.manage("restore", str(archive), env_file=restored_env)
        counted = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from intake.models import Report; from referrals.models import Referral; "
            "from django.contrib.auth import get_user_model as u; "
            "print(Report.objects.count(), Referral.objects.count(), u().objects.count())",
            env_file=restored_env,
        ).stdout.split()
        if counted != ["1", "1", "2"]:
            raise Failure(f"the restored database holds reports, referrals, accounts {counted}, not 1 1 2")
        self.manage("verify_audit", env_file=restored_env)
        again = self.manage("restore", str(archive), check=False)
        if again.returncode == 0 or "Refusing to restore" not in again.stderr:
            raise Failure(f"restore over the database in use was not refused: {again.stdout}{again.stderr}")
        self.r.ok(
            "restore into a second, empty database: 1 report, 1 referral, 2 accounts, audit chain verified; restore over the first refused"
        )

    # --- 8. logs ----------------------------------------------------------------------------------------

    def service_log_problems(self) -> list[str]:
        """Every traceback, error line or IP address in the logs of the units started (nginx apart)."""
        problems = []
        address = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
        for started in self.started:
            if started.name == "nginx":
                continue
            text = started.log.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if "Traceback" in line or " ERROR " in line or "[CRITICAL]" in line or "[ERROR]" in line:
                    problems.append(f"{started.name}: {line[:200]}")
                if address.search(line):
                    problems.append(f"{started.name} logged an address: {line[:200]}")
        return problems

    def nginx_log_problems(self) -> list[str]:
        """Every error in nginx's logs, except the refused connections the unavailable-page check causes."""
        problems = []
        error_log = (self.tmp / "nginx" / "log" / "error.log").read_text(encoding="utf-8", errors="replace")
        for line in error_log.splitlines():
            if (
                any(level in line for level in ("[crit]", "[alert]", "[emerg]", "[error]"))
                and "connect() failed" not in line
            ):
                problems.append(f"nginx: {line[:200]}")
        harbor_errors = self.tmp / "nginx" / "log" / "harbor-error.log"
        if harbor_errors.exists():
            for line in harbor_errors.read_text(encoding="utf-8", errors="replace").splitlines():
                if "connect() failed" not in line:
                    problems.append(f"nginx (harbor-error.log): {line[:200]}")
        return problems

    def logs(self) -> None:
        access = self.tmp / "nginx" / "log" / "access.log"
        if access.exists() and access.stat().st_size:
            raise Failure(f"a server without `access_log off` logged: {access.read_text(encoding='utf-8')[:300]}")
        problems = self.service_log_problems() + self.nginx_log_problems()
        if problems:
            raise Failure("logs: " + "; ".join(problems[:6]))
        if self.root:
            self.r.ok(
                "logs: no access log line, no traceback or error, no address; nginx wrote no temporary file (its workers could not have)"
            )
        else:
            self.r.ok("logs: no access log line, no traceback or error, no address")
            self.r.skip(
                "nginx temporary files",
                "not root: nginx's workers run as this user and could write them, so their absence is not proven",
            )

    # --- 9. this machine ------------------------------------------------------------------------------------

    def installed_env_file(self) -> bool:
        """/etc/harbor/env, if there: not world-readable, every setting known, every required one set."""
        env_file = Path(files.ENV_FILE)
        if not env_file.exists():
            return False
        mode = env_file.stat().st_mode & 0o777
        if mode & 0o007:
            raise Failure(f"{env_file} is readable by everyone (mode {mode:o}); make it 0640 root:harbor")
        names = set(read_envfile(env_file))
        known = set(files.example_settings()) | {f"{n}_FILE" for n in files.example_settings()}
        unknown = sorted(names - known)
        if unknown:
            raise Failure(f"{env_file} sets {', '.join(unknown)}, which Harbor does not read (a typo?)")
        required = [s.name for s in files.example_settings().values() if s.kind.startswith("required")]
        absent = [n for n in required if n not in names and f"{n}_FILE" not in names]
        if absent:
            raise Failure(f"{env_file} lacks {', '.join(absent)}")
        self.r.ok(f"{env_file}: {len(names)} settings, all known, every required one set, not world-readable")
        return True

    def installed_units(self) -> bool:
        """Harbor's units in /etc/systemd/system, if there: systemd-analyze verify passes."""
        installed = [
            Path("/etc/systemd/system") / p.name
            for p in files.UNITS.iterdir()
            if p.suffix in (".service", ".timer", ".target")
        ]
        present = [p for p in installed if p.exists()]
        if not present:
            return False
        done = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", *map(str, present)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise Failure(f"installed units: {(done.stdout + done.stderr).strip()[-1500:]}")
        differ = [
            p.name
            for p in present
            if p.read_text(encoding="utf-8") != (files.UNITS / p.name).read_text(encoding="utf-8")
        ]
        self.r.ok(
            f"installed units verify: {', '.join(p.name for p in present)}"
            + (f" (differ from deploy/systemd: {', '.join(differ)})" if differ else "")
        )
        return True

    def installed_nginx(self) -> bool:
        """Harbor's nginx site, if enabled: nginx -t passes."""
        if not any(Path("/etc/nginx/sites-enabled").glob("harbor*")):
            return False
        done = run(["nginx", "-t"], check=False)
        if done.returncode != 0:
            raise Failure(f"nginx -t (installed configuration): {done.stderr.strip()[-1500:]}")
        self.r.ok("nginx -t: the installed configuration")
        return True

    def installed_tor(self) -> bool:
        """Harbor's torrc, if there: tor --verify-config passes."""
        if not Path("/etc/tor/torrc.d/harbor.conf").exists():
            return False
        done = run(
            [
                "tor",
                "--verify-config",
                "--defaults-torrc",
                "/usr/share/tor/tor-service-defaults-torrc",
                "-f",
                "/etc/tor/torrc",
            ],
            check=False,
        )
        if done.returncode != 0:
            raise Failure(f"tor --verify-config (installed): {(done.stdout + done.stderr).strip()[-1500:]}")
        self.r.ok("tor --verify-config: the installed torrc")
        return True

    def installed(self) -> None:
        found = [self.installed_env_file(), self.installed_units(), self.installed_nginx(), self.installed_tor()]
        if not any(found):
            self.r.skip(
                "this machine",
                "no Harbor installed here (/etc/harbor/env, units, nginx site, torrc): only deploy/ was checked",
            )

    # --- cleanup ----------------------------------------------------------------------------------------------

    def stop_started(self) -> None:
        """Stop every process started, last first: SIGTERM to its group, SIGKILL after 20 s."""
        for started in reversed(self.started):
            if started.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(started.proc.pid, signal.SIGTERM)
                try:
                    started.proc.wait(20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(started.proc.pid, signal.SIGKILL)
                    started.proc.wait(5)
        self.started.clear()

    def drop_throwaways(self) -> list[str]:
        """Drop the throwaway databases, role and Redis database; return what could not be removed."""
        problems = []
        for name in reversed(self.databases):
            try:
                self.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except Exception as exc:  # noqa: BLE001 - report every leftover, then go on
                problems.append(f"database {name}: {exc}")
        self.databases.clear()
        if self.role:
            try:
                self.admin_sql(f"DROP ROLE IF EXISTS {self.role}")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"role {self.role}: {exc}")
            self.role = None
        if self.redis_db is not None:
            try:
                import redis

                redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=self.redis_db).flushdb()
            except Exception as exc:  # noqa: BLE001
                problems.append(f"Redis database {self.redis_db}: {exc}")
            self.redis_db = None
        return problems

    def cleanup(self) -> None:
        self.stop_started()
        problems = self.drop_throwaways()
        if self.policy_rc:
            self.policy_rc.unlink(missing_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        for problem in problems:
            self.r.fail(f"cleanup: {problem}")
        print("== cleaned up: processes stopped, throwaway databases, role and Redis database removed", flush=True)


def stages(report: Report, check: DeployCheck) -> None:
    with report.stage("1. tools"):
        check.tools()
    if report.failures:
        return
    with report.stage("2. the example environment file"):
        check.example()
    with report.stage("3. systemd units"):
        check.systemd()
    conf = None
    with report.stage("4. nginx and tor"):
        conf = check.nginx_test()
        check.tor_test()
    if report.failures or conf is None:
        return
    with report.stage("5. production settings, PostgreSQL, Redis, the units"):
        check.start_nginx(conf)
        check.unavailable_page()
        check.env(check.database(), check.redis())
        check.prepare()
        for unit in files.units():
            if unit.long_running:
                check.start_unit(unit)
    if report.failures:
        return
    with report.stage("6. a report, end to end, through nginx"):
        receipt = check.report_flow()
        check.onion_flow(receipt)
        reader = check.recipient_joins()
        referral = check.staff_flow()
        check.recipient_flow(reader, referral)
    with report.stage("7. worker, Redis, the timers' units, restore"):
        check.worker()
        check.redis_used()
        check.restore(check.oneshots())
    with report.stage("8. logs"):
        check.logs()
    with report.stage("9. this machine"):
        check.installed()


def main() -> int:
    report = Report()
    check = DeployCheck(report)

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    print(f"== make deploy-check: {ROOT}; temporary files in {check.tmp}", flush=True)
    try:
        stages(report, check)
    finally:
        check.cleanup()
    return finish(report)


def finish(report: Report) -> int:
    seconds = time.monotonic() - report.started
    if report.skips:
        print(f"== {len(report.skips)} skipped:")
        for skip in report.skips:
            print(f"   - {skip}")
    if report.failures:
        print(f"== deploy-check FAILED ({len(report.failures)} problems, {seconds:.0f} s):")
        for failure in report.failures:
            print(f"   - {failure}")
        return 1
    print(f"== deploy-check passed in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
