"""Invitation tokens: a single-use link's secret, kept only as a keyed hash.

Threat answered: an invitation link creates a staff or recipient account with
roles, so its token is a credential for as long as it is pending. Stored in
the clear (or as a plain hash), a copy of the database would let a thief
accept every pending invitation; someone who can *write* to the database
could plant an invitation of their own, with any role. Here:

- a token is 32 bytes from the CSPRNG (256 bits), written in URL-safe base 64
  (43 symbols); it is shown once, to the administrator who hands it over;
- the database keeps only HMAC-SHA256 of it, under a key HKDF-SHA256-derived
  from ``HARBOR_OTP_KEY`` (info ``harbor/v1/invitation/token``), the key of
  the other staff credentials (vault/otp.py), which is not in the database:
  a thief cannot turn a stored digest back into a link, and a writer without
  the key cannot make a digest that any link matches.

Each digest names its key (an 8-byte id), so ``HARBOR_OTP_KEY`` can rotate:
a link made before the rotation still opens while the old key is a fallback.
"""

from __future__ import annotations

import re
import secrets

from vault import otp as staff_secrets
from vault.crypto import hkdf, mac

TOKEN_BYTES = 32  # 256 bits
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_INFO = b"harbor/v1/invitation/token"
_MESSAGE = b"harbor/v1/invitation\x00"


def new_token() -> str:
    """Return a fresh invitation token: 256 bits from the CSPRNG, URL-safe base 64 without padding."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of one :func:`new_token` makes (a truncated one has not)."""
    return bool(_TOKEN.fullmatch(token))


def _digest(master: bytes, token: str) -> str:
    blob = mac(hkdf(master, info=_INFO), _MESSAGE + token.encode("ascii"), kid=staff_secrets.key_id(master))
    return blob.hex()


def digest(token: str) -> str:
    """Return the keyed hash (hex of a self-describing HMAC-SHA256 tag) that stands for ``token``."""
    return _digest(staff_secrets.masters()[0], token)


def candidate_digests(token: str) -> list[str]:
    """Every digest ``token`` could be stored as: under HARBOR_OTP_KEY and each fallback.

    Empty for a token that is not well formed, so a lookup with it finds nothing.
    The lookup is by equality on a value derived with a secret key, so it reveals
    nothing about a stored digest that is close to it.
    """
    if not well_formed(token):
        return []
    return [_digest(master, token) for master in staff_secrets.masters()]
