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
