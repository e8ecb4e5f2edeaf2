"""Notifications without content: an e-mail saying how many new things a person may see.

Staff choose, on their own Notifications page, to hear about new reports and new messages from
reporters (advocates) or new referrals for their organisation (recipients). Every
HARBOR_NOTIFY_EVERY_MINUTES the scheduler enqueues :func:`send_digests`, which writes to each of
them only if something is new since their last digest, and then only how many: never which
report, what happened, who sent a referral, or when. The mail's subject and first lines say
nothing a lock screen should not show. What each party learns is in docs/threat-model.md
("Notifications").

"New since the last digest" cannot be asked of reporters' rows by id (ids are random) or by
exact time (they keep only the hour), so each person has a high-water mark per kind of news
(:class:`casework.models.NotificationMark`): an hour and how many rows that hour and the one
before it held when the mark was set. Counting per hour in one statement keeps the count and
the next mark from the same snapshot, and a row committed late into the hour before is still
caught. A mail that could not be sent leaves the marks where they were, so the next digest
counts it again: nothing is lost, and a mail may at worst come twice.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import record
from casework.models import NotificationMark, NotificationPreference, StaffProfile
from casework.roles import ADVOCATE, RECIPIENT
from intake.models import Message, Report
from referrals.models import Referral

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
KINDS = ("reports", "messages", "referrals")
_ROLE = {"reports": ADVOCATE, "messages": ADVOCATE, "referrals": RECIPIENT}


def enabled() -> bool:
    """Whether this server can send mail at all (EMAIL_HOST is set)."""
    return "default" in settings.MAILERS


def digest_minutes() -> int:
    """Minutes between digests (HARBOR_NOTIFY_EVERY_MINUTES; 0 turns them off)."""
    return settings.HARBOR_NOTIFY_EVERY_MINUTES


def digest_interval() -> int:
    """Seconds between digests for the scheduler (periodic/registry.py); 0, off, without a mail server."""
    return settings.HARBOR_NOTIFY_EVERY_MINUTES * 60 if enabled() else 0


def kinds_for(profile: StaffProfile | None) -> list[str]:
    """The kinds of news this person's roles let them see, in KINDS order."""
    if profile is None:
        return []
    return [
        kind
        for kind in KINDS
        if profile.has_role(_ROLE[kind]) and (kind != "referrals" or profile.organisation_id is not None)
    ]


# --- counting --------------------------------------------------------------------


def _rows(kind: str, profile: StaffProfile) -> tuple[QuerySet, str, str]:
    """What one person may see of a kind of news: rows, their time column, and the scope."""
    if kind == "reports":
        return Report.objects.all(), "received_at", ""
    if kind == "messages":
        return Message.objects.filter(author=Message.Author.REPORTER), "created_at", ""
    # As in the recipient's inbox: their organisation's referrals, less those revoked before opening.
    if profile.organisation_id is None:  # kinds_for gives referral news only to an organisation's people
        return Referral.objects.none(), "created_at", ""
    rows = (
        Referral.objects.filter(organisation_id=profile.organisation_id)
        .exclude(profile="peer_alert")
        .exclude(status=Referral.Status.REVOKED)
    )
    return rows, "created_at", str(profile.organisation_id)


def _by_hour(rows: QuerySet, field: str, since: datetime) -> dict[datetime, int]:
    """How many rows each hour from ``since`` on holds, read in one statement (one snapshot)."""
    grouped = (
        rows.filter(**{f"{field}__gte": since})
        .annotate(hour=TruncHour(field, tzinfo=UTC))
        .order_by()
        .values("hour")
        .annotate(n=Count("*"))
    )
    return {row["hour"]: row["n"] for row in grouped}


@dataclass(frozen=True)
class Tally:
    """How many rows are new against a mark, and the mark that counts them as seen."""

    new: int
    hour: datetime
    seen: int
    seen_before: int


