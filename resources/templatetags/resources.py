"""``{% reporter_resources %}``: the list of hotlines and services on a reporter's page.

An inclusion tag rather than a variable from each view, so the landing and
receipt pages show it without the intake's views knowing about it. A text in another
language than the page's (the English of a resource not given in the reader's language)
carries its own ``lang``, so that a screen reader reads it in that language.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from resources import services

register = template.Library()


@register.inclusion_tag("intake/_resources.html")
def reporter_resources(heading_level: int = 2) -> dict:
    lang = get_language() or "en"
    resources = services.for_reporters(lang)
    for r in resources:
        # Inside a translated sentence ("Languages: …"): the value alone carries its language.
        r["languages_html"] = (
            format_html('<span lang="{}">{}</span>', r["lang"], r["languages"]) if r["lang"] != lang else r["languages"]
        )
    return {"resources": resources, "heading_level": heading_level, "page_lang": lang}
