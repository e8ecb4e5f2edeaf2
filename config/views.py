"""Error pages: neutral, kind, and never a stack trace.

The reporter's pages and the staff dashboard refuse in their own words: a /staff/ address
gets casework/views_errors.py (templates/casework/), never a reporter's page.
"""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.response import TemplateResponse


def is_staff_path(request) -> bool:
    return request.path.startswith("/staff/")


def csrf_failure(request, reason=""):
    """Explain an expired or replayed form without blaming the person."""
    if is_staff_path(request):
        from casework import views_errors

        return views_errors.csrf_failure(request, reason)
    return TemplateResponse(request, "errors/expired.html", status=403).render()


def bad_request(request, exception=None):
    if is_staff_path(request):
        from casework import views_errors

        return views_errors.bad_request(request, exception)
    return TemplateResponse(request, "errors/400.html", status=400).render()


def permission_denied(request, exception=None):
    if is_staff_path(request):
        from casework import views_errors

        return views_errors.permission_denied(request, exception)
    return TemplateResponse(request, "errors/403.html", status=403).render()


def not_found(request, exception=None):
    if is_staff_path(request):
        from casework import views_errors

        return views_errors.not_found(request, exception)
    return TemplateResponse(request, "errors/404.html", status=404).render()


def server_error(request):
    return TemplateResponse(request, "errors/500.html", status=500).render()


@cache
def _favicon() -> bytes:
    path = finders.find("favicon.ico")
    if not isinstance(path, str):  # find() answers None when nothing matches
        raise FileNotFoundError("favicon.ico is missing from the static files")
    with open(path, "rb") as icon:
        return icon.read()


def favicon(request):
    """Harbor's own icon (static/favicon.ico) at the address browsers and crawlers ask for unprompted.

    A plain mark that names nothing, so a tab or a history entry says no more than the
    neutral page title. The pages link the same file under /static/, which is cached.
    """
    return HttpResponse(_favicon(), content_type="image/x-icon")
