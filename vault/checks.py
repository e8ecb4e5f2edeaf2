"""System checks for the invariants the vault depends on."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError

from config.invariants import OTP_KEY_RULE, short_secret, weak_argon2


@register()
def check_secrets(app_configs, **kwargs):
    """The rules config/settings.py also enforces at import outside development and test."""
    errors = []
    if short_secret(settings.HARBOR_RECEIPT_PEPPER):
        errors.append(
            Error(
                "HARBOR_RECEIPT_PEPPER must be at least 32 bytes written in hex (64 characters).",
                hint="Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'",
                id="harbor.E001",
            )
        )
    if any(short_secret(key) for key in [settings.HARBOR_OTP_KEY, *settings.HARBOR_OTP_KEY_FALLBACKS]):
        errors.append(
            Error(
                OTP_KEY_RULE,
                hint="Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'",
                id="harbor.E004",
            )
        )
    if not (settings.DEVELOPMENT or settings.TESTING) and settings.DEBUG:
        errors.append(Error("DEBUG is on outside development.", id="harbor.E002"))
    if not settings.TESTING and weak_argon2(settings.HARBOR_ARGON2):
        errors.append(Error("Argon2id cost below OWASP's minimum (19 MiB, 2 passes).", id="harbor.E003"))
    return errors


@register(deploy=True)
def check_org_key(app_configs, **kwargs):
    from vault.models import OrgKey

    try:
        present = OrgKey.objects.filter(active=True).exists()
    except DatabaseError:
        return []  # database not migrated yet; migrate reports that itself
    if not present:
        return [
            Warning(
                "No organisation key exists: reports cannot be received.",
                hint="Run manage.py bootstrap.",
                id="harbor.W001",
            )
        ]
    return []


@register(deploy=True)
def check_cache_stays_in_memory(app_configs, **kwargs):
    """The cache holds the key of the hour for rate-limit tags and one-time re-wrap keys: never on a disk.

    In-process memory is fine. Redis must run without persistence (no RDB snapshots, no
    append-only file), or a snapshot would keep the key that makes the tags of the hour
    reversible (docs/operations.md, "Redis").
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if backend == "django.core.cache.backends.locmem.LocMemCache":
        return []
    if backend != "django.core.cache.backends.redis.RedisCache":
        return [Error("The cache must be Redis without persistence or in-process memory.", id="harbor.E006")]
    from django.core.cache import cache

    try:
        client = cache._cache.get_client(write=True)  # noqa: SLF001 - Django's RedisCache has no public handle
        config = {**client.config_get("save"), **client.config_get("appendonly")}
    except Exception as exc:  # noqa: BLE001 - any failure to ask is reported, not raised
        return [
            Warning(
                f"Could not ask Redis whether it writes to disk ({type(exc).__name__}).",
                hint='Make sure it runs with save "" and appendonly no (docs/operations.md, Redis).',
                id="harbor.W003",
            )
        ]
    if config.get("save") or config.get("appendonly") == "yes":
        return [
            Error(
                "Redis writes its data to disk (save or appendonly is set): the key of the hour for "
                "rate-limit tags would reach it.",
                hint='Run Redis with save "" and appendonly no (docs/operations.md, Redis).',
                id="harbor.E007",
            )
        ]
    return []
