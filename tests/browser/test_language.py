"""Spanish is a plain link away: no script, no language cookie."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_it_switches_language_by_a_plain_link_without_javascript(phone_nojs):
    site = phone_nojs
    page = site.goto("/")
    assert page.get_attribute("html", "lang") == "en"

    page.get_by_role("link", name="Español").click()
    page.wait_for_url(site.url("/es/"))
    assert page.get_attribute("html", "lang") == "es"
    english = page.get_by_role("link", name="English")
    expect(english).to_have_attribute("hreflang", "en")
    # English is /en/: `/` sends a first visit to the browser's language (docs/translations.md).
    expect(english).to_have_attribute("href", "/en/")

    # Every reporter page keeps the language, and the link leads to the same page in the other.
    page.goto(site.url("/es/report/"))
    assert page.get_attribute("html", "lang") == "es"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(site.url("/report/"))
    assert page.get_attribute("html", "lang") == "en"
    expect(page.get_by_role("link", name="Español")).to_have_attribute("href", "/es/report/")

    cookies = {cookie["name"] for cookie in site.context.cookies()}
    assert cookies <= {"csrftoken"}, f"only the CSRF cookie may be set, not {cookies - {'csrftoken'}}"
    site.assert_stayed_local()
