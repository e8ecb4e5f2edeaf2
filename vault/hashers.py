"""Staff password hashes that share their Argon2id run with the staff key (since 2026-12).

``harbor_argon2id$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<verifier>``: the verifier is HKDF of
Argon2id(password, salt) under its own label (vault.crypto.LoginSecret). The staff private key
is encrypted under another HKDF label of the same Argon2id output (vault/custody.py), so a
login checks the password and opens the key with one run. The hash holds nothing that opens
the key: a thief who has it must still guess the password, one Argon2id run per guess, as
against Django's own Argon2 hash.

Django's hashers stay listed after this one (config/settings.py) so that accounts made before
2026-12 still log in; their first login moves them to this format (vault.custody.login).
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_noop as _

from vault import crypto
from vault.exceptions import FormatError


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


class HarborArgon2idHasher(BasePasswordHasher):
    """Argon2id with HARBOR_ARGON2's cost; the stored value is a verifier derived from it."""

    algorithm = "harbor_argon2id"

    def salt(self) -> str:
        return get_random_string(22)  # about 131 bits, as Django's own salts

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("a password and a salt without '$' are needed")
        return self.encode_secret(crypto.login_secret(password, salt.encode("ascii"), **settings.HARBOR_ARGON2))

    def encode_secret(self, secret: crypto.LoginSecret) -> str:
        params = f"m={secret.memory_cost},t={secret.iterations},p={secret.lanes}"
        return f"{self.algorithm}${params}${secret.salt.decode('ascii')}${_b64(secret.verifier())}"

    def decode(self, encoded: str) -> dict:
        algorithm, params, salt, verifier = encoded.split("$")
        if algorithm != self.algorithm:
            raise ValueError("not a Harbor Argon2id hash")
        cost = dict(part.split("=", 1) for part in params.split(","))
        return {
            "algorithm": algorithm,
            "hash": verifier,
            "salt": salt,
            "memory_cost": int(cost["m"]),
            "iterations": int(cost["t"]),
            "lanes": int(cost["p"]),
        }

    def secret_if_valid(self, password: str, encoded: str) -> crypto.LoginSecret | None:
        """One Argon2id run: the login secret if ``password`` matches ``encoded``, else None."""
        try:
            d = self.decode(encoded)
            secret = crypto.login_secret(
                password,
                d["salt"].encode("ascii"),
                memory_cost=d["memory_cost"],
                iterations=d["iterations"],
                lanes=d["lanes"],
            )
            expected = _unb64(d["hash"])
        except (ValueError, KeyError, FormatError, UnicodeError):
            return None
        return secret if crypto.constant_time_equal(secret.verifier(), expected) else None

    def verify(self, password: str, encoded: str) -> bool:
        return self.secret_if_valid(password, encoded) is not None

    def safe_summary(self, encoded: str) -> dict:
        d = self.decode(encoded)
        return {
            _("algorithm"): d["algorithm"],
            _("memory cost"): d["memory_cost"],
            _("time cost"): d["iterations"],
            _("parallelism"): d["lanes"],
            _("salt"): mask_hash(d["salt"]),
            _("hash"): mask_hash(d["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        d = self.decode(encoded)
        wanted = settings.HARBOR_ARGON2
        return (d["memory_cost"], d["iterations"], d["lanes"]) != (
            wanted["memory_cost"],
            wanted["iterations"],
            wanted["lanes"],
        )

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass  # every hash of this format costs the same: nothing to even out
