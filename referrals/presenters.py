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


#: Each trace rule as a sentence an advocate reads at a glance (the id stays beside it, small).
RULE_SENTENCES = {
    "allowlist": _("Only the fields this kind of recipient may receive were considered."),
    "consent.victim_services": _("The reporter agreed to share with victim services."),
    "consent.health_org": _("The reporter agreed to share with a health or community organisation."),
    "consent.police_via_advocate": _("The reporter agreed to share with the police, through an advocate."),
    "consent.peer_alert": _("The reporter agreed to an anonymous safety warning."),
    "deny.unknown_field": _("Answers the policy does not know were left out."),
    "deny.never_shared": _("Answers that are never shared (context, exact place, consent) were left out."),
    "deny.contact_consent": _("Contact details were left out: the reporter did not agree to share them."),
    "deny.not_in_profile": _("Answers this recipient does not need were left out."),
    "deny.invalid_value": _("Answers that were not valid were left out."),
    "deny.value_tag": _("An answer whose value could incriminate the reporter was left out."),
    "generalise.date": _("The date was kept as a date."),
    "generalise.iso_week": _("The date was made coarser: the week only."),
    "generalise.month": _("The date was made coarser: the month only."),
    "generalise.part_of_day": _("The time was made coarser: the part of the day only."),
    "generalise.map": _("Some answers were made coarser (for example, a client became “someone they knew”)."),
    "redact.free_text": _("Words that could incriminate the reporter were taken out of her own words automatically."),
    "review.held": _("Her own words wait for you: each answer leaves only if you include it."),
    "review.included": _("You included some of her own words after reading them."),
    "contact.shared": _("Contact details go, because the reporter agreed."),
    "flag.minor": _("The reporter may be under 18: the recipient is told."),
    "flag.minor_withheld": _(
        "The reporter may be under 18; the recipient is not told. Mandatory reporting still applies to you."
    ),
    "notice.protections": _("The protections notice goes with it, as the reporter asked."),
    "notice.not_asked": _("No protections notice: the reporter did not ask for one."),
    "staff.strike": _("You took out more words."),
    "staff.without_field": _("You left out some answers."),
}


def field_label(field_id: str) -> str:
    """The form's label for a field id (the id itself for a field the form does not have)."""
    from intake.forms import ReportForm

    field = ReportForm.base_fields.get(field_id)
    return str(field.label) if field is not None else field_id


def trace_rows(trace: dict) -> list[dict[str, str]]:
    """The trace's rules as sentences, in the order they matter to the advocate."""
    return [{"id": rule, "text": str(RULE_SENTENCES.get(rule, rule))} for rule in trace.get("rules", [])]
