"""Staff in the browser: a reply reaches the reporter, a referral goes all the way, axe-core passes.

Every staff member logs in once per test, with the password and then a TOTP code computed from
their device: django-otp refuses a code used twice, so a second login within 30 seconds would fail.
The conftest asserts after every test that no request left the live server and the CSP held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from casework.models import Authenticator, Organisation
from tests.browser.flows import (
    fill_report,
    heading,
    open_with_receipt,
    press_continue,
    sample_report,
    send_and_read_receipt,
)
from tests.browser.test_accessibility import Audit
from tests.casework.conftest import PASSWORD, code_for, make_staff
from tests.conftest import CsrfClient, submit_report
from tests.intake.conftest import jpeg_bytes, upload
from vault.custody import create_org_key, grant, open_grant, unlock_staff_key

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ORGANISATION = "Victim Services Unit"
REPLY = "Thank you for telling us. Can we call you on Signal after noon?"


@pytest.fixture
def team(transactional_db, live_server) -> dict:
    """One account per role, committed for the live server; advocate, colleague and admin hold the key.

    The administrator has not set up an authenticator yet, so their first login shows the enrol page.
    """
    organisation = Organisation.objects.create(name=ORGANISATION, kind="victim_services")
    team = {
        "advocate": make_staff("advocate", ["advocate"]),
        "colleague": make_staff("colleague", ["advocate"]),
        "recipient": make_staff("recipient", ["recipient"], organisation=organisation),
        "admin": make_staff("admin", ["admin"], totp_confirmed=False),
        "auditor": make_staff("auditor", ["auditor"]),
    }
    org_key = create_org_key(team["advocate"].vault_key)
    private = open_grant(org_key.grants.get(), unlock_staff_key(team["advocate"].vault_key, PASSWORD))
    for name in ("colleague", "admin"):
        grant(org_key, private, team[name].vault_key)
    return team


def _enrol_code(user) -> str:
    device = Authenticator.objects.get(user=user, confirmed=False)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _click(page: Page, role, name: str | re.Pattern) -> None:
    page.get_by_role(role, name=name).click()
    page.wait_for_load_state()


def log_in(site: Site, user, check: Callable[[str], None] = lambda name: None) -> Page:
    """Log in with the password, then the code step (or, on a first login, enrol); ``check`` each of these."""
    page = site.goto("/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    _click(page, "button", "Continue")
    if heading(page) == "Set up two-step login":
        expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
        check("enrol (QR code)")
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(_enrol_code(user))
        _click(page, "button", "Confirm")
        assert heading(page) == "Your recovery codes"
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        check("recovery codes")
        _click(page, "link", "I have written them down")
    else:
        assert heading(page) == "Second step", page.locator("main").inner_text()
        check("code step")
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(code_for(user))
        _click(page, "button", "Log in")
    expect(page.get_by_role("button", name=f"Log out ({user.username})")).to_be_visible()
    return page


def log_out(page: Page) -> None:
    _click(page, "button", re.compile(r"^Log out"))
    assert heading(page) == "Staff login"


def open_the_report(page: Page) -> None:
    """From the queue, open the (only) robbery report."""
    assert heading(page) == "Reports"
    page.get_by_role("row").filter(has_text="robbery").get_by_role("link").click()
    page.wait_for_load_state()
    assert heading(page).startswith("Report ")


def choose_recipient(page: Page, recipient: str, check: Callable[[str], None] = lambda name: None) -> None:
    """From the report page, go to the recipients the reporter agreed to; prepare the referral to one."""
    _click(page, "link", "Refer to victim services or others")
    assert heading(page) == "Refer this report"
    check("referral: choose")
    page.get_by_role("listitem").filter(has_text=recipient).get_by_role("link", name="Prepare").click()
    page.wait_for_load_state()


# --- a. the advocate's reply reaches the reporter ---------------------------------------


def test_an_advocate_replies_and_the_reporter_reads_it_with_the_receipt(desktop, phone, team):
    receipt, _ = submit_report(CsrfClient(), sample_report())

    page = log_in(desktop, team["advocate"])
    open_the_report(page)
    expect(page.locator("main")).to_contain_text("grey hoodie, scar on left hand")
    page.get_by_label("Reply to the reporter").fill(REPLY)
    page.get_by_label("Then set the status to").select_option(label="Waiting on reporter")
    _click(page, "button", "Send reply")
    expect(page.locator(".message-advocate")).to_contain_text(REPLY)
    expect(page.locator("main")).to_contain_text("Status: Waiting on reporter")

    open_with_receipt(phone.page, phone.base, receipt)
    expect(phone.page.locator(".message-advocate")).to_contain_text(REPLY)
    expect(phone.page.locator("main")).to_contain_text("An advocate has a question for you.")


# --- b. the full referral path ----------------------------------------------------------


def test_a_referral_goes_from_the_reporter_to_victim_services_and_the_reporter_sees_it(
    phone_nojs, desktop, phone, team
):
    data = sample_report()
    assert data["consent"] == ["victim_services"]
    reporter = phone_nojs.goto("/report/")
    fill_report(reporter, data)
    press_continue(reporter)
    receipt = send_and_read_receipt(reporter)

    advocate = log_in(desktop, team["advocate"])
    open_the_report(advocate)
    choose_recipient(advocate, ORGANISATION)
    assert heading(advocate) == f"Referral to {ORGANISATION}"
    preview = advocate.locator(".shared-preview")
    expect(preview).not_to_contain_text("bruised ribs")  # free text waits for the advocate
    advocate.get_by_label("Include “What are your injuries?”", exact=False).check()
    _click(advocate, "button", "Update the preview")
    expect(preview).to_contain_text("bruised ribs")
    for never_sent in (data["place_precise"], data["ctx_payment"], data["contact_signal"]):
        expect(preview).not_to_contain_text(never_sent)
    _click(advocate, "button", "Encrypt and send")
    assert heading(advocate) == f"Referral to {ORGANISATION}"
    expect(advocate.locator("main")).to_contain_text("Status: Sent, not opened yet")

    recipient = log_in(phone, team["recipient"])
    assert heading(recipient) == "Referrals received"
    recipient.get_by_role("table").get_by_role("link").click()
    recipient.wait_for_load_state()
    expect(recipient.locator(".shared-preview")).to_contain_text("bruised ribs")
    expect(recipient.locator("main")).not_to_contain_text(data["place_precise"])
    recipient.get_by_label("Update the status").select_option(label="Reporter contacted")
    _click(recipient, "button", "Update")
    expect(recipient.locator("main")).to_contain_text("Status: Reporter contacted")

    open_with_receipt(phone_nojs.page, phone_nojs.base, receipt)
    shared = phone_nojs.page.locator(".card").filter(has_text=ORGANISATION)
    expect(shared).to_contain_text("They say they have contacted you.")


# --- c. axe-core on every dashboard page --------------------------------------------------


def _report_with_a_photo_and_an_unanswered_message() -> None:
    from intake.services import append_message
    from intake.services import open_with_receipt as open_report

    data = dict(sample_report(), consent=["victim_services", "peer_alert"])
    receipt, _ = submit_report(CsrfClient(), data, files={"photos": upload("IMG_0001.jpg", jpeg_bytes())})
    opened = open_report(receipt)
    append_message(opened.report, opened.dek, "reporter", "Please call me after noon.")  # marked unanswered


def _audit_the_colleague_on_a_phone(phone: Site, small: Audit, colleague) -> None:
    """At phone size: the login steps, the queue (rows as cards) and the report."""
    phone.goto("/staff/login/")
    small.check("login")
    log_in(phone, colleague, small.check)
    small.check("queue")
    open_the_report(phone.page)
    small.check("report")


def _audit_the_advocate(desktop: Site, phone: Site, audit: Audit, small: Audit, advocate) -> None:
    """The advocate: queue, report, a referral and a safety alert (checked by the colleague on the
    phone), statistics, password, and two refusals."""
    desktop.goto("/staff/login/")
    audit.check("login")
    page = log_in(desktop, advocate, audit.check)
    audit.check("queue")
    open_the_report(page)
    expect(page.get_by_role("img", name="Photo 1 from the reporter")).to_be_visible()
    audit.check("report")
    choose_recipient(page, ORGANISATION, audit.check)
    audit.check("referral: build")
    _click(page, "button", "Encrypt and send")
    audit.check("referral: detail")
    _click(page, "link", "← Back to the report")
    choose_recipient(page, "Anonymous safety warning")
    _click(page, "button", "Publish the alert")  # it now waits for a second advocate
    desktop.goto("/staff/alerts/")
    expect(page.locator("main")).to_contain_text("yours: a colleague must check it")
    audit.check("safety alerts")
    # The colleague, on the phone, checks it and publishes it.
    review = phone.goto("/staff/alerts/")
    _click(review, "link", re.compile("^Check this alert"))
    small.check("safety alert: review")
    _click(review, "button", "Publish the alert")
    phone.goto("/staff/alerts/")
    expect(review.locator("main section")).to_have_count(1)
    small.check("safety alerts: published")
    desktop.goto("/staff/stats/")
    audit.check("statistics")
    desktop.goto("/staff/password/")
    audit.check("password")
    desktop.goto("/staff/audit/", status=403)
    audit.check("refusal: wrong role")
    desktop.goto(f"/staff/reports/{'0' * 32}/", status=404)
    audit.check("refusal: no such report")
    log_out(page)


def _audit_the_recipient(desktop: Site, audit: Audit, recipient) -> None:
    """The recipient: inbox, the referral, its printable view."""
    page = log_in(desktop, recipient)
    audit.check("inbox")
    page.get_by_role("table").get_by_role("link").click()
    page.wait_for_load_state()
    audit.check("received referral")
    _click(page, "link", "Printable view")
    audit.check("print view")
    desktop.goto("/staff/")
    log_out(page)


def _audit_the_administrator(desktop: Site, audit: Audit, admin, organisation_id) -> None:
    """The administrator's first login (enrol, recovery codes), then the accounts pages."""
    page = log_in(desktop, admin, audit.check)
    assert heading(page) == "Accounts and keys"
    audit.check("accounts: users")
    for path, name in [
        ("/staff/accounts/invite/", "accounts: invite"),
        ("/staff/accounts/invitations/", "accounts: invitations"),
        ("/staff/accounts/organisations/", "accounts: organisations"),
        ("/staff/accounts/organisations/new/", "accounts: new organisation"),
        (f"/staff/accounts/organisations/{organisation_id}/", "accounts: organisation"),
        (f"/staff/accounts/organisations/{organisation_id}/retire/", "accounts: retire"),
        ("/staff/accounts/grants/", "accounts: grants"),
        ("/staff/accounts/rotate/", "accounts: rotate"),
        ("/staff/retention/", "accounts: retention"),
        ("/staff/stats/", "statistics (administrator)"),
        ("/staff/alerts/subscribers/", "alert subscribers"),
        ("/staff/resources/", "resources"),
        ("/staff/resources/new/", "resources: new"),
    ]:
        desktop.goto(path)
        audit.check(name)
    log_out(page)


