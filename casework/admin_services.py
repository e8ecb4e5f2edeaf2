"""What administrators do: staff accounts, key grants, rotation and re-wrap, retention.

Accounts are made by invitation (casework/invitations.py), organisations in
casework/recipients.py.

Keys are handled only through vault/ (custody, rotation, envelope); this module
decides who may receive what and records every step in the audit chain.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from casework import otp
from casework.models import RetentionRule, Role, StaffProfile
from intake import services as intake_services
from intake.models import Report
from vault import custody, rotation
from vault.exceptions import DecryptionError, KeyMissingError
from vault.models import OrgKey, OrgKeyGrant, StaffKey
from vault.session import Unlocked

REWRAP_BATCH = 500
# Crockford-like alphabet without 0/o/1/l/i: easy to read aloud and type. 20 symbols ≈ 99 bits.
_ONE_TIME_SYMBOLS = "23456789abcdefghjkmnpqrstuvwxyz"
_KEY_ROLES = {Role.ADVOCATE.value, Role.ADMIN.value}


class Refused(Exception):
    """An administrator's request that Harbor will not carry out; the message says why."""


def new_password() -> str:
    """Return a random one-time password: four groups of five symbols (about 99 bits)."""
    groups = ["".join(secrets.choice(_ONE_TIME_SYMBOLS) for _ in range(5)) for _ in range(4)]
    return "-".join(groups)


# --- organisations -----------------------------------------------------------

# --- accounts ----------------------------------------------------------------


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


# --- grants ------------------------------------------------------------------


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


# --- rotation and re-wrap ----------------------------------------------------


@dataclass
class RewrapStatus:
    old: OrgKey
    remaining: int
    may_retire_at: object


def pending() -> list[RewrapStatus]:
    """Inactive keys still awaiting their re-wrap or retirement."""
    return [
        RewrapStatus(
            old=key,
            remaining=Report.objects.filter(org_key=key, dek_org_wrap__isnull=False).count(),
            may_retire_at=rotation.retire_after(key),
        )
        for key in rotation.pending_keys()
    ]


def rotate(actor, keys: Unlocked | None, *, inline: bool = False) -> str:
    """Rotate the organisation key and start moving old reports to it; return the re-wrap outcome.

    ``inline`` re-wraps in this process whatever the task backend (the command line).
    """
    with transaction.atomic():
        done = rotation.rotate(keys, granted_by=actor, eligible=lambda sk: may_hold_key(sk.user))
        record(actor.username, "key.rotated", f"{done.old.key_id}>{done.new.key_id}")
        for staff_key in done.holders:
            record(actor.username, "grant.created", f"{staff_key.user.username}@{done.new.key_id}")
    return start_rewrap(actor.username, keys, done.old, inline=inline)


def rewrap_mode() -> str:
    """How a re-wrap runs here: "immediate", "inline" or "queue".

    The worker reads T from the cache, so it needs a cache shared with the web
    processes (Redis). With the immediate task backend the task runs inside
    the request. With a per-process cache (development without Redis) a worker
    could never read T, so the request does the work itself, with the key it
    already holds. ``HARBOR_REWRAP_INLINE`` (True/False) overrides the guess.
    """
    from casework import tasks

    if isinstance(tasks.rewrap_reports.get_backend(), ImmediateBackend):
        return "immediate"
    inline = getattr(settings, "HARBOR_REWRAP_INLINE", None)
    if inline is None:
        inline = isinstance(caches["default"], LocMemCache | DummyCache)
    return "inline" if inline else "queue"


def start_rewrap(actor_name: str, keys: Unlocked | None, old: OrgKey, *, inline: bool = False) -> str:
    """Move the reports wrapped to ``old`` onto the active key, as the actor's mode allows.

    Return "queued" (a worker will do it), or the outcome of a run done now:
    "done", "grace" (all moved; too soon after the rotation to retire the
    old key) or "incomplete" (some wraps did not open).
    Raise vault.exceptions.NotKeyHolderError if the actor does not hold ``old``.
    """
    from casework import tasks

    new = rotation.active_key()
    mode = "inline" if inline else rewrap_mode()
    if mode == "inline":
        loaded = rotation.loaded_private(keys, old)
        record(actor_name, "key.rewrap_started", old.key_id)
        return finish_rewrap(old, new, loaded, actor_name)
    handoff = rotation.hand_off(keys, old, new)
    record(actor_name, "key.rewrap_started", old.key_id)
    result = tasks.rewrap_reports.enqueue(
        old_key_id=old.key_id, new_key_id=new.key_id, handle=handoff.handle, sealed=handoff.sealed, actor=actor_name
    )
    if mode == "immediate":
        return str(result.return_value) if result.status == "SUCCESSFUL" else "failed"
    return "queued"


def replace_lost_key(actor_name: str, holder) -> OrgKey:
    """Make a new organisation key for ``holder`` when nobody holds the active one any more.

    Reports wrapped to the lost key stay unreadable for ever (the retention
    purge removes them in time). Raise vault.exceptions.NotKeyHolderError if
    someone still holds the active key.
    """
    staff_key = StaffKey.objects.filter(user=holder).first()
    if staff_key is None or not may_hold_key(holder):
        raise Refused(f"{holder.username} cannot hold the organisation key.")
    with transaction.atomic():
        done = rotation.replace_lost(staff_key, granted_by=holder)
        record(actor_name, "key.replaced_lost", f"{done.old.key_id}>{done.new.key_id}")
        record(actor_name, "grant.created", f"{holder.username}@{done.new.key_id}")
    return done.new


