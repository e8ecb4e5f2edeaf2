"""The published safety alerts as an Atom feed (RFC 4287), for one subscriber's secret link.

Written by hand over Django's SimplerXMLGenerator rather than with
django.utils.feedgenerator, so that nothing goes out that is not listed here:
no link (Atom needs none when an entry has content), no self link (it would
copy the secret token into every saved copy of the feed), no time finer than
the day, and ids that are random per alert (``PublishedAlert.id``) and per
subscriber (``AlertSubscriber.feed_id``), derived from no referral or report.
"""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

from django.conf import settings
from django.utils.translation import get_language
from django.utils.xmlutils import SimplerXMLGenerator

from referrals import policy_bridge, readers
from referrals.alerts import Published

ATOM = "http://www.w3.org/2005/Atom"
# XML 1.0 cannot carry these; a reporter's text could hold one.
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _day(day: date) -> str:
    """A day as an RFC 3339 time: midnight UTC, so no entry says more than its day."""
    return f"{day.isoformat()}T00:00:00Z"


def title(item: Published) -> str:
    """An alert's title: what happened, in the subscriber's language."""
    rows = dict(policy_bridge.body_rows({"fields": [f for f in item.fields if f["id"] == "crime_types"]}))
    what = next(iter(rows.values()), "")
    return readers.alert_title(what)


def lines(item: Published) -> list[str]:
    """An alert's text as lines "Label: value", then the days it was published and is shown until."""
    out = [f"{label}: {value}" for label, value in policy_bridge.body_rows({"fields": item.fields})]
    out.append(readers.published_line(item.published_on, item.until))
    return out


def render(feed_id: str, items: list[Published], today: date) -> bytes:
    """Return the Atom document of ``items`` for the feed ``feed_id``, in the active language."""
    out = StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    xml.startElement("feed", {"xmlns": ATOM, "xml:lang": get_language() or "en"})  # type: ignore[arg-type]  # django-stubs types the attrs as SAX AttributesImpl; Django passes a dict
    xml.addQuickElement("id", f"urn:uuid:{feed_id}")
    xml.addQuickElement("title", readers.safety_alerts())
    xml.addQuickElement("subtitle", readers.feed_subtitle())
    xml.addQuickElement("updated", _day(max((i.published_on for i in items), default=today)))
    xml.startElement("author", {})  # type: ignore[arg-type]  # django-stubs types the attrs as SAX AttributesImpl; Django passes a dict
    xml.addQuickElement("name", settings.HARBOR_ORG_NAME or settings.HARBOR_SITE_TITLE)
    xml.endElement("author")
    for item in items:
        xml.startElement("entry", {})  # type: ignore[arg-type]  # django-stubs types the attrs as SAX AttributesImpl; Django passes a dict
        xml.addQuickElement("id", f"urn:uuid:{item.public_id}")
        xml.addQuickElement("title", _clean(title(item)))
        xml.addQuickElement("published", _day(item.published_on))
        xml.addQuickElement("updated", _day(item.published_on))
        xml.addQuickElement("content", _clean("\n".join(lines(item))), {"type": "text"})
        xml.endElement("entry")
    xml.endElement("feed")
    xml.endDocument()
    return out.getvalue().encode("utf-8")
