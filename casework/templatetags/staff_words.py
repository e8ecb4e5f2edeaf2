"""Template filters for staff pages: codes as words, reporter times as hours (casework/presenters.py)."""

from django import template
from django.utils.html import format_html

from casework import presenters

register = template.Library()

register.filter("reporter_hour", presenters.reporter_hour)
register.filter("crime_words", presenters.crime_words)
register.filter("consent_words", presenters.consent_words)
register.filter("organisation_kind", presenters.organisation_kind)
register.filter("role_name", presenters.role_name)
register.filter("verification_words", presenters.verification_words)
register.filter("protection_status_words", presenters.protection_status_words)
register.filter("audit_action", presenters.audit_action)
register.filter("audit_actor", presenters.audit_actor)
register.filter("interface_language", presenters.interface_language)


@register.filter
def audit_object(event) -> str:
    """What the event names: words for a retention rule; an id cut to 16 characters, in <code>."""
    words = presenters.audit_object(event.action, event.object_id)
    if words != event.object_id:
        return words
    return format_html("<code>{}</code>", event.object_id[:16]) if event.object_id else ""
