"""Every word a safety alert's readers see: subscribers' feeds and the printed bulletin.

Alerts are read by workers, as the reporter's pages are, so these words are in the reporter
catalogues (all eight languages). The Makefile's `messages` target extracts this one file of
referrals/ for them (STAFF_ONLY ignores `referrals/[!r]*`); the rest of referrals/ is staff-side.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def safety_alerts() -> str:
    return _("Safety alerts")


def feed_subtitle() -> str:
    return _("Warnings about people who hurt workers. Nothing about who reported. Share them by word of mouth.")


def alert_title(what: str) -> str:
    """An alert's title from what happened ("Safety alert: Robbery ..."), or the bare title."""
    return _("Safety alert: %(what)s") % {"what": what} if what else _("Safety alert")


def published_line(published: date, until: date) -> str:
    return _("Published %(published)s; shown until %(until)s.") % {
        "published": date_format(published, "DATE_FORMAT"),
        "until": date_format(until, "DATE_FORMAT"),
    }


def bulletin_intro(today: date) -> str:
    return _("Warnings about people who hurt workers, as of %(date)s. Nothing here is about who reported.") % {
        "date": date_format(today, "DATE_FORMAT")
    }


def no_alerts() -> str:
    return _("No alerts are published right now.")


def made_on_request() -> str:
    return _("Made on request; Harbor does not keep this file.")
