"""What staff pages show: stored codes as staff words, and reporter times as the hour they fall in.

The reporter's pages have their own words (intake/presenters.py, in her voice: "What you
need"); these are the dashboard's. A code the catalogue does not know (a value stored past the
form) is shown as it is, escaped by the template, never dropped: staff must see what is there.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from casework.models import Role
from intake.choices import CRIME_TYPES
from intake.models import Report
from intake.presenters import sections_for_display
from referrals.models import Referral

# --- the report ---------------------------------------------------------------------------

#: The report's sections under the staff's names (the reporter's form says "What you need").
SECTION_TITLES = {
    "incident": _("What happened, when, where, who"),
    "harm": _("Injuries and safety"),
    "needs": _("What the reporter needs"),
    "narrative": _("In the reporter's own words"),
    "sensitive": _("Context"),
    "contact": _("Contact"),
    "consent": _("Consent: who may see it"),
}


def report_sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's answers in words, section by section, under the staff's section titles.

    Each row is (label, text, language note): the note says which language a free-text answer
    is written in, and, for one the redactor cannot read, that a person must (written_in).
    """
    from intake.fields import TextField
    from intake.forms import ReportForm

    sections = sections_for_display(data)
    labels = {str(f.label): name for name, f in ReportForm.base_fields.items()}
    for section in sections:
        section["title"] = SECTION_TITLES.get(section["id"], section["title"])
        rows = []
        for label, value in section["rows"]:
            name = labels.get(str(label), "")
            free = isinstance(ReportForm.base_fields.get(name), TextField) and isinstance(data.get(name), str)
            rows.append((label, value, written_in(data[name]) if free else None))
        section["rows"] = rows
    return sections


# --- languages ------------------------------------------------------------------------------

#: The languages a reporter may write in, in the staff's words (policy.language.NAMES in English).
LANGUAGE_WORDS = {
    "en": _("English"),
    "es": _("Spanish"),
    "zh-hant": _("Chinese (Traditional)"),
    "zh-hans": _("Chinese (Simplified)"),
    "tl": _("Tagalog"),
    "vi": _("Vietnamese"),
    "ko": _("Korean"),
    "th": _("Thai"),
    "ja": _("Japanese"),
}


def language_words(code: str) -> str:
    """A language code ("th") as the staff's word for it; an unknown code as it is."""
    return str(LANGUAGE_WORDS.get(code, code))


