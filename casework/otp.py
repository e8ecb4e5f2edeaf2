"""Two-step login for staff: enrol an authenticator, issue recovery codes, verify a code.

Seeds and codes are kept through vault/otp.py (sealed, or as keyed hashes);
this module decides when devices are made, confirmed, used and removed.
Verification asks only Harbor's own devices (casework.models), never any
other django-otp device model a database might hold.
"""

from __future__ import annotations

import base64
import logging
import secrets

from django.db import transaction

from casework.models import Authenticator, RecoveryCode, RecoveryCodes
from vault import otp as otp_secrets
from vault.exceptions import DecryptionError, FormatError

log = logging.getLogger("harbor")

RECOVERY_CODES = 10
SEED_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1


def new_recovery_code() -> str:
    """Return a recovery code: 8 symbols of lower-case base 32 (40 bits from the CSPRNG)."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


def is_enrolled(user) -> bool:
    return Authenticator.objects.filter(user=user, confirmed=True).exists()


def enrolled_user_ids() -> set[int]:
    return set(Authenticator.objects.filter(confirmed=True).values_list("user_id", flat=True))


def add_authenticator(
    user, seed: bytes | None = None, *, confirmed: bool, name: str = "authenticator"
) -> Authenticator:
    """Create an authenticator for ``user`` with ``seed`` (a fresh random one if None), sealed."""
    device = Authenticator(user=user, name=name, confirmed=confirmed)
    device.set_seed(secrets.token_bytes(SEED_BYTES) if seed is None else seed)
    device.save()
    return device


def pending_authenticator(user) -> Authenticator:
    """The authenticator being set up at first login: the one shown before, or a new one."""
    return Authenticator.objects.filter(user=user, confirmed=False).first() or add_authenticator(user, confirmed=False)


def issue_recovery_codes(user, count: int = RECOVERY_CODES) -> list[str]:
    """Replace ``user``'s recovery codes with ``count`` new ones; return them, to be shown once."""
    codes = [new_recovery_code() for _ in range(count)]
    with transaction.atomic():
        device, _created = RecoveryCodes.objects.get_or_create(user=user, name="recovery")
        device.codes.all().delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, digest=otp_secrets.recovery_digest(code, user.pk)) for code in codes
        )
    return codes


def confirm(device: Authenticator, token: str) -> list[str] | None:
    """Confirm a pending authenticator with a code from it; return new recovery codes, or None."""
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return issue_recovery_codes(device.user)


def verify(user, token: str):
    """Return the device of ``user`` that accepts ``token`` (authenticator, then recovery codes), or None.

    Devices are locked for the check, so one code cannot pass twice at once.
    """
    token = token.replace(" ", "").replace("-", "")
    with transaction.atomic():
        for model in (Authenticator, RecoveryCodes):
            for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
                try:
                    if device.verify_token(token):
                        return device
                except (DecryptionError, FormatError):
                    # Not the person's fault: HARBOR_OTP_KEY changed without its fallback.
                    log.error("an authenticator seed does not open with HARBOR_OTP_KEY or its fallbacks")
    return None


def reseal_all() -> tuple[int, int]:
    """Seal every seed under the current HARBOR_OTP_KEY, after a rotation.

    Return (seeds moved from a fallback key, people whose recovery codes still
    need one). Codes are keyed hashes and cannot be moved: they work while
    their key is a fallback, until used or replaced.
    """
    moved = 0
    with transaction.atomic():
        for device in Authenticator.objects.select_for_update():
            if not otp_secrets.sealed_with_current_key(bytes(device.sealed_seed)):
                device.set_seed(device.bin_key)
                device.save(update_fields=["sealed_seed"])
                moved += 1
    waiting = {
        user_id
        for user_id, digest in RecoveryCode.objects.values_list("device__user_id", "digest")
        if not otp_secrets.sealed_with_current_key(bytes(digest))
    }
    return moved, len(waiting)


def remove_all(user) -> None:
    """Remove ``user``'s authenticator and recovery codes (they enrol again at next login)."""
    Authenticator.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
