"""What the advocate's referral pages show: review flags in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from policy.freetext import Redaction

#: What each review flag means, in the advocate's words (policy.review.REASONS has the codes).
REASON_LABELS = {
    "money": _("money: earnings or a payment?"),
    "payment": _("payment app or transfer"),
    "date": _("a “date” or appointment: a booking?"),
    "client": _("may mean a client"),
    "booking": _("booking, session or hour"),
    "venue": _("place that may be a workplace"),
    "work": _("may mean sex work"),
    "associate": _("a manager or co-worker in the trade?"),
    "drugs": _("drugs"),
    "immigration": _("immigration status"),
    "legal": _("her own legal trouble"),
    "euphemism": _("euphemism for an arrangement"),
    "denial": _("a denial that still says the context"),
    "identity": _("may identify someone or a place"),
    "weapon": _("a weapon she may have carried"),
}


def review_segments(redaction: Redaction) -> list[dict[str, str]]:
    """The reporter's original text in pieces for the advocate: plain, removed (struck) or flagged."""
    return [
        {
            "kind": kind,
            "text": text,
            "reason": reason,
            "label": str(REASON_LABELS.get(reason, reason)) if reason else "",
        }
        for kind, text, reason in redaction.segments()
    ]
