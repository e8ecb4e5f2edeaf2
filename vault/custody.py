"""Key custody: the organisation key, staff key pairs and grants.

Threat answered: the web server must encrypt new reports without being able
to read any. It holds the organisation's public key only; the private key
exists wrapped to key holders, whose own private keys are encrypted under
Argon2id of their password (separate from Django's password hash).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction

from vault import crypto
from vault.exceptions import FormatError, InvalidPassphraseError, KeyMissingError
from vault.hashers import HarborArgon2idHasher
from vault.models import OrgKey, OrgKeyGrant, StaffKey
from vault.session import Unlocked

_ORG_GRANT_INFO = b"harbor/v1/org-key-grant/"


def _staff_aad(user_pk: int, kid: str) -> bytes:
    return f"harbor/v1/staff-key/{user_pk}/{kid}".encode()


_ACTIVE_TTL = 30.0  # seconds a process trusts its copy of the active public key
_active_cache: dict[str, tuple[float, OrgKey]] = {}


def active_org_key() -> OrgKey:
    """Return the organisation key new reports are wrapped to.

    Every submission needs it, so each process keeps it for 30 seconds: after
    a rotation, other servers switch to the new key within that time (reports
    wrapped to the old key in between stay readable by its holders).
    """
    now = time.monotonic()
    cached = _active_cache.get("key")
    if cached and now - cached[0] < _ACTIVE_TTL:
        return cached[1]
    key = OrgKey.objects.filter(active=True).order_by("-created_at").first()
    if key is None:
        raise KeyMissingError("no active organisation key; run `manage.py bootstrap` (or `demo` in development)")
    _active_cache["key"] = (now, key)
    return key


def forget_active_org_key() -> None:
    """Drop this process's copy of the active key (after a rotation)."""
    _active_cache.clear()


def _new_login(user, password: str) -> crypto.LoginSecret:
    """Give ``user`` a new password hash (one Argon2id run); return its secret to encrypt the key with.

    The hash is set on ``user`` and saved: the password and the staff key always change together.
    """
    hasher = HarborArgon2idHasher()
    secret = crypto.login_secret(password, hasher.salt().encode("ascii"), **settings.HARBOR_ARGON2)
    user.password = hasher.encode_secret(secret)
    user.save(update_fields=["password"])
    return secret


def create_staff_key(user, password: str) -> StaffKey:
    """Generate a key pair for ``user``; encrypt its private half under the password.

    Sets the user's password too, from the same Argon2id run (vault/hashers.py), so that each
    login needs one run for both. ``user`` must be saved already.
    """
    pair = crypto.generate_keypair()
    kid = pair.key_id.hex()
    blob = crypto.login_encrypt(_new_login(user, password), pair.private, _staff_aad(user.pk, kid))
    StaffKey.objects.filter(user=user).delete()
    return StaffKey.objects.create(user=user, key_id=kid, public_key=pair.public, private_blob=blob)


def unlock_staff_key(staff_key: StaffKey, password: str) -> bytes:
    """Return the staff private key; raise InvalidPassphraseError for a wrong password.

    One Argon2id run with the blob's own salt; a login uses :func:`login` instead, which
    shares the run with the password check.
    """
    return crypto.passphrase_decrypt(
        password, bytes(staff_key.private_blob), _staff_aad(staff_key.user_id, staff_key.key_id)
    )


def rewrap_staff_key(staff_key: StaffKey, private: bytes, new_password: str) -> None:
    """Re-encrypt an unlocked staff private key under a new password, and set that password.

    The password hash and the key come from one Argon2id run; do not call ``set_password``
    after this (it would make a hash of another run, and the next login would need two).
    """
    secret = _new_login(staff_key.user, new_password)
    staff_key.private_blob = crypto.login_encrypt(secret, private, _staff_aad(staff_key.user_id, staff_key.key_id))
    staff_key.save(update_fields=["private_blob"])


def _bound_to(staff_key: StaffKey, secret: crypto.LoginSecret) -> bool:
    try:
        return secret.same_run(*crypto.login_blob_params(bytes(staff_key.private_blob)))
    except FormatError:
        return False  # a blob from before 2026-12, under its own Argon2id run


