"""Submitting a report: confirm first, store encrypted, show the receipt once."""

from __future__ import annotations

import pytest

from intake.models import Report, Section, SpentDraft
from intake.services import open_with_receipt
from tests.conftest import FULL_REPORT, fill_and_preview, hidden, submit_report
from vault import envelope

pytestmark = pytest.mark.django_db


def test_it_stores_nothing_before_confirmation(client, org_keys):
    response = fill_and_preview(client)
    assert response.status_code == 200
    assert "Check before sending" in response.content.decode()
    assert Report.objects.count() == 0
    assert Section.objects.count() == 0


def test_it_stores_encrypted_report_and_receipt_opens_it(client, org_keys):
    receipt, response = submit_report(client)
    assert Report.objects.count() == 1
    report = Report.objects.get()
    opened = open_with_receipt(receipt)
    assert opened.section("incident")["perp_vehicle"] == FULL_REPORT["perp_vehicle"]
    assert opened.section("narrative")["narrative"] == FULL_REPORT["narrative"]
    assert opened.section("summary")["crime_types"] == ["robbery", "physical_assault"]
    # The organisation key holder can open it too, independently of the receipt.
    dek = envelope.unwrap_dek_with_org(bytes(report.dek_org_wrap), report.id, org_keys.private)
    sensitive = envelope.decrypt_json(dek, report.id, "sensitive", bytes(report.sections.get(name="sensitive").blob))
    assert sensitive["ctx_working"] == "yes"


def test_it_stores_the_hour_not_the_minute(client, org_keys):
    submit_report(client)
    received = Report.objects.get().received_at
    assert (received.minute, received.second, received.microsecond) == (0, 0, 0)


def test_it_refuses_a_replayed_confirmation(client, org_keys):
    preview = fill_and_preview(client)
    draft = hidden(preview, "draft")
    first = client.submit("/report/send/", {"draft": draft})
    assert first.status_code == 200
    second = client.submit("/report/send/", {"draft": draft})
    assert second.status_code == 409
    assert "already sent" in second.content.decode()
    assert Report.objects.count() == 1
    assert SpentDraft.objects.count() == 1


def test_it_refuses_a_forged_draft(client, org_keys):
    preview = fill_and_preview(client)
    draft = hidden(preview, "draft")
    forged = draft[:-6] + ("AAAAAA" if not draft.endswith("AAAAAA") else "BBBBBB")
    response = client.submit("/report/send/", {"draft": forged})
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_it_refuses_a_draft_token_from_another_purpose(client, org_keys):
    from django.conf import settings

    from vault import tokens

    other = tokens.seal(settings.SECRET_KEY, "photos", b"[]")
    response = client.submit("/report/send/", {"draft": other})
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_it_edits_with_everything_kept(client, org_keys):
    preview = fill_and_preview(client)
    response = client.submit("/report/", {"draft": hidden(preview, "draft"), "action": "edit"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "grey hoodie, scar on left hand" in html
    assert 'value="robbery" checked' in html or 'value="robbery"\n' in html or "checked" in html
    assert Report.objects.count() == 0


def test_it_keeps_the_draft_when_the_database_is_away(client, org_keys, monkeypatch):
    from django.db import OperationalError

    from intake import services

    preview = fill_and_preview(client)
    draft = hidden(preview, "draft")

    def down(_draft):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "submit", down)
    response = client.submit("/report/send/", {"draft": draft})
    assert response.status_code == 503
    html = response.content.decode()
    assert "try again in a moment" in html
    assert hidden(response, "draft") == draft
    assert "grey hoodie" in html


def test_it_says_kindly_when_no_org_key_exists(client, db):
    preview = fill_and_preview(client)
    response = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    assert response.status_code == 503
    assert Report.objects.count() == 0


def test_it_requires_csrf(org_keys):
    from django.test import Client

    raw = Client(enforce_csrf_checks=True)
    response = raw.post("/report/send/", {"draft": "x"})
    assert response.status_code == 403
    assert "expired" in response.content.decode().lower()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_send_allows_only_post(client, method, org_keys):
    token = client.token()
    assert getattr(client, method)("/report/send/", headers={"X-CSRFToken": token}).status_code == 405
