"""The administrator's pages: accounts, key grants, rotation, retention. Thin views over
casework.accounts, grants, orgkey and retention.

Invitations and recipient organisations: views_onboard.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import accounts, orgkey
from casework import grants as key_grants
from casework import retention as retention_rules
from casework.forms_admin import AccountEditForm, ResetForm, RetentionForm, RotateForm
from casework.models import StaffProfile
from casework.roles import ADMIN, staff_required
from vault import rotation
from vault.exceptions import KeyMissingError, NotKeyHolderError, RotationPendingError
from vault.models import OrgKey

ASK_A_HOLDER = "You do not hold the organisation key, so you cannot pass it on. Ask a key holder (an administrator who is also a key holder) to do this."


def _message(request, title: str, text: str, status: int = 200):
    return render(request, "casework/message.html", {"title": title, "text": text}, status=status)


def _no_key(request):
    return _message(
        request,
        _("No organisation key"),
        _("There is no organisation key yet. Run `manage.py bootstrap` (docs/operations.md)."),
        409,
    )


@staff_required(ADMIN)
@require_GET
def users(request):
    return render(request, "casework/users.html", {"rows": accounts.account_rows()})


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id: int):
    account = get_object_or_404(get_user_model(), pk=user_id)
    profile = StaffProfile.objects.filter(user=account).first()
    locked = accounts.is_locked(profile)
    initial = {
        "roles": list(profile.roles) if profile else [],
        "organisation": profile.organisation_id if profile else None,
        "is_active": account.is_active,
    }
    form = AccountEditForm(
        request.POST or None,
        initial=initial,
        locked=locked,
        keep_organisation=profile.organisation if profile else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notices = accounts.update_account(
                request.user,
                account,
                roles=data["roles"],
                organisation=data["organisation"],
                is_active=data["is_active"],
                unlock=data.get("unlock", False),
            )
        except accounts.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved %(username)s.") % {"username": account.username})
            for notice in notices:
                messages.info(request, notice)
            return redirect("casework:users")
    return render(
        request,
        "casework/user_form.html",
        {
            "form": form,
            "account": account,
            "locked": locked,
            "title": _("Account %(username)s") % {"username": account.username},
        },
        status=400 if form.errors else 200,
    )


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def user_reset(request, user_id: int):
    account = get_object_or_404(get_user_model(), pk=user_id)
    if account.pk == request.user.pk:
        return _message(
            request,
            _("Not your own account"),
            _(
                "Another administrator must reset your account, so that no one can take over an account alone. To change a password you know, use the Password page."
            ),
            403,
        )
    sole = key_grants.sole_holder(account)
    form = ResetForm(request.POST or None, sole_holder=sole)
    if request.method == "POST" and form.is_valid():
        password = accounts.reset_account(request.user.username, account)
        return render(request, "casework/user_password.html", {"account": account, "password": password, "reset": True})
    return render(
        request,
        "casework/user_reset.html",
        {"form": form, "account": account, "sole_holder": sole},
        status=400 if form.errors else 200,
    )


@staff_required(ADMIN, unlocked=True)
@require_GET
def grants(request):
    try:
        org_key = rotation.active_key()
    except KeyMissingError:
        return _no_key(request)
    return render(
        request,
        "casework/grants.html",
        {
            "org_key": org_key,
            "holder": rotation.holds(request.harbor_keys, org_key),
            "candidates": key_grants.grant_candidates(org_key),
            "holders": key_grants.holders(org_key),
            "ask_a_holder": _(ASK_A_HOLDER),
        },
    )


@staff_required(ADMIN, unlocked=True)
@require_POST
def grant(request, user_id: int):
    account = get_object_or_404(get_user_model(), pk=user_id)
    try:
        key_grants.grant(request.user, request.harbor_keys, account)
    except KeyMissingError:
        return _no_key(request)
    except NotKeyHolderError:
        return _message(request, _("Ask a key holder"), _(ASK_A_HOLDER), 403)
    except accounts.Refused as exc:
        return _message(request, _("Not granted"), str(exc), 400)
    messages.success(request, _("%(username)s now holds the organisation key.") % {"username": account.username})
    return redirect("casework:grants")


def _outcome_message(request, outcome: str, old: OrgKey) -> None:
    when = formats.date_format(timezone.localtime(rotation.retire_after(old)), "Y-m-d H:i")
    text = {
        "queued": _("The re-wrap runs in the background. This page shows how many reports are left on the old key."),
        "done": _("Every report now uses the new key. The old key's grants were deleted: it is retired."),
        "grace": _(
            "Every report now uses the new key. Servers may still wrap a new report to the old key for a few "
            "seconds, so it can be retired only after %(when)s: press “Re-wrap and retire” again then."
        )
        % {"when": when},
        "incomplete": _(
            "Some reports could not be re-wrapped (their wrap did not open). The old key stays until they are; see docs/operations.md."
        ),
        "failed": _(
            "The re-wrap failed. Nothing was lost: the old key still opens the reports not moved yet. Try again."
        ),
    }.get(outcome, outcome)
    level = messages.success if outcome in ("done", "queued") else messages.warning
    level(request, text)


@staff_required(ADMIN, unlocked=True)
@require_http_methods(["GET", "POST"])
def rotate(request):
    try:
        org_key = rotation.active_key()
    except KeyMissingError:
        return _no_key(request)
    holder = rotation.holds(request.harbor_keys, org_key)
    form = RotateForm(request.POST or None)
    if request.method == "POST":
        if not holder:
            return _message(request, _("Ask a key holder"), _(ASK_A_HOLDER), 403)
        if form.is_valid():
            try:
                outcome = orgkey.rotate(request.user, request.harbor_keys)
            except RotationPendingError:
                form.add_error(None, _("The previous rotation's re-wrap has not finished. Finish it first (below)."))
            else:
                messages.success(request, _("The organisation key was rotated. New reports use the new key."))
                org_key.refresh_from_db()
                _outcome_message(request, outcome, org_key)
                return redirect("casework:rotate")
    pending = orgkey.pending()
    for item in pending:
        item.holder = rotation.holds(request.harbor_keys, item.old)
    return render(
        request,
        "casework/rotate.html",
        {
            "form": form,
            "org_key": org_key,
            "holder": holder,
            "holders": key_grants.holders(org_key),
            "pending": pending,
            "ask_a_holder": _(ASK_A_HOLDER),
        },
        status=400 if form.errors else 200,
    )


@staff_required(ADMIN, unlocked=True)
@require_POST
def rewrap(request, key_id: str):
    old = get_object_or_404(OrgKey, key_id=key_id, active=False, retired_at__isnull=True)
    try:
        outcome = orgkey.start_rewrap(request.user.username, request.harbor_keys, old)
    except NotKeyHolderError:
        return _message(
            request,
            _("Ask a key holder"),
            _("You do not hold the old key. Ask someone who held it before the rotation to start the re-wrap."),
            403,
        )
    _outcome_message(request, outcome, old)
    return redirect("casework:rotate")


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def retention(request):
    form = RetentionForm(request.POST or None, initial=retention_rules.retention_days())
    if request.method == "POST" and form.is_valid():
        retention_rules.save_retention(request.user.username, form.days())
        messages.success(request, _("Retention rules saved. The nightly purge applies them."))
        return redirect("casework:retention")
    return render(
        request,
        "casework/retention.html",
        {"form": form, "due": retention_rules.expired_reports().count()},
        status=400 if form.errors else 200,
    )
