"""The audit chain's key: HMAC-SHA256 under a key the database never holds.

Threat answered: someone who can write to the database edits, deletes or
reorders audit events and recomputes every hash after them. A plain hash can
be recomputed by anyone; an HMAC under ``HARBOR_AUDIT_KEY`` (kept in the
server's environment or a file, never in the database, never derived from
SECRET_KEY) cannot be recomputed without that key.

A value is self-describing, ``hmac-sha256$<key id>$<64 hex>``, in the manner of
Django's password hashes, so the key can rotate: new values use the current
key, and values made under a key listed in ``HARBOR_AUDIT_KEY_FALLBACKS`` still
verify. The key id is itself an HMAC of a fixed label, so it names a key
without revealing anything about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from vault.crypto import constant_time_equal, hmac_sha256

ALGORITHM = "hmac-sha256"
MIN_KEY_BYTES = 32
_KEY_ID_LABEL = b"harbor/v1/audit-key-id"


class AuditKeyError(ValueError):
    """An audit key setting is not hex, or is shorter than 32 bytes."""


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes = field(repr=False)


def parse_key(text: str) -> AuditKey:
    """Return the key written as hex in ``text``; raise AuditKeyError if malformed or short."""
    try:
        secret = bytes.fromhex(text.strip())
    except (ValueError, AttributeError) as exc:
        raise AuditKeyError("an audit key must be written in hex") from exc
    if len(secret) < MIN_KEY_BYTES:
        raise AuditKeyError(f"an audit key must be at least {MIN_KEY_BYTES} bytes ({2 * MIN_KEY_BYTES} hex characters)")
    return AuditKey(hmac_sha256(secret, _KEY_ID_LABEL).hex()[:8], secret)


@dataclass(frozen=True)
class Keyring:
    """The current audit key, which makes new values, and the fallbacks, which only verify."""

    current: AuditKey
    by_id: dict[str, AuditKey]

    def sign(self, purpose: str, message: bytes) -> str:
        """Return ``hmac-sha256$<key id>$<hex>`` of ``message`` under the current key.

        ``purpose`` labels what is signed (an event, a head record), so a value
        made for one can never pass for the other.
        """
        return f"{ALGORITHM}${self.current.key_id}${self._mac(self.current, purpose, message)}"

    def check(self, purpose: str, message: bytes, stored: str) -> bool | None:
        """Return True if ``stored`` is a valid value for ``message``, False if not.

        None means the value names a key this keyring does not have (a fallback
        removed too early, or a value made elsewhere): it can be neither
        trusted nor called forged.
        """
        algorithm, _, rest = stored.partition("$")
        key_id, _, digest = rest.partition("$")
        if algorithm != ALGORITHM or not digest:
            return False
        key = self.by_id.get(key_id)
        if key is None:
            return None
        return constant_time_equal(self._mac(key, purpose, message).encode(), digest.encode())

    @staticmethod
    def _mac(key: AuditKey, purpose: str, message: bytes) -> str:
        return hmac_sha256(key.secret, f"harbor/v1/audit-{purpose}\x00".encode() + message).hex()


def keyring() -> Keyring:
    """Return the keyring of the settings; raise AuditKeyError if a key is malformed."""
    current = parse_key(settings.HARBOR_AUDIT_KEY)
    by_id = {current.key_id: current}
    for text in settings.HARBOR_AUDIT_KEY_FALLBACKS:
        key = parse_key(text)
        by_id.setdefault(key.key_id, key)
    return Keyring(current, by_id)


def key_id_of(stored: str) -> str:
    """Return the key id named in a stored value, or "" if it names none."""
    algorithm, _, rest = stored.partition("$")
    return rest.partition("$")[0] if algorithm == ALGORITHM else ""
