from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from casework.roles import ADMIN, ADVOCATE, AUDITOR, RECIPIENT, STATISTICS, profile_of

# (the role, or roles, that see the link; URL name; label), listed once however many of the roles one holds.
NAV = [
    (ADVOCATE, "casework:queue", "Reports"),
    (STATISTICS, "casework:stats", "Statistics"),
    (ADVOCATE, "referrals:alerts", "Safety alerts"),
    (RECIPIENT, "referrals:inbox", "Referrals received"),
    (ADMIN, "casework:users", "Accounts and keys"),
    (ADMIN, "casework:retention", "Retention"),
    (ADMIN, "referrals:subscribers", "Alert subscribers"),
    (ADMIN, "resources:list", "Resources"),
    (AUDITOR, "casework:audit", "Audit log"),
    (ADVOCATE, "casework:notifications", "Notifications"),
    (RECIPIENT, "casework:notifications", "Notifications"),
]


def staff_nav(request):
    """The staff navigation for the roles this user holds (staff pages only)."""
    if not request.path.startswith("/staff/") or not request.user.is_authenticated:
        return {}
    profile = profile_of(request.user)
    if profile is None:
        return {}
    items = []
    for roles, name, label in NAV:
        if any(profile.has_role(role) for role in ((roles,) if isinstance(roles, str) else roles)):
            try:
                url = reverse(name)
            except NoReverseMatch:  # a page not built yet is simply not listed
                url = None
            if url and all(item["url"] != url for item in items):
                items.append({"url": url, "label": _(label), "current": request.path.startswith(url)})
    return {"STAFF_NAV": items}


def admin_notices(request):
    """For administrators and key holders on staff pages: the key-holder warning, the jurisdiction.

    While fewer than two active accounts hold the organisation key, one forgotten password
    would lose every report: every key holder and administrator sees a banner on every page.
    """
    if not request.path.startswith("/staff/") or not request.user.is_authenticated:
        return {}
    user = request.user
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware (not on a user just logged in)
    if verified is None or not verified():
        return {}
    profile = profile_of(user)
    if profile is None:
        return {}
    from casework import grants, recipients

    admin = profile.has_role(ADMIN)
    out = {}
    if admin:
        out["JURISDICTION"] = recipients.jurisdiction()
    holders = grants.active_holder_ids()
    if len(holders) < 2 and (admin or user.pk in holders):
        out["KEY_HOLDER_WARNING"] = {"holders": len(holders), "may_grant": admin}
    return out