def test_every_dashboard_page_has_no_accessibility_violations(desktop, phone, axe_source, team):
    """axe-core with all its default rules, CSP enforced: every staff page at desktop size, the refusals too;
    login, queue and report on a phone."""
    for site in (desktop, phone):
        site.context.add_init_script(axe_source)
    _report_with_a_photo_and_an_unanswered_message()

    small = Audit(phone, phone=True)
    _audit_the_colleague_on_a_phone(phone, small, team["colleague"])
    audit = Audit(desktop, phone=False)
    _audit_the_advocate(desktop, phone, audit, small, team["advocate"])
    _audit_the_recipient(desktop, audit, team["recipient"])
    _audit_the_administrator(desktop, audit, team["admin"], team["recipient"].profile.organisation_id)

    # The auditor.
    log_in(desktop, team["auditor"])
    audit.check("audit log")
    desktop.goto("/staff/stats/")
    audit.check("statistics (auditor)")

    assert len(small.pages) == 6 and len(audit.pages) == 33, (small.pages, audit.pages)
    problems = small.problems + audit.problems
    assert not problems, "\n".join(problems)


# --- d. phones and wide tables ------------------------------------------------------------

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
BOXES_TOO_NARROW = """() => [...document.querySelectorAll('.stats-table')].map(table => {
  const box = table.closest('.table-responsive');
  return box.scrollWidth - box.clientWidth;
}).filter(extra => extra > 0)"""


