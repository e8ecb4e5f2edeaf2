"""Staff authentication whose password check also unlocks the staff keys (since 2026-12).

Django's model backend checks the password with one Argon2id run, and unlocking the staff
private key used to take another. This backend checks the password and opens the keys from a
single run (vault.custody.login, vault/hashers.py) and hands the unlocked keys to the login
view on the user object (``harbor_unlocked``), for this request only: the view splits them
between the session and a cookie (vault/session.py) and nothing else keeps them.

A failed check raises PermissionDenied, so Django does not try the next backend (which would
run Argon2id again). ``django.contrib.auth.backends.ModelBackend`` stays listed after this
one only to load the user of an existing session (config/settings.py).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from vault import custody
from vault.hashers import HarborArgon2idHasher


class KeyUnlockingBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            # The same Argon2id run as for a real account: the answer's time says nothing.
            hasher = HarborArgon2idHasher()
            hasher.encode(password, hasher.salt())
            raise PermissionDenied from None
        valid, keys = custody.login(user, password)
        if not valid or not self.user_can_authenticate(user):
            raise PermissionDenied
        user.harbor_unlocked = keys
        return user
