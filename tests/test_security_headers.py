"""Representative pages meet the OWASP Secure Headers rules of tests/owasp_headers.py.

In process under the test settings (every rule but HSTS and Secure cookies, which are
production's), and once under production settings in a subprocess, where those two are
checked as well. `manage.py check --deploy` under production settings is tested in
tests/test_settings.py; scripts/scan.py (`make scan`) checks the same rules on gunicorn.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.casework.conftest import PASSWORD, code_for, make_staff
from tests.conftest import CsrfClient
from tests.owasp_headers import cookie_problems, header_problems

BASE_DIR = Path(settings.BASE_DIR)


def _problems(response, *, static: bool = False, https: bool = False) -> list[str]:
    cookies = [morsel.OutputString() for morsel in response.cookies.values()]
    return header_problems(response.headers, static=static, https=https) + cookie_problems(cookies, https=https)


# --- in process, test settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,status",
    [
        ("/", 200),
        ("/report/", 200),
        ("/es/report/", 200),
        ("/check/", 200),
        ("/no-such-page/", 404),
        ("/report/send/", 405),
        ("/staff/login/", 200),
        ("/staff/", 302),
    ],
)
def test_it_sends_the_owasp_headers_on_every_kind_of_page(client, org_keys, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert _problems(response) == []


def test_it_sends_them_on_a_csrf_failure(org_keys):
    response = Client(enforce_csrf_checks=True).post("/check/", {"receipt": "0000-0000-0000-0000-0000"})
    assert response.status_code == 403
    assert _problems(response) == []


def test_it_sends_them_on_a_static_file_which_may_be_cached(client):
    response = client.get("/static/css/harbor.css")
    assert response.status_code == 200
    assert _problems(response, static=True) == []
    assert "Access-Control-Allow-Origin" not in response


def test_it_sends_them_through_the_staff_login_and_on_a_staff_page(db):
    user = make_staff("headers-advocate", ["advocate"])
    client = CsrfClient()
    steps = [("login form", client.get("/staff/login/"))]
    token = client.token("/staff/login/")
    steps.append(
        (
            "password",
            client.submit(
                "/staff/login/", {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
            ),
        )
    )
    steps.append(("code form", client.get(steps[-1][1]["Location"])))
    token = client.token("/staff/login/")
    steps.append(("code", client.submit("/staff/login/code/", {"token": code_for(user), "csrfmiddlewaretoken": token})))
    steps.append(("home, sent to the queue", client.get("/staff/")))
    steps.append(("queue", client.get("/staff/reports/")))

    assert [response.status_code for _, response in steps] == [200, 302, 200, 302, 302, 200]
    for label, response in steps:
        assert _problems(response) == [], label
    set_cookies = {name for _, response in steps for name in response.cookies}
    assert {"csrftoken", "sessionid", "harbor_unlock"} <= set_cookies


# --- a subprocess under production settings ------------------------------------------------------

_PRODUCTION_REQUESTS = """
import json, re
import django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
client = Client()
answers = {}

def visit(label, path, secure=True, **headers):
    response = client.get(path, secure=secure, headers=headers)
    answers[label] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": [m.OutputString() for m in response.cookies.values()],
        "body": response.content.decode(errors="replace") if "text/html" in response.get("Content-Type", "") else "",
    }
    return response

landing = visit("landing", "/")
visit("report form", "/report/")
visit("check", "/check/")
visit("404", "/no-such-page/")
visit("staff login", "/staff/login/")
stylesheet = re.search(r'href="(/static/[^"]+[.]css)"', landing.content.decode())
visit("static file", stylesheet.group(1))
visit("plain HTTP", "/check/", secure=False)
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory) -> dict:
    """Answers of representative pages under production settings (a fresh SQLite database)."""
    tmp = tmp_path_factory.mktemp("production")
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "HARBOR_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HARBOR_RECEIPT_PEPPER": secrets.token_hex(32),
        "HARBOR_AUDIT_KEY": secrets.token_hex(32),
        "HARBOR_OTP_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp / 'harbor.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_REQUESTS],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_production_pages_meet_every_rule_hsts_and_secure_cookies_included(production_answers):
    for label in ("landing", "report form", "check", "404", "staff login", "static file"):
        answer = production_answers[label]
        assert answer["status"] == (404 if label == "404" else 200), label
        cookies = answer["cookies"]
        problems = header_problems(answer["headers"], static=label == "static file", https=True)
        assert problems + cookie_problems(cookies, https=True) == [], label
    csrf_cookie = [c for c in production_answers["report form"]["cookies"] if c.startswith("csrftoken=")]
    assert csrf_cookie and "Secure" in csrf_cookie[0]


def test_production_sends_plain_http_to_https(production_answers):
    answer = production_answers["plain HTTP"]
    assert answer["status"] == 301
    assert answer["headers"]["Location"] == "https://testserver/check/"


def test_production_pages_name_no_software(production_answers):
    # The headers that would (OWASP's "headers to remove") are checked above; this is the pages.
    for label, answer in production_answers.items():
        assert not re.search(r"django|python|gunicorn|whitenoise", answer["body"], re.IGNORECASE), label