def _busy_year() -> None:
    """Six reports a month for a year, two of each of three crime types: the widest statistics tables.

    Every count in a cell is 2, "fewer than 5"; the totals beside them are hidden ("not shown").
    """
    import secrets
    from datetime import datetime, time

    from django.utils import timezone

    from casework import stats
    from intake.models import Report
    from intake.services import Draft, submit

    for month in stats.last_months(timezone.localdate()):
        at = timezone.make_aware(datetime.combine(month, time(12)))
        for crime in ("robbery", "physical_assault", "threats_extortion") * 2:
            data = {"crime_types": [crime], "needs": ["medical"], "role": "victim", "consent": ["record_only"]}
            report, _receipt = submit(Draft(nonce=secrets.token_hex(16), lang="en", data=data, photos=[]))
            Report.objects.filter(pk=report.pk).update(received_at=at)


def _another_advocate(team: dict):
    """An advocate holding the key who has not logged in yet (a TOTP code is good for one login)."""
    from vault.models import OrgKey

    user = make_staff("colega", ["advocate"])
    org_key = OrgKey.objects.get(active=True)
    private = open_grant(
        org_key.grants.get(staff_key__user=team["advocate"]), unlock_staff_key(team["advocate"].vault_key, PASSWORD)
    )
    grant(org_key, private, user.vault_key)
    return user


