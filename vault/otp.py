"""Staff second-factor secrets at rest: TOTP seeds sealed, recovery codes kept as keyed hashes.

Threat answered: django-otp keeps a TOTP seed and every recovery code in the
clear, so a copy of the database (a stolen backup, a leaked dump, a subpoena)
would hand over every staff member's second factor; with a password phished
or reused elsewhere, that is a whole login. Here:

- a **seed** is sealed with AES-256-GCM under a key HKDF-SHA256-derived from
  ``HARBOR_OTP_KEY`` (info ``harbor/v1/otp/totp-seed``); the AAD binds the
  account, so a sealed seed moved to another account does not open, and
  someone who can write to the database but lacks the key cannot plant a
  seed of their own;
- a **recovery code** is kept only as HMAC-SHA256 under another subkey
  (``harbor/v1/otp/recovery-code``), bound to the account, and compared in
  constant time. Codes have 40 bits: unkeyed hashes of them would fall to a
  search of the dump in minutes; keyed, not without the key.

``HARBOR_OTP_KEY`` is a secret of its own rather than a derivation of
SECRET_KEY: SECRET_KEY is rotated whenever it may have leaked (its sealed
drafts and check tokens live hours), and that must not throw every staff
member out of two-step login; these secrets live as long as the accounts.
Each blob names its key by an 8-byte id derived from it, so the key can
rotate: keys listed in ``HARBOR_OTP_KEY_FALLBACKS`` still open old blobs, and
a seed moves to the current key at its next use (:func:`sealed_with_current_key`).
"""

from __future__ import annotations

from django.conf import settings

from vault.crypto import aead_decrypt, aead_encrypt, hkdf, mac, mac_matches, parse_header
from vault.exceptions import DecryptionError

_SEED = b"harbor/v1/otp/totp-seed"
_CODE = b"harbor/v1/otp/recovery-code"
_KEY_ID = b"harbor/v1/otp/key-id"


def masters() -> list[bytes]:
    """HARBOR_OTP_KEY, then its fallbacks (newest first), as bytes."""
    return [bytes.fromhex(k) for k in (settings.HARBOR_OTP_KEY, *settings.HARBOR_OTP_KEY_FALLBACKS)]


def key_id(master: bytes) -> bytes:
    """The 8-byte id a blob carries to name the master key it was made under."""
    return hkdf(master, info=_KEY_ID, length=8)


def _current() -> tuple[bytes, bytes]:
    master = masters()[0]
    return master, key_id(master)


def _named(blob: bytes) -> bytes:
    """Return the master key a blob names, or raise DecryptionError if Harbor no longer has it."""
    kid = parse_header(blob)[1]
    for master in masters():
        if key_id(master) == kid:
            return master
    raise DecryptionError("sealed under a key that is neither HARBOR_OTP_KEY nor one of its fallbacks")


def _seed_aad(user_id: int) -> bytes:
    return f"harbor/v1/otp/totp-seed/user={user_id}".encode()


def _code_message(code: str, user_id: int) -> bytes:
    return f"user={user_id}\x00".encode() + code.encode("utf-8")


def seal_seed(seed: bytes, user_id: int) -> bytes:
    """Seal a TOTP seed for one account: AES-256-GCM under the current key's seed subkey."""
    master, kid = _current()
    return aead_encrypt(hkdf(master, info=_SEED), seed, _seed_aad(user_id), kid=kid)


def open_seed(blob: bytes, user_id: int) -> bytes:
    """Return the seed sealed by :func:`seal_seed` for this account.

    Raise DecryptionError if it was altered, sealed for another account, or
    sealed under a key that is no longer configured; FormatError if it is
    not a sealed seed at all.
    """
    blob = bytes(blob)
    return aead_decrypt(hkdf(_named(blob), info=_SEED), blob, _seed_aad(user_id))


def sealed_with_current_key(blob: bytes) -> bool:
    """Whether a sealed seed or a digest names HARBOR_OTP_KEY itself, not a fallback."""
    return parse_header(bytes(blob))[1] == _current()[1]


def recovery_digest(code: str, user_id: int) -> bytes:
    """Return the keyed hash (HMAC-SHA256, self-describing) that stands for a recovery code."""
    master, kid = _current()
    return mac(hkdf(master, info=_CODE), _code_message(code, user_id), kid=kid)


def recovery_matches(code: str, user_id: int, digest: bytes) -> bool:
    """Whether ``code`` is the recovery code behind ``digest``, compared in constant time.

    A digest under a key that is no longer configured matches nothing.
    """
    digest = bytes(digest)
    try:
        master = _named(digest)
    except DecryptionError:
        return False
    return mac_matches(hkdf(master, info=_CODE), _code_message(code, user_id), digest)
