"""Grants of the organisation key: who may hold it, who holds it, and granting it from an unlocked holder.

Keys are handled only through vault/ (rotation); this module decides who may
receive the key and records every grant in the audit chain.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import record
from casework.accounts import Refused, may_hold_key
from casework.models import StaffProfile
from vault import rotation
from vault.models import OrgKey, OrgKeyGrant, StaffKey
from vault.session import Unlocked


def active_holder_ids() -> set[int]:
    """The active accounts that hold the active organisation key."""
    return set(
        OrgKeyGrant.objects.filter(org_key__active=True, staff_key__user__is_active=True).values_list(
            "staff_key__user_id", flat=True
        )
    )


def sole_holder(user) -> bool:
    """Whether this account is the only active holder of an unretired organisation key."""
    staff_key = StaffKey.objects.filter(user=user).first()
    return bool(staff_key and rotation.sole_holder_of(staff_key))


def grant_candidates(org_key: OrgKey) -> list:
    """Accounts with a key pair that may hold the key but have no grant of ``org_key``."""
    granted = set(org_key.grants.values_list("staff_key_id", flat=True))
    profiles = {p.user_id: p for p in StaffProfile.objects.all()}
    out = []
    for staff_key in StaffKey.objects.select_related("user").order_by("user__username"):
        profile = profiles.get(staff_key.user_id)
        if staff_key.pk in granted or profile is None:
            continue
        if may_hold_key(staff_key.user, list(profile.roles)):
            out.append(staff_key.user)
    return out


def holders(org_key: OrgKey) -> list:
    return [
        g.staff_key.user for g in org_key.grants.select_related("staff_key__user").order_by("staff_key__user__username")
    ]


def grant(actor, keys: Unlocked | None, user) -> None:
    """Grant the active organisation key to ``user`` from the actor's unlocked keys.

    Raise vault.exceptions.NotKeyHolderError if the actor does not hold it,
    Refused if the account may not hold it.
    """
    staff_key = StaffKey.objects.filter(user=user).first()
    if staff_key is None or not may_hold_key(user):
        raise Refused(
            f"{user.username} cannot receive the organisation key (no key pair, not active, or not an advocate or administrator)."
        )
    org_key = rotation.active_key()
    with transaction.atomic():
        rotation.grant_access(keys, org_key, staff_key, granted_by=actor)
        record(actor.username, "grant.created", f"{user.username}@{org_key.key_id}")
