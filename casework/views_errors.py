"""The staff surface's refusals, in staff words (config/views.py sends every /staff/ error here).

The reporter's error pages speak to someone who may be frightened and lead back to the form;
staff need to know what was refused and where to go instead. A 404 stays a 404 and says the
same whether the thing is missing or belongs to someone else: "not in your organisation's
inbox" is true of a referral that does not exist too. Roles are checked before any lookup
(casework.roles.staff_required), so a 403 says nothing about whether an id exists.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

_REPORT = (
    _("There is no report here that you can open"),
    _(
        "It may have been erased (withdrawn by the reporter, or past its time to be kept), your key may not "
        "open it, or the address may be mistyped. The list of reports shows every report you can open."
    ),
)
_REFERRAL = (
    _("There is no referral here that you can open"),
    _("It may have been erased with its report, or the address may be mistyped."),
)
_INBOX = (
    _("This referral is not in your organisation's inbox"),
    _("It may have been taken back, or the address may be mistyped. Your inbox lists every referral sent to you."),
)
_ACCOUNT = (_("There is no such account"), _("The list of accounts shows every account there is."))

#: What a 404 says, by the page that was asked for (its URL name).
NOT_FOUND = {
    **dict.fromkeys(
        (
            "casework:report",
            "casework:reply",
            "casework:note",
            "casework:status",
            "casework:assign",
            "casework:photo",
            "referrals:choose",
            "referrals:build",
        ),
        _REPORT,
    ),
    "referrals:detail": _REFERRAL,
    **dict.fromkeys(("referrals:received", "referrals:received_print", "referrals:received_pdf"), _INBOX),
    **dict.fromkeys(("casework:user_edit", "casework:user_reset", "casework:grant"), _ACCOUNT),
    "casework:rewrap": (
        _("There is no such key waiting to be retired"),
        _("It may have been retired already. The page about rotating the key shows what is left to do."),
    ),
}
PAGE_NOT_FOUND = (
    _("There is no such page on the staff dashboard"),
    _("The address may be mistyped. The links at the top of the page lead to everything your role can open."),
)


def _render(request, title, text, status: int) -> HttpResponse:
    return TemplateResponse(request, "casework/error.html", {"title": title, "text": text}, status=status).render()


def not_found(request, exception=None):
    match = request.resolver_match
    title, text = NOT_FOUND.get(match.view_name if match else "", PAGE_NOT_FOUND)
    return _render(request, title, text, 404)


def permission_denied(request, exception=None):
    return _render(
        request,
        _("Your role can't open this page"),
        _("Your account does not have the role this page is for. If you need it for your work, ask an administrator."),
        403,
    )


def bad_request(request, exception=None):
    return _render(
        request,
        _("That request could not be read"),
        _("Nothing was changed. Go back, reload the page and try again."),
        400,
    )


def csrf_failure(request, reason=""):
    text = _(
        "Nothing was changed. You may have been logged out after %(minutes)s minutes without activity, or the "
        "page was open for a long time. Go back, reload the page and try again."
    ) % {"minutes": settings.HARBOR_IDLE_SECONDS // 60}
    return _render(request, _("This form has expired"), text, 403)


def method_not_allowed(request):
    return _render(
        request,
        _("This page can't be opened that way"),
        _("It may have been opened from your history. Nothing was changed."),
        405,
    )


def too_large(request):
    return _render(
        request,
        _("That was too large to send"),
        _("Nothing was changed. Make the text shorter and try again."),
        413,
    )
