"""The banner every key holder and administrator sees while fewer than two people hold the organisation key."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from vault.models import OrgKeyGrant

pytestmark = pytest.mark.django_db

ONE = "Only one person holds the organisation key."
NOBODY = "Nobody holds the organisation key."
GRANTS_LINK = '<a href="/staff/accounts/grants/">'


def _banner(client, url: str = "/staff/password/") -> str:
    page = client.get(url).content.decode()
    if "key-holder-warning" not in page:
        return ""
    return page.split('class="alert alert-danger mb-0 key-holder-warning"')[1].split("</div>")[0]


def test_no_banner_while_two_people_hold_the_key(staff, logged_in):
    assert OrgKeyGrant.objects.count() == 2  # advocate and colleague
    for name in ("advocate", "colleague", "admin", "auditor", "recipient"):
        assert _banner(logged_in(name)) == "", name


def test_with_one_holder_every_holder_and_administrator_is_warned_on_every_page(staff, logged_in):
    OrgKeyGrant.objects.filter(staff_key__user=staff["colleague"]).delete()
    holder = logged_in("advocate")
    for url in ("/staff/reports/", "/staff/stats/", "/staff/password/"):
        banner = _banner(holder, url)
        assert ONE in banner, url
        assert GRANTS_LINK not in banner  # an advocate cannot open the grants page
        assert "An administrator who holds the key can grant it" in banner
    admin = logged_in("admin")
    for url in ("/staff/accounts/", "/staff/accounts/invitations/", "/staff/retention/", "/staff/password/"):
        banner = _banner(admin, url)
        assert ONE in banner and GRANTS_LINK in banner, url
    for name in ("colleague", "auditor", "recipient"):
        assert _banner(logged_in(name)) == "", name
    # Not on the login page, nor to anyone who has not logged in.
    assert "key-holder-warning" not in logged_in("outsider").get("/staff/").content.decode()


def test_an_inactive_holder_does_not_count(staff, logged_in):
    get_user_model().objects.filter(pk=staff["colleague"].pk).update(is_active=False)
    assert ONE in _banner(logged_in("advocate"))


def test_a_second_grant_ends_the_warning(staff, logged_in):
    OrgKeyGrant.objects.filter(staff_key__user=staff["colleague"]).delete()
    advocate = logged_in("advocate")
    assert ONE in _banner(advocate)
    from vault.custody import grant

    grant(staff["org_key"], staff["org_private"], staff["colleague"].vault_key)
    assert _banner(advocate) == ""


def test_with_nobody_holding_the_key_administrators_are_told(staff, logged_in):
    admin = logged_in("admin")
    OrgKeyGrant.objects.all().delete()
    banner = _banner(admin)
    assert NOBODY in banner and GRANTS_LINK in banner
