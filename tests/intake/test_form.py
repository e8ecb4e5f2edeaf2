"""The report form: mistakes come back kindly with everything kept; odd input never breaks it."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from audit.models import Event
from intake.models import Attachment, Message, Report, Section, SpentDraft
from intake.services import open_with_receipt
from tests.conftest import FULL_REPORT, fill_and_preview, hidden, receipt_in, start_form
from tests.intake.conftest import assert_values_kept, field_error, form_values, page_text

pytestmark = pytest.mark.django_db

NEEDS_ANOTHER_LOOK = "Some answers need another look"


def _nothing_stored():
    for model in (Report, Section, Message, Attachment, SpentDraft, Event):
        assert model.objects.count() == 0, model.__name__


def _refused(response, sent: dict, field: str, message: str):
    assert response.status_code == 400
    html = response.content.decode()
    assert "Check before sending" not in html
    assert 'name="draft"' not in html
    assert NEEDS_ANOTHER_LOOK in html
    assert message in field_error(response, field), field_error(response, field)
    assert_values_kept(response, sent)
    _nothing_stored()


def test_it_accepts_the_smallest_report(client, org_keys):
    response = fill_and_preview(client, {"crime_types": ["stalking"], "role": "witness"})
    assert response.status_code == 200
    assert "Check before sending" in response.content.decode()


def test_it_asks_for_the_crime_type_and_keeps_everything(client, org_keys):
    sent = dict(FULL_REPORT, crime_types=[])
    response = fill_and_preview(client, sent)
    _refused(response, sent, "crime_types", "Please choose at least one thing that happened")


def test_it_asks_for_the_role_and_keeps_everything(client, org_keys):
    sent = dict(FULL_REPORT, role="")
    response = fill_and_preview(client, sent)
    _refused(response, sent, "role", "Please tell us whether it happened to you or you saw it.")


def test_it_refuses_a_future_date(client, org_keys):
    future = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    sent = dict(FULL_REPORT, incident_date=future)
    response = fill_and_preview(client, sent)
    _refused(response, sent, "incident_date", "That date is in the future.")


def test_it_accepts_tomorrow_for_time_zones(client, org_keys):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert fill_and_preview(client, dict(FULL_REPORT, incident_date=tomorrow)).status_code == 200


def test_it_refuses_an_unreadable_date_kindly(client, org_keys):
    sent = dict(FULL_REPORT, incident_date="last tuesday")
    response = fill_and_preview(client, sent)
    _refused(response, sent, "incident_date", "We couldn't read that date.")


def test_it_refuses_a_bad_email(client, org_keys):
    sent = dict(FULL_REPORT, contact_method="email", contact_email="jade at example")
    response = fill_and_preview(client, sent)
    _refused(response, sent, "contact_email", "That doesn't look like an email address.")


@pytest.mark.parametrize(
    "method,field", [("signal", "contact_signal"), ("phone", "contact_phone"), ("email", "contact_email")]
)
def test_it_asks_for_the_detail_of_the_chosen_contact_method(client, org_keys, method, field):
    sent = dict(FULL_REPORT, contact_method=method, contact_signal="", contact_phone="", contact_email="")
    response = fill_and_preview(client, sent)
    _refused(response, sent, field, "Add this so we can reach you, or choose another way above.")


def test_it_refuses_record_only_with_another_consent(client, org_keys):
    sent = dict(FULL_REPORT, consent=["record_only", "victim_services"])
    response = fill_and_preview(client, sent)
    _refused(response, sent, "consent", "Only record it")


@pytest.mark.parametrize("field,limit", [("crime_other", 300), ("perp_description", 20000), ("narrative", 50000)])
def test_it_refuses_over_long_text_with_the_numbers(client, org_keys, field, limit):
    sent = dict(FULL_REPORT, **{field: "a" * (limit + 1)})
    response = fill_and_preview(client, sent)
    _refused(response, sent, field, f"{limit} characters; you wrote {limit + 1}")


def test_it_reports_every_mistake_at_once(client, org_keys):
    sent = dict(FULL_REPORT, role="", contact_method="phone", contact_phone="", consent=["record_only", "peer_alert"])
    response = fill_and_preview(client, sent)
    assert response.status_code == 400
    assert field_error(response, "role")
    assert field_error(response, "contact_phone")
    assert field_error(response, "consent")
    assert not field_error(response, "narrative")
    assert_values_kept(response, sent)


def test_it_refuses_an_unknown_choice_without_breaking(client, org_keys):
    sent = dict(FULL_REPORT, role="police_officer", crime_types=["robbery", "drop table"])
    response = fill_and_preview(client, sent)
    assert response.status_code == 400
    assert field_error(response, "role")
    assert field_error(response, "crime_types")
    _nothing_stored()


# --- odd Unicode ----------------------------------------------------------------------------

ODD = (
    "He said \u202eevil\u202c to me 🙂👩🏽‍🦱 "  # RTL override and its pop, emoji with a ZWJ sequence
    "Z\u0351\u0362a\u0300\u0301 e\u0301 "  # combining marks (one composes under NFC)
    "\x00nul\x01\x02\x07\x08\x0b\x0c\x0e\x1b[31m\x1f\x7f "  # NUL and other controls
    "tab\there\r\nline two\rline three "
    "日本語 العربية עברית"
)
ODD_CLEAN = unicodedata.normalize(
    "NFC",
    "He said \u202eevil\u202c to me 🙂👩🏽‍🦱 Z\u0351\u0362a\u0300\u0301 e\u0301 nul[31m tab\there\nline two\nline three 日本語 العربية עברית",
)


def test_it_accepts_odd_unicode_and_drops_controls_silently(client, org_keys):
    sent = dict(FULL_REPORT, narrative=ODD, perp_name="\x00Mi\x07ke\u202e", area="Mission\x00 District")
    preview = fill_and_preview(client, sent)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    html = preview.content.decode()
    assert "\x00" not in html and "\x07" not in html and "\x1b" not in html
    assert "<bdi>He said \u202eevil" in html  # isolated, so the override cannot flip the page
    response = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    assert response.status_code == 200
    opened = open_with_receipt(receipt_in(response))
    assert opened.section("narrative")["narrative"] == ODD_CLEAN
    assert "é" in ODD_CLEAN and "e\u0301" not in ODD_CLEAN  # NFC, as stored
    assert opened.section("incident")["perp_name"] == "Mike\u202e"
    assert opened.section("incident")["area"] == "Mission District"


@pytest.mark.parametrize(
    "field,value",
    [
        ("role", "\x00"),
        ("crime_types", "\x00robbery"),
        ("incident_date", "2026-\x00-01"),
        ("incident_time", "\x00"),
        ("contact_email", "a\x00@example.org"),
        ("started", "\x00"),
        ("carried_photos", "\x00\x01"),
        ("keep_photos", "\x00"),
        ("\x00weird", "x"),
        ("narrative", "\x00" * 5000),
        ("narrative", "\ufeff\u200b\u200d\u2028\u2029\ufffd\U0010ffff"),
    ],
)
def test_it_never_breaks_on_odd_values(client, org_keys, field, value):
    sent = dict(FULL_REPORT, **{field: value})
    response = fill_and_preview(client, sent)
    assert response.status_code in (200, 400), response.status_code
    if field in ("narrative", "contact_email"):  # free text: dropped, never echoed
        assert "\x00" not in response.content.decode()


def test_it_drops_controls_in_a_narrative_of_only_controls(client, org_keys):
    preview = fill_and_preview(client, dict(FULL_REPORT, narrative="\x00\x01\x02"))
    assert preview.status_code == 200
    response = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    opened = open_with_receipt(receipt_in(response))
    assert "narrative" not in opened.section("narrative")


# --- hostile requests ---------------------------------------------------------------------------


def test_it_refuses_a_huge_number_of_fields_without_a_5xx(client, org_keys):
    payload = start_form(client)
    payload.update({f"f{i}": "x" for i in range(2000)})
    response = client.post("/report/", payload)
    assert response.status_code == 400
    assert "We couldn't read that request" in response.content.decode()


def test_it_refuses_a_huge_number_of_files_without_a_5xx(client, org_keys):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = start_form(client)
    payload.update(FULL_REPORT)
    payload["photos"] = [SimpleUploadedFile(f"p{i}.jpg", b"x", content_type="image/jpeg") for i in range(30)]
    response = client.post("/report/", payload)
    assert response.status_code == 400
    _nothing_stored()


@override_settings(HARBOR_MAX_REQUEST_BYTES=20_000)
def test_it_answers_413_to_an_oversized_body(client, org_keys):
    payload = start_form(client)
    payload.update(FULL_REPORT, narrative="a" * 30_000)
    response = client.post("/report/", payload)
    assert response.status_code == 413
    text = page_text(response)
    assert "too much to send at once" in text
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    _nothing_stored()


@pytest.mark.parametrize("length", ["not a number", "-1e9", "99999999999999999999", "-5", "0x10"])
def test_it_never_answers_5xx_to_a_lying_content_length(client, org_keys, length):
    payload = start_form(client)
    response = client.post("/report/", payload, CONTENT_LENGTH=length)
    assert response.status_code in (400, 403, 413)
    _nothing_stored()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_it_refuses_too_much_form_data_without_a_5xx(client, org_keys):
    payload = start_form(client)
    payload.update(FULL_REPORT, narrative="a" * 20_000)
    assert client.post("/report/", payload).status_code == 400
    urlencoded = client.post(
        "/report/",
        f"csrfmiddlewaretoken={client.token()}&narrative={'a' * 20_000}",
        content_type="application/x-www-form-urlencoded",
    )
    assert urlencoded.status_code == 400


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("multipart/form-data; boundary=XYZ", b"this is not multipart at all"),
        ("multipart/form-data", b'--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--XYZ--\r\n'),
        (
            "multipart/form-data; boundary=XYZ",
            b'--XYZ\r\nContent-Disposition: form-data; name="narrative"\r\n\r\nunfinished',
        ),
        (
            "multipart/form-data; boundary=XYZ",
            b'--XYZ\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff',
        ),
        ("multipart/form-data; boundary=XYZ", b"--XYZ\r\nNo-Disposition: x\r\n\r\n\xff\xfe\x00\r\n--XYZ--\r\n"),
        ("multipart/form-data; boundary=" + "B" * 5000, b"--" + b"B" * 5000 + b"--\r\n"),
        (
            "multipart/form-data; boundary=XYZ; charset=no-such-charset",
            b'--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--XYZ--\r\n',
        ),
        ("application/x-www-form-urlencoded", b"narrative=%ff%fe%00&role=%E2%28%A1&%%%=&=&&"),
        ("application/x-www-form-urlencoded; charset=no-such-charset", b"a=b"),
    ],
    ids=[
        "not-multipart",
        "no-boundary",
        "unfinished",
        "truncated-file",
        "no-disposition",
        "huge-boundary",
        "unknown-charset",
        "bad-utf8-urlencoded",
        "urlencoded-unknown-charset",
    ],
)
def test_it_never_answers_5xx_to_malformed_bodies(client, org_keys, content_type, body):
    token = client.token()
    response = client.generic("POST", "/report/", body, content_type=content_type, headers={"X-CSRFToken": token})
    assert response.status_code < 500, response.status_code
    _nothing_stored()


# --- flood control ---------------------------------------------------------------------------------


def test_it_does_not_confirm_when_the_honeypot_is_filled(client, org_keys):
    sent = dict(FULL_REPORT, website="http://spam.example")
    response = fill_and_preview(client, sent)
    assert response.status_code == 400
    assert "Check before sending" not in response.content.decode()
    assert "press Continue again" in page_text(response)
    assert_values_kept(response, sent, skip=("website",))
    assert form_values(response).get("website") == [""]
    _nothing_stored()


@override_settings(HARBOR_MIN_FORM_SECONDS=30)
def test_it_does_not_confirm_a_too_fast_submission_but_keeps_everything(client, org_keys):
    sent = dict(FULL_REPORT)
    response = fill_and_preview(client, sent)
    assert response.status_code == 400
    assert "Check before sending" not in response.content.decode()
    assert "press Continue again" in page_text(response)
    assert_values_kept(response, sent)
    _nothing_stored()
    # A person pressing Continue again on the page they were given gets through.
    again = {
        name: values if len(values) > 1 or name in ("crime_types", "needs", "consent") else values[0]
        for name, values in form_values(response).items()
    }
    again["action"] = "preview"
    confirmed = client.post("/report/", again)
    assert confirmed.status_code == 200, page_text(confirmed)[:500]
    assert "Check before sending" in confirmed.content.decode()


@pytest.mark.parametrize(
    "started",
    [
        "forged",
        "",
        signing.dumps(0.0, salt="another.salt"),  # signed, but for another purpose
        signing.dumps(0.0, salt="harbor.intake.started", key="not-our-secret-key-" + "x" * 40),
        signing.dumps(1.0e12, salt="harbor.intake.started"),  # from the future
    ],
    ids=["forged", "empty", "other-salt", "other-key", "future"],
)
def test_it_does_not_confirm_a_forged_started_token_but_keeps_everything(client, org_keys, started):
    payload = start_form(client)
    payload.update(FULL_REPORT, started=started, action="preview")
    response = client.post("/report/", payload)
    assert response.status_code == 400
    assert "Check before sending" not in response.content.decode()
    assert_values_kept(response, FULL_REPORT)
    _nothing_stored()


def test_it_shows_an_out_of_date_page_for_a_forged_draft_on_edit(client, org_keys):
    response = client.submit("/report/", {"action": "edit", "draft": "forged"})
    assert response.status_code == 400
    assert "This page is out of date" in response.content.decode()


def test_the_form_page_carries_a_started_token_and_no_draft(client, org_keys):
    response = client.get("/report/")
    assert signing.loads(hidden(response, "started"), salt="harbor.intake.started") > 0
    assert 'name="draft"' not in response.content.decode()
