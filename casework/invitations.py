"""Invitations: how staff and recipient accounts are made.

An administrator invites a person (username, roles, an organisation for a recipient); Harbor
makes a single-use link that expires (HARBOR_INVITATION_HOURS, 72 by default) and shows it
once. The administrator hands it over themselves: Harbor sends nothing. The person opens it,
chooses a password (Django's validators), and the account is made then, with a key pair
locked with that password (vault/custody.py); they go on to enrol their authenticator.
The token is kept only as a keyed hash (vault/invitations.py). A link that was used,
withdrawn or has expired makes nothing. The scheduler deletes invitations once they expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from casework.models import Invitation, Organisation, Role, StaffProfile
from vault import custody
from vault import invitations as tokens

EXPIRY_ACTOR = "expiry"


class Refused(Exception):
    """An invitation Harbor will not make or withdraw; the message says why."""


class Unusable(Exception):
    """The link does not make an account: ``state`` is "unknown", "accepted", "revoked" or "expired"."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class Issued:
    """A new invitation and its token, which exists nowhere else: show it once."""

    invitation: Invitation
    token: str


def default_hours() -> int:
    return settings.HARBOR_INVITATION_HOURS


def _pending(now):
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


def username_free(username: str, now=None) -> bool:
    """Whether no account and no pending invitation has this username (in any case)."""
    now = now or timezone.now()
    if get_user_model().objects.filter(username__iexact=username).exists():
        return False
    return not _pending(now).filter(username__iexact=username).exists()


def invite(
    actor_name: str,
    username: str,
    roles: list[str],
    organisation: Organisation | None = None,
    *,
    invited_by=None,
    hours: int | None = None,
    now=None,
) -> Issued:
    """Make an invitation; return it with its token (never stored). Raise Refused if it may not be made.

    The form (casework.forms_admin.InviteForm) checks the same and says it field by field; this
    checks again for the command line and for two administrators inviting the same name at once.
    """
    now = now or timezone.now()
    hours = default_hours() if hours is None else hours
    if not roles or not set(roles) <= set(Role.values):
        raise Refused(_("Choose at least one role: it says what they may see."))
    recipient = Role.RECIPIENT.value in roles
    if recipient and (organisation is None or organisation.retired):
        raise Refused(_("A recipient belongs to a current organisation: choose one."))
    if not username_free(username, now):
        raise Refused(_("The username %(username)s is taken or already invited.") % {"username": username})
    token = tokens.new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            token_digest=tokens.digest(token),
            username=username,
            roles=list(roles),
            organisation=organisation if recipient else None,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        record(actor_name, "invitation.created", username)
    return Issued(invitation, token)


def find(token: str) -> Invitation | None:
    """The invitation a link's token stands for, in whatever state, or None (forged, truncated, deleted)."""
    digests = tokens.candidate_digests(token)
    if not digests:
        return None
    return Invitation.objects.filter(token_digest__in=digests).select_related("organisation").first()


def usable(token: str, now=None) -> Invitation:
    """The pending invitation behind ``token``; raise Unusable (with its state) otherwise."""
    invitation = find(token)
    if invitation is None:
        raise Unusable("unknown")
    state = invitation.state(now)
    if state != Invitation.State.PENDING:
        raise Unusable(state)
    return invitation


def accept(token: str, password: str, now=None):
    """Make the invited account with ``password`` and a key pair locked with it; return the user.

    The invitation is claimed with a conditional update first, so of two people sending the
    same link at once only one makes an account; anything that fails afterwards undoes the
    claim with the rest. Raise Unusable if the link makes nothing, Refused if the username was
    taken meanwhile. The password must already have passed the validators (the form).
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = usable(token, now)
        if invitation.organisation is not None and invitation.organisation.retired:
            raise Unusable(Invitation.State.REVOKED)
        claimed = _pending(now).filter(pk=invitation.pk).update(accepted_at=now)
        if not claimed:
            raise Unusable(Invitation.objects.get(pk=invitation.pk).state(now))
        User = get_user_model()
        if User.objects.filter(username__iexact=invitation.username).exists():
            raise Refused("taken")
        try:
            with transaction.atomic():
                user = User.objects.create_user(invitation.username, password=password, is_staff=True)
        except IntegrityError as exc:
            raise Refused("taken") from exc
        StaffProfile.objects.create(user=user, roles=list(invitation.roles), organisation=invitation.organisation)
        custody.create_staff_key(user, password)
        Invitation.objects.filter(pk=invitation.pk).update(account=user)
        record(user.username, "invitation.accepted", user.username)
    return user


def revoke(actor_name: str, invitation: Invitation, *, revoked_by=None, now=None) -> None:
    """Withdraw a pending invitation; raise Refused if it is no longer pending."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _pending(now).filter(pk=invitation.pk).update(revoked_at=now, revoked_by=revoked_by):
            raise Refused(_("This invitation is no longer waiting: it was accepted, withdrawn or has expired."))
        record(actor_name, "invitation.revoked", invitation.username)


def revoke_pending_for(organisation: Organisation, actor_name: str, *, revoked_by=None, now=None) -> int:
    """Withdraw every pending invitation to ``organisation``; return how many."""
    now = now or timezone.now()
    names = list(_pending(now).filter(organisation=organisation).values_list("username", flat=True))
    _pending(now).filter(organisation=organisation).update(revoked_at=now, revoked_by=revoked_by)
    for username in names:
        record(actor_name, "invitation.revoked", username)
    return len(names)


def delete_expired(now=None) -> int:
    """Delete every invitation past its expiry, whatever became of it; return how many.

    One that was never used is recorded as ``invitation.expired``. Accepted ones are in the
    audit chain already (``invitation.accepted``), withdrawn ones too (``invitation.revoked``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            Invitation.objects.filter(expires_at__lte=now).values_list("pk", "username", "accepted_at", "revoked_at")
        )
        count, _by_model = Invitation.objects.filter(pk__in=[row[0] for row in expired]).delete()
        for _pk, username, accepted_at, revoked_at in expired:
            if accepted_at is None and revoked_at is None:
                record(EXPIRY_ACTOR, "invitation.expired", username)
    return count


def listing(now=None) -> list[Invitation]:
    """Every invitation not deleted yet, newest first, each with ``current_state`` set."""
    now = now or timezone.now()
    out = list(Invitation.objects.select_related("organisation", "invited_by", "account"))
    for invitation in out:
        invitation.current_state = invitation.state(now)
    return out
