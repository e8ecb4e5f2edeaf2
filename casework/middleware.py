"""Idle timeout for staff: the session and the unlock cookie slide together, 15 minutes."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

from vault import session as vault_session


class StaffSessionMiddleware:
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
