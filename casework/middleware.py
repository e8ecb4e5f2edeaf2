"""Staff-only middleware: the idle timeout, and the dashboard's language."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation
from django.utils.cache import patch_vary_headers

from vault import session as vault_session


class StaffLanguageMiddleware:
    """Show the dashboard in the language the staff member's browser asks for (English or Spanish).

    The reporter's pages take their language from the address (/es/, /th/), and an address
    without a prefix is English; staff pages have no prefix, so LocaleMiddleware would
    always choose English for them. Here the browser's Accept-Language decides, as for
    any site: nothing to choose, and no language cookie. Goes after LocaleMiddleware.

    The dashboard is written in English and Spanish only (settings.STAFF_LANGUAGES): a browser
    that asks first for Thai gets the first of its other languages the dashboard has, else
    English, never a page half in Thai.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/staff/"):
            return self.get_response(request)
        language = staff_language(request.headers.get("Accept-Language", ""))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        return response


def staff_language(accept: str) -> str:
    """Return the first language of an Accept-Language header that staff pages have, else English."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _quality in parse_accept_lang_header(accept):
        base = code.split("-")[0]
        if base in settings.STAFF_LANGUAGES:
            return base
    return settings.STAFF_LANGUAGES[0]


class StaffSessionMiddleware:
    """Idle timeout for staff: the session and the unlock cookie slide together, 15 minutes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/staff/"):
            return self.get_response(request)
        expired = False
        if request.user.is_authenticated:
            last = request.session.get("harbor_seen", 0)
            now = int(time.time())
            if last and now - last > settings.HARBOR_IDLE_SECONDS:
                expired = True
                logout(request)  # flushes the session: the key ciphertext goes with it
            else:
                request.session["harbor_seen"] = now
        response = self.get_response(request)
        if expired:
            response.delete_cookie(vault_session.COOKIE, path="/staff/", samesite="Strict")
        elif request.user.is_authenticated:
            vault_session.refresh_cookie(request, response)
        return response
