"""Canaries: nothing a reporter types, and nothing about where they connect from, is kept in the clear.

Every text field of a report holds a unique marker. After a full visit
(report with a photo, receipt, messages, a change of consent, a wrong
receipt, a form error, a refused request) no marker, no form of the receipt,
no client address and no user agent may be found in any table, any log
record, the session store or the cache. The receipt must still open the
report with every marker back.
"""

from __future__ import annotations

import datetime
import io
import logging
import pickle
import secrets
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from intake.fields import TextField
from intake.forms import ReportForm
from intake.models import Report
from intake.services import open_with_receipt
from tests.conftest import FULL_REPORT, CsrfClient, hidden, receipt_in
from tests.intake.conftest import stored_photos, upload
from vault import receipts

pytestmark = pytest.mark.django_db

TEXT_FIELDS = [name for name, field in ReportForm.base_fields.items() if isinstance(field, TextField)]
ADDRESS = "203.0.113.77"
PROXY_ADDRESS = "198.51.100.23"
LOOPBACK = "127.0.0.1"
USER_AGENT = "Mozilla/5.0 (CanaryPhone; UA-" + secrets.token_hex(6) + ")"


def _canaries() -> dict[str, str]:
    out = {}
    for name in TEXT_FIELDS:
        tag = secrets.token_hex(6)
        out[name] = f"canary.{tag}@example.org" if name == "contact_email" else f"Canary-{name}-{tag}"
    return out


def _photo_with_metadata(marker: str) -> bytes:
    exif = Image.Exif()
    exif[0x010E] = marker  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 10, 10)).save(out, "JPEG", exif=exif.tobytes(), comment=marker.encode())
    return out.getvalue()


# --- capture ---------------------------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        text = [record.getMessage(), repr(record.args), repr(vars(record))]
        if record.exc_info:
            text.append(logging.Formatter().formatException(record.exc_info))
        self.lines.append("\n".join(text))


# Loggers forced to DEBUG whatever the configuration says: Harbor's own and
# Django's (which carry requests). Third-party libraries run at the level the
# configuration gives them under LOG_LEVEL=DEBUG, the most an operator can set.
FORCED = ("django", "harbor", "intake", "vault", "casework", "audit", "config", "policy")


@pytest.fixture
def all_logs(caplog):
    """Capture every record at DEBUG, from loggers that propagate and those that do not."""
    caplog.set_level(logging.DEBUG)
    handler = _Capture()
    root = logging.getLogger()
    root.addHandler(handler)
    touched = []
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        if name.split(".")[0] in FORCED:
            caplog.set_level(logging.DEBUG, logger=name)
        if not logger.propagate:
            logger.addHandler(handler)
            touched.append(logger)
    yield handler, caplog
    root.removeHandler(handler)
    for logger in touched:
        logger.removeHandler(handler)


def _as_text(value) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value)
        return "\n".join((value.decode("latin-1"), value.decode("utf-8", "ignore"), value.hex()))
    return str(value)


def _database_dump() -> tuple[str, list[tuple[str, str, object]]]:
    """Return every value of every row of every table, as text, and the datetimes found."""
    parts, datetimes = [], []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    parts.append(f"{table}.{column}={_as_text(value)}")
                    if isinstance(value, datetime.datetime):
                        datetimes.append((table, column, value))
    return "\n".join(parts), datetimes


def _cache_dump() -> str:
    """Every key and value in the cache, in-process (LocMemCache) or in Redis."""
    if hasattr(cache, "_expire_info"):  # LocMemCache: key -> pickled value
        items = list(cache._cache.items())
    else:  # RedisCache: pickled values, but integers as they are
        client = cache._cache.get_client()
        items = [(key.decode(), client.get(key)) for key in client.keys("*")]
    parts = []
    for key, value in items:
        parts.append(_as_text(key))
        parts.append(_as_text(value))
        try:
            parts.append(repr(pickle.loads(value)))  # noqa: S301 - our own cache, in a test
        except pickle.UnpicklingError:
            parts.append(value.decode("latin-1"))
    return "\n".join(parts)


def _session_dump() -> str:
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if hasattr(store, "get_model_class"):
        model = store.get_model_class()
        return "\n".join(f"{s.session_key}={s.session_data}" for s in model.objects.all())
    return ""


def _absent(needles: dict[str, str], haystack: str, where: str) -> None:
    lowered = haystack.lower()
    for label, needle in needles.items():
        assert needle.lower() not in lowered, f"{label} ({needle!r}) found in {where}"
        assert needle.encode().hex() not in lowered, f"{label} found hex-encoded in {where}"


