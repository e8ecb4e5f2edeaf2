"""Keep client addresses, user agents and form content out of logs and error reports."""

from __future__ import annotations

import ipaddress
import logging
import re

from django.views.debug import SafeExceptionReporterFilter

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b")


# Anything that could be a compressed IPv6 address ("2001:db8::1", "::1",
# "fe80::1%eth0", "::ffff:203.0.113.7"); ipaddress decides whether it is one.
_IPV6_CANDIDATE = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f:.]*::?[0-9A-Fa-f:.]*(?:%[0-9A-Za-z_.-]+)?")


def _mask_ipv6(match: re.Match) -> str:
    text = match.group(0)
    try:
        ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return text
    return "[address]"


def scrub(text: str) -> str:
    """Return text with anything shaped like an IP address masked."""
    text = _IPV6_CANDIDATE.sub(_mask_ipv6, text)
    return _IPV6.sub("[address]", _IPV4.sub("[address]", text))


class NoClientDataFilter(logging.Filter):
    """Drop the request from log records and mask addresses in the message.

    Django's request and server loggers attach the request (with REMOTE_ADDR
    and the user agent) to each record; a handler or formatter could print it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        for attr in ("request", "server_time"):
            if hasattr(record, attr):
                setattr(record, attr, None)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record must not break logging
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class NoTemplateContextFilter(logging.Filter):
    """Drop the traceback of a failed template variable lookup.

    ``django.template`` logs it at DEBUG with the exception, whose message is
    the whole template context: the form a reporter filled in, or a report
    opened with its receipt. The message (variable and template names) stays.
    Put on the logger, not a handler, so no handler can ever receive it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


class NoContentExceptionReporterFilter(SafeExceptionReporterFilter):
    """Report no request data at all: every POST value and header is hidden."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        return {}

    def get_traceback_frame_variables(self, request, tb_frame):
        return []
