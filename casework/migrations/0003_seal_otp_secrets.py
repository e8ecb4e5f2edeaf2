"""Move staff second factors out of django-otp's plaintext tables.

Forward: every TOTPDevice becomes an Authenticator whose seed is sealed
(vault.otp.seal_seed, under HARBOR_OTP_KEY), every StaticToken becomes a
keyed hash (vault.otp.recovery_digest); the plaintext rows are deleted.

Backward: every Authenticator becomes a TOTPDevice again with its seed in
the clear. Recovery codes cannot come back: only their keyed hashes were
kept. They are deleted; their holders log in with their authenticator, and
an administrator's reset (Accounts and keys, Forgotten password) gives new ones.
"""

from django.db import migrations

from vault import otp as otp_secrets

_COPIED = ("name", "confirmed", "throttling_failure_timestamp", "throttling_failure_count", "last_used_at")
_TOTP = ("step", "t0", "digits", "tolerance", "drift", "last_t")


def seal(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    Authenticator = apps.get_model("casework", "Authenticator")
    RecoveryCodes = apps.get_model("casework", "RecoveryCodes")
    RecoveryCode = apps.get_model("casework", "RecoveryCode")

    for old in TOTPDevice.objects.order_by("pk"):
        new = Authenticator.objects.create(
            user_id=old.user_id,
            sealed_seed=otp_secrets.seal_seed(bytes.fromhex(old.key), old.user_id),
            **{field: getattr(old, field) for field in _COPIED + _TOTP},
        )
        Authenticator.objects.filter(pk=new.pk).update(created_at=old.created_at)
    for old in StaticDevice.objects.order_by("pk"):
        new = RecoveryCodes.objects.create(user_id=old.user_id, **{field: getattr(old, field) for field in _COPIED})
        RecoveryCodes.objects.filter(pk=new.pk).update(created_at=old.created_at)
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=new, digest=otp_secrets.recovery_digest(token.token, old.user_id))
            for token in StaticToken.objects.filter(device=old).order_by("pk")
        )
    StaticToken.objects.all().delete()
    StaticDevice.objects.all().delete()
    TOTPDevice.objects.all().delete()


def unseal(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    Authenticator = apps.get_model("casework", "Authenticator")
    RecoveryCodes = apps.get_model("casework", "RecoveryCodes")

    for new in Authenticator.objects.order_by("pk"):
        old = TOTPDevice.objects.create(
            user_id=new.user_id,
            key=otp_secrets.open_seed(bytes(new.sealed_seed), new.user_id).hex(),
            **{field: getattr(new, field) for field in _COPIED + _TOTP},
        )
        TOTPDevice.objects.filter(pk=old.pk).update(created_at=new.created_at)
    Authenticator.objects.all().delete()
    RecoveryCodes.objects.all().delete()  # keyed hashes only: the codes themselves are gone


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_second_factor_at_rest"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
