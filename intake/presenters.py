"""Turn stored report values back into the words the reporter chose."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from intake.choices import FORM_SECTIONS
from intake.forms import ReportForm

SECTION_TITLES = {
    "incident": _("What happened, when, where, who"),
    "harm": _("Injuries and safety"),
    "needs": _("What you need"),
    "narrative": _("In your words"),
    "sensitive": _("Context — stays with the advocates, never shared"),
    "contact": _("How to reach you"),
    "consent": _("Who may see it"),
}

STATUS_WORDS = {
    "new": _("Received. An advocate will read it soon."),
    "in_review": _("An advocate is working on your report."),
    "waiting": _("An advocate has a question for you. Please read the messages below."),
    "referred": _("Shared with the services you chose."),
    "closed": _("Closed. You can still read and send messages here."),
    "withdrawn": _("Withdrawn and erased."),
}


def display_value(name: str, value: Any) -> str:
    """Return a stored value as the label the form showed."""
    field = ReportForm.base_fields[name]
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if choices:
        return str(choices.get(value, value))
    if name == "incident_date":
        try:
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def sections_for_display(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return [{id, title, private, rows: [(label, text)]}] for the sections that hold anything."""
    out = []
    for section, names in FORM_SECTIONS.items():
        rows = [
            (ReportForm.base_fields[n].label, display_value(n, data[n]))
            for n in names
            if data.get(n) not in (None, "", [])
        ]
        if rows:
            out.append(
                {"id": section, "title": SECTION_TITLES[section], "private": section == "sensitive", "rows": rows}
            )
    return out


SHARED_WORDS = {
    "sent": _("Sent. Not opened yet."),
    "opened": _("They have opened it."),
    "contacted": _("They say they have contacted you."),
    "services_provided": _("They say they have helped you."),
    "declined": _("They said they cannot help. An advocate will talk with you about other options."),
    "revoked": _("Taken back before they opened it, because you changed your choice."),
    "withdrawn": _("They had opened it. They were told you withdrew your consent, and to delete any copies."),
    "alert_review": _(
        "A safety warning for other workers, waiting for a second advocate to check it before it is published."
    ),
    "alert_rejected": _("The advocates decided not to publish this safety warning."),
    "published": _("Published as an anonymous safety warning for other workers."),
    "retracted": _("The safety warning was taken down."),
    "alert_expired": _("The safety warning was up for its set time and has come down."),
}


def shared_with(report) -> list[dict]:
    """Who received what from this report, and when, in plain words for the reporter."""
    from intake.policy_bridge import RECIPIENT_TITLES

    out = []
    for referral in report.referrals.select_related("organisation").order_by("created_at"):
        out.append(
            {
                "who": referral.organisation.name
                if referral.organisation
                else RECIPIENT_TITLES.get(referral.profile, ""),
                "kind": RECIPIENT_TITLES.get(referral.profile, referral.profile),
                "when": referral.created_at,
                "status": SHARED_WORDS.get(referral.status, ""),
            }
        )
    return out
