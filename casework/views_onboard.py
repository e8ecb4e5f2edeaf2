"""Onboarding: invitations (made by administrators, opened by the invitee) and recipient organisations.

Thin views over casework/invitations.py and casework/recipients.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import invitations, recipients
from casework.forms import AcceptForm
from casework.forms_admin import InviteForm, OrganisationForm, RetireForm
from casework.models import Invitation, Organisation, Role
from casework.roles import ADMIN, staff_required
from casework.views_auth import PREAUTH
from vault import custody
from vault import session as vault_session


def _status(form) -> int:
    return 400 if form.errors else 200


# --- invitations (administrators) ---------------------------------------------------------


@staff_required(ADMIN)
@require_GET
def invitation_list(request):
    return render(request, "casework/invitations.html", {"invitations": invitations.listing()})


def _invite_initial(request) -> dict:
    """Prefill from the organisation page's "Invite someone to it" link (?organisation=<id>)."""
    wanted = request.GET.get("organisation", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:
        organisation = recipients.current().filter(pk=int(wanted)).first()
        if organisation is not None:
            return {"roles": [Role.RECIPIENT.value], "organisation": organisation.pk}
    return {}


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def invite(request):
    form = InviteForm(request.POST or None, initial=_invite_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = invitations.invite(
                request.user.username,
                data["username"],
                data["roles"],
                data["organisation"],
                invited_by=request.user,
                hours=data["hours"],
            )
        except invitations.Refused as exc:
            form.add_error(None, str(exc))
        else:
            # The token exists only in this response: a reload sends the form again, which refuses the name.
            link = request.build_absolute_uri(reverse("casework:accept", kwargs={"token": issued.token}))
            return render(request, "casework/invite_link.html", {"invitation": issued.invitation, "link": link})
    return render(request, "casework/invite_form.html", {"form": form}, status=_status(form))


@staff_required(ADMIN)
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitations.revoke(request.user.username, invitation, revoked_by=request.user)
    except invitations.Refused as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request,
            _("The invitation for %(username)s was withdrawn: its link makes nothing now.")
            % {"username": invitation.username},
        )
    return redirect("casework:invitations")


# --- organisations (administrators) -------------------------------------------------------


@staff_required(ADMIN)
@require_GET
def organisation_list(request):
    return render(request, "casework/organisations.html", {"rows": recipients.rows()})


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = recipients.add(request.user.username, data["name"], data["kind"], data["contact"])
        except recipients.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s was added. Invite its people from its page.") % {"name": organisation.name},
            )
            return redirect("casework:organisation", org_id=organisation.pk)
    return render(
        request,
        "casework/organisation_form.html",
        {"form": form, "title": _("New recipient organisation")},
        status=_status(form),
    )


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_edit(request, org_id: int):
    organisation = get_object_or_404(Organisation, pk=org_id)
    initial = {"name": organisation.name, "kind": organisation.kind, "contact": organisation.contact}
    form = OrganisationForm(request.POST or None, initial=initial, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recipients.edit(
                request.user.username, organisation, name=data["name"], kind=data["kind"], contact=data["contact"]
            )
        except recipients.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": organisation.name})
            return redirect("casework:organisation", org_id=organisation.pk)
    return render(
        request,
        "casework/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": organisation.name,
            "members": recipients.members(organisation),
            "kind_title": recipients.kind_title(organisation.kind),
        },
        status=_status(form),
    )


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_retire(request, org_id: int):
    organisation = get_object_or_404(Organisation, pk=org_id)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = recipients.retire(request.user.username, organisation, revoked_by=request.user)
        except recipients.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "%(name)s was retired: it is offered no more referrals. Accounts deactivated: %(people)s. "
                    "Waiting invitations withdrawn: %(invitations)s."
                )
                % {"name": organisation.name, "people": len(done.deactivated), "invitations": done.invitations},
            )
            return redirect("casework:organisations")
    return render(
        request,
        "casework/organisation_retire.html",
        {"form": form, "organisation": organisation, "members": recipients.members(organisation)},
        status=_status(form),
    )


# --- the invitee --------------------------------------------------------------------------

UNUSABLE_STATUS = {"unknown": 404, "accepted": 410, "revoked": 410, "expired": 410, "taken": 409}


def _unusable(request, state: str):
    return render(
        request, "casework/invitation_unusable.html", {"state": state}, status=UNUSABLE_STATUS.get(state, 410)
    )


@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """Open an invitation: choose a password, then enrol the authenticator (the login's enrol step)."""
    if request.user.is_authenticated:
        # One browser, one person: an invitation is not accepted into someone else's session.
        return render(request, "casework/invitation_unusable.html", {"state": "logged_in"}, status=403)
    try:
        invitation = invitations.usable(token)
    except invitations.Unusable as exc:
        return _unusable(request, exc.state)
    form = AcceptForm(request.POST or None, username=invitation.username)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["new_password"]
        try:
            user = invitations.accept(token, password)
        except invitations.Unusable as exc:
            return _unusable(request, exc.state)
        except invitations.Refused:
            return _unusable(request, "taken")
        keys = custody.unlock(user, password)
        request.session.cycle_key()
        request.session[PREAUTH] = user.pk
        response = redirect("casework:enrol")
        if keys is not None:
            vault_session.store(request, response, user.pk, keys)
        return response
    roles = [str(label) for value, label in Role.choices if value in invitation.roles]
    return render(
        request,
        "casework/accept.html",
        {"form": form, "invitation": invitation, "roles": roles},
        status=_status(form),
    )
