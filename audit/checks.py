"""System checks for the audit chain: a usable key, and somewhere to anchor the head."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from vault.auditmac import AuditKeyError, parse_key


@register()
def check_audit_key(app_configs, **kwargs):
    errors = []
    for name, values in (
        ("HARBOR_AUDIT_KEY", [settings.HARBOR_AUDIT_KEY]),
        ("HARBOR_AUDIT_KEY_FALLBACKS", settings.HARBOR_AUDIT_KEY_FALLBACKS),
    ):
        for value in values:
            try:
                parse_key(value)
            except AuditKeyError:
                errors.append(
                    Error(
                        f"{name} must hold keys of at least 32 bytes written in hex (64 characters).",
                        hint="Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'",
                        id="harbor.E020",
                    )
                )
                break
    return errors


@register(deploy=True)
def check_audit_head_file(app_configs, **kwargs):
    if settings.HARBOR_AUDIT_HEAD_FILE:
        return []
    return [
        Warning(
            "HARBOR_AUDIT_HEAD_FILE is not set: the audit chain's head is never exported, so deleting "
            "the newest audit events would go unnoticed.",
            hint="Set it to a file kept append-only and shipped off this host (docs/operations.md, Audit).",
            id="harbor.W020",
        )
    ]
