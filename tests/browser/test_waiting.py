"""A report held at a rate limit still goes, in Chromium: by the page's work, or after the stated wait.

Sends are held at a shared limit of zero, so every Send meets the waiting page. With
JavaScript, static/js/pass.js does the work the page asks for (SHA-256 with crypto.subtle) and
the report is sent with no press, long before the wait would be over. Without JavaScript
(Tor Browser at its safest level), the page states the wait; pressed early, it says how much
longer; pressed after, it sends. Where crypto.subtle is missing, the script does no work and
the page moves on by itself when the wait is over.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from intake.models import Report
from tests.browser.flows import (
    choose,
    heading,
    press_continue,
)
from tests.intake.conftest import Clock

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SENT = "Your report was sent"


@pytest.fixture
def held_sends(settings):
    """Every send is held; the wait is long unless a test shortens it."""
    settings.HARBOR_RATE_SUBMIT_GLOBAL = (0, 600)
    settings.HARBOR_WAIT_SECONDS = 600
    settings.HARBOR_WAIT_MAX_SECONDS = 600
    settings.HARBOR_WORK_BITS = (14, 14)
    return settings


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from intake import passes

    moved = Clock()
    monkeypatch.setattr(passes, "now", moved)  # the live server runs in this process
    return moved


def _to_send(site) -> None:
    page = site.goto("/report/")
    page.get_by_label("Robbery (something taken by force or threat)").check()
    choose(page, "role", "victim")
    page.get_by_label("What happened, in your words").fill("He took my bag at the bus stop.")
    press_continue(page)
    assert heading(page) == "Check before sending", page.locator("main").inner_text()
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()


def _sends(page) -> list[int]:
    """The statuses of every answer to a Send, in order."""
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/report/send/") else None)
    return statuses


def _wait_until_sent(page, seconds: float) -> None:
    expect(page.locator("h1")).to_have_text(SENT, timeout=seconds * 1000)


def test_the_script_does_the_work_and_the_report_is_sent(phone, org_keys, held_sends):
    page = phone.page
    statuses = _sends(page)
    _to_send(phone)
    # The waiting page, then the script's own Send, with work: the wait is ten minutes, so
    # only the work can have let it through.
    _wait_until_sent(page, 90)
    assert statuses == [429, 303]  # held, then sent: the send redirects to its receipt
    assert heading(page) == SENT
    assert Report.objects.count() == 1
    phone.assert_stayed_local()


def test_without_javascript_the_page_states_the_wait_and_then_sends(phone_nojs, org_keys, held_sends, clock):
    held_sends.HARBOR_WAIT_SECONDS = 20
    _to_send(phone_nojs)
    page = phone_nojs.page
    assert heading(page) == "One moment, please"
    main = page.locator("main")
    expect(main).to_contain_text("Your report is still here and nothing is lost.")
    wait = int(re.search(r"Please wait (\d+) seconds, then press “Send report”\.", main.inner_text()).group(1))
    assert 20 <= wait <= 25
    expect(page.locator("#pass-status")).to_be_hidden()  # no script, no promise that the page moves itself

    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    expect(main).to_contain_text("It is not time yet.")
    assert Report.objects.count() == 0

    clock.advance(30)
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    assert heading(page) == SENT
    assert Report.objects.count() == 1
    phone_nojs.assert_stayed_local()


def test_without_crypto_subtle_the_script_waits_instead_of_working(phone, org_keys, held_sends):
    held_sends.HARBOR_WAIT_SECONDS = 2
    held_sends.HARBOR_WORK_BITS = (32, 32)  # no browser finds this in time: only the wait can pass
    phone.context.add_init_script("Object.defineProperty(window.crypto, 'subtle', {value: undefined});")
    page = phone.page
    statuses = _sends(page)
    _to_send(phone)
    if heading(page) != SENT:
        expect(page.locator("#pass-status")).to_contain_text("moves on by itself when the wait is over")
    _wait_until_sent(page, 30)
    assert statuses == [429, 303]  # held, then sent: the send redirects to its receipt
    assert heading(page) == SENT
    assert Report.objects.count() == 1
    phone.assert_stayed_local()


def test_the_waiting_page_has_no_accessibility_violations(axe_site, org_keys, held_sends, request):
    from tests.browser.test_accessibility import Audit

    held_sends.HARBOR_WORK_BITS = (32, 32)  # the page stays while axe looks at it
    audit = Audit(axe_site, phone=request.node.callspec.params["axe_site"] == "phone")
    _to_send(axe_site)
    assert heading(axe_site.page) == "One moment, please"
    expect(axe_site.page.locator("#pass-status")).to_be_visible()
    audit.check("waiting page, working")
    assert not audit.problems, "\n".join(audit.problems)