def _language_list(codes: Iterable[str]) -> str:
    names = [language_words(c) for c in codes]
    if len(names) == 1:
        return names[0]
    return gettext("%(some)s and %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


def written_in(text: str) -> dict[str, Any] | None:
    """Which language a free-text answer is in, and whether automatic removal could read it.

    None when the text says nothing the detector can read (a number, a name alone).
    """
    from policy.language import detect

    found = detect(text)
    return language_note(found) if found.languages else None


def language_note(found) -> dict[str, Any]:
    """The staff's sentence for a policy.language.Detection."""
    names = _language_list(found.languages)
    if found.automatic:
        return {"automatic": True, "text": gettext("Written in %(languages)s.") % {"languages": names}}
    unread = _language_list([c for c in found.languages if c not in ("en", "es")])
    return {
        "automatic": False,
        "text": gettext(
            "Written in %(languages)s: automatic removal works only in English and Spanish. "
            "Read it yourself, or ask someone who reads %(unread)s."
        )
        % {"languages": names, "unread": unread},
    }


def interface_language(code: str | None) -> str:
    """The language the reporter's pages were in when she sent the report ("Thai (ไทย)")."""
    from config.languages import native_name

    if not code:
        return gettext("not recorded")
    word, native = language_words(code), native_name(code)
    return word if word == native else f"{word} ({native})"


_CRIME_WORDS = dict(CRIME_TYPES)


def crime_words(codes: Iterable[str] | None) -> str:
    """The crime types of a summary as the form's words, in the order given."""
    return ", ".join(str(_CRIME_WORDS.get(code, code)) for code in codes or ())


def consent_words(codes: Iterable[str] | None) -> str:
    """Whom the reporter agreed to share with, in the staff's words ("record only" when no one)."""
    from intake.policy_bridge import RECIPIENT_TITLES

    titles = {"record_only": _("no one: record only"), **RECIPIENT_TITLES}
    return ", ".join(str(titles.get(code, code)) for code in codes or ("record_only",))


def organisation_kind(kind: str) -> str:
    """The kind of a receiving organisation (a policy recipient profile id) in words."""
    from intake.policy_bridge import RECIPIENT_TITLES

    return str(RECIPIENT_TITLES.get(kind, kind))


def role_name(code: str) -> str:
    """A staff role ("advocate") in words."""
    return str(dict(Role.choices).get(code, code))


#: How far the law a protections notice cites has been checked (policy.packs.Verification).
VERIFICATION_WORDS = {
    "verified": _("checked against the law's text"),
    "secondary": _("from a secondary source"),
    "unverified": _("not yet checked"),
}

#: Whether a protection applies to this report (policy.assess.Status).
PROTECTION_STATUS_WORDS = {
    "applies": _("applies"),
    "may_apply": _("may apply"),
    "does_not_apply": _("does not apply"),
    "not_in_force": _("not in force"),
}


def verification_words(code: str) -> str:
    return str(VERIFICATION_WORDS.get(code, code))


def protection_status_words(code: str) -> str:
    return str(PROTECTION_STATUS_WORDS.get(code, code))


# --- reporter times -----------------------------------------------------------------------

#: Languages whose readers tell the time on a 12-hour clock ("8–9 pm"); the others read "20–21 h".
TWELVE_HOUR_LANGUAGES = {"en"}
MIDNIGHT = pgettext_lazy("12-hour clock", "midnight")
NOON = pgettext_lazy("12-hour clock", "noon")
AM = pgettext_lazy("12-hour clock", "am")
PM = pgettext_lazy("12-hour clock", "pm")
HOURS_24 = pgettext_lazy("24-hour clock", "%(first)s–%(last)s h")


def _twelve_hour(at: datetime.datetime) -> tuple[str, str]:
    """An hour on the 12-hour clock and its half of the day; noon and midnight have no half."""
    if at.minute == 0 and at.hour in (0, 12):
        return str(MIDNIGHT if at.hour == 0 else NOON), ""
    hour = at.hour % 12 or 12
    text = f"{hour}:{at.minute:02d}" if at.minute else str(hour)
    return text, str(AM if at.hour < 12 else PM)


def hour_span(start: datetime.datetime, end: datetime.datetime) -> str:
    """The span of local times from ``start`` to ``end``: "8–9 pm", "11 am–noon", "20–21 h".

    Minutes appear only where the time zone is not a whole number of hours from UTC.
    """
    if (get_language() or "en").split("-")[0] in TWELVE_HOUR_LANGUAGES:
        (first, first_half), (last, last_half) = _twelve_hour(start), _twelve_hour(end)
        if first_half and first_half == last_half:
            return f"{first}–{last} {last_half}"
        return "–".join(" ".join(part for part in pair if part) for pair in ((first, first_half), (last, last_half)))

    def clock(at: datetime.datetime, hour: int) -> str:
        return f"{hour}:{at.minute:02d}" if at.minute else str(hour)

    # An hour that ends at midnight ends at 24 ("23–24 h"), as it is said.
    last_hour = 24 if end.hour == 0 and end.date() > start.date() else end.hour
    return str(HOURS_24) % {"first": clock(start, start.hour), "last": clock(end, last_hour)}


def reporter_hour(at: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """A time kept to the hour, shown as the hour it stands for: "today, 8–9 pm", "3 Dec, 8–9 pm".

    Harbor keeps only the hour of whatever a reporter's action writes (and of every message
    of a thread), so "20:00" would claim a minute nobody knows. Within an hour, the order
    of things is their place (a message's ``seq``), never the time.
    """
    if at is None:
        return ""
    start = timezone.localtime(at)
    end = timezone.localtime(at + datetime.timedelta(hours=1))
    today = timezone.localtime(now or timezone.now()).date()
    day = start.date()
    if day == today:
        day_text = gettext("today")
    elif day == today - datetime.timedelta(days=1):
        day_text = gettext("yesterday")
    elif day.year == today.year:
        day_text = date_format(day, "j M")
    else:
        day_text = date_format(day, "j M Y")
    return gettext("%(day)s, %(hours)s") % {"day": day_text, "hours": hour_span(start, end)}


# --- the audit log --------------------------------------------------------------------------

#: Each audit action as what the actor did. Actions with a status in them are below.
AUDIT_ACTIONS = {
    "login": _("logged in"),
    "login.failed": _("typed a wrong password"),
    "login.locked": _("was locked out after too many wrong passwords"),
    "logout": _("logged out"),
    "keys.unlocked": _("unlocked their keys"),
    "otp.enrolled": _("set up two-step login"),
    "otp.reset": _("had two-step login reset"),
    "password.changed": _("changed their password"),
    "queue.viewed": _("looked at the list of reports"),
    "stats.viewed": _("looked at the statistics"),
    "report.viewed": _("opened a report"),
    "report.decrypted": _("opened a report to act on it"),
    "report.photo_viewed": _("looked at a photo of a report"),
    "report.replied": _("answered a reporter"),
    "report.noted": _("added an internal note"),
    "report.assigned": _("assigned a report"),
    "report.consent_changed": _("changed who may see the report"),
    "report.withdrawn": _("withdrew the report, and it was erased"),
    "report.purged": _("erased a report whose time was up"),
    "referral.sent": _("sent a referral"),
    "referral.published": _("published a safety alert"),
    "alert.submitted": _("sent a safety alert to a second advocate for review"),
    "alert.approved": _("approved and published a safety alert"),
    "alert.sent_back": _("sent a safety alert back to its author"),
    "alert.retracted": _("withdrew a safety alert"),
    "alert.expired": _("let a safety alert expire"),
    "alert.bulletin": _("printed the safety alert bulletin"),
    "subscriber.created": _("gave someone a link to the safety alerts"),
    "subscriber.revoked": _("revoked a link to the safety alerts"),
    "referral.exported": _("downloaded a referral for a case-management system"),
    "stats.exported": _("downloaded the statistics"),
    "referral.opened": _("opened a referral"),
    "referral.message": _("wrote a message about a referral"),
    "referral.retracted": _("took a safety alert down"),
    "referral.revoked": _("took a referral back before it was opened"),
    "referral.withdrawn": _("withdrew consent for a referral already opened"),
    "referral.erased": _("erased a referral"),
    "account.created": _("created an account"),
    "organisation.created": _("added a receiving organisation"),
    "organisation.updated": _("changed a receiving organisation"),
    "organisation.retired": _("retired a receiving organisation"),
    "account.deactivated": _("deactivated an account"),
    "invitation.created": _("invited someone"),
    "invitation.accepted": _("accepted an invitation"),
    "invitation.revoked": _("withdrew an invitation"),
    "invitation.expired": _("let an invitation expire"),
    "notifications.changed": _("changed their notification settings"),
    "backup.created": _("made a backup"),
    "backup.restored": _("restored a backup"),
    "account.updated": _("changed an account"),
    "account.unlocked": _("unlocked an account"),
    "account.reset": _("reset a forgotten password and key"),
    "grant.created": _("gave the organisation key to an account"),
    "grant.revoked": _("took the organisation key from an account"),
    "key.org_created": _("created the organisation key"),
    "key.rotated": _("rotated the organisation key"),
    "key.replaced_lost": _("replaced an organisation key nobody held"),
    "key.rewrap_started": _("started moving reports to the new key"),
    "key.rewrap_incomplete": _("moved reports to the new key, not all of them yet"),
    "key.rewrap_done": _("moved every report to the new key"),
    "key.rewrap_expired": _("stopped moving reports to the new key: it took too long"),
    "key.retired": _("retired an old organisation key"),
    "retention.changed": _("changed how long reports are kept"),
    "audit.pending_altered": _("found a reporter's waiting event altered, and kept a note of it"),
}

#: "report.status.<status>": an advocate set a report's status.
REPORT_STATUS_ACTION = _("set a report's status to “%(status)s”")
#: "referral.status.<status>": a recipient reported back.
REFERRAL_STATUS_ACTION = _("marked a referral “%(status)s”")

#: Actors that are not accounts.
AUDIT_ACTORS = {
    "reporter": _("the reporter"),
    "system": _("Harbor"),
    "retention": _("the retention purge"),
}


def audit_action(action: str) -> str:
    """An audit action ("report.viewed") as what the actor did ("opened a report")."""
    if action in AUDIT_ACTIONS:
        return str(AUDIT_ACTIONS[action])
    for prefix, sentence, choices in (
        ("report.status.", REPORT_STATUS_ACTION, Report.Status.choices),
        ("referral.status.", REFERRAL_STATUS_ACTION, Referral.Status.choices),
    ):
        if action.startswith(prefix):
            status = action.removeprefix(prefix)
            return str(sentence) % {"status": dict(choices).get(status, status)}
    return action


def audit_actor(actor: str) -> str:
    return str(AUDIT_ACTORS.get(actor, actor))


_RETENTION_OBJECT = re.compile(r"^(?P<status>[a-z_]+)=(?P<days>keep|\d+)$")


def audit_object(action: str, object_id: str) -> str:
    """What an event names, where it is not simply an id: a retention rule in words."""
    match = _RETENTION_OBJECT.match(object_id) if action == "retention.changed" else None
    if match is None:
        return object_id
    status = str(dict(Report.Status.choices).get(match["status"], match["status"]))
    if match["days"] == "keep":
        return gettext("%(status)s: kept") % {"status": status}
    return gettext("%(status)s: %(days)s days") % {"status": status, "days": match["days"]}
