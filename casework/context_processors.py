from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from casework.roles import ADMIN, ADVOCATE, AUDITOR, RECIPIENT, profile_of

NAV = [
    (ADVOCATE, "casework:queue", "Reports"),
    (ADVOCATE, "casework:stats", "Statistics"),
    (ADVOCATE, "referrals:alerts", "Safety alerts"),
    (RECIPIENT, "referrals:inbox", "Referrals received"),
    (ADMIN, "casework:users", "Accounts and keys"),
    (ADMIN, "casework:retention", "Retention"),
    (ADMIN, "referrals:subscribers", "Alert subscribers"),
    (ADMIN, "resources:list", "Resources"),
    (AUDITOR, "casework:audit", "Audit log"),
]


def staff_nav(request):
    """The staff navigation for the roles this user holds (staff pages only)."""
    if not request.path.startswith("/staff/") or not request.user.is_authenticated:
        return {}
    profile = profile_of(request.user)
    if profile is None:
        return {}
    items = []
    for role, name, label in NAV:
        if profile.has_role(role):
            try:
                url = reverse(name)
            except NoReverseMatch:  # a page not built yet is simply not listed
                url = None
            if url:
                items.append({"url": url, "label": _(label), "current": request.path.startswith(url)})
    return {"STAFF_NAV": items}
