"""Headers and limits that apply to every response."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

log = logging.getLogger("harbor")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)


class PrivacyHeadersMiddleware:
    """Forbid caching of every page, and the browser features we never use.

    A shared computer's history and cache must not hold a report, so every
    dynamic response is ``no-store``. Static files (served by WhiteNoise,
    which sits after this middleware and answers before it sees the view)
    keep their own long-lived caching: they hold nothing personal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Nothing Harbor embeds comes from another origin; this keeps it that way.
        response.setdefault("Cross-Origin-Embedder-Policy", "require-corp")
        response.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        return response


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than anything the forms accept, before reading them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = settings.HARBOR_MAX_REQUEST_BYTES + 1
        if length > settings.HARBOR_MAX_REQUEST_BYTES:
            # Rendered here: Django renders only a view's TemplateResponse, and
            # an unrendered one returned by middleware is a 500 at the server.
            context = {
                "max_images": settings.HARBOR_MAX_IMAGES,
                "max_image_mb": settings.HARBOR_MAX_IMAGE_BYTES // (1024 * 1024),
            }
            if request.path.startswith("/staff/"):
                from casework import views_errors

                return views_errors.too_large(request)
            return TemplateResponse(request, "errors/too_large.html", context, status=413).render()
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            # A bare 405 is a blank page with no way out; give it words and the quick exit.
            allow = response.get("Allow", "")
            if request.path.startswith("/staff/"):
                from casework import views_errors

                response = views_errors.method_not_allowed(request)
            else:
                response = TemplateResponse(request, "errors/405.html", status=405).render()
            if allow:
                response["Allow"] = allow
        return response


class ServiceUnavailableMiddleware:
    """Answer a calm "try again in a moment" when the database is away.

    Views that hold something the person typed catch the error themselves and
    re-render their form; this is the net under every other view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DatabaseError):
            log.warning("database unavailable: %s", type(exception).__name__)
            response = TemplateResponse(request, "errors/unavailable.html", status=503)
            response["Retry-After"] = "10"
            return response.render()
        return None
