"""What Harbor publishes without an advocate present: safety alerts and the links that read them.

Threat answered: a peer safety alert, once two advocates have approved it, is
served to subscribers (an outreach van's feed reader) by the server alone, at
any hour, with no advocate's keys unlocked. So the server must be able to read
the published copy; a copy of the database alone must not. And a subscriber's
secret link must work without being stored in a form that works.

- A **published alert** is AES-256-GCM under a key HKDF-SHA256-derived from
  ``HARBOR_RECEIPT_PEPPER`` (info ``harbor/v1/publication/alert``), padded to a
  size class like a referral body, its AAD bound to the alert's public id. The
  pepper, not SECRET_KEY: SECRET_KEY
  is rotated whenever it may have leaked, and that must not silently empty
  every subscriber's feed; the pepper lives as long as the installation's
  receipts and is kept out of the database and its backups.
- A **subscriber link** carries 256 bits from ``secrets`` (43 URL-safe
  characters). Harbor keeps only HMAC-SHA256 of it under another subkey
  (``harbor/v1/publication/feed-token``), in hex, and finds the subscriber by
  that. The token is shown once, when the link is made.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from django.conf import settings

from vault.crypto import aead_decrypt, aead_encrypt_padded, hkdf, hmac_sha256
from vault.exceptions import FormatError

_ALERT = b"harbor/v1/publication/alert"
_FEED_TOKEN = b"harbor/v1/publication/feed-token"

#: Bytes of randomness in a subscriber token (256 bits; the brief asks at least 128).
TOKEN_BYTES = 32
#: The token as it appears in a link: URL-safe base64 without padding, 43 characters.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# A published alert holds a handful of short answers; under 8 KiB every alert looks the same.
ALERT_FLOOR = 8192


def _master() -> bytes:
    return bytes.fromhex(settings.HARBOR_RECEIPT_PEPPER)


def _aad(public_id: str) -> bytes:
    return f"harbor/v1/publication/alert={public_id}".encode()


def seal_alert(public_id: str, value: Any) -> bytes:
    """Encrypt a published alert's content (JSON) for the server: AES-256-GCM, padded, bound to its id."""
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return aead_encrypt_padded(hkdf(_master(), info=_ALERT), data, _aad(public_id), floor=ALERT_FLOOR)


def open_alert(public_id: str, blob: bytes) -> Any:
    """Return the content sealed by :func:`seal_alert` for this id.

    Raise DecryptionError if it was altered, moved to another id, or sealed under
    another pepper; FormatError if it is not a sealed alert at all.
    """
    return json.loads(aead_decrypt(hkdf(_master(), info=_ALERT), bytes(blob), _aad(public_id)))


def new_feed_token() -> str:
    """Return a fresh subscriber token: 256 bits from ``secrets``, URL-safe, 43 characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def feed_token_digest(token: str) -> str:
    """Return the hex HMAC-SHA256 that stands for a subscriber token in the database.

    Raise FormatError for anything that is not shaped like a token (truncated,
    padded, other characters), before any hashing or lookup.
    """
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise FormatError("not a subscriber token")
    return hmac_sha256(hkdf(_master(), info=_FEED_TOKEN), token.encode("ascii")).hex()
