"""Logs and error reports carry no client address, no user agent and no form content."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, get_exception_reporter_filter

from config.logging import (
    NoClientDataFilter,
    NoContentExceptionReporterFilter,
    NoTemplateContextFilter,
    is_scrubbed,
    live_handlers,
    scrub,
)

ADDRESS = "203.0.113.77"
ADDRESS6 = "2001:db8::77"
USER_AGENT = "Mozilla/5.0 (LogCanaryPhone 9)"
CANARY = "Canary-narrative-in-a-log-5e1f"
PHONE = "415-555-0199"


def _record(msg, args=(), **extra) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


# --- the filter ----------------------------------------------------------------------------------


def test_it_drops_the_request_from_a_record():
    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT)
    record = _record("Not Found: %s", ("/x",), request=request, server_time="23/Nov/2026 11:22:33", status_code=404)
    assert NoClientDataFilter().filter(record) is True
    assert record.request is None
    assert record.server_time is None
    assert record.getMessage() == "Not Found: /x"


@pytest.mark.parametrize(
    "address",
    [
        "203.0.113.77",
        "10.0.0.1",
        "2001:db8::77",
        "2001:0db8:0000:0000:0000:ff00:0042:8329",
        "fe80::1%eth0",
        "::1",
        "::ffff:203.0.113.77",
        "2001:db8:85a3::8a2e:370:7334",
    ],
)
def test_it_masks_addresses_in_messages(address):
    record = _record('%s - - "POST /report/ HTTP/1.1" 400 from %s, again [%s]:443', ("x", address, address))
    NoClientDataFilter().filter(record)
    message = record.getMessage()
    assert address not in message
    assert address.split("%")[0] not in message
    assert message.count("[address]") == 2
    assert record.args is None


def test_it_keeps_ordinary_text():
    text = "Not Found: /check/message/ (std::vector, ratio 3:2, v1.2)"
    assert scrub(text) == text


def test_it_survives_a_malformed_record():
    record = _record("%d items from " + ADDRESS, ("not a number",))
    assert NoClientDataFilter().filter(record) is True
    assert ADDRESS not in record.getMessage()


def test_it_masks_addresses_in_a_traceback():
    try:
        raise ConnectionError(f"client {ADDRESS} / {ADDRESS6} went away")
    except ConnectionError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", (), sys.exc_info()
        )
    NoClientDataFilter().filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert "ConnectionError" in formatted
    assert ADDRESS not in formatted and ADDRESS6 not in formatted


def test_the_template_filter_drops_the_context_but_keeps_the_message():
    try:
        raise KeyError(f"context {{'narrative': '{CANARY}'}}")
    except KeyError:
        record = logging.LogRecord(
            "django.template",
            logging.DEBUG,
            __file__,
            1,
            "Exception while resolving variable '%s' in template '%s'.",
            ("tag", "bootstrap5/field.html"),
            sys.exc_info(),
        )
    assert NoTemplateContextFilter().filter(record) is True
    formatted = logging.Formatter("%(message)s").format(record)
    assert "Exception while resolving variable 'tag'" in formatted
    assert CANARY not in formatted


def test_the_template_logger_carries_the_filter_itself():
    # On the logger, not a handler: no handler added later can receive the context.
    logger = logging.getLogger("django.template")
    assert any(isinstance(f, NoTemplateContextFilter) for f in logger.filters)


def test_pillow_does_not_log_exif_at_debug():
    assert logging.getLogger("PIL.TiffImagePlugin").getEffectiveLevel() > logging.DEBUG


def test_every_configured_handler_carries_the_filter():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "no_client" in handler.get("filters", []), name
    for handler in logging.getLogger().handlers + logging.getLogger("django.request").handlers:
        if isinstance(handler, logging.StreamHandler) and not type(handler).__module__.startswith("_pytest"):
            assert any(isinstance(f, NoClientDataFilter) for f in handler.filters), handler


def test_djangos_default_handlers_are_replaced_not_layered_under():
    # DEFAULT_LOGGING put an unfiltered console and mail_admins on "django", and a handler on
    # "django.server"; settings.LOGGING_CONFIG takes them off before applying LOGGING.
    handlers = list(live_handlers())
    assert handlers, "no live handler found: the walk is broken"
    assert [h for name, h in handlers if name == "django" or isinstance(h, AdminEmailHandler)] == []
    assert [(name, h) for name, h in handlers if not is_scrubbed(h)] == []


# --- Django's request logging, through the configured handler ---------------------------------------


@pytest.fixture
def console():
    """The configured console handler, writing to a buffer, printing everything on the record."""
    logger = logging.getLogger("django.request")
    handler = next(h for h in logger.handlers if any(isinstance(f, NoClientDataFilter) for f in h.filters))
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    old_formatter = handler.formatter
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s %(message)s request=%(request)s status=%(status_code)s")
    )
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    yield buffer
    logger.setLevel(old_level)
    handler.setFormatter(old_formatter)
    handler.setStream(old_stream)


@pytest.mark.django_db
def test_a_404_is_logged_without_the_address(console):
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT, HTTP_X_FORWARDED_FOR=ADDRESS6)
    assert client.get(f"/no-such-page/{ADDRESS}/").status_code == 404
    output = console.getvalue()
    assert "Not Found" in output
    assert "request=None" in output
    for secret in (ADDRESS, ADDRESS6, USER_AGENT):
        assert secret not in output


@pytest.mark.django_db
def test_a_500_is_logged_without_the_address_or_the_form(console, monkeypatch):
    from intake import views

    def broken(*args, **kwargs):
        raise RuntimeError(f"failed for {ADDRESS}")  # as if a library put the client in its message

    monkeypatch.setattr(views, "ReportForm", broken)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT, raise_request_exception=False)
    response = client.post("/report/", {"narrative": CANARY, "role": "victim"})
    assert response.status_code == 500
    output = console.getvalue()
    assert "Internal Server Error: /report/" in output
    assert "RuntimeError: failed for [address]" in output
    for secret in (ADDRESS, USER_AGENT, CANARY):
        assert secret not in output


# --- exception reports ---------------------------------------------------------------------------------


def _post_request():
    request = RequestFactory().post(
        "/report/",
        {"narrative": CANARY, "contact_phone": PHONE, "csrfmiddlewaretoken": "x" * 32},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=USER_AGENT,
        HTTP_X_FORWARDED_FOR=ADDRESS6,
    )
    return request


def test_the_configured_reporter_filter_is_ours():
    assert isinstance(get_exception_reporter_filter(_post_request()), NoContentExceptionReporterFilter)


def test_the_exception_reporter_filter_hides_every_post_value():
    request = _post_request()
    reporter_filter = NoContentExceptionReporterFilter()
    cleansed = reporter_filter.get_post_parameters(request)
    assert set(cleansed) == {"narrative", "contact_phone", "csrfmiddlewaretoken"}
    assert all(value == reporter_filter.cleansed_substitute for value in cleansed.values())
    assert reporter_filter.get_safe_request_meta(request) == {}
    assert reporter_filter.get_post_parameters(None) == {}


def test_an_exception_report_holds_no_post_value_address_agent_or_local():
    request = _post_request()

    def handle(narrative):
        local_copy = narrative  # noqa: F841 - a frame variable an unfiltered report would print
        raise ValueError("could not store the report")

    try:
        handle(request.POST["narrative"])
    except ValueError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert "could not store the report" in report
        for secret in (CANARY, PHONE, ADDRESS, ADDRESS6, USER_AGENT):
            assert secret not in report, secret


# --- every handler, Django's defaults included, with DEBUG on ---------------------------------------

# A fresh process with DEBUG on: Django's default logging (DEFAULT_LOGGING: a console handler
# active with DEBUG, django.server, mail_admins) is set up exactly as at a real start, and
# everything any handler writes lands on this process's standard error.
_REFUSED_REQUESTS = """
import logging, sys
import django
django.setup()
from django.core.checks import run_checks
from django.test import Client

