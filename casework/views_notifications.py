"""A staff member's own Notifications page: whether, where and in which language to hear of news."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import notifications
from casework.forms_notifications import NotificationForm
from casework.roles import ADVOCATE, RECIPIENT, profile_of, staff_required


@staff_required(ADVOCATE, RECIPIENT)
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """Always the signed-in person's own choices: there is no one else's to ask for."""
    profile = profile_of(request.user)
    kinds = notifications.kinds_for(profile)
    pref = notifications.preference_of(request.user)
    initial = {"email": "", "language": (get_language() or "en")[:2]}
    if pref is not None:
        initial = {"email": pref.email, "language": pref.language, **{k: getattr(pref, k) for k in kinds}}
    form = NotificationForm(kinds, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notifications.save_preference(
            request.user,
            profile,
            email=form.cleaned_data["email"],
            language=form.cleaned_data["language"],
            kinds=form.chosen(),
        )
        messages.success(request, _("Your notification choices are saved."))
        return redirect("casework:notifications")
    example = {kind: n for kind, n in zip(kinds, (2, 1, 1), strict=False)}
    sample = notifications.compose(example, initial["language"])
    return render(
        request,
        "casework/notifications.html",
        {
            "form": form,
            "enabled": notifications.enabled(),
            "every": notifications.digest_minutes(),
            "sample": sample,
            "no_organisation": profile.has_role(RECIPIENT) and profile.organisation_id is None,
        },
        status=400 if form.errors else 200,
    )
