"""Recipient organisations: adding, editing and retiring them; the one jurisdiction they share.

An organisation's *kind* is a policy recipient profile (policy/data/profiles), other than the
peer safety alert, which goes to no organisation. Every organisation receives its referrals
under the deployment's one jurisdiction (HARBOR_JURISDICTION): the reporter previews the
protections notice before she knows which organisation of a kind will receive it
(docs/referrals.md), so a notice cannot depend on the organisation.

Retiring is for good: the organisation is offered no more referrals, its pending invitations
are withdrawn, its users are deactivated (and cannot be reactivated) and their copies of the
referral keys are deleted. Referrals already sent stay, under the organisation's name, for the
advocates, who read them with the organisation intake key (docs/operations.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from casework.models import ORGANISATION_NAME_MAX, Invitation, Organisation, StaffProfile
from intake import policy_bridge

ALERT_PROFILE = "peer_alert"


class Refused(Exception):
    """A change to an organisation that Harbor will not make; the message says why."""


def kinds() -> list[tuple[str, str]]:
    """(profile id, title) of every recipient profile an organisation can have."""
    return [
        (pid, str(policy_bridge.RECIPIENT_TITLES.get(pid, profile.title)))
        for pid, profile in sorted(policy_bridge.profiles().items())
        if pid != ALERT_PROFILE
    ]


def kind_title(kind: str) -> str:
    return dict(kinds()).get(kind, kind)


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str


def jurisdiction() -> Jurisdiction:
    """The deployment's jurisdiction (HARBOR_JURISDICTION) and its name from its policy pack."""
    code = settings.HARBOR_JURISDICTION
    for pack in policy_bridge.packs():
        if pack.jurisdiction == code:
            return Jurisdiction(code, pack.jurisdiction_name)
    return Jurisdiction(code, code)


def tidy(text: str) -> str:
    """One line, single spaces: how names and contact lines are kept."""
    return " ".join(text.split())


def current():
    """Organisations that may receive referrals and members."""
    return Organisation.objects.filter(retired_at__isnull=True).order_by("name")


def name_taken(name: str, exclude: Organisation | None = None) -> bool:
    taken = current().filter(name__iexact=tidy(name))
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.exists()


def _check(name: str, kind: str) -> None:
    if kind not in dict(kinds()):
        raise Refused(
            _("%(kind)s is not a kind of organisation; choose one of %(kinds)s.")
            % {"kind": repr(kind), "kinds": ", ".join(dict(kinds()))}
        )
    if not name or len(name) > ORGANISATION_NAME_MAX:
        raise Refused(_("An organisation needs a name of at most 200 characters."))


def add(actor_name: str, name: str, kind: str, contact: str = "") -> Organisation:
    """Add an organisation that receives referrals of ``kind``; raise Refused if it may not be."""
    name, contact = tidy(name), tidy(contact)
    _check(name, kind)
    if name_taken(name):
        raise Refused(_("There is already an organisation named %(name)s.") % {"name": name})
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(name=name, kind=kind, contact=contact)
            record(actor_name, "organisation.created", str(organisation.pk))
    except IntegrityError as exc:  # added at the same moment by someone else
        raise Refused(_("There is already an organisation named %(name)s.") % {"name": name}) from exc
    return organisation


def edit(actor_name: str, organisation: Organisation, *, name: str, kind: str, contact: str) -> Organisation:
    """Change an organisation's name, kind or contact line; referrals already sent keep theirs."""
    name, contact = tidy(name), tidy(contact)
    _check(name, kind)
    if organisation.retired:
        raise Refused(_("A retired organisation cannot be changed."))
    if name_taken(name, exclude=organisation):
        raise Refused(_("There is already an organisation named %(name)s.") % {"name": name})
    try:
        with transaction.atomic():
            organisation.name, organisation.kind, organisation.contact = name, kind, contact
            organisation.save(update_fields=["name", "kind", "contact"])
            record(actor_name, "organisation.updated", str(organisation.pk))
    except IntegrityError as exc:
        raise Refused(_("There is already an organisation named %(name)s.") % {"name": name}) from exc
    return organisation


@dataclass(frozen=True)
class Retired:
    organisation: Organisation
    deactivated: list[str]  # usernames
    invitations: int  # pending invitations withdrawn


def retire(actor_name: str, organisation: Organisation, *, revoked_by=None, now=None) -> Retired:
    """Retire an organisation for good (module docstring); raise Refused if it already is."""
    from casework import invitations
    from referrals.models import ReferralWrap

    now = now or timezone.now()
    with transaction.atomic():
        claimed = Organisation.objects.filter(pk=organisation.pk, retired_at__isnull=True).update(retired_at=now)
        if not claimed:
            raise Refused(_("%(name)s was already retired.") % {"name": organisation.name})
        organisation.retired_at = now
        users = [p.user for p in StaffProfile.objects.filter(organisation=organisation).select_related("user")]
        deactivated = []
        for user in users:
            if user.is_active:
                user.is_active = False  # ends their sessions too: an inactive user is logged out
                user.save(update_fields=["is_active"])
                deactivated.append(user.username)
                record(actor_name, "account.deactivated", user.username)
        # Their copies of the referral keys: with a password and a copy of the database they
        # would still open what was sent. The advocates' copy (org_wrap) stays.
        ReferralWrap.objects.filter(staff_key__user__in=users).delete()
        withdrawn = invitations.revoke_pending_for(organisation, actor_name, revoked_by=revoked_by, now=now)
        record(actor_name, "organisation.retired", str(organisation.pk))
    return Retired(organisation, sorted(deactivated), withdrawn)


def retired_member(user) -> bool:
    """Whether ``user`` belongs to a retired organisation (and so may not be made active)."""
    return StaffProfile.objects.filter(user=user, organisation__retired_at__isnull=False).exists()


@dataclass
class Row:
    organisation: Organisation
    kind_title: str
    members: int  # active accounts
    pending: int  # pending invitations
    referrals: int


def rows(now=None) -> list[Row]:
    """Every organisation, current first, with its active members, pending invitations and referrals."""
    now = now or timezone.now()
    User = get_user_model()
    active = dict(
        StaffProfile.objects.filter(organisation__isnull=False, user__in=User.objects.filter(is_active=True))
        .values_list("organisation_id")
        .annotate(n=Count("id"))
    )
    pending = dict(
        Invitation.objects.filter(
            organisation__isnull=False, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .values_list("organisation_id")
        .annotate(n=Count("id"))
    )
    organisations = Organisation.objects.annotate(sent=Count("referrals")).order_by(
        F("retired_at").asc(nulls_first=True), "name"
    )
    titles = dict(kinds())
    return [
        Row(
            organisation=o,
            kind_title=titles.get(o.kind, o.kind),
            members=active.get(o.pk, 0),
            pending=pending.get(o.pk, 0),
            referrals=o.sent,
        )
        for o in organisations
    ]


def members(organisation: Organisation) -> list:
    """The accounts of an organisation, by username."""
    return [
        p.user
        for p in StaffProfile.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    ]


def named(name: str) -> Organisation | None:
    """The current organisation called ``name`` (any case), else the newest retired one."""
    name = tidy(name)
    return (
        current().filter(name__iexact=name).first()
        or Organisation.objects.filter(name__iexact=name).order_by("-retired_at").first()
    )
