"""Keep client addresses, user agents and form content out of logs and error reports."""

from __future__ import annotations

import ipaddress
import logging
import logging.config
import re
from collections.abc import Iterator

from django.utils.log import DEFAULT_LOGGING
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


def configure(config: dict) -> None:
    """Apply ``config`` in place of Django's default logging, not on top of it.

    Django calls this (settings.LOGGING_CONFIG) just after applying its own
    DEFAULT_LOGGING, whose handlers (``console``, active with DEBUG;
    ``django.server``; ``mail_admins``) carry no address filter: with DEBUG
    on, the console printed the Host and Origin of every refused request.
    They are taken off their loggers first, so the only handlers left are
    those of ``config``, each with ``no_client`` (system check harbor.E010).
    """
    for name in DEFAULT_LOGGING["loggers"]:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    logging.config.dictConfig(config)


def live_handlers() -> Iterator[tuple[str, logging.Handler]]:
    """Yield (logger name, handler) for every handler on a logger now, each once.

    Skipped, since they write nowhere: NullHandler, and pytest's capture
    handlers, which hold records in memory for the test report.
    """
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    seen: set[int] = set()
    for logger in loggers:
        for handler in logger.handlers:
            if id(handler) in seen or isinstance(handler, logging.NullHandler):
                continue
            seen.add(id(handler))
            if not type(handler).__module__.startswith("_pytest."):
                yield logger.name, handler


def is_scrubbed(handler: logging.Handler) -> bool:
    """Whether a handler passes every record through NoClientDataFilter first."""
    return any(isinstance(f, NoClientDataFilter) for f in handler.filters)


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
