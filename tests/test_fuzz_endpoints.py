"""Hostile input on every URL: whatever arrives, the answer is never a 5xx.

Every URL the resolver knows (the reporter's pages under / and /es/, the staff dashboard, the
referrals) is requested by four clients, anonymous, an advocate, a recipient and an administrator
(who also holds the organisation key), each holding a real CSRF token so the request reaches the
view. Hypothesis draws the rest: the method, the path
parameters (real ids, ids with odd characters), a query string (non-UTF-8 bytes included) and a
body (form fields from the real forms with hostile values, thousands of fields, multipart
well-formed and broken, the wrong Content-Type, a lying Content-Length), and sometimes a tampered
cookie. The property: the status is below 500 and no exception escaped.

The staff log in once for the module (a TOTP code cannot be used twice); each example then runs
in a savepoint that is rolled back, with the client's cookies restored, so one example's logout
or edit never changes what the next one sees. ``derandomize`` keeps CI stable.
"""

from __future__ import annotations

import copy
import inspect
import io
import os
import re
import traceback
from dataclasses import dataclass, field
from urllib.parse import quote, quote_from_bytes

import pytest
from django import forms
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import forms as casework_forms
from casework import forms_admin, invitations
from casework.models import Organisation
from intake import forms as intake_forms
from intake import services as intake_services
from intake.models import Attachment, Report
from intake.views import _started_token
from referrals import alerts
from referrals import forms as referral_forms
from referrals.models import Referral
from resources import forms as resource_forms
from resources.models import Resource
from tests.casework.conftest import PASSWORD, make_staff, staff_login
from tests.conftest import FULL_REPORT, CsrfClient, fill_and_preview, hidden, submit_report
from tests.intake.conftest import jpeg_bytes, upload
from tests.referrals.support import write_alert
from vault import receipts
from vault.custody import create_org_key, forget_active_org_key, grant, open_grant, unlock_staff_key
from vault.models import OrgKey

ROLES = ("anonymous", "advocate", "recipient", "admin")
# Per URL and role (about 1,200 requests in all); HARBOR_FUZZ_EXAMPLES=200 for a deep run by hand.
EXAMPLES = int(os.environ.get("HARBOR_FUZZ_EXAMPLES", "6"))

# --- the URLs ----------------------------------------------------------------------------------


def _routes() -> list[tuple[str, str]]:
    """Return (name, route) for every URL pattern, with each language prefix spelled out."""
    found: list[tuple[str, str]] = []

    def walk(entries, prefixes: list[str], namespace: str) -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                if isinstance(entry.pattern, LocalePrefixPattern):
                    inner = [p + lang for p in prefixes for lang in ("", "es/")]
                else:
                    inner = [p + str(entry.pattern) for p in prefixes]
                walk(entry.url_patterns, inner, entry.namespace or namespace)
            else:
                found.extend((f"{namespace}:{entry.name}", "/" + p + str(entry.pattern)) for p in prefixes)

    walk(get_resolver().url_patterns, [""], "")
    return found


ROUTES = _routes()
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def test_every_url_is_fuzzed():
    names = {name for name, _route in ROUTES}
    assert {n.split(":")[0] for n in names} == {"intake", "casework", "referrals", "resources", "public", ""}
    # The addresses outside the apps: the icon, and the English landing page that `/` cannot be
    # for a browser asking another language (config.languages).
    assert {n for n in names if n.startswith(":")} == {":favicon", ":landing_en"}
    routes = [route for _name, route in ROUTES]
    assert "/check/message/" in routes and "/es/check/message/" in routes
    assert "/staff/inbox/<hexid:referral_id>/print/" in routes
    assert len(ROUTES) >= 50


# --- the world the URLs point at ---------------------------------------------------------------


