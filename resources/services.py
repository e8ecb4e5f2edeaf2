"""Keep the list of resources, and read it for the reporter's pages."""

from __future__ import annotations

from audit.services import record
from resources.models import Resource


def for_reporters(lang: str) -> list[dict[str, str]]:
    """Every resource in the order the administrator set, with its texts in ``lang``."""
    return [r.in_language(lang) for r in Resource.objects.all()]


def save(actor, form) -> Resource:
    """Save a valid ResourceForm and record it (the audit names the resource, not what it says)."""
    created = form.instance.pk is None
    resource = form.save()
    record(actor.username, "resource.created" if created else "resource.changed", str(resource.pk))
    return resource


def delete(actor, resource: Resource) -> None:
    pk = resource.pk
    resource.delete()
    record(actor.username, "resource.deleted", str(pk))