def tally(counts: dict[datetime, int], hour: datetime, seen: int, seen_before: int) -> Tally:
    """Count what ``counts`` (rows per hour, from ``hour`` - 1 h on) holds beyond a mark.

    Beyond the mark: rows of the hour before it and of its hour above what those held when
    it was set, and every row of a later hour. A row deleted since (a withdrawal) lowers an
    hour's count; the new mark takes the lower count, so the next row is not masked by it.
    """
    new = (
        max(0, counts.get(hour - HOUR, 0) - seen_before)
        + max(0, counts.get(hour, 0) - seen)
        + sum(n for h, n in counts.items() if h > hour)
    )
    top = max([hour, *counts])
    return Tally(new=new, hour=top, seen=counts.get(top, 0), seen_before=counts.get(top - HOUR, 0))


class _Counter:
    """Per-hour counts for one digest run, shared by everyone whose mark is at the same hour."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, datetime], dict[datetime, int]] = {}

    def counts(self, kind: str, profile: StaffProfile, since: datetime) -> tuple[dict[datetime, int], str]:
        rows, field, scope = _rows(kind, profile)
        key = (kind, scope, since)
        if key not in self._cache:
            self._cache[key] = _by_hour(rows, field, since)
        return self._cache[key], scope


def _floor(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _start_mark(pref: NotificationPreference, kind: str, profile: StaffProfile, now: datetime, counter=None):
    """Mark everything there is now as seen: a new choice starts from now, not from the first report."""
    hour = _floor(now)
    counts, scope = (counter or _Counter()).counts(kind, profile, hour - HOUR)
    start = tally(counts, hour, 0, 0)
    NotificationMark.objects.update_or_create(
        preference=pref,
        kind=kind,
        defaults={"scope": scope, "hour": start.hour, "seen": start.seen, "seen_before": start.seen_before},
    )


# --- choosing ------------------------------------------------------------------------


def preference_of(user) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()


@transaction.atomic
def save_preference(user, profile: StaffProfile, *, email: str, language: str, kinds: Iterable[str]) -> None:
    """Store a person's choices; news of a kind they just turned on is counted from now."""
    allowed = set(kinds_for(profile))
    wanted = set(kinds) & allowed
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    was_on = {kind for kind in KINDS if getattr(pref, kind)}
    pref.email = email
    pref.language = language
    for kind in KINDS:
        setattr(pref, kind, kind in wanted)
    pref.save()
    pref.marks.exclude(kind__in=wanted).delete()
    now = timezone.now()
    for kind in wanted - was_on:
        _start_mark(pref, kind, profile, now)
    # Who changed their notifications, never the address or what they chose.
    record(user.username, "notifications.changed", user.username)


# --- the digest ------------------------------------------------------------------------


@dataclass
class _Digest:
    pref: NotificationPreference
    counts: dict[str, int]
    marks: list[tuple[str, str, Tally]]


def _plan(pref: NotificationPreference, profile: StaffProfile | None, now: datetime, counter: _Counter):
    """Count one person's news; start or drop marks as their roles changed. None when nothing is new."""
    active = [kind for kind in kinds_for(profile) if getattr(pref, kind)]
    pref.marks.exclude(kind__in=active).delete()  # a role taken away: its news stops, and restarts from then
    if profile is None:  # no profile, no role: no news (kinds_for), and no mark left
        return None
    marks = {m.kind: m for m in pref.marks.all()}
    counts: dict[str, int] = {}
    moved: list[tuple[str, str, Tally]] = []
    for kind in active:
        mark = marks.get(kind)
        if mark is None or mark.scope != _rows(kind, profile)[2]:
            _start_mark(pref, kind, profile, now, counter)  # a new organisation: count from now
            continue
        rows_by_hour, scope = counter.counts(kind, profile, mark.hour - HOUR)
        result = tally(rows_by_hour, mark.hour, mark.seen, mark.seen_before)
        if result.new:
            counts[kind] = result.new
        if (result.hour, result.seen, result.seen_before) != (mark.hour, mark.seen, mark.seen_before):
            moved.append((kind, scope, result))
    if not counts:
        _move_marks(pref, moved)  # nothing new, but counts fell (a withdrawal): follow them down
        return None
    return _Digest(pref=pref, counts=counts, marks=moved)


