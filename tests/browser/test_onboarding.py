"""Onboarding in the browser: an administrator invites a recipient; she joins on her phone.

The administrator makes the link on a desktop and reads it off the page; the invitee opens it
on a phone, chooses a password, enrols an authenticator (the code computed from the device, as
her app would) and lands in her organisation's inbox. axe-core checks every page on the way, the
phone pages for overflow and tap targets too; the conftest asserts that no request left the
live server. A second visit to the same link gets the kind "already used" page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from casework.models import Authenticator, Organisation, StaffProfile
from tests.browser.flows import heading
from tests.browser.test_accessibility import Audit
from tests.browser.test_dashboard import _click, _enrol_code, log_in
from tests.casework.conftest import PASSWORD, make_staff
from vault import custody
from vault.custody import create_org_key, grant, open_grant, unlock_staff_key

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ORGANISATION = "Bay Victim Services"
HER_PASSWORD = "river lantern copper meadow 7"


@pytest.fixture
def harbor(transactional_db, live_server) -> dict:
    """An administrator and two key holders (so no banner), and one recipient organisation."""
    organisation = Organisation.objects.create(
        name=ORGANISATION, kind="victim_services", contact="Intake line 555-0100"
    )
    people = {
        "admin": make_staff("admin", ["admin"]),
        "advocate": make_staff("advocate", ["advocate"]),
        "colleague": make_staff("colleague", ["advocate"]),
    }
    org_key = create_org_key(people["advocate"].vault_key)
    private = open_grant(org_key.grants.get(), unlock_staff_key(people["advocate"].vault_key, PASSWORD))
    grant(org_key, private, people["colleague"].vault_key)
    people["organisation"] = organisation
    return people


def _invite_from_the_organisation_page(desktop: Site, audit: Audit, admin) -> str:
    """The administrator invites her, from the organisation's page; return the link read off the page."""
    page = log_in(desktop, admin)
    _click(page, "link", "Recipient organisations")
    expect(page.locator(".jurisdiction")).to_contain_text("City and County of San Francisco")
    audit.check("organisations")
    _click(page, "link", ORGANISATION)
    audit.check("organisation")
    _click(page, "link", "Invite someone to it")
    audit.check("invite")
    page.get_by_label("Username").fill("ana")
    _click(page, "button", "Make the invitation link")
    assert heading(page) == "Invitation link"
    expect(page.locator("main")).to_contain_text("Harbor sends nothing")
    audit.check("invitation link")
    link = page.locator("code.invitation-link").inner_text().strip()
    assert link.startswith(desktop.base + "/staff/invitation/")
    _click(page, "link", "I have passed it on")
    expect(page.get_by_role("row").filter(has_text="ana")).to_contain_text("waiting")
    audit.check("invitations")
    return link


def _choose_a_password(her: Page, small: Audit, link: str) -> None:
    """She opens the link on her phone; a short password is refused, a long one taken."""
    her.goto(link)
    her.wait_for_load_state()
    assert heading(her) == "Welcome to Harbor"
    expect(her.locator("main")).to_contain_text(f"for {ORGANISATION}")
    small.check("accept")
    her.get_by_label("Choose a password").fill("short")
    her.get_by_label("The same password again").fill("short")
    _click(her, "button", "Set my password")
    expect(her.locator("main")).to_contain_text("too short")
    small.check("accept: refused")
    her.get_by_label("Choose a password").fill(HER_PASSWORD)
    her.get_by_label("The same password again").fill(HER_PASSWORD)
    _click(her, "button", "Set my password")


def _enrol_her_authenticator(her: Page, small: Audit):
    """Her authenticator: the QR code, and the code her app would show; then her inbox. Return her user."""
    assert heading(her) == "Set up two-step login"
    expect(her.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    small.check("enrol")
    ana = get_user_model().objects.get(username="ana")
    assert Authenticator.objects.filter(user=ana, confirmed=False).exists()
    her.get_by_label("Code from your authenticator app, or a recovery code").fill(_enrol_code(ana))
    _click(her, "button", "Confirm")
    assert heading(her) == "Your recovery codes"
    expect(her.locator(".recovery-codes li")).to_have_count(10)
    small.check("recovery codes")
    _click(her, "link", "I have written them down")
    assert heading(her) == "Referrals received"
    expect(her.get_by_role("button", name="Log out (ana)")).to_be_visible()
    small.check("inbox")
    return ana


def test_an_invitee_joins_on_her_phone_and_lands_in_her_inbox(desktop, phone, axe_source, harbor):
    for site in (desktop, phone):
        site.context.add_init_script(axe_source)
    audit, small = Audit(desktop, phone=False), Audit(phone, phone=True)

    link = _invite_from_the_organisation_page(desktop, audit, harbor["admin"])
    her = phone.page
    _choose_a_password(her, small, link)
    ana = _enrol_her_authenticator(her, small)

    profile = StaffProfile.objects.get(user=ana)
    assert profile.roles == ["recipient"] and profile.organisation == harbor["organisation"]
    assert custody.unlock(ana, HER_PASSWORD) is not None

    # The link is spent: opened again, it says so kindly and makes nothing.
    _click(her, "button", "Log out (ana)")
    response = her.goto(link)
    assert response is not None and response.status == 410
    assert heading(her) == "This invitation was already used"
    small.check("invitation used")

    problems = audit.problems + small.problems
    assert not problems, "\n".join(problems)
