"""Referral encryption: a fresh key per referral, wrapped to each recipient user.

Threat answered: a recipient (victim services, a clinic) must be able to read
exactly what was sent to them and nothing else. The policy engine's output is
encrypted under a fresh 256-bit referral key (never the report's key); that
key is wrapped with HPKE to each user of the receiving organisation and to the
organisation intake key (so advocates can follow the referral and its
replies). Revoking a referral deletes the recipients' wraps: no copy of the
ciphertext opens for them afterwards.

Bodies and messages are padded to size classes before they are encrypted
(vault.crypto.aead_encrypt_padded): a body's length would otherwise say
whether the protections notice went with it, and so what the reporter asked.
"""

from __future__ import annotations

import json
from typing import Any

from vault.crypto import aead_decrypt, aead_encrypt_padded, hkdf, hpke_unwrap, hpke_wrap, random_key
from vault.envelope import SECTION_FLOOR

# The smallest size class of a referral body. A body of choices alone is at
# most about 5 kB, most of it the protections notice when the reporter asked
# for it; under 8 KiB every such body looks the same (tests/vault/test_padding.py).
BODY_FLOOR = 8192


def _info(referral_id: str) -> bytes:
    return f"harbor/v1/referral-key/{referral_id}".encode()


def _aad(referral_id: str, part: str) -> bytes:
    return f"harbor/v1|referral={referral_id}|part={part}".encode()


def new_key() -> bytes:
    """Return a fresh 256-bit referral key."""
    return random_key()


def wrap_key(key: bytes, referral_id: str, public: bytes) -> bytes:
    """Wrap a referral key with HPKE to one public key, bound to the referral id."""
    return hpke_wrap(public, key, _info(referral_id))


def unwrap_key(blob: bytes, referral_id: str, private) -> bytes:
    """Open a referral key wrap; raise DecryptionError if it is not for this key or referral."""
    return hpke_unwrap(private, bytes(blob), _info(referral_id))


def _part_key(key: bytes, part: str) -> bytes:
    # One subkey per kind of part ("body", "message"); the AAD binds the exact part.
    kind = part.split("/", maxsplit=1)[0]
    return hkdf(key, info=f"harbor/v1/referral/{kind}".encode())


def encrypt(key: bytes, referral_id: str, part: str, value: Any) -> bytes:
    """Encrypt a JSON value (the referral body, or one message) under the referral key (AES-256-GCM).

    Padded to its size class: at least BODY_FLOOR bytes for the body, SECTION_FLOOR for a message.
    """
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    floor = BODY_FLOOR if part == "body" else SECTION_FLOOR
    return aead_encrypt_padded(_part_key(key, part), data, _aad(referral_id, part), floor=floor)


def decrypt(key: bytes, referral_id: str, part: str, blob: bytes) -> Any:
    """Decrypt a value written by :func:`encrypt`; raise DecryptionError on any mismatch."""
    return json.loads(aead_decrypt(_part_key(key, part), bytes(blob), _aad(referral_id, part)))
