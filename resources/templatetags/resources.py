"""``{% reporter_resources %}``: the list of hotlines and services on a reporter's page.

An inclusion tag rather than a variable from each view, so the landing and
receipt pages show it without the intake's views knowing about it.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from resources import services

register = template.Library()


@register.inclusion_tag("intake/_resources.html")
def reporter_resources(heading_level: int = 2) -> dict:
    return {"resources": services.for_reporters(get_language() or "en"), "heading_level": heading_level}
