"""Staff login: password (which also unlocks the keys), then a second factor.

The password step decrypts the staff member's private key and the
organisation keys granted to them, and splits them between the session and a
cookie (vault/session.py). Nothing is usable until the second factor passes:
every staff view requires a verified login.
"""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from audit.services import record
from casework import otp
from casework.forms import LoginForm, PasswordChangeForm, TokenForm
from casework.models import StaffProfile
from casework.roles import profile_of, staff_required
from vault import custody
from vault import session as vault_session

PREAUTH = "harbor_preauth"


def _locked(profile: StaffProfile | None) -> bool:
    return bool(profile and profile.locked_until and profile.locked_until > timezone.now())


def _failed(profile: StaffProfile | None, username: str) -> None:
    if profile is None:
        return
    profile.failed_logins += 1
    if profile.failed_logins >= settings.HARBOR_LOCKOUT_ATTEMPTS:
        profile.locked_until = timezone.now() + timedelta(seconds=settings.HARBOR_LOCKOUT_SECONDS)
        profile.failed_logins = 0
        record(username, "login.locked", username)
    profile.save(update_fields=["failed_logins", "locked_until"])
    record(username, "login.failed", username)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    message = ""
    if request.GET.get("locked"):
        message = _("Your keys were locked (time-out or a new browser). Please log in again.")
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user_obj = get_user_model().objects.filter(username=username).first()
        profile = StaffProfile.objects.filter(user=user_obj).first() if user_obj else None
        generic = _(
            "That username and password do not match, or the account is paused for a while after too many tries."
        )
        if _locked(profile):
            form.add_error(None, generic)
        else:
            # One Argon2id run checks the password and unlocks the keys (vault/backends.py).
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None or profile is None:
                _failed(profile, username)
                form.add_error(None, generic)
            else:
                # None: no key pair, or a key out of step with the password: log in, but nothing unlocks.
                keys = getattr(user, "harbor_unlocked", None)
                request.session.cycle_key()
                request.session[PREAUTH] = user.pk
                response = redirect(reverse("casework:otp" if otp.is_enrolled(user) else "casework:enrol"))
                if keys is not None:
                    vault_session.store(request, response, user.pk, keys)
                return response
    return render(
        request, "casework/login.html", {"form": form, "message": message}, status=400 if form.errors else 200
    )


def _preauth_user(request):
    pk = request.session.get(PREAUTH)
    return get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None


def _complete_login(request, user, device):
    keys_blob = request.session.get(vault_session.SESSION_KEY)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    request.session.pop(PREAUTH, None)
    if keys_blob:
        request.session[vault_session.SESSION_KEY] = keys_blob
    profile = profile_of(user)
    profile.failed_logins = 0
    profile.save(update_fields=["failed_logins"])
    record(user.username, "login", user.username)
    if keys_blob:
        record(user.username, "keys.unlocked", user.username)


@require_http_methods(["GET", "POST"])
def otp_view(request):
    user = _preauth_user(request)
    if user is None:
        return redirect("casework:login")
    profile = profile_of(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = None if _locked(profile) else otp.verify(user, form.cleaned_data["token"])
        if device is None:
            _failed(profile, user.username)
            form.add_error("token", _("That code did not work. Codes change every 30 seconds; try the newest one."))
        else:
            _complete_login(request, user, device)
            return redirect(request.GET.get("next") if _safe_next(request) else "casework:home")
    return render(request, "casework/otp.html", {"form": form}, status=400 if form.errors else 200)


def _safe_next(request) -> bool:
    nxt = request.GET.get("next", "")
    return nxt.startswith("/staff/") and "//" not in nxt


def _qr_svg(url: str) -> str:
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    img.save(out)
    svg = out.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" class="qr" ', 1)


@require_http_methods(["GET", "POST"])
def enrol_view(request):
    """First login: set up the authenticator app, then show single-use recovery codes once."""
    user = _preauth_user(request)
    if user is None:
        return redirect("casework:login")
    if otp.is_enrolled(user):
        return redirect("casework:otp")
    device = otp.pending_authenticator(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm(device, form.cleaned_data["token"].replace(" ", ""))
        if codes is not None:
            _complete_login(request, user, device)
            record(user.username, "otp.enrolled", user.username)
            return render(request, "casework/recovery_codes.html", {"codes": codes})
        form.add_error("token", _("That code did not work. Check the time on your phone and try the newest code."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "casework/enrol.html",
        {"form": form, "qr": mark_safe(_qr_svg(device.config_url)), "secret": secret},  # noqa: S308 - SVG made by qrcode from our own URL
        status=400 if form.errors else 200,
    )


@require_POST
def logout_view(request):
    username = request.user.username if request.user.is_authenticated else ""
    response = redirect("casework:login")
    vault_session.forget(request, response)
    logout(request)
    if username:
        record(username, "logout", username)
    return response


@staff_required()
@require_http_methods(["GET", "POST"])
def password_view(request):
    """Change the password; the staff private key is re-encrypted under the new one."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff_key = getattr(request.user, "vault_key", None)
        if staff_key is not None:
            private = custody.unlock_staff_key(staff_key, form.cleaned_data["old_password"])
            # Sets the password too: the hash and the key from one Argon2id run (vault/hashers.py).
            custody.rewrap_staff_key(staff_key, private, form.cleaned_data["new_password"])
            request.user.refresh_from_db(fields=["password"])
        else:
            request.user.set_password(form.cleaned_data["new_password"])
            request.user.save()
        update_session_auth_hash(request, request.user)
        profile = profile_of(request.user)
        profile.must_change_password = False
        profile.save(update_fields=["must_change_password"])
        record(request.user.username, "password.changed", request.user.username)
        return render(
            request,
            "casework/message.html",
            {"title": _("Password changed"), "text": _("Your key is now locked with the new password.")},
        )
    return render(request, "casework/password.html", {"form": form}, status=400 if form.errors else 200)