@dataclass
class World:
    clients: dict[str, CsrfClient]
    cookies: dict[str, object]
    ids: dict[str, list[str]]
    values: list[str] = field(default_factory=list)

    def token(self, role: str) -> str:
        return self.cookies[role]["csrftoken"].value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A report with a photo, a referral, and logged-in clients, committed for the whole module."""
    with django_db_blocker.unblock():
        cache.clear()
        forget_active_org_key()
        organisation = Organisation.objects.create(name="Victim Services Unit", kind="victim_services")
        advocate = make_staff("advocate", ["advocate"])
        recipient = make_staff("recipient", ["recipient"], organisation=organisation)
        admin = make_staff("admin", ["admin"])
        org_key = create_org_key(advocate.vault_key)
        grant(
            org_key, open_grant(org_key.grants.get(), unlock_staff_key(advocate.vault_key, PASSWORD)), admin.vault_key
        )

        reporter = CsrfClient()
        receipt, _ = submit_report(reporter, files={"photos": upload("IMG_0001.jpg", jpeg_bytes())})
        report = Report.objects.get()
        draft = hidden(fill_and_preview(reporter), "draft")
        check = intake_services.seal_check(intake_services.open_with_receipt(receipt))
        photos = intake_services.seal_photos([jpeg_bytes()])

        clients = {"anonymous": reporter}
        for user in (advocate, recipient, admin):
            clients[user.username] = CsrfClient(raise_request_exception=False)
            staff_login(clients[user.username], user)
        reporter.raise_request_exception = False
        sent = clients["advocate"].submit(f"/staff/reports/{report.id}/refer/{organisation.pk}/", {"action": "send"})
        assert sent.status_code == 302, sent.content.decode()[:500]
        referral = Referral.objects.get()
        alert_report = CsrfClient()
        submit_report(alert_report, dict(FULL_REPORT, consent=["peer_alert"]))
        alert = write_alert(clients["advocate"], Report.objects.exclude(pk=report.pk).get(), perp_vehicle="1")
        subscriber, token = alerts.create_subscriber(admin, "outreach van", "en")
        resource = Resource.objects.create(name="Hotline", helps_with_en="Help", helps_with_es="Ayuda", phone="988")

        issued = invitations.invite("admin", "invitee", ["advocate"])
        ids = {
            "invitation_id": [str(issued.invitation.pk)],
            "org_id": [str(organisation.pk)],
            "token": [issued.token, issued.token[:-1], token],  # an invitation's and a feed's
            "report_id": [report.id],
            "item": [Attachment.objects.get().item],
            "referral_id": [referral.id],
            "target": [str(organisation.pk), "alert"],
            "user_id": [str(advocate.pk), str(recipient.pk), str(admin.pk)],
            "key_id": [OrgKey.objects.get().key_id],
            "alert_id": [alert.id],
            "subscriber_id": [str(subscriber.pk)],
            "resource_id": [str(resource.pk)],
        }
        values = [draft, check, photos, _started_token(), receipt, receipt.replace("-", "").lower()]
        yield World(clients, {r: copy.deepcopy(c.cookies) for r, c in clients.items()}, ids, values)
        call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    forget_active_org_key()


# --- what a hostile client sends ----------------------------------------------------------------


def _form_fields() -> dict[str, list[str]]:
    """Every field of every form on the site → the values its choices accept (none for free text)."""
    fields: dict[str, list[str]] = {}
    for module in (intake_forms, casework_forms, forms_admin, referral_forms, resource_forms):
        for _name, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.BaseForm) and form_class.__module__ == module.__name__:
                for name, form_field in form_class.base_fields.items():
                    plain = isinstance(form_field, forms.ChoiceField) and not isinstance(
                        form_field, forms.ModelChoiceField
                    )
                    choices = [str(v) for v, _label in form_field.choices if v != ""] if plain else []
                    fields.setdefault(name, []).extend(choices)
    return fields


FIELDS = _form_fields()
# Names the views read from request.POST or request.GET directly, not through a form.
FIELDS.update(
    action=["preview", "edit", "send", "message", "status", "retract", "publish", "send_back"],
    draft=[],
    token=[],
    pending_text=[],
    page=["1", "2", "0", "-1", "last", "99999999999999999999"],
    next=["/staff/", "//evil.example/", "/staff/../x", "javascript:alert(1)"],
    locked=["1"],
)
FIELDS.update({f"{prefix}_{name}": [] for prefix in ("text", "drop") for name in intake_forms.ReportForm.base_fields})
FIELDS.pop("csrfmiddlewaretoken", None)
NAMES = sorted(FIELDS)

ODD = (
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\xa0\u00ad\u034f\u061c\u200b\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff\ufffd\uffff\U0010ffff"
    "🙂👩🏽‍🦱🏳️‍⚧️ﷺ𒐫Ꙃ\u0301\u0362İßﬁ日本العربيةעברית<>\"'&%;=+?#/\\`${}"
)
odd_text = st.text(alphabet=st.sampled_from(ODD), max_size=60)
long_text = st.builds(
    lambda c, n: c * n, st.sampled_from(["a", "\x00", "🙂", "\u202e", "é", "<", "%", "&"]), st.integers(300, 60_000)
)
# Bytes no UTF-8 decoder accepts: stray continuation, overlong NUL, a lone surrogate, past U+10FFFF.
BAD_UTF8 = [
    b"",
    b"\xff",
    b"\xfe\xff",
    b"\x80",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
]


def values_for(world: World, name: str):
    known = FIELDS.get(name) or []
    text = st.one_of(st.text(max_size=40), odd_text, long_text, st.sampled_from(world.values))
    if known:
        text = st.one_of(st.sampled_from(known), text)
    return st.tuples(text, st.sampled_from(BAD_UTF8)).map(lambda t: t[0].encode("utf-8") + t[1])


names = st.one_of(
    st.sampled_from(NAMES),
    st.text(max_size=20),
    st.sampled_from(["", "\x00", "a[]", "a[b]", "%", "%%%", "&", "=", "\u202e", "🙂", "x" * 5000]),
)


@st.composite
def fields(draw, world: World, max_size: int = 12) -> list[tuple[bytes, bytes]]:
    out = []
    for name in draw(st.lists(names, max_size=max_size)):
        value = draw(values_for(world, name))
        out.append((name.encode("utf-8", "surrogatepass"), value))
    return out


def urlencode(pairs: list[tuple[bytes, bytes]], raw: bool) -> bytes:
    if raw:  # as a broken client sends it: nothing escaped
        return b"&".join(k + b"=" + v for k, v in pairs)
    return b"&".join(
        quote_from_bytes(k, safe="").encode() + b"=" + quote_from_bytes(v, safe="").encode() for k, v in pairs
    )


@st.composite
def query_strings(draw, world: World) -> str:
    """A query string as WSGI hands it over: the raw bytes, decoded as Latin-1."""
    kind = draw(st.sampled_from(["none", "fields", "raw", "bytes"]))
    if kind == "none":
        return ""
    if kind == "bytes":
        return draw(st.binary(max_size=200)).decode("latin-1")
    return urlencode(draw(fields(world, 6)), raw=kind == "raw").decode("latin-1")


FILES = [b"", b"\xff\xd8\xff", b"GIF89a", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, b"%PDF-1.4", b"\x00" * 1000]


def _file_part(draw) -> bytes:
    """One file part: an odd filename, odd content, an odd Content-Type."""
    filename = draw(
        st.one_of(st.sampled_from(["a.jpg", "", "../../etc/passwd", "\x00.jpg", "\u202egpj.exe"]), st.text(max_size=30))
    )
    content = draw(st.one_of(st.sampled_from(FILES), st.binary(max_size=300), st.just(jpeg_bytes())))
    ctype = draw(st.sampled_from(["image/jpeg", "application/octet-stream", "text/plain; charset=no-such", "", "\x00"]))
    field_name = draw(st.sampled_from(["photos", "photos", "receipt", "x"]))
    return (
        f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'.encode(
            "utf-8", "surrogatepass"
        )
        + (f"Content-Type: {ctype}\r\n".encode() if ctype else b"")
        + b"\r\n"
        + content
    )


# Each way of breaking a multipart body: (draw, body, boundary) -> the broken body. The two that
# break the Content-Type header's boundary instead are in BOUNDARY_DAMAGE.
BODY_DAMAGE = {
    "truncate": lambda draw, body, boundary: body[: draw(st.integers(0, max(0, len(body) - 1)))],
    "no-end": lambda draw, body, boundary: body[: -len(b"--" + boundary.encode()) - 4],
    "no-headers": lambda draw, body, boundary: body.replace(b"Content-Disposition: form-data; ", b""),
    "huge-header": lambda draw, body, boundary: body.replace(
        b"\r\n\r\n", b"\r\nX-Filler: " + b"h" * draw(st.integers(10_000, 300_000)) + b"\r\n\r\n", 1
    ),
    "lf-only": lambda draw, body, boundary: body.replace(b"\r\n", b"\n"),
    "no-disposition": lambda draw, body, boundary: body.replace(b"Content-Disposition", b"Content-Dispositio"),
    "base64": lambda draw, body, boundary: body.replace(b"\r\n\r\n", b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
    "garbage-after": lambda draw, body, boundary: body + draw(st.binary(max_size=200)),
    "nested": lambda draw, body, boundary: body.replace(
        b"form-data;",
        b'form-data; name="n"\r\nContent-Type: multipart/mixed; boundary=' + boundary.encode() + b"\r\n",
        1,
    ),
}
BOUNDARY_DAMAGE = {"wrong-boundary": lambda boundary: "not-" + boundary, "no-boundary": lambda boundary: ""}
DAMAGE = [
    "none",
    "none",
    "truncate",
    "wrong-boundary",
    "no-boundary",
    "no-end",
    "no-headers",
    "huge-header",
    "lf-only",
    "no-disposition",
    "base64",
    "garbage-after",
    "nested",
]


@st.composite
def multipart(draw, world: World, csrf: str) -> tuple[bytes, str]:
    """A multipart body from form fields and files, then (sometimes) broken in one of many ways."""
    boundary = draw(st.sampled_from(["XYZ", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b", "é", "B" * 80]))
    pairs = [(b"csrfmiddlewaretoken", csrf.encode()), *draw(fields(world))]
    parts = []
    for name, value in pairs:
        parts.append(b'Content-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value)
    for _ in range(draw(st.integers(0, 3))):
        parts.append(_file_part(draw))
    sep = b"--" + boundary.encode()
    body = b"".join(sep + b"\r\n" + part + b"\r\n" for part in parts) + sep + b"--\r\n"
    damage = draw(st.sampled_from(DAMAGE))
    if damage in BODY_DAMAGE:
        body = BODY_DAMAGE[damage](draw, body, boundary)
    header_boundary = BOUNDARY_DAMAGE[damage](boundary) if damage in BOUNDARY_DAMAGE else boundary
    content_type = "multipart/form-data" + (f"; boundary={header_boundary}" if header_boundary else "")
    if draw(st.booleans()):
        content_type += draw(st.sampled_from(["; charset=utf-8", "; charset=no-such-charset", "; charset=", ";;;"]))
    return body, content_type.encode("utf-8").decode("latin-1")


@dataclass
class Hostile:
    method: str
    path: str
    query: str
    body: bytes
    content_type: str | None
    content_length: str | None
    headers: dict[str, str]
    cookies: str

    def __repr__(self) -> str:  # hypothesis prints this on failure: keep the body readable
        body = self.body if len(self.body) < 600 else self.body[:600] + b"...(%d bytes)" % len(self.body)
        return (
            f"Hostile({self.method} {self.path!r}?{self.query[:300]!r} type={self.content_type!r} "
            f"length={self.content_length!r} cookies={self.cookies} headers={self.headers!r} body={body!r})"
        )


ODD_IDS = [
    "0" * 32,
    "0" * 31,
    "0" * 33,
    "F" * 32,
    "-1",
    "0",
    "1e3",
    "²",
    "٣",
    "１",
    "9" * 40,
    " 1",
    "1 ",
    "alert ",
    "%00",
    "a%00b",
    "%2e%2e",
    ".",
    "..",
    "%FF",
    "%ED%A0%80",
    "%C0%80",
    "%E2%80%AE",
    "%F0%9F%99%82",
    "x" * 3000,
    "%3Cscript%3E",
    "%25",
    "%20",
]


@st.composite
def path_for(draw, world: World, route: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group("name")
        real = world.ids.get(name, [])
        kinds = ["real", "real", "odd", "odd", "text", "bytes", "mangled"]
        choice = draw(st.sampled_from(kinds if real else kinds[2:-1]))
        if choice == "real":
            return draw(st.sampled_from(real))
        if choice == "odd":
            return draw(st.sampled_from(ODD_IDS))
        if choice == "text":
            return quote(draw(st.text(min_size=1, max_size=40)), safe="")
        if choice == "bytes":
            return quote_from_bytes(draw(st.binary(min_size=1, max_size=40)), safe="")
        real_id = draw(st.sampled_from(real))
        return draw(st.sampled_from([real_id.upper(), real_id + "%00", real_id[:-1], real_id + "0", "%20" + real_id]))

    return PARAMETER.sub(value, route)


@st.composite
def hostile(draw, world: World, role: str, route: str) -> Hostile:
    csrf = world.token(role)
    method = draw(st.sampled_from(["GET", "POST", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]))
    kind = draw(st.sampled_from(["none", "form", "form", "raw-form", "many", "multipart", "multipart", "other"]))
    content_type: str | None = None
    if kind == "none":
        body = b""
    elif kind in ("form", "raw-form"):
        pairs = [(b"csrfmiddlewaretoken", csrf.encode()), *draw(fields(world))]
        body = urlencode(draw(st.permutations(pairs)), raw=kind == "raw-form")
        content_type = "application/x-www-form-urlencoded"
    elif kind == "many":  # far past DATA_UPLOAD_MAX_NUMBER_FIELDS
        count = draw(st.integers(401, 5000))
        body = b"&".join(b"f%d=x" % i for i in range(count))
        content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", None]))
        if content_type is None:
            boundary = b"M"
            body = (
                b"".join(b'--M\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i for i in range(count))
                + b"--"
                + boundary
                + b"--\r\n"
            )
            content_type = "multipart/form-data; boundary=M"
    elif kind == "multipart":
        body, content_type = draw(multipart(world, csrf))
    else:
        body = draw(st.one_of(st.binary(max_size=500), st.just(b'{"receipt": "x", "draft": null}'), st.just(b"<xml/>")))
        content_type = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "application/json",
                        "text/plain",
                        "application/xml",
                        "multipart/mixed; boundary=x",
                        "application/x-www-form-urlencoded; charset=no-such-charset",
                        "",
                        ";",
                        "multipart/form-data; boundary=",
                    ]
                ),
                st.text(max_size=60).map(lambda s: s.encode("utf-8", "surrogatepass").decode("latin-1")),
            )
        )
    if content_type is not None and draw(st.integers(0, 9)) == 0:
        content_type = content_type.replace("form", "fo\x00rm")
    content_length = str(len(body)) if body or content_type else None
    if draw(st.integers(0, 5)) == 0:
        content_length = draw(
            st.one_of(
                st.sampled_from(
                    ["", "abc", "-1", "-99999999999", "1e9", "0x10", " 12", "99999999999999999999999", "0"]
                ),
                st.integers(0, 2 * len(body) + 10).map(str),
            )
        )
    headers = {"HTTP_X_CSRFTOKEN": csrf} if draw(st.integers(0, 9)) else {}
    if draw(st.booleans()):
        headers["HTTP_ACCEPT_LANGUAGE"] = draw(
            st.sampled_from(["es", "es-MX,es;q=0.9", "*", "x" * 600, "en;q=abc", ";;;,", "zz-ZZ"])
        )
    if draw(st.integers(0, 7)) == 0:
        headers["REMOTE_ADDR"] = draw(st.sampled_from(["", "::1", "not an address", "203.0.113.9, 10.0.0.1"]))
    cookies = draw(st.sampled_from(["kept", "kept", "kept", "no-unlock", "no-session", "junk-unlock", "junk-session"]))
    return Hostile(
        method=method,
        path=draw(path_for(world, route)),
        query=draw(query_strings(world)),
        body=body,
        content_type=content_type,
        content_length=content_length,
        headers=headers,
        cookies=cookies,
    )


def send(world: World, role: str, request: Hostile):
    """Send one hostile request as ``role`` and roll back whatever it changed."""
    client = world.clients[role]
    client.cookies = copy.deepcopy(world.cookies[role])
    if request.cookies == "no-unlock":
        client.cookies.pop("harbor_unlock", None)
    elif request.cookies == "no-session":
        client.cookies.pop("sessionid", None)
    elif request.cookies == "junk-unlock":
        client.cookies["harbor_unlock"] = "AAAA" + "é"
    elif request.cookies == "junk-session":
        client.cookies["sessionid"] = "x" * 40
    cache.clear()
    forget_active_org_key()
    extra = dict(request.headers)
    extra["QUERY_STRING"] = request.query
    extra["wsgi.input"] = io.BytesIO(request.body)
    if request.content_type is not None:
        extra["CONTENT_TYPE"] = request.content_type
    if request.content_length is not None:
        extra["CONTENT_LENGTH"] = request.content_length
    with transaction.atomic():
        response = client.generic(request.method, request.path, **extra)
        transaction.set_rollback(True)
    return response


def assert_no_5xx(response, request: Hostile) -> None:
    exc_info = getattr(response, "exc_info", None)
    detail = "".join(traceback.format_exception(*exc_info)) if exc_info else ""
    assert response.status_code < 500, f"{response.status_code} for {request!r}\n{detail}"
    assert exc_info is None, f"unhandled exception for {request!r}\n{detail}"


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", [route for _name, route in ROUTES])
@FUZZ
@given(data=st.data())
def test_it_never_answers_5xx(world, role, route, data):
    request = data.draw(hostile(world, role, route), label="request")
    assert_no_5xx(send(world, role, request), request)


@pytest.mark.django_db
def test_the_clients_are_who_they_say(world):
    """The fuzzing above means something only if the staff clients really are logged in and unlocked."""
    ok = Hostile("GET", "/staff/reports/", "", b"", None, None, {}, "kept")
    assert send(world, "advocate", ok).status_code == 200
    assert send(world, "recipient", Hostile("GET", "/staff/inbox/", "", b"", None, None, {}, "kept")).status_code == 200
    assert send(world, "anonymous", ok).status_code == 302
    # And a tampered unlock cookie sends the advocate to log in again, rather than failing.
    locked = send(world, "advocate", Hostile("GET", "/staff/reports/", "", b"", None, None, {}, "junk-unlock"))
    assert locked.status_code == 302 and "locked=1" in locked["Location"]
    assert receipts.normalize(world.values[4])
