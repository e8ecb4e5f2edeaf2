"""The reporter's eight languages: their names in themselves, and the first visit's choice.

The language of a reporter's page is in its address (`/` English, `/es/`, `/zh-hant/`, `/th/`
...): switching is a plain link, needs no script and sets no cookie. The one place the
browser's Accept-Language decides is the first visit to `/` (`FirstVisitLanguageMiddleware`),
never anything guessed from an address. docs/translations.md says why.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

#: Each language named in itself, as the switcher shows it.
NATIVE_NAMES: Final = {
    "en": "English",
    "es": "Español",
    "zh-hant": "繁體中文",
    "zh-hans": "简体中文",
    "tl": "Tagalog",
    "vi": "Tiếng Việt",
    "ko": "한국어",
    "th": "ไทย",
}

#: The English landing page by an address of its own: `/` may send a first visit elsewhere.
ENGLISH_LANDING: Final = "/en/"


def native_name(code: str) -> str:
    """Return a language's name in itself (the code for a language Harbor does not know)."""
    return NATIVE_NAMES.get(code, code)


def reporter_language(accept: str) -> str:
    """Return the reporter language an Accept-Language header prefers, else English.

    Regional variants fall back as Django's LANG_INFO says (zh-TW and zh-HK to Traditional,
    zh-CN and zh-SG to Simplified; fil, Filipino, to Tagalog: settings.EXTRA_LANG_INFO).
    """
    for code, _quality in parse_accept_lang_header(accept):
        if code == "*":
            break
        # Django reads LANG_INFO's fallbacks for the code as sent only: "fil-PH" must try "fil" too.
        for candidate in dict.fromkeys((code, code.split("-")[0])):
            try:
                return get_supported_language_variant(candidate)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def _from_this_site(request: HttpRequest) -> bool:
    referer = request.headers.get("Referer", "")
    if not referer:
        return False
    parts = urlsplit(referer)
    return parts.netloc == request.get_host() and parts.scheme in ("http", "https")


class FirstVisitLanguageMiddleware:
    """Send a first visit to `/` to the page in the language the browser asks for.

    A visit is a first visit when it does not come from one of Harbor's own pages (no
    same-origin Referer, which Referrer-Policy: same-origin sends between our pages): someone
    who typed the address or followed a flyer's link. Someone who chose English from the
    switcher goes to `/en/`, which never redirects, so a Thai-speaking browser cannot hold an
    English reader in Thai. Only `/` with no query is touched; nothing is stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method not in ("GET", "HEAD") or request.path_info != "/" or request.GET:
            return self.get_response(request)
        if _from_this_site(request):
            response = self.get_response(request)
        else:
            language = reporter_language(request.headers.get("Accept-Language", ""))
            if language == settings.LANGUAGE_CODE:
                response = self.get_response(request)
            else:
                response = HttpResponseRedirect(f"/{language}/")
        patch_vary_headers(response, ("Accept-Language", "Referer"))
        return response
