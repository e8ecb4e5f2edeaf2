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

    The reporter's pages take their language from the address (/es/), and an address
    without a prefix is English; staff pages have no prefix, so LocaleMiddleware would
    always choose English for them. Here the browser's Accept-Language decides, as for
    any site: nothing to choose, and no language cookie. Goes after LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/staff/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        return response


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
