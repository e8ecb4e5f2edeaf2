"""One Argon2id run per staff login: the password check and the key unlock share it (since 2026-12).

vault/hashers.py stores a verifier derived from Argon2id(password, salt); the staff private key
is encrypted under another key derived from the same run. These tests count the runs, check
that the stored hash opens nothing, and that accounts from before (a Django hash, a key under
its own salt) still log in and are moved to the new format on their first login.
"""

from __future__ import annotations

import base64
from unittest import mock

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from tests.conftest import PASSWORD
from vault import crypto, custody
from vault.exceptions import InvalidPassphraseError
from vault.hashers import HarborArgon2idHasher
from vault.models import StaffKey

pytestmark = pytest.mark.django_db


class Runs:
    """Count the Argon2id runs made inside a block."""

    def __enter__(self):
        self.count = 0
        real = crypto._argon2

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        self._patch = mock.patch.object(crypto, "_argon2", counted)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


def _account(name="holder", org=True):
    user = get_user_model().objects.create_user(name, password=PASSWORD, is_staff=True)
    staff_key = custody.create_staff_key(user, PASSWORD)
    if org:
        custody.create_org_key(staff_key)
    user.refresh_from_db()
    return user, staff_key


def _legacy_account(name="old-holder"):
    """An account as made before 2026-12: a Django password hash, the key under its own Argon2id salt."""
    user = get_user_model().objects.create_user(name, is_staff=True)
    user.password = make_password(PASSWORD, hasher="md5")  # the test stand-in for Django's Argon2 hash
    user.save()
    pair = crypto.generate_keypair()
    kid = pair.key_id.hex()
    blob = crypto.passphrase_encrypt(
        PASSWORD, pair.private, f"harbor/v1/staff-key/{user.pk}/{kid}".encode(), **settings.HARBOR_ARGON2
    )
    staff_key = StaffKey.objects.create(user=user, key_id=kid, public_key=pair.public, private_blob=blob)
    return user, staff_key, pair.private


def test_it_checks_the_password_and_unlocks_the_keys_with_one_run():
    user, staff_key = _account()
    with Runs() as runs:
        valid, keys = custody.login(user, PASSWORD)
    assert valid
    assert runs.count == 1
    assert keys is not None and keys.org_privates
    assert keys.staff_private == custody.unlock_staff_key(staff_key, PASSWORD)


def test_it_refuses_a_wrong_password_after_one_run():
    user, _ = _account()
    with Runs() as runs:
        assert custody.login(user, PASSWORD + "x") == (False, None)
    assert runs.count == 1


def test_the_password_hash_and_the_key_come_from_the_same_run():
    user, staff_key = _account()
    assert user.password.startswith("harbor_argon2id$")
    salt = HarborArgon2idHasher().decode(user.password)["salt"].encode("ascii")
    assert crypto.login_blob_params(bytes(staff_key.private_blob))[0] == salt
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_the_stored_hash_opens_nothing():
    """The verifier in the hash is not the key: HKDF under another label of the same run."""
    user, staff_key = _account()
    verifier = base64.b64decode(HarborArgon2idHasher().decode(user.password)["hash"] + "==")
    blob = bytes(staff_key.private_blob)
    salt, *_ = crypto.login_blob_params(blob)
    body = blob[3 + 13 + len(salt) :]
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure to open will do
        AESGCM(verifier).decrypt(
            body[:12], body[12:], blob[:3] + f"harbor/v1/staff-key/{user.pk}/{staff_key.key_id}".encode()
        )
    secret = HarborArgon2idHasher().secret_if_valid(PASSWORD, user.password)
    assert secret is not None
    assert secret.verifier() == verifier
    assert secret._key() != verifier


def test_an_account_from_before_moves_to_one_run_on_its_first_login():
    user, staff_key, private = _legacy_account()
    with Runs() as first:
        valid, keys = custody.login(user, PASSWORD)
    assert valid and keys is not None and keys.staff_private == private
    assert first.count == 2  # the old key's own run, and the new login record's (the MD5 stand-in runs none)
    user.refresh_from_db()
    staff_key.refresh_from_db()
    assert user.password.startswith("harbor_argon2id$")
    with Runs() as then:
        valid, keys = custody.login(user, PASSWORD)
    assert valid and keys is not None and keys.staff_private == private
    assert then.count == 1


def test_an_account_from_before_refuses_a_wrong_password_and_is_not_moved():
    user, staff_key, _ = _legacy_account()
    old_hash, old_blob = user.password, bytes(staff_key.private_blob)
    assert custody.login(user, "not the password at all") == (False, None)
    user.refresh_from_db()
    staff_key.refresh_from_db()
    assert (user.password, bytes(staff_key.private_blob)) == (old_hash, old_blob)


def test_a_key_out_of_step_with_the_hash_is_rebound_once():
    """A password set by set_password (another salt) still opens the key, then one run again."""
    user, staff_key = _account()
    user.set_password(PASSWORD)
    user.save()
    with Runs() as first:
        valid, keys = custody.login(user, PASSWORD)
    assert valid and keys is not None
    assert first.count == 2
    with Runs() as then:
        assert custody.login(user, PASSWORD)[1] is not None
    assert then.count == 1


def test_a_key_under_another_password_logs_in_without_keys():
    user, staff_key = _account()
    user.set_password("a different password 2026")
    user.save()
    assert custody.login(user, "a different password 2026") == (True, None)


def test_a_password_change_keeps_one_run_and_the_same_key():
    user, staff_key = _account()
    private = custody.unlock_staff_key(staff_key, PASSWORD)
    custody.rewrap_staff_key(staff_key, private, "a new password for 2027")
    user.refresh_from_db()
    with Runs() as runs:
        valid, keys = custody.login(user, "a new password for 2027")
    assert valid and keys is not None and keys.staff_private == private
    assert runs.count == 1
    assert custody.login(user, PASSWORD) == (False, None)


def test_a_login_blob_refuses_the_secret_of_another_run():
    secret = crypto.login_secret("pw", b"salt-one-123", memory_cost=8, iterations=1, lanes=1)
    other = crypto.login_secret("pw", b"salt-two-123", memory_cost=8, iterations=1, lanes=1)
    blob = crypto.login_encrypt(secret, b"private key", b"aad")
    assert crypto.login_decrypt(secret, blob, b"aad") == b"private key"
    with pytest.raises(InvalidPassphraseError):
        crypto.login_decrypt(other, blob, b"aad")
    with pytest.raises(InvalidPassphraseError):
        crypto.login_decrypt(secret, blob, b"other aad")
    assert crypto.passphrase_decrypt("pw", blob, b"aad") == b"private key"
    with pytest.raises(InvalidPassphraseError):
        crypto.passphrase_decrypt("wrong", blob, b"aad")


def test_argon2id_is_the_standard_one():
    """The threaded reference implementation gives what cryptography's Argon2id gives."""
    salt = b"0123456789abcdef"
    ours = crypto._argon2("correct horse", salt, 64, 2, 2)
    theirs = Argon2id(salt=salt, length=32, iterations=2, lanes=2, memory_cost=64).derive(b"correct horse")
    assert ours == theirs


def test_the_login_page_unlocks_with_one_run(client):
    user, _ = _account()
    from casework.models import StaffProfile

    StaffProfile.objects.create(user=user, roles=["advocate"])
    with Runs() as runs:
        response = client.submit("/staff/login/", {"username": "holder", "password": PASSWORD})
    assert response.status_code == 302
    assert runs.count == 1
    with Runs() as runs:
        response = client.submit("/staff/login/", {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 400
    assert runs.count == 1  # an unknown name costs the same run
