"""Errors where she looks: every page with an error starts with a summary linking to each field."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FULL_REPORT, fill_and_preview, hidden, submit_report

pytestmark = pytest.mark.django_db


def _summary(response) -> tuple[str, list[str]]:
    """The error summary's HTML, and the ids its links lead to; it must come before any form."""
    html = response.content.decode()
    match = re.search(r'<div class="alert alert-danger error-summary" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    assert match.start() < html.index("<form"), "the summary comes before the form"
    return match.group(1), re.findall(r'href="#([^"]+)"', match.group(1))


def _ids(response) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', response.content.decode()))


def test_the_report_form_links_each_error_to_its_field(client):
    data = dict(FULL_REPORT, crime_types=[], role="", consent=["record_only", "victim_services"])
    data["contact_email"] = "not an address"
    response = fill_and_preview(client, data)
    assert response.status_code == 400
    summary, links = _summary(response)
    assert links == ["id_crime_types_0", "id_role_0", "id_contact_email", "id_consent_0"]
    assert set(links) <= _ids(response), "every link leads to an element of the page"
    assert "You chose “Only record it” and also someone to share with." in summary  # the consent error too


def test_a_page_without_errors_has_no_summary(client):
    assert "error-summary" not in client.get("/report/").content.decode()
    assert "error-summary" not in client.get("/check/").content.decode()


def test_the_receipt_form_links_its_error(client):
    response = client.submit("/check/", {"receipt": ""})
    _, links = _summary(response)
    assert links == ["id_receipt"]
    assert "id_receipt" in _ids(response)


def test_the_report_page_links_a_consent_error(client, org_keys):
    receipt, _ = submit_report(client)
    opened = client.submit("/check/", {"receipt": receipt})
    html = opened.content.decode()
    form = html[html.index('action="/check/consent/"') :]
    key = re.search(r'name="once" value="([0-9a-f]{32})"', form).group(1)
    refused = client.submit(
        "/check/consent/",
        {"token": hidden(opened, "token"), "once": key, "consent": ["record_only", "health_org"]},
    )
    assert refused.status_code == 400
    summary, links = _summary(refused)
    assert links == ["id_consent_0"]
    assert "Please choose one or the other." in summary
    assert "id_consent_0" in _ids(refused)