# --- the visit -----------------------------------------------------------------------------


def _visit(org_keys, canaries, extra_markers):
    """Send a full report and use every /check/ action; return (receipt, responses)."""
    responses = []
    client = CsrfClient(HTTP_USER_AGENT=USER_AGENT)  # REMOTE_ADDR is the test client's 127.0.0.1

    def keep(response):
        responses.append(response)
        return response

    assert keep(client.get("/")).status_code == 200
    form = keep(client.get("/report/"))
    data = dict(FULL_REPORT)
    data.update(canaries)
    data.update(
        crime_types=["robbery", "other_violence"],
        contact_method="email",
        consent=["victim_services", "peer_alert"],
        started=hidden(form, "started"),
        csrfmiddlewaretoken=client.token(),
        action="preview",
        photos=upload("IMG_0001.jpg", _photo_with_metadata(extra_markers["photo_metadata"])),
    )

    # A form error first (no role): the text comes back but is not stored.
    broken = dict(data, role="", narrative=extra_markers["unsent_narrative"])
    broken.pop("photos")
    assert keep(client.post("/report/", broken)).status_code == 400

    preview = keep(client.post("/report/", data))
    assert preview.status_code == 200, preview.content.decode()[:2000]
    sent = keep(client.submit("/report/send/", {"draft": hidden(preview, "draft")}))
    assert sent.status_code == 200
    receipt = receipt_in(sent).replace("-", "")
    keep(client.submit("/report/done/", {"written": "on"}))

    # Come back from another address.
    other = {"REMOTE_ADDR": ADDRESS}
    wrong = receipts.generate()
    assert keep(client.submit("/check/", {"receipt": wrong}, **other)).status_code == 400
    page = keep(client.submit("/check/", {"receipt": receipts.display(receipt).lower()}, **other))
    assert page.status_code == 200
    token = hidden(page, "token")
    for kind, marker in (("message", "message"), ("details", "details")):
        response = keep(
            client.submit("/check/message/", {"token": token, "text": extra_markers[marker], "kind": kind}, **other)
        )
        assert response.status_code == 200
    response = keep(client.submit("/check/consent/", {"token": token, "consent": ["health_org"]}, **other))
    assert response.status_code == 200

    # A refused request and a missing page: both are logged by Django.
    raw = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR=ADDRESS)
    assert raw.post("/check/", {"receipt": receipt}).status_code == 403
    assert keep(client.get("/no-such-page/", **other)).status_code == 404
    return receipt, responses, client


def _assert_receipt_opens_everything(receipt: str, canaries: dict[str, str], extra: dict[str, str]) -> None:
    """The receipt opens every field, the consent and messages sent; not the unsent text or the photo's metadata."""
    opened = open_with_receipt(receipt)
    stored = opened.answers()
    for name, canary in canaries.items():
        assert stored.get(name) == canary, name
    assert stored["crime_types"] == ["robbery", "other_violence"]
    assert stored["perp_relationship"] == FULL_REPORT["perp_relationship"]
    assert opened.section("consent")["consent"] == ["health_org"]
    texts = [m["text"] for m in opened.messages()]
    assert texts == [extra["message"], extra["details"]]
    assert extra["unsent_narrative"] not in str(stored)
    photos = stored_photos(receipt)
    assert len(photos) == 1
    assert extra["photo_metadata"].encode() not in photos[0]