def _move_marks(pref: NotificationPreference, moved: list[tuple[str, str, Tally]]) -> None:
    for kind, scope, result in moved:
        NotificationMark.objects.filter(preference=pref, kind=kind).update(
            scope=scope, hour=result.hour, seen=result.seen, seen_before=result.seen_before
        )


def compose(counts: dict[str, int], language: str, to: str = "") -> mail.EmailMessage:
    """The digest: fixed, neutral text in the person's language, and how many of each kind.

    Plain text only: no HTML, image, tracking link or per-person token. The subject and the
    first lines are what a lock screen shows, so they say only that something is new. Nothing
    in it names a report, a crime, an organisation or a time; even the Message-ID, which Django
    would build from the clock, the process id and the host name, is random here.
    """
    with translation.override(language):
        site = settings.HARBOR_SITE_TITLE
        subject = _("%(site)s: something new for you") % {"site": site}
        lines = [_("Hello,"), "", _("There is something new for you on %(site)s.") % {"site": site}, ""]
        if counts.get("reports"):
            n = counts["reports"]
            lines.append(ngettext("%(n)d new report", "%(n)d new reports", n) % {"n": n})
        if counts.get("messages"):
            n = counts["messages"]
            lines.append(
                ngettext("%(n)d new message from a reporter", "%(n)d new messages from reporters", n) % {"n": n}
            )
        if counts.get("referrals"):
            n = counts["referrals"]
            lines.append(
                ngettext("%(n)d new referral for your organisation", "%(n)d new referrals for your organisation", n)
                % {"n": n}
            )
        lines.append("")
        if settings.HARBOR_SITE_URL:
            lines += [_("Log in to see it:"), settings.HARBOR_SITE_URL + reverse("casework:login"), ""]
        else:
            lines += [_("Log in to see it."), ""]
        lines.append(
            _(
                "This message says only how many, never what. You asked for it on your Notifications "
                "page, where you can also stop it."
            )
        )
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    headers = {"Message-ID": f"<{secrets.token_hex(16)}@{domain}>", "Auto-Submitted": "auto-generated"}
    return mail.EmailMessage(subject, "\n".join(lines) + "\n", to=[to] if to else None, headers=headers)


def run_digests(now: datetime | None = None) -> None:
    """Write to everyone who has something new since their last digest; count the rest again next time.

    A mail server that refuses or is away is logged (how many were not sent, and the kind of
    error: never an address or what a mail said) and the task still ends normally, so no
    traceback holding an address lands in the task table; the marks stay, so the next digest
    counts those news again.
    """
    if not enabled():
        return
    now = now or timezone.now()
    counter = _Counter()
    wanting = Q(reports=True) | Q(messages=True) | Q(referrals=True)
    prefs = list(NotificationPreference.objects.filter(wanting).exclude(email="").select_related("user").order_by("pk"))
    profiles = {
        p.user_id: p
        for p in StaffProfile.objects.filter(user_id__in=[p.user_id for p in prefs]).select_related("organisation")
    }
    # A deactivated account hears nothing, like one without the role, and starts afresh if reactivated.
    digests = [
        d
        for pref in prefs
        if (d := _plan(pref, profiles.get(pref.user_id) if pref.user.is_active else None, now, counter))
    ]
    if not digests:
        return
    sent = 0
    error = ""
    try:
        with mail.mailers.default as mailer:
            for digest in digests:
                message = compose(digest.counts, digest.pref.language, digest.pref.email)
                try:
                    mailer.send_messages([message])
                except Exception as exc:  # noqa: BLE001 - any error: its text may hold the address, so only its kind is kept
                    error = type(exc).__name__
                    continue
                _move_marks(digest.pref, digest.marks)
                sent += 1
    except Exception as exc:  # noqa: BLE001 - could not connect, or the goodbye failed; as above
        error = error or type(exc).__name__
    if sent < len(digests):
        logger.warning(
            "notification digest: %d of %d messages not sent (%s); they are counted again at the next digest",
            len(digests) - sent,
            len(digests),
            error or "unknown error",
        )


@task
def send_digests() -> None:
    """The periodic digest (periodic/registry.py). Returns nothing: a count would say when news came."""
    run_digests()
