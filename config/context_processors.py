from django.conf import settings


def harbor(request):
    """Expose the site's neutral title and quick-exit address to templates."""
    return {
        "SITE_TITLE": settings.HARBOR_SITE_TITLE,
        "QUICK_EXIT_URL": settings.HARBOR_QUICK_EXIT_URL,
        "ORG_NAME": settings.HARBOR_ORG_NAME,
    }


def language_links(request):
    """Links to this page in each language: switching needs no cookie and no script."""
    from django.urls import translate_url
    from django.utils.translation import get_language

    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        links.append({"code": code, "name": _native(code, name), "url": translate_url(request.path, code)})
    return {"LANGUAGE_LINKS": links}


def _native(code, name):
    return {"en": "English", "es": "Español"}.get(code, str(name))
