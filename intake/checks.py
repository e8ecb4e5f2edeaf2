"""System checks for the anonymous surface's invariants."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from config.logging import is_scrubbed, live_handlers


@register()
def check_logging_scrubbed(app_configs, **kwargs):
    """Every log handler must carry the filter that drops client data.

    Both those settings.LOGGING names and those on a logger now: Django's
    defaults, or a handler some library added, write to the log as well.
    """
    errors = []
    for name, handler in settings.LOGGING.get("handlers", {}).items():
        if "no_client" not in handler.get("filters", []):
            errors.append(
                Error(
                    f"Logging handler {name!r} lacks the 'no_client' filter; it could record client addresses.",
                    id="harbor.E010",
                )
            )
    for logger_name, handler in live_handlers():
        if not is_scrubbed(handler):
            errors.append(
                Error(
                    f"Logging handler {type(handler).__name__} on logger {logger_name!r} lacks "
                    "NoClientDataFilter; it could record client addresses.",
                    hint="Define handlers in settings.LOGGING, with the 'no_client' filter.",
                    id="harbor.E010",
                )
            )
    return errors


@register()
def check_uploads_in_memory(app_configs, **kwargs):
    if settings.FILE_UPLOAD_HANDLERS != ["intake.uploads.BoundedMemoryUploadHandler"]:
        return [
            Error("Uploads must stay in memory (intake.uploads.BoundedMemoryUploadHandler only).", id="harbor.E011")
        ]
    return []


@register()
def check_jurisdiction(app_configs, **kwargs):
    """HARBOR_JURISDICTION must name a jurisdiction some policy pack covers."""
    from policy.packs import default_packs, jurisdictions

    known = jurisdictions(default_packs())
    if settings.HARBOR_JURISDICTION not in known:
        return [
            Error(
                f"HARBOR_JURISDICTION is {settings.HARBOR_JURISDICTION!r}; it must be one of {', '.join(known)}.",
                id="harbor.E021",
            )
        ]
    return []
