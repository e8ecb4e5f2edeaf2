"""Steps of the safety-alert flow shared by the referral tests."""

from __future__ import annotations

from referrals.models import Referral
from tests.conftest import CsrfClient


def write_alert(author: CsrfClient, report, **include: str) -> Referral:
    """Build and send a safety alert from ``report`` as ``author``; it then waits for a second advocate.

    ``include`` names the held free-text answers the author ticks, e.g. ``perp_vehicle="1"``.
    """
    data = {"action": "send", **{f"include_{name}": value for name, value in include.items()}}
    response = author.submit(f"/staff/reports/{report.id}/refer/alert/", data)
    assert response.status_code == 302, response.content.decode()[:800]
    return Referral.objects.filter(profile="peer_alert").order_by("-created_at").first()


def publish_alert(reviewer: CsrfClient, alert: Referral, data: dict | None = None):
    """The second advocate publishes ``alert`` (with ``data``'s removals, if any); return the response."""
    return reviewer.submit(f"/staff/alerts/{alert.id}/review/", {"action": "publish", **(data or {})})


def anywhere_in_the_database(needle: bytes) -> list[str]:
    """Tables whose raw rows hold ``needle`` (text or bytes), read as a thief reads a dump."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                    if needle in raw:
                        found.append(table)
    return found
