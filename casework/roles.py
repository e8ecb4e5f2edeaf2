"""Who may do what on the staff surface, as decorators on thin views."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from casework.models import Role, StaffProfile
from vault import session as vault_session


def profile_of(user) -> StaffProfile | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "_harbor_profile", None)
    if profile is None:
        profile = StaffProfile.objects.filter(user=user).select_related("organisation").first()
        user._harbor_profile = profile
    return profile


def has_role(user, role: str) -> bool:
    profile = profile_of(user)
    return bool(profile and profile.has_role(role))


def staff_required(*roles: str, unlocked: bool = False):
    """Require a logged-in, two-factor-verified staff member holding one of ``roles``.

    Anonymous → redirect to the login page; wrong role → 403; a view that
    decrypts (``unlocked=True``) and no unlocked keys → log in again.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or not user.is_verified():
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            profile = profile_of(user)
            if profile is None or (roles and not any(profile.has_role(r) for r in roles)):
                raise PermissionDenied
            if profile.must_change_password and request.resolver_match.url_name not in ("password", "logout"):
                return redirect(reverse("casework:password"))
            if unlocked:
                keys = vault_session.load(request, user.pk)
                if keys is None:
                    return redirect(f"{reverse('casework:login')}?locked=1")
                request.harbor_keys = keys
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


ADVOCATE = Role.ADVOCATE.value
RECIPIENT = Role.RECIPIENT.value
ADMIN = Role.ADMIN.value
AUDITOR = Role.AUDITOR.value

#: Who may see the statistics page (casework/views_stats.py): aggregates only, under the
#: small-count rules of casework/stats.py. Administrators and auditors see them without
#: being able to open any report: the queue and the report pages stay the advocates'.
STATISTICS = (ADVOCATE, ADMIN, AUDITOR)
