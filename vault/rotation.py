"""Granting, rotating and retiring the organisation key; handing it to a worker.

Threats answered:

- A key holder leaves, or a copy of the organisation private key may have
  escaped. Rotation makes a new key pair at once (new reports are wrapped to
  it), grants it to every remaining holder from their public keys (no one but
  the actor has to be present), and a re-wrap moves every report's data key
  to it. When nothing is left on the old key its grants are deleted: the old
  private key then exists nowhere (crypto-shredding of the key itself).
- The re-wrap runs in a background worker, and the task queue is a database
  table: a private key in a task's arguments would be a private key in every
  backup. So the request that starts it encrypts the old private key under a
  random one-time key T (AES-256-GCM); only that ciphertext goes into the task
  arguments, and T goes into the cache (Redis in production) for an hour and
  never into the database. The same split as vault/session.py: a database dump
  alone, or the cache alone, yields nothing. If T has expired, the task cannot
  run and an unlocked key holder has to start it again.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from vault import crypto, custody, envelope
from vault.exceptions import DecryptionError, FormatError, KeyMissingError, NotKeyHolderError, RotationPendingError
from vault.models import OrgKey, OrgKeyGrant, StaffKey
from vault.session import Unlocked

HANDOFF_TTL = 3600  # seconds T stays in the cache
_CACHE_PREFIX = "harbor:rewrap:"


def retire_grace() -> timedelta:
    """How long after a rotation the old key must stay openable.

    Each process keeps its copy of the active key for up to 30 seconds
    (vault.custody.active_org_key), so a report can still be wrapped to the
    old key just after a rotation. Retiring before that window has passed
    could strand such a report; twice the window is the default.
    """
    return timedelta(seconds=getattr(settings, "HARBOR_ROTATION_GRACE_SECONDS", 2 * custody._ACTIVE_TTL))


def active_key() -> OrgKey:
    """Return the active organisation key, read from the database (not the 30-second copy)."""
    key = OrgKey.objects.filter(active=True).order_by("-created_at").first()
    if key is None:
        raise KeyMissingError("no active organisation key")
    return key


def pending_keys():
    """Return the inactive keys not yet retired (their re-wrap is unfinished)."""
    return OrgKey.objects.filter(active=False, retired_at__isnull=True).order_by("created_at")


def holds(keys: Unlocked | None, org_key: OrgKey) -> bool:
    """Return whether these unlocked keys include ``org_key``'s private half."""
    return keys is not None and keys.org_key(org_key.key_id) is not None


def _private_of(keys: Unlocked | None, org_key: OrgKey) -> bytes:
    if keys is None or keys.org_key(org_key.key_id) is None:
        raise NotKeyHolderError(f"not a holder of {org_key}")
    return keys.org_privates[org_key.key_id]


def grant_access(keys: Unlocked | None, org_key: OrgKey, staff_key: StaffKey, granted_by=None) -> OrgKeyGrant:
    """Wrap ``org_key`` (HPKE) to ``staff_key``, from an unlocked holder's keys.

    Raise NotKeyHolderError if ``keys`` does not hold ``org_key``.
    """
    return custody.grant(org_key, _private_of(keys, org_key), staff_key, granted_by=granted_by)


def revoke_all(staff_key: StaffKey) -> int:
    """Delete every organisation key grant of ``staff_key``; return how many there were.

    Deleting a grant does not un-know a key its holder may have copied: after
    someone leaves, rotate too.
    """
    count, _ = OrgKeyGrant.objects.filter(staff_key=staff_key).delete()
    return count


def sole_holder_of(staff_key: StaffKey) -> list[OrgKey]:
    """Return the unretired keys for which ``staff_key`` is the only active holder."""
    out = []
    for org_key in OrgKey.objects.filter(retired_at__isnull=True, grants__staff_key=staff_key):
        others = org_key.grants.exclude(staff_key=staff_key).filter(staff_key__user__is_active=True)
        if not others.exists():
            out.append(org_key)
    return out


@dataclass(frozen=True)
class Rotation:
    old: OrgKey
    new: OrgKey
    holders: list[StaffKey]


@transaction.atomic
def rotate(keys: Unlocked | None, granted_by=None, *, eligible=lambda staff_key: True) -> Rotation:
    """Make a new active organisation key and grant it to every current holder.

    The new private key is wrapped (HPKE) to the public key of each holder of
    the current key whose account is active and for whom ``eligible`` is
    true; it is also added to ``keys`` so the actor can use it at once. The old
    key becomes inactive; its reports still open with it until re-wrapped.

    Raise NotKeyHolderError if ``keys`` does not hold the active key,
    RotationPendingError if an earlier rotation is not finished.
    """
    old = OrgKey.objects.select_for_update().filter(active=True).order_by("-created_at").first()
    if old is None:
        raise KeyMissingError("no active organisation key")
    if keys is None:
        raise NotKeyHolderError("no unlocked keys")
    _private_of(keys, old)
    if pending_keys().exists():
        raise RotationPendingError("an earlier re-wrap has not finished")
    holders = [
        g.staff_key
        for g in old.grants.select_related("staff_key__user").order_by("staff_key__user__username")
        if g.staff_key.user.is_active and eligible(g.staff_key)
    ]
    pair = crypto.generate_keypair()
    old.active = False
    old.deactivated_at = timezone.now()
    old.save(update_fields=["active", "deactivated_at"])
    new = OrgKey.objects.create(key_id=pair.key_id.hex(), public_key=pair.public, active=True)
    for staff_key in holders:
        custody.grant(new, pair.private, staff_key, granted_by=granted_by)
    keys.org_privates[new.key_id] = pair.private
    custody.forget_active_org_key()
    transaction.on_commit(custody.forget_active_org_key)
    return Rotation(old=old, new=new, holders=holders)


