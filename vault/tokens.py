"""Short-lived sealed tokens that live in the reporter's browser, not on the server.

Threat answered: nothing may be stored before the reporter confirms, yet the
confirmation page must carry what they wrote (and their processed photos)
back to the server intact. The filled-in form is sealed (AES-256-GCM under a
key HKDF-derived from SECRET_KEY, with a purpose label and a timestamp) into a
hidden field of the confirmation page, which is served ``no-store``. A sealed
token cannot be read or altered by the page, and expires. The same mechanism
carries an opened receipt between the pages of /check/ so the receipt itself
never sits in a page, a cookie or a session.
"""

from __future__ import annotations

import base64
import struct
import time
import zlib

from vault.crypto import aead_decrypt, aead_encrypt, hkdf
from vault.exceptions import DecryptionError, ExpiredTokenError, FormatError


def _key(secret: str, purpose: str) -> bytes:
    return hkdf(secret.encode(), info=f"harbor/v1/token/{purpose}".encode(), salt=b"harbor/v1/token")


def seal(secret: str, purpose: str, payload: bytes, now: float | None = None) -> str:
    """Seal ``payload`` for ``purpose`` with the current time; return URL-safe text."""
    stamp = struct.pack(">Q", int(now if now is not None else time.time()))
    blob = aead_encrypt(_key(secret, purpose), stamp + zlib.compress(payload, 6), purpose.encode())
    return base64.urlsafe_b64encode(blob).decode("ascii")


def unseal(secret: str, purpose: str, token: str, max_age: int, now: float | None = None) -> tuple[bytes, int]:
    """Return (payload, sealed-at seconds) of a token sealed for ``purpose``.

    Raise DecryptionError for a forged or altered token (or one sealed for
    another purpose), ExpiredTokenError for one older than ``max_age``.
    """
    try:
        blob = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise DecryptionError("malformed token") from exc
    try:
        plain = aead_decrypt(_key(secret, purpose), blob, purpose.encode())
    except FormatError as exc:
        raise DecryptionError("malformed token") from exc
    (stamp,) = struct.unpack(">Q", plain[:8])
    current = int(now if now is not None else time.time())
    if current - stamp > max_age or stamp - current > 60:
        raise ExpiredTokenError("token expired")
    try:
        # Bounded decompression: a token cannot expand past 64 MiB.
        d = zlib.decompressobj()
        payload = d.decompress(plain[8:], 64 * 1024 * 1024)
        if d.unconsumed_tail:
            raise DecryptionError("token too large")
    except zlib.error as exc:
        raise DecryptionError("malformed token") from exc
    return payload, stamp
