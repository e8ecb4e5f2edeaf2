"""Lengths at rest: reports that differ only in their choices look alike to a database thief.

Before 2026-12 a "sensitive" section holding only an immigration answer was
65 bytes for "undocumented" and 60 for "citizen", consent blobs grew with each
choice, and a section with nothing in it was not written. Here reports are
generated that differ in every choice and in which optional sections hold a
short answer, and are stored through the real service (a sealed draft,
intake.services.submit): every one must have the same Section rows with the
same blob lengths as the smallest report there is.
"""

from __future__ import annotations

import json

import pytest
from django import forms
from django.conf import settings
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake import policy_bridge
from intake.choices import FORM_SECTIONS
from intake.fields import TextField
from intake.forms import CONTROL_FIELDS, ReportForm
from intake.models import Message, Report, Section
from intake.services import (
    REPORT_SECTIONS,
    add_reporter_message,
    append_message,
    open_with_receipt,
    seal_draft,
    sections_of,
    submit,
    summary_of,
    unseal_draft,
)
from policy.errors import PolicyError
from vault import envelope
from vault import referrals as vault_referrals

pytestmark = pytest.mark.django_db

FIELDS = {n: f for n, f in ReportForm.base_fields.items() if n not in CONTROL_FIELDS}
SINGLE = {n: [c for c, _ in f.choices if c] for n, f in FIELDS.items() if type(f) is forms.ChoiceField}
MULTI = {n: [c for c, _ in f.choices] for n, f in FIELDS.items() if isinstance(f, forms.MultipleChoiceField)}
TEXT = {n for n, f in FIELDS.items() if isinstance(f, TextField)}
CONTACT_FIELD = {"signal": "contact_signal", "phone": "contact_phone", "email": "contact_email"}
PROFILES = ("victim_services", "health_org", "police_via_advocate", "peer_alert")
SMALLEST = {"crime_types": ["robbery"], "role": "victim"}

# Any script: up to 4 bytes a character in UTF-8.
ANY_TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))


def test_the_generators_cover_every_field_of_the_form():
    assert set(SINGLE) | set(MULTI) | TEXT | {"incident_date", "incident_time"} == set(FIELDS)
    assert {"ctx_immigration", "ctx_working", "role", "contact_method"} <= set(SINGLE)
    assert set(MULTI) == {"crime_types", "needs", "consent"}


@st.composite
def reports(draw):
    """A report as the form hands it on: choices anywhere, a short answer in some optional sections."""
    data = {
        "crime_types": draw(st.lists(st.sampled_from(MULTI["crime_types"]), min_size=1, unique=True)),
        "role": draw(st.sampled_from(SINGLE["role"])),
    }
    for name, codes in SINGLE.items():
        if name != "role" and draw(st.booleans()):
            data[name] = draw(st.sampled_from(codes))
    needs = draw(st.lists(st.sampled_from(MULTI["needs"]), unique=True))
    if needs:
        data["needs"] = needs
    sharing = [c for c in MULTI["consent"] if c != "record_only"]
    consent = draw(
        st.one_of(st.just([]), st.just(["record_only"]), st.lists(st.sampled_from(sharing), min_size=1, unique=True))
    )
    if consent:
        data["consent"] = consent
    if draw(st.booleans()):
        data["incident_date"] = draw(st.dates()).isoformat()
    if draw(st.booleans()):
        data["incident_time"] = draw(st.times()).strftime("%H:%M")
    # Which optional sections hold something: one short answer (up to 100 characters) each.
    for names in FORM_SECTIONS.values():
        texts = sorted(set(names) & TEXT)
        if texts and draw(st.booleans()):
            data[draw(st.sampled_from(texts))] = draw(st.text(ANY_TEXT, min_size=1, max_size=100))
    method = data.get("contact_method")
    if method in CONTACT_FIELD:
        data.setdefault(CONTACT_FIELD[method], draw(st.text(ANY_TEXT, min_size=1, max_size=40)))
    return data


def _store(data: dict, lang: str = "en") -> Report:
    report, _receipt = submit(unseal_draft(seal_draft(data, [], lang)))
    return report


