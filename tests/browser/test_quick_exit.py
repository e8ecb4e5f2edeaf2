"""The quick exit replaces the page with a neutral site, with or without JavaScript.

The neutral site never loads for real: the context's route answers it with a
local stub (see conftest), and the tests allow only that one address off-site.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Where the person was before opening Harbor (answered by the stub, like the exit).
ELSEWHERE = "https://news.example/today"


@pytest.fixture
def exit_url() -> str:
    return settings.HARBOR_QUICK_EXIT_URL


def _arrive_from_elsewhere(site, path: str):
    site.allowed_offsite.update({ELSEWHERE, settings.HARBOR_QUICK_EXIT_URL})
    page = site.page
    page.goto(ELSEWHERE)
    page.goto(site.url(path))
    expect(page.locator("h1")).to_be_visible()
    return page


def _assert_left_without_a_trace(site, page, exit_url: str, length_before: int) -> None:
    """The exit replaced Harbor's history entry: Back leads to where the person was before."""
    assert page.url == exit_url
    assert page.title() == "Weather"
    assert page.evaluate("history.length") == length_before
    page.go_back()
    assert page.url == ELSEWHERE, "Back must not return to Harbor"
    site.assert_stayed_local()


def test_it_leaves_by_the_link_replacing_the_history_entry(phone, exit_url):
    page = _arrive_from_elsewhere(phone, "/report/")
    page.get_by_label("What happened, in your words").fill("He said he knows where I live")
    length = page.evaluate("history.length")
    with page.expect_request(exit_url) as leaving:
        page.get_by_role("link", name="Leave quickly").click()
    page.wait_for_url(exit_url)
    assert "referer" not in leaving.value.all_headers(), "the neutral site must not learn where the person came from"
    _assert_left_without_a_trace(phone, page, exit_url, length)


def test_it_leaves_when_escape_is_pressed_twice(phone, exit_url):
    page = _arrive_from_elsewhere(phone, "/report/")
    expect(page.locator(".js-only-hint")).to_be_visible()
    narrative = page.get_by_label("What happened, in your words")
    narrative.fill("He is coming back")
    length = page.evaluate("history.length")

    narrative.press("Escape")
    page.wait_for_timeout(200)
    assert page.url == phone.url("/report/"), "one press of Escape must not leave"

    with page.expect_navigation(url=exit_url):
        narrative.press("Escape")
    _assert_left_without_a_trace(phone, page, exit_url, length)


def test_it_leaves_by_the_link_without_javascript(phone_nojs, exit_url):
    page = _arrive_from_elsewhere(phone_nojs, "/check/")
    expect(page.locator(".js-only-hint")).to_be_hidden()
    with page.expect_request(exit_url) as leaving:
        page.get_by_role("link", name="Leave quickly").click()
    page.wait_for_url(exit_url)
    assert "referer" not in leaving.value.all_headers()
    assert page.title() == "Weather"
    phone_nojs.assert_stayed_local()