def login(user, password: str) -> tuple[bool, Unlocked | None]:
    """Check a staff password and unlock the keys with one Argon2id run; return (valid, keys).

    ``keys`` is None for a user without a key pair, or whose key does not open with this
    password (out of step with it). Accounts from before 2026-12 (a Django password hash, a
    key under its own salt) are checked the old way and moved to the new format on the way:
    that login costs three runs, once; the ones after it, one. A key whose blob was made from
    another run than the hash (a password set outside :func:`rewrap_staff_key`) is opened with
    a second run and re-encrypted from this one.
    """
    hasher = HarborArgon2idHasher()
    staff_key = StaffKey.objects.filter(user=user).select_related("user").first()
    encoded = user.password or ""
    if encoded.startswith(hasher.algorithm + "$"):
        secret = hasher.secret_if_valid(password, encoded)
        if secret is None:
            return False, None
        if hasher.must_update(encoded):
            secret = _new_login(user, password)  # the cost was raised: a new run at the new cost
    else:
        if not check_password(password, encoded):  # Django's hash, from before 2026-12
            return False, None
        secret = _new_login(user, password)
    if staff_key is None:
        return True, None
    aad = _staff_aad(staff_key.user_id, staff_key.key_id)
    try:
        if _bound_to(staff_key, secret):
            private = crypto.login_decrypt(secret, bytes(staff_key.private_blob), aad)
        else:
            private = unlock_staff_key(staff_key, password)
            staff_key.private_blob = crypto.login_encrypt(secret, private, aad)
            staff_key.save(update_fields=["private_blob"])
    except InvalidPassphraseError:
        return True, None
    return True, _unlocked(staff_key, private)


def _unlocked(staff_key: StaffKey, private: bytes) -> Unlocked:
    loaded = crypto.load_private(private)
    org_privates = {
        g.org_key.key_id: open_grant(g, loaded)
        for g in OrgKeyGrant.objects.filter(staff_key=staff_key).select_related("org_key")
    }
    return Unlocked(staff_private=private, org_privates=org_privates)


def grant(org_key: OrgKey, org_private: bytes, staff_key: StaffKey, granted_by=None) -> OrgKeyGrant:
    """Wrap the organisation private key to a staff member's public key (HPKE)."""
    wrapped = crypto.hpke_wrap(bytes(staff_key.public_key), org_private, _ORG_GRANT_INFO + org_key.key_id.encode())
    obj, _ = OrgKeyGrant.objects.update_or_create(
        org_key=org_key, staff_key=staff_key, defaults={"wrapped": wrapped, "granted_by": granted_by}
    )
    return obj


def open_grant(grant_obj: OrgKeyGrant, staff_private) -> bytes:
    """Return the organisation private key from a grant, given the holder's private key."""
    return crypto.hpke_unwrap(
        staff_private, bytes(grant_obj.wrapped), _ORG_GRANT_INFO + grant_obj.org_key.key_id.encode()
    )


@transaction.atomic
def create_org_key(first_holder_key: StaffKey, granted_by=None) -> OrgKey:
    """Generate a new active organisation key and grant it to its first holder.

    The private key leaves this function only wrapped; earlier keys become
    inactive (kept until their reports are re-wrapped).
    """
    pair = crypto.generate_keypair()
    OrgKey.objects.filter(active=True).update(active=False)
    org_key = OrgKey.objects.create(key_id=pair.key_id.hex(), public_key=pair.public, active=True)
    grant(org_key, pair.private, first_holder_key, granted_by=granted_by)
    forget_active_org_key()
    return org_key


def unlock(user, password: str):
    """Return the keys ``user`` can use this session: their own and every granted org key.

    Raise InvalidPassphraseError for a wrong password; a user without a key
    pair gets None (they can log in but read nothing encrypted).
    """
    staff_key = StaffKey.objects.filter(user=user).first()
    if staff_key is None:
        return None
    return _unlocked(staff_key, unlock_staff_key(staff_key, password))


def holders_of(org_key: OrgKey) -> list[StaffKey]:
    """Return the staff keys that hold a grant of ``org_key``."""
    return [g.staff_key for g in org_key.grants.select_related("staff_key__user")]
