"""Ids in URLs: anything Harbor did not issue is a 404, on SQLite and PostgreSQL alike.

tests/test_fuzz_endpoints.py found these on PostgreSQL: a NUL byte in a report or referral id
reached the database (which refuses NUL in text) and a superscript digit passed ``isdigit``.
They are deterministic here so they cannot come back unnoticed.
"""

from __future__ import annotations

import pytest

from intake.models import Report
from tests.conftest import CsrfClient, submit_report


def _a_report() -> str:
    submit_report(CsrfClient())
    return Report.objects.latest("received_at").id


HOSTILE = ["a%00b", "%00", "%E2%80%AE0abc", "ABCDEF", "0" * 65, "..%2F..%2Fetc", "%C2%B2"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["advocate", "recipient", "admin"])
@pytest.mark.parametrize(
    "template",
    [
        "/staff/reports/{bad}/",
        "/staff/reports/{bad}/refer/",
        "/staff/reports/{rid}/photos/{bad}/",
        "/staff/referrals/{bad}/",
        "/staff/inbox/{bad}/",
        "/staff/inbox/{bad}/pdf/",
        "/staff/accounts/rotate/{bad}/rewrap/",
    ],
)
def test_an_id_harbor_did_not_issue_is_not_found(logged_in, role, template):
    client = logged_in(role)
    rid = _a_report() if "{rid}" in template else ""
    for bad in HOSTILE:
        response = client.get(template.format(bad=bad, rid=rid))
        assert response.status_code == 404, (template, bad, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["%C2%B2", "99999999999999999999999", "%00", "-1", "1e3"])
def test_a_recipient_that_does_not_exist_is_refused_kindly(logged_in, staff, target):
    client = logged_in("advocate")
    response = client.get(f"/staff/reports/{_a_report()}/refer/{target}/")
    assert response.status_code in (302, 404), response.status_code
    assert response.status_code == 404 or "/refer/" in response["Location"]
