"""A bad day, in Chromium: reloads and Back after a send, the quick exit, a page that closes,
a preview on a small phone, errors where she looks, a narrative longer than the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from playwright.sync_api import expect

from intake.forms import NARRATIVE_LIMIT
from intake.models import Message, Report
from tests.browser.conftest import PHONE, Site, _site
from tests.browser.flows import (
    fill_report,
    heading,
    open_with_receipt,
    press_continue,
    sample_report,
    send_and_read_receipt,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _preview(site):
    page = site.goto("/report/")
    fill_report(page, sample_report())
    press_continue(page)
    assert heading(page) == "Check before sending", page.locator("main").inner_text()[:2000]
    return page


def _is_harbor(site, page) -> bool:
    """The page shown is one of Harbor's, not the browser's own (such as "Confirm Form Resubmission")."""
    return page.url.startswith(site.base) and page.locator("a.site-name").count() == 1


# --- 1. No duplicates -----------------------------------------------------------------------


@pytest.mark.parametrize("site_name", ["phone", "phone_nojs"])
def test_a_reload_after_sending_sends_nothing_and_back_shows_harbor(request, site_name, org_keys):
    site = request.getfixturevalue(site_name)
    page = _preview(site)
    receipt = send_and_read_receipt(page)
    assert page.url.startswith(site.url("/report/sent/"))
    page.reload()
    assert heading(page) == "This report was already sent"
    assert receipt not in page.content()
    assert Report.objects.count() == 1
    page.go_back()
    page.wait_for_load_state()
    assert _is_harbor(site, page), page.url
    if site_name == "phone":
        # The confirmation's history entry became the empty form: nothing is sent again.
        assert heading(page) == "Your report"
        assert page.get_by_label("What happened, in your words").input_value() == ""
    else:
        # Without a script the browser sends the confirmation again, and Harbor says it was sent.
        assert heading(page) == "This report was already sent"
    assert Report.objects.count() == 1


@pytest.mark.parametrize("site_name", ["phone", "phone_nojs"])
def test_a_reload_after_a_message_sends_nothing(request, site_name, org_keys):
    site = request.getfixturevalue(site_name)
    page = _preview(site)
    receipt = send_and_read_receipt(page)
    open_with_receipt(page, site.base, receipt)
    for n in range(3):
        page.get_by_label("Add details or write to the advocates").fill(f"Message {n}")
        page.get_by_role("button", name="Send to the advocates").click()
        page.wait_for_load_state()
        expect(page.get_by_role("status")).to_have_text("Sent. Only the advocates can read it.")
    assert Message.objects.count() == 3
    page.reload()
    page.wait_for_load_state()
    assert _is_harbor(site, page)
    assert Message.objects.count() == 3
    if site_name == "phone":
        page.go_back()
        page.wait_for_load_state()
        assert _is_harbor(site, page), page.url
        assert Message.objects.count() == 3


# --- 4. A preview that fits -------------------------------------------------------------------

SMALL_PHONE = dict(PHONE, viewport={"width": 360, "height": 640})


@pytest.fixture
def small_phone(browser, live_server) -> Iterator[Site]:
    """A 360 × 640 phone, JavaScript on."""
    yield from _site(browser, live_server, **SMALL_PHONE)


def test_the_preview_shows_the_recipient_and_the_send_button_within_two_screens(small_phone, org_keys):
    page = small_phone.goto("/report/")
    fill_report(page, dict(sample_report(), consent_protections="yes"))
    press_continue(page)
    assert heading(page) == "Check before sending"
    send = page.get_by_role("button", name="Send report")
    box = send.bounding_box()
    assert box is not None
    bottom = box["y"] + box["height"] + page.evaluate("window.scrollY")
    assert bottom <= 2 * 640, f"the send button ends {bottom:.0f}px down a 640px screen"
    recipient = page.locator(".shared-preview").first.bounding_box()
    assert recipient is not None and recipient["y"] < box["y"], "what each recipient gets comes before the button"
    # The legal detail is folded, said once, and only the configured jurisdiction's.
    protections = page.locator("details.protections-detail")
    expect(protections).not_to_have_attribute("open", "")
    lines = [line.strip() for line in protections.locator("li").all_text_contents()]
    assert lines, "the protections are there, folded"
    assert len(lines) == len(set(lines)), f"a line said twice: {lines}"
    text = page.locator("main").text_content() or ""
    for elsewhere in ("New York", "230.45", "Nueva York"):
        assert elsewhere not in text
    assert "San Francisco" in text


# --- 2. Quick exit leaves no way back ---------------------------------------------------------

ELSEWHERE = "https://news.example/today"
TYPED = "He said he knows where I live"


def _typed_then(site, path: str = "/report/"):
    site.allowed_offsite.update({ELSEWHERE, settings.HARBOR_QUICK_EXIT_URL})
    page = site.page
    page.goto(ELSEWHERE)
    response = page.goto(site.url(path))
    assert response is not None
    assert "no-store" in response.headers["cache-control"]
    page.get_by_label("What happened, in your words").fill(TYPED)
    return page


def test_without_javascript_back_after_the_exit_shows_the_form_empty(phone_nojs):
    page = _typed_then(phone_nojs)
    page.get_by_role("link", name="Leave quickly").click()
    page.wait_for_url(settings.HARBOR_QUICK_EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    # Without a script the exit cannot replace the history entry: Back returns to Harbor's
    # address, but the page comes from the server again, empty (no-store, autocomplete="off").
    assert page.url == phone_nojs.url("/report/")
    assert page.get_by_label("What happened, in your words").input_value() == ""
    assert TYPED not in page.content()


def test_with_javascript_back_after_the_exit_leaves_harbor_behind(phone):
    page = _typed_then(phone)
    page.get_by_role("link", name="Leave quickly").click()
    page.wait_for_url(settings.HARBOR_QUICK_EXIT_URL)
    page.go_back()
    assert page.url == ELSEWHERE


def test_a_reporter_page_is_not_kept_in_the_back_forward_cache(phone):
    page = _typed_then(phone)
    page.evaluate("window.harborWasHere = true")
    page.goto(ELSEWHERE)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == phone.url("/report/")
    # A page restored from the back-forward cache would keep its script state and what was typed.
    assert page.evaluate("window.harborWasHere === undefined")
    assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "back_forward"
    assert page.get_by_label("What happened, in your words").input_value() == ""


@pytest.mark.parametrize("site_name", ["phone", "phone_nojs"])
def test_the_exit_says_what_a_browser_still_keeps(request, site_name, transactional_db):
    site = request.getfixturevalue(site_name)
    page = site.goto("/")
    help_text = page.locator(".exit-help")
    expect(help_text).to_be_visible()
    expect(help_text).to_contain_text("history")
    expect(help_text).to_contain_text("list of visited sites")


# --- 3. The open report closes by itself --------------------------------------------------------


@pytest.mark.parametrize("site_name", ["phone", "phone_nojs"])
def test_an_open_report_closes_by_itself(request, site_name, org_keys, settings):
    site = request.getfixturevalue(site_name)
    page = _preview(site)
    receipt = send_and_read_receipt(page)
    settings.HARBOR_CHECK_MAX_AGE = 3
    open_with_receipt(page, site.base, receipt)
    expect(page.locator("main")).to_contain_text("This page closes by itself after 1 minute.")
    page.wait_for_url("**/check/?closed=1", timeout=15_000)
    assert heading(page) == "Check on a report"
    expect(page.get_by_role("alert")).to_contain_text("For your safety, this page closes after")
    assert "He pushed me" not in page.content()


# --- 5. Errors where she looks ------------------------------------------------------------------


@pytest.mark.parametrize("site_name", ["phone", "phone_nojs"])
def test_a_consent_error_is_summarised_at_the_top_and_linked(request, site_name, transactional_db):
    site = request.getfixturevalue(site_name)
    page = site.goto("/report/")
    fill_report(page, dict(sample_report(), consent=["record_only", "victim_services"]))
    press_continue(page)
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    box = summary.bounding_box()
    assert box is not None and box["y"] + page.evaluate("window.scrollY") < 640, "the summary is on the first screen"
    if site_name == "phone":
        assert page.evaluate("document.activeElement.id") == "form-errors"
    link = summary.get_by_role("link", name=re.compile("Who may the advocates share this with"))
    link.click()
    assert page.url.endswith("#id_consent_0")
    expect(page.locator("#id_consent_0")).to_be_in_viewport()
    # Everything typed is still there.
    assert page.get_by_label("What happened, in your words").input_value() == sample_report()["narrative"]


# --- 7. A narrative longer than the limit -----------------------------------------------------


def _paste(page, text: str) -> None:
    """Put ``text`` in the narrative as a paste does: all at once, then one input event."""
    box = page.get_by_label("What happened, in your words")
    box.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }", text)


def test_with_javascript_a_counter_speaks_near_and_past_the_limit(phone, transactional_db):
    page = phone.goto("/report/")
    counter = page.locator("#narrative-counter")
    expect(counter).to_be_hidden()
    expect(counter).to_have_attribute("aria-live", "polite")
    _paste(page, "a" * (NARRATIVE_LIMIT - 10))
    expect(counter).to_have_text("10 characters left before the limit of 50,000.")
    _paste(page, "a" * (NARRATIVE_LIMIT + 25))
    expect(counter).to_contain_text("25 characters over the limit of 50,000. Nothing is cut")
    assert len(page.get_by_label("What happened, in your words").input_value()) == NARRATIVE_LIMIT + 25


def test_without_javascript_a_long_paste_is_refused_kindly_and_kept(phone_nojs, transactional_db):
    page = phone_nojs.goto("/report/")
    expect(page.locator("main")).to_contain_text("You can write up to 50,000 characters here")
    fill_report(page, sample_report())
    long = "He kept me there. " * (NARRATIVE_LIMIT // 18 + 5)
    # fill() types into the box as a paste would; a maxlength would have cut it here.
    page.get_by_label("What happened, in your words").fill(long)
    assert page.get_by_label("What happened, in your words").input_value() == long
    press_continue(page)
    expect(page.get_by_role("alert")).to_contain_text("This is longer than we can take")
    assert page.get_by_label("What happened, in your words").input_value() == long


def test_with_javascript_back_after_the_exit_skips_every_page_of_the_visit(phone, transactional_db):
    site = phone
    site.allowed_offsite.update({ELSEWHERE, settings.HARBOR_QUICK_EXIT_URL})
    page = site.page
    page.goto(ELSEWHERE)
    page.goto(site.url("/"))
    page.get_by_role("link", name="Start a report").click()
    page.wait_for_load_state()
    page.get_by_label("What happened, in your words").fill(TYPED)
    page.get_by_role("link", name="Leave quickly").click()
    page.wait_for_url(settings.HARBOR_QUICK_EXIT_URL)
    page.go_back()
    assert page.url == ELSEWHERE, "Back must not return to Harbor"
