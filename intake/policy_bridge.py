"""The intake's window on the policy engine: previews, protections, rights.

policy/ decides; this module only loads its data once per process and turns
its output into what the reporter's pages show. Her preview promises every line
each recipient could receive, word for word, so the rendering of a referral's
fields (:func:`field_rows`, :func:`display_field`) is here, on her side, and the
staff side's adapter (referrals/policy_bridge.py) uses it: intake imports
neither casework nor referrals (docs/architecture.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy._data import REPORTER_LANGS
from policy.assess import assess, rights_summary
from policy.errors import PolicyError
from policy.freetext import OncePerText, Redactor, default_redactor
from policy.packs import default_packs, for_jurisdiction
from policy.profiles import default_profiles
from policy.referral import Referral, build_referral

RECIPIENT_TITLES = {
    "victim_services": _("Victim services"),
    "health_org": _("A health or community organisation"),
    "police_via_advocate": _("The police, through an advocate"),
    "peer_alert": _("Anonymous safety warning to other workers"),
}

GENERALISED_LABELS = {
    ("perp_relationship", "known_person"): _("Someone the person reporting knew"),
    ("incident_time", "night"): _("At night (midnight to 6 am)"),
    ("incident_time", "morning"): _("In the morning (6 am to noon)"),
    ("incident_time", "afternoon"): _("In the afternoon (noon to 6 pm)"),
    ("incident_time", "evening"): _("In the evening (6 pm to midnight)"),
}


def reporter_lang(lang: str) -> str:
    """The policy's code for a page language (they are Django's codes); English for any other."""
    return lang if lang in REPORTER_LANGS else "en"


def packs():
    """The packs of the organisation's jurisdiction (HARBOR_JURISDICTION) and the places containing it.

    Only these are shown to a reporter and named in a referral's protections notice: a San
    Francisco report never cites New York law.
    """
    return _packs_for(settings.HARBOR_JURISDICTION)


@cache
def _packs_for(jurisdiction: str):
    return for_jurisdiction(default_packs(), jurisdiction)


@cache
def profiles():
    return default_profiles()


def today() -> datetime.date:
    return timezone.localdate()


def build(data: dict[str, Any], profile_id: str, lang: str, redactor: Redactor | None = None) -> Referral:
    """Build what ``profile_id`` would receive from a report; raise PolicyError if it may not."""
    return build_referral(
        data,
        profiles()[profile_id],
        packs(),
        on_date=today(),
        lang=lang if lang in ("en", "es") else "en",
        redactor=redactor,
    )


def display_field(field_id: str, kind: str, value: Any) -> str:
    """Return one referral field's value in the words the form used."""
    from intake.presenters import display_value

    if kind == "week" and isinstance(value, str):
        try:
            year, week = value.split("-W")
            monday = datetime.date.fromisocalendar(int(year), int(week), 1)
            from django.utils.formats import date_format

            return str(_("The week of %(date)s")) % {"date": date_format(monday, "DATE_FORMAT")}
        except ValueError:
            return value
    if isinstance(value, str) and (field_id, value) in GENERALISED_LABELS:
        return str(GENERALISED_LABELS[(field_id, value)])
    if isinstance(value, (list, tuple)):
        value = list(value)
    return display_value(field_id, value)


def field_rows(fields: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Return (label, text) rows of a referral's fields, in the order given, in the words the form used.

    The one rendering of what a recipient reads: the reporter's preview (below) and the staff
    side's pages, PDF, feed and export (referrals/policy_bridge.py) all go through it.
    """
    from intake.forms import ReportForm

    return [
        (str(ReportForm.base_fields[f["id"]].label), display_field(f["id"], f["kind"], f["value"]))
        for f in fields
        if f["id"] in ReportForm.base_fields
    ]


def referral_rows(referral: Referral) -> list[tuple[str, str]]:
    """Return (label, text) rows of a built referral, in the order the policy put them."""
    return field_rows(referral.to_dict()["fields"])


def notice_lines(referral: Referral, lang: str) -> list[dict[str, str]]:
    """The protections notice of a referral: each line as sent (English), and in the reporter's language."""
    by_id = {(pack.id, p.id): p for pack in packs() for p in pack.protections}
    out = []
    for item in referral.notice:
        protection = by_id.get((item.pack, item.protection))
        translated = protection.staff_in(reporter_lang(lang)) if protection is not None else item.text
        out.append({"sent": item.text, "citation": item.citation, "text": translated})
    return out


def held_rows(referral: Referral) -> list[tuple[str, str]]:
    """Return (label, text) of each free-text answer held for an advocate: the most that could leave."""
    from intake.forms import ReportForm

    return [
        (str(ReportForm.base_fields[h.id].label), h.field.value)
        for h in referral.held
        if h.id in ReportForm.base_fields and isinstance(h.field.value, str)
    ]


def previews(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """For each recipient the reporter chose, every line they could receive.

    ``rows`` go as shown once an advocate sends the referral; ``held`` are her own words, which
    leave only if an advocate reads them and includes them (at most as shown, perhaps with more
    removed); ``notice`` is the protections notice, when she asked for it.
    """
    out = []
    # Every recipient's build redacts the same narrative: once for the page (policy.freetext).
    redactor: Redactor | None = None
    for consent in data.get("consent", []):
        if consent not in profiles():
            continue
        try:
            if redactor is None:
                redactor = OncePerText(default_redactor())
            referral = build(data, consent, lang, redactor)
        except PolicyError:
            continue
        out.append(
            {
                "id": consent,
                "title": RECIPIENT_TITLES.get(consent, consent),
                "rows": referral_rows(referral),
                "held": held_rows(referral),
                "notice": notice_lines(referral, lang),
            }
        )
    return out


def protections(data: dict[str, Any], lang: str) -> list[dict[str, str | bool]]:
    """Which protections apply to what was reported, in plain words for the reporter."""
    if not data.get("crime_types"):
        return []
    result = assess(data, packs(), today())
    out: list[dict[str, str | bool]] = []
    seen: set[str] = set()
    for line in result.for_reporter(reporter_lang(lang)):
        # Two packs of one place may say the same thing (a state law both packs mention): once is enough.
        if line.text in seen:
            continue
        seen.add(line.text)
        out.append(
            {"kind": line.kind, "status": line.status, "text": line.text, "certain": line.certainty == "confirmed"}
        )
    return out


def summaries(lang: str) -> list[str]:
    """One plain sentence per pack of the organisation's jurisdiction, for the landing page."""
    code = reporter_lang(lang)
    return [pack.summary.get(code) for pack in packs() if pack.in_force(today()) != "no"]


def rights(lang: str):
    """The know-your-rights summary of the packs in force today."""
    return rights_summary(packs(), today(), reporter_lang(lang))
