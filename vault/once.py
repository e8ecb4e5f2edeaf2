"""One-time keys of the reporter's forms, and the hand-off of a page across a redirect.

Threat answered: a form sent twice (a reload, Back and "resend", a double press) must not
write twice, yet what marks a form as sent must not become an identifier at rest. Every
reporter form carries a one-time key: 128 random bits from ``secrets``, made when the page is
drawn. The server keeps only HMAC-SHA256 of it under a key HKDF-derived from the receipt
pepper (``digest``), beside rows that are kept to the hour; so a database thief who also holds
the reporter's browser cannot match the two without the pepper, and a key says nothing about
who sent it or when.

A send answers with a redirect (Post/Redirect/Get). What the page after the redirect shows (a
receipt, an opened report) must not be kept on the server nor put in an address as it is: it
is sealed (AES-256-GCM, ``vault.tokens``) under a fresh random hand-off key that only the
redirect's address holds, and the server keeps the ciphertext, under the keyed hash of that
key, for a couple of minutes or until it is shown once (``intake.services.hand_off``).
"""

from __future__ import annotations

import re
import secrets

from vault import tokens
from vault.crypto import hkdf, hmac_sha256

KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
HANDOFF = "handoff"


def new_key() -> str:
    """Return a fresh one-time key: 128 random bits as 32 hex digits."""
    return secrets.token_hex(16)


def is_key(value: str) -> bool:
    """Whether ``value`` has the form of a one-time key (anything else is treated as absent)."""
    return bool(KEY_PATTERN.fullmatch(value or ""))


def digest(pepper: bytes, purpose: str, key: str) -> str:
    """Return what is kept of a spent key: HMAC-SHA256 under HKDF(pepper, "harbor/v1/once"), 64 hex digits."""
    mac_key = hkdf(pepper, info=b"harbor/v1/once", salt=b"harbor/v1/once")
    return hmac_sha256(mac_key, f"harbor/v1/once/{purpose}\x00{key}".encode()).hex()


def seal_handoff(key: str, payload: bytes) -> str:
    """Seal ``payload`` under a hand-off key (AES-256-GCM under HKDF of the key); raise nothing."""
    return tokens.seal(key, HANDOFF, payload)


def open_handoff(key: str, sealed: str, max_age: int) -> bytes:
    """Open a sealed hand-off; raise DecryptionError or ExpiredTokenError."""
    raw, _ = tokens.unseal(key, HANDOFF, sealed, max_age)
    return raw
