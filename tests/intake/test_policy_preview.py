"""The form and the policy catalogue agree; the confirmation page shows what each recipient gets."""

from __future__ import annotations

import re

import pytest

from intake.forms import CONTROL_FIELDS, ReportForm
from policy.catalogue import FIELD_IDS, default_catalogue
from tests.conftest import FULL_REPORT, fill_and_preview, start_form

pytestmark = pytest.mark.django_db


def test_every_form_field_is_classified_and_every_catalogue_field_is_on_the_form():
    form_fields = set(ReportForm.base_fields) - CONTROL_FIELDS
    assert form_fields == set(FIELD_IDS)


def test_choice_codes_match_the_catalogue():
    catalogue = default_catalogue()
    for name, field in ReportForm.base_fields.items():
        if name in CONTROL_FIELDS or not getattr(field, "choices", None):
            continue
        codes = {code for code, _label in field.choices}
        assert codes == set(catalogue.field(name).values), name


def _shared_html(response) -> str:
    html = response.content.decode()
    return html[html.index("What would be shared") : html.index('name="draft"')]


def test_confirmation_shows_each_chosen_recipient_with_removals(client):
    data = dict(
        FULL_REPORT,
        consent=["victim_services", "peer_alert"],
        narrative="I was working on the track when he paid me $200, then he punched me and took my phone.",
    )
    response = fill_and_preview(client, data)
    assert response.status_code == 200
    shared = _shared_html(response)
    assert "Victim services" in shared
    assert "Anonymous safety warning" in shared
    assert "[removed]" in shared
    assert "punched me" in shared
    for leaked in ("I was working", "the track", "paid me", "$200"):
        assert leaked not in shared, leaked
    # Never-shared context and the exact place appear only on the advocates' side.
    for value in (FULL_REPORT["ctx_payment"], FULL_REPORT["place_precise"], FULL_REPORT["contact_signal"]):
        assert value not in shared
    # Generalised: a client is "someone they knew".
    assert "A client" not in shared
    assert "Someone the person reporting knew" in shared


def test_record_only_shares_nothing(client):
    response = fill_and_preview(client, dict(FULL_REPORT, consent=["record_only"]))
    shared = _shared_html(response)
    assert "Nobody" in shared
    assert not re.search(r'class="card mb-3 shared-preview"', shared)


def test_confirmation_tells_the_reporter_which_protections_apply(client):
    response = fill_and_preview(client)
    html = response.content.decode()
    assert "Your protections" in html
    assert "San Francisco" in html


def test_rights_page_in_both_languages(client):
    en = client.get("/rights/")
    es = client.get("/es/rights/")
    assert en.status_code == es.status_code == 200
    assert "Penal Code 647.3" in en.content.decode() or "647.3" in en.content.decode()
    assert 'lang="es"' in es.content.decode()
    assert "trabajo sexual" in es.content.decode()


# --- the protections notice: only where she asks, only her jurisdiction, every line shown ----------


def _notice_html(response) -> str:
    html = response.content.decode()
    if "the protections notice you asked for" not in html:
        return ""
    start = html.index("the protections notice you asked for")
    return html[start : html.index("</ul>", start)]


def test_the_notice_goes_only_where_she_asked_for_it(client):
    asked = fill_and_preview(client, dict(FULL_REPORT, consent_protections="yes"))
    notice = _notice_html(asked)
    assert "SF DA memo (2018)" in notice and "647(b)" in notice
    for answer in ("no", ""):
        quiet = fill_and_preview(client, dict(FULL_REPORT, consent_protections=answer))
        assert _notice_html(quiet) == ""
        assert "647(b)" not in _shared_html(quiet)


def test_only_the_organisations_jurisdiction_is_named(client, settings):
    data = dict(FULL_REPORT, consent_protections="yes")
    sf = _notice_html(fill_and_preview(client, data)) + fill_and_preview(client, data).content.decode()
    assert "N.Y." not in sf and "New York" not in sf and "230.45" not in sf
    assert "647.3" in sf  # California law applies within San Francisco
    settings.HARBOR_JURISDICTION = "US-NY"
    ny_response = fill_and_preview(client, data)
    ny = _notice_html(ny_response)
    assert "230.45" in ny
    assert "SF DA" not in ny_response.content.decode() and "647.3" not in ny_response.content.decode()


def test_the_spanish_preview_shows_each_notice_line_in_spanish_and_as_sent(client):
    payload = dict(start_form(client), **FULL_REPORT, consent_protections="yes", action="preview")
    response = client.post("/es/report/", payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Memorando de la Fiscalía de SF (2018)" in html
    assert 'lang="en">SF DA memo (2018)' in html  # the line exactly as victim services receive it


def test_an_unknown_jurisdiction_is_a_configuration_error(settings):
    from django.core.checks import run_checks

    settings.HARBOR_JURISDICTION = "US-TX"
    assert "harbor.E021" in {e.id for e in run_checks()}
    settings.HARBOR_JURISDICTION = "US-CA-SF"
    assert "harbor.E021" not in {e.id for e in run_checks()}
