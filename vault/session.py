"""Unlocked staff keys, split between the server-side session and a cookie.

Threat answered: a key held only in the session table is a key in the
database; a key held only in a cookie is a key in every proxy log and browser
profile. At login the staff member's private key (and the organisation keys
granted to them) are encrypted under a random 256-bit key K. The ciphertext
goes in the server-side session; K goes in its own HttpOnly, SameSite=Strict
(Secure in production) cookie. A stolen session row alone or a stolen cookie
alone decrypts nothing. Logout and the 15-minute idle timeout destroy both.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.conf import settings

from vault import crypto
from vault.exceptions import DecryptionError, FormatError

COOKIE = "harbor_unlock"
SESSION_KEY = "harbor_vault"


def _aad(user_pk: int) -> bytes:
    return f"harbor/v1/unlocked/{user_pk}".encode()


@dataclass
class Unlocked:
    """Keys available to one logged-in staff member for this request."""

    staff_private: bytes = field(repr=False)
    org_privates: dict[str, bytes] = field(default_factory=dict, repr=False)  # org key id (hex) -> private
    _loaded: dict[str, crypto.LoadedPrivateKey] = field(default_factory=dict, repr=False)
    _not_granted: set[str] = field(default_factory=set, repr=False)

    def org_key(self, key_id: str) -> crypto.LoadedPrivateKey | None:
        """Return the expanded organisation private key with this id, if granted.

        A key granted after this login (a re-grant, or a rotation by another
        holder) is opened from its grant with the staff private key held here,
        so nobody has to log out and in again to use it.
        """
        if key_id not in self.org_privates and not self._open_new_grant(key_id):
            return None
        if key_id not in self._loaded:
            self._loaded[key_id] = crypto.load_private(self.org_privates[key_id])
        return self._loaded[key_id]

    def _open_new_grant(self, key_id: str) -> bool:
        if key_id in self._not_granted:
            return False
        from vault.custody import open_grant
        from vault.models import OrgKeyGrant

        grant = (
            OrgKeyGrant.objects.filter(org_key__key_id=key_id, staff_key__key_id=self.staff_key().key_id)
            .select_related("org_key")
            .first()
        )
        try:
            private = open_grant(grant, self.staff_key()) if grant is not None else None
        except (DecryptionError, FormatError):
            private = None
        if private is None:
            self._not_granted.add(key_id)
            return False
        self.org_privates[key_id] = private
        return True

    def staff_key(self) -> crypto.LoadedPrivateKey:
        if "staff" not in self._loaded:
            self._loaded["staff"] = crypto.load_private(self.staff_private)
        return self._loaded["staff"]


def store(request, response, user_pk: int, unlocked: Unlocked) -> None:
    """Split ``unlocked`` between the session (ciphertext) and a cookie (its key)."""
    k = crypto.random_key()
    payload = json.dumps(
        {
            "staff": base64.b64encode(unlocked.staff_private).decode(),
            "org": {kid: base64.b64encode(p).decode() for kid, p in unlocked.org_privates.items()},
        }
    ).encode()
    request.session[SESSION_KEY] = base64.b64encode(crypto.aead_encrypt(k, payload, _aad(user_pk))).decode()
    set_cookie(response, base64.urlsafe_b64encode(k).decode())


def set_cookie(response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=settings.SESSION_COOKIE_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/staff/",
    )


def load(request, user_pk: int) -> Unlocked | None:
    """Return the unlocked keys for this request, or None if either half is missing or wrong."""
    blob = request.session.get(SESSION_KEY)
    cookie = request.COOKIES.get(COOKIE)
    if not blob or not cookie:
        return None
    try:
        k = base64.urlsafe_b64decode(cookie.encode())
        plain = crypto.aead_decrypt(k, base64.b64decode(blob), _aad(user_pk))
    except (DecryptionError, FormatError, ValueError, binascii.Error):
        return None
    data = json.loads(plain)
    return Unlocked(
        staff_private=base64.b64decode(data["staff"]),
        org_privates={kid: base64.b64decode(p) for kid, p in data["org"].items()},
    )


def refresh_cookie(request, response) -> None:
    """Slide the cookie's lifetime with the session's (idle timeout)."""
    if COOKIE in response.cookies:
        return  # the view stored (or forgot) keys during this request: its cookie wins
    cookie = request.COOKIES.get(COOKIE)
    if cookie and request.session.get(SESSION_KEY):
        set_cookie(response, cookie)


def forget(request, response) -> None:
    """Destroy both halves."""
    request.session.pop(SESSION_KEY, None)
    response.delete_cookie(COOKIE, path="/staff/", samesite="Strict")