def _log_in_spanish(site: Site, user) -> Page:
    """Log in on a browser that asks for Spanish (log_in reads the English labels)."""
    page = site.goto("/staff/login/")
    page.get_by_label("Nombre de usuario").fill(user.username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("#id_token").fill(code_for(user))
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    return page


def test_staff_pages_fit_a_phone_and_statistics_fit_a_laptop(phone, laptop, laptop_es, team):
    """No page is wider than a 360 px phone (tables become cards or scroll in their own box); at 1,366 px
    the statistics tables need no sideways scrolling, in English or in Spanish."""
    from intake.models import Report
    from intake.services import append_message, open_with_receipt

    data = dict(sample_report(), consent=["victim_services", "peer_alert"])
    receipt, _ = submit_report(CsrfClient(), data, files={"photos": upload("IMG_0001.jpg", jpeg_bytes())})
    opened = open_with_receipt(receipt)
    append_message(opened.report, opened.dek, "reporter", "Can someone call me after noon? " * 4)
    _busy_year()
    too_wide: list[str] = []

    def measure(page: Page, name: str) -> None:
        page.wait_for_load_state()
        if (extra := page.evaluate(OVERFLOW)) > 0:
            too_wide.append(f"{name}: {extra}px wider than the phone")

    page = log_in(phone, team["advocate"])
    measure(page, "queue")
    expect(page.locator(".queue-awaiting .queue-unread")).to_have_text("Unanswered message")
    card = page.locator(".queue-awaiting").bounding_box()
    assert card and card["width"] <= 360, "the queue's rows are not cards on a phone"
    report = Report.objects.get(pk=opened.report.pk)
    page.get_by_role("row").filter(has_text="Unanswered message").get_by_role("link").click()
    measure(page, "report")
    choose_recipient(page, ORGANISATION)
    measure(page, "referral: build")
    _click(page, "button", "Encrypt and send")
    measure(page, "referral: detail")
    phone.goto(f"/staff/reports/{report.id}/refer/")
    measure(page, "referral: choose")
    phone.goto("/staff/alerts/")
    measure(page, "safety alerts")
    phone.goto("/staff/stats/")
    measure(page, "statistics")
    log_out(page)
    page = log_in(phone, team["recipient"])
    measure(page, "inbox")
    page.get_by_role("table").get_by_role("link").click()
    measure(page, "received referral")
    log_out(page)

    for site, user, language, fewer in (
        (laptop, team["colleague"], "en", "fewer than 5"),
        (laptop_es, _another_advocate(team), "es", "menos de 5"),
    ):
        page = log_in(site, user) if language == "en" else _log_in_spanish(site, user)
        site.goto("/staff/stats/")
        expect(page.locator(".stats-table").nth(1)).to_contain_text(fewer)
        if extra := page.evaluate(BOXES_TOO_NARROW):
            too_wide.append(f"statistics ({language}) at 1,366 px: tables {extra}px wider than their box")
        if (extra := page.evaluate(OVERFLOW)) > 0:
            too_wide.append(f"statistics ({language}) at 1,366 px: the page is {extra}px too wide")
    assert not too_wide, "\n".join(too_wide)