def test_it_keeps_no_canary_anywhere(client, org_keys, all_logs):
    capture, caplog = all_logs
    canaries = _canaries()
    extra = {
        "photo_metadata": "Canary-photo-exif-" + secrets.token_hex(6),
        "unsent_narrative": "Canary-unsent-" + secrets.token_hex(6),
        "message": "Canary-message-" + secrets.token_hex(6),
        "details": "Canary-details-" + secrets.token_hex(6),
    }
    # The capture itself works, including for loggers that do not propagate.
    logging.getLogger("django.request").debug("capture-check-one")
    logging.getLogger("harbor").debug("capture-check-two")

    with CaptureQueriesContext(connection) as queries:
        receipt, responses, browser = _visit(org_keys, canaries, extra)

    secrets_to_find = {**{f"field {k}": v for k, v in canaries.items()}, **extra}
    receipt_forms = {
        "receipt": receipt,
        "receipt displayed": receipts.display(receipt),
        "receipt lower case": receipt.lower(),
        "receipt displayed lower case": receipts.display(receipt).lower(),
        "receipt with spaces": receipts.display(receipt).replace("-", " "),
    }
    client_data = {"address": ADDRESS, "loopback": LOOPBACK, "user agent": USER_AGENT, "UA tag": USER_AGENT[-18:-1]}

    dump, datetimes = _database_dump()
    report = Report.objects.get()
    assert report.id in dump and report.lookup_id in dump  # the dump covers the intake tables
    _absent(secrets_to_find, dump, "the database")
    _absent(receipt_forms, dump, "the database")
    _absent(client_data, dump, "the database")

    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert "intake_section" in sql
    _absent(secrets_to_find, sql, "an SQL statement")
    _absent(receipt_forms, sql, "an SQL statement")

    logs = "\n".join(capture.lines) + "\n" + caplog.text + "\n" + "\n".join(r.getMessage() for r in caplog.records)
    assert "capture-check-one" in logs and "capture-check-two" in logs
    assert "Not Found" in logs and "Forbidden" in logs  # Django did log the 404 and the CSRF refusal
    _absent(secrets_to_find, logs, "the logs")
    _absent(receipt_forms, logs, "the logs")
    _absent(client_data, logs, "the logs")

    cached = _cache_dump()
    assert "rl:check_fail" in cached and "rl:submit" in cached  # the counters are there...
    _absent(secrets_to_find, cached, "the cache")  # ...and nothing else
    _absent(receipt_forms, cached, "the cache")
    _absent(client_data, cached, "the cache")

    _absent(secrets_to_find, _session_dump(), "the session store")
    assert _session_dump() == ""
    assert default_storage.listdir("") == ([], [])

    # The anonymous visit set no cookie but the CSRF one.
    assert set(browser.cookies) == {"csrftoken"}
    for response in responses:
        assert set(response.cookies) <= {"csrftoken"}, response.cookies
        assert "sessionid" not in str(response.cookies)

    # The server keeps the hour, not the minute, of anything the reporter did.
    exact = sorted(
        {
            f"{table}.{column}"
            for table, column, value in datetimes
            if table.startswith(("intake_", "audit_")) and (value.minute, value.second, value.microsecond) != (0, 0, 0)
        }
    )
    assert exact == [], f"exact times of what the reporter did: {exact}"

    # And the receipt still opens everything.
    _assert_receipt_opens_everything(receipt, canaries, extra)


def test_it_covers_every_free_text_field():
    # Found by field type, so a new free-text field is covered without editing this file.
    assert {"narrative", "place_precise", "ctx_drugs", "contact_email", "perp_phone"} <= set(TEXT_FIELDS)
    assert "ctx_immigration" not in TEXT_FIELDS  # a choice: set from FULL_REPORT
    assert len(TEXT_FIELDS) >= 20


@override_settings(HARBOR_TRUSTED_PROXY_HEADER="HTTP_X_REAL_IP")
def test_it_keeps_no_forwarded_address(client, org_keys, all_logs):
    capture, caplog = all_logs
    forwarded = {"HTTP_X_REAL_IP": PROXY_ADDRESS, "HTTP_X_FORWARDED_FOR": PROXY_ADDRESS, "HTTP_USER_AGENT": USER_AGENT}
    form = client.get("/report/", **forwarded)
    data = dict(FULL_REPORT, started=hidden(form, "started"), csrfmiddlewaretoken=client.token(), action="preview")
    preview = client.post("/report/", data, **forwarded)
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")}, **forwarded)
    assert sent.status_code == 200
    client.submit("/check/", {"receipt": receipts.generate()}, **forwarded)

    cached = _cache_dump()
    assert "rl:submit" in cached
    dump, _ = _database_dump()
    logs = "\n".join(capture.lines) + caplog.text
    for where, text in (("database", dump), ("cache", cached), ("logs", logs)):
        _absent({"forwarded address": PROXY_ADDRESS, "user agent": USER_AGENT}, text, where)


def test_it_sets_no_cookie_but_csrf_on_any_anonymous_page(client, org_keys):
    for url in ("/", "/report/", "/check/", "/es/", "/es/check/", "/report/done/", "/missing/"):
        response = client.get(url)
        assert set(response.cookies) <= {"csrftoken"}, (url, response.cookies)
    assert set(client.cookies) == {"csrftoken"}
    assert "sessionid" not in client.cookies
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