def _rewrap_pass(old: OrgKey, new: OrgKey, loaded, batch_size: int) -> tuple[int, int]:
    moved = failed = 0
    last = ""
    while True:
        with transaction.atomic():
            batch = list(
                Report.objects.select_for_update()
                .filter(org_key=old, dek_org_wrap__isnull=False, id__gt=last)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return moved, failed
            changed = []
            for report in batch:
                try:
                    report.dek_org_wrap = rotation.rewrap_dek(bytes(report.dek_org_wrap), report.id, loaded, new)
                except DecryptionError:
                    failed += 1
                    continue
                report.org_key = new
                changed.append(report)
            # Not updated_at: a re-wrap is not a change to the report, and retention counts from changes.
            Report.objects.bulk_update(changed, ["dek_org_wrap", "org_key"])
            moved += len(changed)
            last = batch[-1].id


def finish_rewrap(old: OrgKey, new: OrgKey, loaded, actor_name: str) -> str:
    """Re-wrap every report on ``old`` to ``new`` in batches; retire ``old`` when it is safe.

    Return "done", "grace" or "incomplete" (see start_rewrap).
    """
    failed = 0
    for _attempt in range(3):  # a report wrapped to the old key by a lagging process while we worked
        _moved, failed = _rewrap_pass(old, new, loaded, REWRAP_BATCH)
        if failed or not Report.objects.filter(org_key=old, dek_org_wrap__isnull=False).exists():
            break
    if Report.objects.filter(org_key=old, dek_org_wrap__isnull=False).exists():
        record(actor_name, "key.rewrap_incomplete", old.key_id)
        return "incomplete"
    if not rotation.may_retire(old):
        return "grace"
    rotation.retire(old)
    record(actor_name, "key.rewrap_done", old.key_id)
    record(actor_name, "key.retired", old.key_id)
    return "done"


def run_rewrap_task(*, old_key_id: str, new_key_id: str, handle: str, sealed: str, actor: str) -> str:
    """The worker's side of a re-wrap: take the key from the hand-off, move, retire."""
    from casework import tasks

    handoff = rotation.Handoff(handle=handle, sealed=sealed)
    old = OrgKey.objects.filter(key_id=old_key_id).first()
    new = OrgKey.objects.filter(key_id=new_key_id).first()
    if old is None or new is None or old.retired_at is not None:
        rotation.release(handoff)
        return "nothing to do"
    loaded = rotation.take_over(handoff, old, new)
    if loaded is None:
        # T expired (or the cache was flushed): only an unlocked holder can start again.
        record(actor, "key.rewrap_expired", old.key_id)
        return "expired"
    outcome = finish_rewrap(old, new, loaded, actor)
    backend = tasks.rewrap_reports.get_backend()
    if outcome == "grace" and backend.supports_defer:
        tasks.rewrap_reports.using(run_after=rotation.retire_after(old) + timedelta(seconds=1)).enqueue(
            old_key_id=old_key_id, new_key_id=new_key_id, handle=handle, sealed=sealed, actor=actor
        )
        return "deferred"
    rotation.release(handoff)
    return outcome


# --- retention ---------------------------------------------------------------


def retention_days() -> dict[str, int]:
    return dict(RetentionRule.objects.values_list("status", "days"))


def save_retention(actor_name: str, days: dict[str, int | None]) -> None:
    """Store the retention rules; None means keep reports in that status."""
    with transaction.atomic():
        current = retention_days()
        for status, value in days.items():
            if value is None:
                if status in current:
                    RetentionRule.objects.filter(status=status).delete()
                    record(actor_name, "retention.changed", f"{status}=keep")
            elif current.get(status) != value:
                RetentionRule.objects.update_or_create(status=status, defaults={"days": value})
                record(actor_name, "retention.changed", f"{status}={value}")


def expired_reports(now=None):
    """Reports whose last change is older than their status's rule."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for status, days in retention_days().items():
        condition |= Q(status=status, updated_at__lt=now - timedelta(days=days))
    return Report.objects.filter(condition)


def purge(report: Report, actor_name: str = "retention") -> None:
    """Crypto-shred a report completely: content, wraps and the row; record only its id."""
    with transaction.atomic():
        report_id = report.pk
        intake_services.erase(report, reason="purged")
        Report.objects.filter(pk=report_id).update(dek_org_wrap=None, dek_receipt_wrap=None, lookup_id=None)
        report.delete()
        record(actor_name, "report.purged", report_id)


def purge_interval() -> int:
    """Seconds between scheduled retention purges (HARBOR_PURGE_EVERY; 0 turns the schedule off)."""
    return settings.HARBOR_PURGE_EVERY


def purge_expired(now=None, actor_name: str = "retention") -> int:
    """Purge every expired report; return how many were purged."""
    now = now or timezone.now()
    count = 0
    for report_id in list(expired_reports(now).values_list("id", flat=True)):
        # Read again: it may have changed (a reply, a new status) since the list was made.
        report = expired_reports(now).filter(pk=report_id).first()
        if report is None:
            continue
        try:
            purge(report, actor_name)
        except ProtectedError:
            continue  # something still refers to it and must go first; the next run retries
        count += 1
    return count