@transaction.atomic
def replace_lost(holder_key: StaffKey, granted_by=None) -> Rotation:
    """Replace an organisation key that nobody holds any more with a new one.

    For the case where the last holder's key was reset: reports on the lost
    key can never be opened again, but new ones must not go to it. Refuse
    (NotKeyHolderError) while any grant of the active key exists: then
    someone still holds it, and a normal rotation is the way.
    """
    old = OrgKey.objects.select_for_update().filter(active=True).order_by("-created_at").first()
    if old is None:
        raise KeyMissingError("no active organisation key")
    if old.grants.exists():
        raise NotKeyHolderError("the active key still has holders; rotate it instead")
    pair = crypto.generate_keypair()
    now = timezone.now()
    OrgKey.objects.filter(pk=old.pk).update(active=False, deactivated_at=now, retired_at=now)
    new = OrgKey.objects.create(key_id=pair.key_id.hex(), public_key=pair.public, active=True)
    custody.grant(new, pair.private, holder_key, granted_by=granted_by)
    custody.forget_active_org_key()
    transaction.on_commit(custody.forget_active_org_key)
    old.refresh_from_db()
    return Rotation(old=old, new=new, holders=[holder_key])


def rewrap_dek(blob: bytes, report_id: str, old_private: crypto.LoadedPrivateKey, new: OrgKey) -> bytes:
    """Open a report's organisation wrap with the old key and wrap its DEK to ``new`` (HPKE).

    Raise DecryptionError if the old wrap does not open.
    """
    dek = envelope.unwrap_dek_with_org(blob, report_id, old_private)
    return envelope.wrap_dek_to_org(dek, report_id, bytes(new.public_key))


def loaded_private(keys: Unlocked | None, org_key: OrgKey) -> crypto.LoadedPrivateKey:
    """Return ``org_key``'s expanded private half from unlocked keys; raise NotKeyHolderError."""
    loaded = keys.org_key(org_key.key_id) if keys is not None else None
    if loaded is None:
        raise NotKeyHolderError(f"not a holder of {org_key}")
    return loaded


def may_retire(old: OrgKey, now: datetime | None = None) -> bool:
    """Return whether the grace after ``old``'s rotation has passed."""
    if old.deactivated_at is None:
        return not old.active
    return (now or timezone.now()) >= old.deactivated_at + retire_grace()


def retire_after(old: OrgKey) -> datetime:
    """Return the earliest time ``old`` may be retired."""
    return (old.deactivated_at or timezone.now()) + retire_grace()


@transaction.atomic
def retire(old: OrgKey) -> int:
    """Crypto-shred an inactive key: delete its grants, mark it retired; return grants deleted.

    Only the public half stays, so the audit trail can name the key.
    """
    if old.active:
        raise ValueError("the active key cannot be retired")
    count, _ = old.grants.all().delete()
    old.retired_at = timezone.now()
    old.save(update_fields=["retired_at"])
    return count


# --- handing the old private key to a worker --------------------------------


@dataclass(frozen=True)
class Handoff:
    """What a task's arguments may carry: a cache handle and a ciphertext. No key."""

    handle: str
    sealed: str  # base64 of AES-256-GCM(T, old private key)


def _handoff_aad(handle: str, old_key_id: str, new_key_id: str) -> bytes:
    return f"harbor/v1/rewrap-handoff/{handle}/{old_key_id}/{new_key_id}".encode()


def hand_off(keys: Unlocked | None, old: OrgKey, new: OrgKey) -> Handoff:
    """Seal ``old``'s private key for a worker: T into the cache (1 hour), ciphertext out.

    Raise NotKeyHolderError if ``keys`` does not hold ``old``.
    """
    private = _private_of(keys, old)
    t = crypto.random_key()
    handle = secrets.token_hex(16)
    cache.set(_CACHE_PREFIX + handle, base64.b64encode(t).decode(), HANDOFF_TTL)
    sealed = crypto.aead_encrypt(t, private, _handoff_aad(handle, old.key_id, new.key_id))
    return Handoff(handle=handle, sealed=base64.b64encode(sealed).decode())


def take_over(handoff: Handoff, old: OrgKey, new: OrgKey) -> crypto.LoadedPrivateKey | None:
    """Return ``old``'s private key from a hand-off, or None if T is gone from the cache.

    Raise DecryptionError if the ciphertext was altered or belongs to other keys.
    """
    t = cache.get(_CACHE_PREFIX + handoff.handle)
    if t is None:
        return None
    try:
        private = crypto.aead_decrypt(
            base64.b64decode(t), base64.b64decode(handoff.sealed), _handoff_aad(handoff.handle, old.key_id, new.key_id)
        )
    except (binascii.Error, ValueError, FormatError) as exc:
        raise DecryptionError("malformed hand-off") from exc
    loaded = crypto.load_private(private)
    if loaded.key_id != old.key_id:
        raise DecryptionError("hand-off holds another key")
    return loaded


def release(handoff: Handoff) -> None:
    """Delete T from the cache: the hand-off can no longer be opened."""
    cache.delete(_CACHE_PREFIX + handoff.handle)