host4, origin4, referer4, host6, origin6 = sys.argv[1:6]
client = Client(enforce_csrf_checks=True, raise_request_exception=False)
answers = [
    client.get("/", HTTP_HOST=host4).status_code,
    client.get("/", HTTP_HOST=f"[{host6}]").status_code,
    client.post("/check/", {"receipt": "x"}, HTTP_ORIGIN=f"http://{origin4}").status_code,
    client.post("/check/", {"receipt": "x"}, HTTP_ORIGIN=f"http://[{origin6}]:8080").status_code,
    client.post("/check/", {"receipt": "x"}, secure=True, HTTP_REFERER=f"https://{referer4}/").status_code,
    client.get("/no-such-page/", HTTP_REFERER=f"http://{referer4}/from/here").status_code,
]
print(answers, [m.id for m in run_checks() if m.id == "harbor.E010"])
"""

HOST4, ORIGIN4, REFERER4 = "203.0.113.41", "198.51.100.42", "192.0.2.43"
HOST6, ORIGIN6 = "2001:db8::41", "2001:db8:85a3::8a2e:370:42"


def _refused_requests_with_debug(tmp_path) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "HARBOR_ENV": "test",
        "DEBUG": "True",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'harbor.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", _REFUSED_REQUESTS, HOST4, ORIGIN4, REFERER4, HOST6, ORIGIN6],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_with_debug_on_no_handler_logs_a_refused_host_origin_or_referer(tmp_path):
    result = _refused_requests_with_debug(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[400, 400, 403, 403, 403, 404] []"
    output = result.stderr
    # The records were written (the refusals are there), only without the addresses.
    assert "Invalid HTTP_HOST header" in output
    assert "Origin checking failed" in output
    assert "Referer checking failed" in output
    # django.request keeps errors only, so the 404 writes nothing; its Referer must not appear either.
    for address in (HOST4, ORIGIN4, REFERER4, HOST6, ORIGIN6):
        assert address not in output, address
