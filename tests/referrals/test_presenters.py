"""referrals.presenters: every review-flag reason has words for the advocate, in English and Spanish."""

from __future__ import annotations

from django.utils import translation

from policy.freetext import redact_free_text
from policy.review import REASONS
from referrals.presenters import REASON_LABELS, review_segments


def test_every_reason_has_a_label_and_no_label_lacks_a_reason():
    assert set(REASON_LABELS) == set(REASONS)


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
