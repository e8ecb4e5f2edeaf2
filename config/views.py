"""Error pages: neutral, kind, and never a stack trace."""

from django.template.response import TemplateResponse


def csrf_failure(request, reason=""):
    """Explain an expired or replayed form without blaming the person."""
    return TemplateResponse(request, "errors/expired.html", status=403).render()


def bad_request(request, exception=None):
    return TemplateResponse(request, "errors/400.html", status=400).render()


def permission_denied(request, exception=None):
    return TemplateResponse(request, "errors/403.html", status=403).render()


def not_found(request, exception=None):
    return TemplateResponse(request, "errors/404.html", status=404).render()


def server_error(request):
    return TemplateResponse(request, "errors/500.html", status=500).render()
