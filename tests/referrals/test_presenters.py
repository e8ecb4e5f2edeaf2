"""The advocate reads words, not codes: every trace rule and every flag reason has a sentence, in English and Spanish."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.policy_bridge import packs, profiles
from policy.errors import PolicyError
from policy.freetext import redact_free_text
from policy.referral import build_referral
from policy.review import REASONS
from referrals.presenters import REASON_LABELS, RULE_SENTENCES, review_segments, trace_rows
from tests.policy.strategies import full_report, reports
from tests.policy.support import include_all

ON = datetime.date(2026, 12, 6)
PROFILE_IDS = ("victim_services", "health_org", "police_via_advocate", "peer_alert")


def test_every_flag_reason_has_words():
    assert set(REASON_LABELS) == set(REASONS)


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), profile_id=st.sampled_from(PROFILE_IDS))
def test_every_rule_a_referral_can_fire_reads_as_a_sentence(data, profile_id):
    report = data.draw(st.one_of(reports(consent=(profile_id,)), st.just(full_report(consent=[profile_id]))))
    try:
        built = build_referral(report, profiles()[profile_id], packs(), on_date=ON)
    except PolicyError:
        return
    for candidate in (built, include_all(built)):
        narrowed = candidate.without_field(candidate.fields[0].id) if candidate.fields else candidate
        trace = narrowed.to_dict(include_trace=True)["trace"]
        assert set(trace["rules"]) <= set(RULE_SENTENCES), set(trace["rules"]) - set(RULE_SENTENCES)
        assert all(row["text"] != row["id"] for row in trace_rows(trace))


def test_every_label_is_translated_to_spanish():
    for reason, label in REASON_LABELS.items():
        with translation.override("en"):
            english = str(label)
        with translation.override("es"):
            assert str(label) != english, reason


def test_segments_name_each_flag_in_words():
    segments = review_segments(redact_free_text("He gave me a gift card after the show."))
    flagged = [s for s in segments if s["kind"] == "flag"]
    assert flagged
    assert all(s["label"] == str(REASON_LABELS[s["reason"]]) for s in flagged)
