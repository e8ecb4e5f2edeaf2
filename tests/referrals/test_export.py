"""A referral as JSON for the recipient's case-management system, valid against its published schema."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from audit.models import Event
from casework.models import Organisation
from intake.models import Report
from policy.profiles import default_profiles
from policy.referral import OUT_KINDS
from referrals.export import SCHEMA_PATH
from referrals.models import Referral
from tests.casework.conftest import make_staff
from tests.conftest import FULL_REPORT, CsrfClient, submit_report

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
RECIPIENT_PROFILES = ("victim_services", "health_org", "police_via_advocate")


def _sent(staff, logged_in, **changes) -> Referral:
    data = dict(FULL_REPORT, consent=["victim_services"], consent_share_contact="yes", consent_protections="yes")
    data.update(changes)
    submit_report(CsrfClient(), data)
    report = Report.objects.get()
    ticks = {"include_narrative": "1", "include_perp_description": "1", "include_reporter_name": "1"}
    sent = logged_in("advocate").submit(
        f"/staff/reports/{report.id}/refer/{staff['organisation'].pk}/", {"action": "send", **ticks}
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    return Referral.objects.get()


def _export(client, referral: Referral) -> dict:
    response = client.get(f"/staff/inbox/{referral.id}/json/")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="referral-{referral.id[:8]}.json"'
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_names_every_field_a_recipient_can_receive_and_no_other():
    profiles = default_profiles()
    may_leave = {f for name in RECIPIENT_PROFILES for f in (*profiles[name].allow, *profiles[name].contact)}
    items = SCHEMA["properties"]["fields"]["items"]["properties"]
    assert set(items["id"]["enum"]) == may_leave
    assert not [f for f in items["id"]["enum"] if f.startswith("ctx_")]  # what incriminates never leaves
    assert tuple(items["kind"]["enum"]) == OUT_KINDS


def test_the_export_validates_against_the_schema(staff, logged_in):
    referral = _sent(staff, logged_in)
    document = _export(logged_in("recipient"), referral)
    VALIDATOR.validate(document)
    assert document["referral"]["id"] == referral.id and document["referral"]["status"] == "opened"
    assert document["referral"]["organisation"] == "Victim Services Unit"
    by_id = {f["id"]: f for f in document["fields"]}
    assert sorted(by_id["crime_types"]["value"]) == ["physical_assault", "robbery"]
    assert "Robbery" in by_id["crime_types"]["text"]
    assert "punched" not in by_id["narrative"]["value"] and by_id["narrative"]["kind"] == "text"
    assert by_id["narrative"]["value"] == FULL_REPORT["narrative"]  # the advocate included it
    assert document["notice"], "she asked for the protections notice"
    assert Event.objects.filter(actor="recipient", action="referral.exported", object_id=referral.id).exists()


def test_the_export_holds_what_the_recipient_may_read_and_nothing_else(staff, logged_in):
    referral = _sent(staff, logged_in)
    raw = logged_in("recipient").get(f"/staff/inbox/{referral.id}/json/").content.decode()
    for value in (FULL_REPORT["ctx_payment"], FULL_REPORT["place_precise"], FULL_REPORT["perp_vehicle"]):
        assert value not in raw  # never shared, or not included by the advocate
    assert "trace" not in json.loads(raw) and "staff.strike" not in raw and "review.held" not in raw


def test_a_document_that_breaks_the_format_does_not_validate(staff, logged_in):
    document = _export(logged_in("recipient"), _sent(staff, logged_in))
    broken = []
    extra = copy.deepcopy(document)
    extra["trace"] = {}
    broken.append(extra)
    offence = copy.deepcopy(document)
    offence["fields"].append({"id": "ctx_drugs", "kind": "text", "value": "x", "label": "x", "text": "x"})
    broken.append(offence)
    multi = copy.deepcopy(document)
    multi["fields"][0]["value"] = "robbery"
    broken.append(multi)
    day = copy.deepcopy(document)
    day["referral"]["sent_on"] = "yesterday"
    broken.append(day)
    for doc in broken:
        with pytest.raises(ValidationError):
            VALIDATOR.validate(doc)


def test_only_the_recipient_of_that_referral_can_export_it(staff, logged_in):
    referral = _sent(staff, logged_in)
    url = f"/staff/inbox/{referral.id}/json/"
    for role in ("advocate", "colleague", "admin", "auditor", "outsider"):
        assert logged_in(role).get(url).status_code == 403, role
    assert CsrfClient().get(url).status_code == 302
    other = Organisation.objects.create(name="Clinic", kind="health_org")
    stranger = make_staff("stranger", ["recipient"], organisation=other)
    from tests.casework.conftest import staff_login

    client = CsrfClient()
    staff_login(client, stranger)
    assert client.get(url).status_code == 404
    assert logged_in("recipient").get("/staff/inbox/" + "0" * 32 + "/json/").status_code == 404
    assert logged_in("recipient").submit(url).status_code == 405
    assert not Event.objects.filter(action="referral.exported").exists()


def test_a_withdrawn_referral_is_not_exported(staff, logged_in):
    referral = _sent(staff, logged_in)
    logged_in("recipient").get(f"/staff/inbox/{referral.id}/")
    Referral.objects.filter(pk=referral.pk).update(status="withdrawn")
    assert logged_in("recipient").get(f"/staff/inbox/{referral.id}/json/").status_code == 404


def test_the_schema_is_served_read_only_to_anyone(db):
    response = CsrfClient().get("/schema/referral-v1.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/schema+json"
    assert json.loads(response.content) == SCHEMA
    assert not response.cookies
    assert CsrfClient().head("/schema/referral-v1.json").status_code == 200
    for method in ("post", "put", "delete"):
        assert getattr(CsrfClient(), method)("/schema/referral-v1.json").status_code in (403, 405), method