def _rows(report: Report) -> list[tuple[str, int]]:
    return sorted(
        (name, len(bytes(blob))) for name, blob in Section.objects.filter(report=report).values_list("name", "blob")
    )


def _referral_lengths(data: dict) -> set[int]:
    """Encrypted lengths of what each allowed recipient would get (body) and what advocates keep (trace)."""
    lengths = set()
    for profile in PROFILES:
        try:
            built = policy_bridge.build(dict(data, consent=[profile]), profile, "en")
        except PolicyError:
            continue
        key = vault_referrals.new_key()
        body = vault_referrals.encrypt(key, "0" * 32, "body", built.to_dict())
        trace = envelope.encrypt_referral_trace(
            b"k" * 32, "0" * 32, "1" * 32, built.to_dict(include_trace=True)["trace"]
        )
        lengths.add(("body", len(body)))
        lengths.add(("trace", len(trace)))
    return lengths


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=reports(), lang=st.sampled_from(["en", "es"]))
@example(data=dict(SMALLEST, ctx_immigration="undocumented"), lang="en")
@example(data=dict(SMALLEST, ctx_immigration="citizen", consent=["victim_services", "peer_alert"]), lang="es")
@example(
    data={
        "crime_types": MULTI["crime_types"],
        "role": "witness",
        "needs": MULTI["needs"],
        "consent": [c for c in MULTI["consent"] if c != "record_only"],
        **{name: max(codes, key=len) for name, codes in SINGLE.items() if name != "role"},
        "narrative": "🙂" * 100,
    },
    lang="es",
)
def test_reports_differing_in_choices_and_filled_sections_store_the_same_rows_and_lengths(org_keys, data, lang):
    reference = _rows(_store(SMALLEST))
    report = _store(data, lang)
    rows = _rows(report)
    assert [name for name, _ in rows] == sorted(REPORT_SECTIONS)
    assert rows == reference, data
    assert _referral_lengths(data) == _referral_lengths(dict(SMALLEST, ctx_immigration="citizen"))


def test_the_largest_report_of_choices_alone_fits_the_smallest_class():
    # Every code of every multiple choice, the longest code of every single choice: the
    # longest JSON any combination of choices can make, section by section.
    data = {n: list(codes) for n, codes in MULTI.items()}
    data.update({n: max(codes, key=len) for n, codes in SINGLE.items()})
    data.update(
        incident_date="2026-11-01", incident_time="23:30", consent=[c for c in MULTI["consent"] if c != "record_only"]
    )
    values = sections_of(data)
    values["summary"] = dict(summary_of(data, settings.HARBOR_MAX_IMAGES), lang="es")
    for name, value in values.items():
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode())
        assert size <= envelope.SECTION_FLOOR // 2, (name, size)  # half the floor: room for new choices
    for profile in PROFILES:
        for lang in ("en", "es"):
            built = policy_bridge.build(dict(data, consent=[profile]), profile, lang)
            body = len(json.dumps(built.to_dict(), ensure_ascii=False).encode())
            trace = len(json.dumps(built.to_dict(include_trace=True)["trace"], ensure_ascii=False).encode())
            assert body <= vault_referrals.BODY_FLOOR, (profile, lang, body)
            assert trace <= envelope.TRACE_FLOOR, (profile, lang, trace)


@pytest.fixture
def opened(org_keys):
    report, receipt = submit(unseal_draft(seal_draft(SMALLEST, [], "en")))
    return open_with_receipt(receipt)


def test_a_message_of_10_characters_and_one_of_200_store_the_same_length(opened):
    short = add_reporter_message(opened, "x" * 10)
    long = add_reporter_message(opened, "y" * 200, "details")
    assert len(bytes(short.blob)) == len(bytes(long.blob))
    assert [m["kind"] for m in opened.messages()] == ["message", "details"]


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(ANY_TEXT, min_size=1, max_size=200), kind=st.sampled_from(["message", "details"]))
def test_every_message_up_to_200_characters_of_any_script_stores_the_same_length(opened, text, kind):
    reference = append_message(opened.report, opened.dek, Message.Author.ADVOCATE, "ok")
    msg = add_reporter_message(opened, text, kind)
    assert len(bytes(msg.blob)) == len(bytes(reference.blob))
    assert opened.messages()[-1]["text"] == text
