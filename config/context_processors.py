from django.conf import settings


def harbor(request):
    """Expose the site's neutral title and quick-exit address to templates."""
    return {
        "SITE_TITLE": settings.HARBOR_SITE_TITLE,
        "QUICK_EXIT_URL": settings.HARBOR_QUICK_EXIT_URL,
        "ORG_NAME": settings.HARBOR_ORG_NAME,
    }


def language_links(request):
    """Links to this page in each reporter language: switching needs no cookie and no script.

    Every language is listed, the current one too (marked, not a link), so the row does not
    move as she switches; each is named in itself.
    """
    from django.urls import translate_url
    from django.utils.translation import get_language

    from config.languages import ENGLISH_LANDING, native_name

    current = get_language()
    path = "/" if request.path == ENGLISH_LANDING else request.path
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(path, code)
        if code == settings.LANGUAGE_CODE and url == "/":
            url = ENGLISH_LANDING  # `/` may send a first visit to the browser's language
        links.append({"code": code, "name": native_name(code), "url": url, "current": code == current})
    return {"LANGUAGE_LINKS": links}
