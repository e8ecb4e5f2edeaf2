"""Staff accounts: the administrator's list, roles and organisation, locks, the forgotten-password ceremony.

Also whether an account may hold the organisation key, which granting it
(casework/grants.py) and rotating it (casework/orgkey.py) ask. Accounts are
made by invitation (casework/invitations.py), organisations in
casework/recipients.py. Every change is recorded in the audit chain.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from casework import otp
from casework.models import Role, StaffProfile
from vault import custody, rotation
from vault.exceptions import KeyMissingError
from vault.models import StaffKey

# Crockford-like alphabet without 0/o/1/l/i: easy to read aloud and type. 20 symbols ≈ 99 bits.
_ONE_TIME_SYMBOLS = "23456789abcdefghjkmnpqrstuvwxyz"
_KEY_ROLES = {Role.ADVOCATE.value, Role.ADMIN.value}


class Refused(Exception):
    """An administrator's request that Harbor will not carry out; the message says why."""


def new_password() -> str:
    """Return a random one-time password: four groups of five symbols (about 99 bits)."""
    groups = ["".join(secrets.choice(_ONE_TIME_SYMBOLS) for _ in range(5)) for _ in range(4)]
    return "-".join(groups)


@dataclass
class AccountRow:
    user: object
    roles: list[str]
    organisation: object
    has_key: bool
    holds_active: bool
    locked: bool
    enrolled: bool
    must_change_password: bool


def _profile(user) -> StaffProfile:
    return StaffProfile.objects.filter(user=user).select_related("organisation").first() or StaffProfile(user=user)


def is_locked(profile: StaffProfile | None) -> bool:
    return bool(profile and profile.locked_until and profile.locked_until > timezone.now())


def account_rows() -> list[AccountRow]:
    """Every account with its roles and key status, for the administrator's list."""
    users = get_user_model().objects.order_by("username")
    profiles = {p.user_id: p for p in StaffProfile.objects.select_related("organisation")}
    keyed = set(StaffKey.objects.values_list("user_id", flat=True))
    try:
        holders = set(rotation.active_key().grants.values_list("staff_key__user_id", flat=True))
    except KeyMissingError:
        holders = set()
    enrolled = otp.enrolled_user_ids()
    rows = []
    for user in users:
        profile = profiles.get(user.pk)
        rows.append(
            AccountRow(
                user=user,
                roles=list(profile.roles) if profile else [],
                organisation=profile.organisation if profile else None,
                has_key=user.pk in keyed,
                holds_active=user.pk in holders,
                locked=is_locked(profile),
                enrolled=user.pk in enrolled,
                must_change_password=bool(profile and profile.must_change_password),
            )
        )
    return rows


def may_hold_key(user, roles: list[str] | None = None) -> bool:
    """Whether an account may receive the organisation key.

    Advocates read reports; administrators who grant or rotate need the key
    too. A recipient never holds it (referrals are encrypted to them
    separately), nor does an auditor (the audit chain has no content).
    """
    if roles is None:
        roles = list(_profile(user).roles)
    return user.is_active and _roles_may_hold(roles)


def _roles_may_hold(roles: list[str]) -> bool:
    return bool(_KEY_ROLES & set(roles)) and Role.RECIPIENT.value not in roles


def update_account(actor, user, *, roles: list[str], organisation, is_active: bool, unlock: bool) -> list[str]:
    """Change roles, organisation and active state; unlock a locked account.

    Refuse to let administrators remove their own administrator role or
    deactivate themselves, and to strip the last active holder of a key.
    An account that may no longer hold the key loses its grants. Return
    notices for the administrator.
    """
    notices: list[str] = []
    if user.pk == actor.pk and (Role.ADMIN.value not in roles or not is_active):
        raise Refused(
            "You cannot remove your own administrator role or deactivate yourself. Ask another administrator."
        )
    current = _profile(user).organisation
    if Role.RECIPIENT.value in roles and organisation is not None and organisation.retired and organisation != current:
        raise Refused(_("%(name)s was retired: it takes no new members.") % {"name": organisation.name})
    if current is not None and current.retired and is_active:
        raise Refused(_("%(name)s was retired: the accounts of its people stay inactive.") % {"name": current.name})
    staff_key = StaffKey.objects.filter(user=user).first()
    keeps_key = is_active and _roles_may_hold(roles)
    if staff_key is not None and not keeps_key:
        sole = rotation.sole_holder_of(staff_key)
        if sole:
            raise Refused(
                f"{user.username} is the only active holder of the organisation key. "
                "Grant it to someone else first, or no report could ever be read again."
            )
    with transaction.atomic():
        profile = _profile(user)
        profile.roles = list(roles)
        profile.organisation = organisation if Role.RECIPIENT.value in roles else None
        if unlock and is_locked(profile):
            profile.locked_until = None
            profile.failed_logins = 0
            record(actor.username, "account.unlocked", user.username)
            notices.append("The account is unlocked.")
        profile.save()
        if user.is_active != is_active:
            user.is_active = is_active
            user.save(update_fields=["is_active"])
        if staff_key is not None and not keeps_key and rotation.revoke_all(staff_key):
            record(actor.username, "grant.revoked", user.username)
            notices.append(
                "Their organisation key grants were removed. If they may have kept a copy of the key, rotate it."
            )
        record(actor.username, "account.updated", user.username)
    return notices


def reset_account(actor_name: str, user) -> str:
    """The forgotten-password ceremony; return the new one-time password.

    The old private key is encrypted under the forgotten password and cannot
    be recovered: a new key pair replaces it (the old one's grants go with
    it), the authenticator and recovery codes are removed so the person
    enrols again, and a key holder must grant the organisation key again.
    """
    password = new_password()
    with transaction.atomic():
        user.set_password(password)  # also ends every session of this account
        user.save(update_fields=["password"])
        custody.create_staff_key(user, password)
        otp.remove_all(user)
        profile = _profile(user)
        profile.must_change_password = True
        profile.failed_logins = 0
        profile.locked_until = None
        profile.save()
        record(actor_name, "account.reset", user.username)
    return password
