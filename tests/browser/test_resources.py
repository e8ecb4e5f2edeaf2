"""Hotlines and services on a phone without JavaScript: on the first page and after a report, nothing loaded from them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resources.models import Resource
from tests.browser.conftest import PHONE
from tests.browser.flows import acknowledge_receipt, fill_report, heading, press_continue, send_and_read_receipt

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOTLINE = {
    "name": "National Human Trafficking Hotline",
    "name_es": "Línea Nacional contra la Trata de Personas",
    "helps_with_en": "Help and safety planning if someone is controlling your work",
    "helps_with_es": "Ayuda y un plan de seguridad si alguien controla su trabajo",
    "phone": "1-888-373-7888",
    "url": "https://humantraffickinghotline.org/",
    "hours_en": "Every day, all day",
    "hours_es": "Todos los días, a toda hora",
}


def _check_resources(page, name: str, helps_with: str) -> None:
    section = page.locator("section.resources")
    expect(section).to_be_visible()
    expect(section).to_contain_text(name)
    expect(section).to_contain_text(helps_with)
    call = section.locator("a.resource-phone")
    expect(call).to_have_attribute("href", "tel:18883737888")
    site_link = section.locator("a.resource-site")
    expect(site_link).to_have_attribute("href", HOTLINE["url"])
    for link in (call, site_link):
        expect(link).to_have_attribute("rel", "noreferrer noopener")
    # On the phone's screen, not beside it: nothing sticks out to the right.
    box = section.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    assert section.locator("img, iframe, embed, object, video, audio").count() == 0


def test_resources_show_on_the_first_page_and_after_a_report_without_javascript(phone_nojs, org_keys):
    Resource.objects.create(**HOTLINE)
    site = phone_nojs
    page = site.goto("/")
    _check_resources(page, HOTLINE["name"], HOTLINE["helps_with_en"])
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(site.url("/es/"))
    _check_resources(page, HOTLINE["name_es"], HOTLINE["helps_with_es"])
    expect(page.locator("section.resources")).to_contain_text(HOTLINE["hours_es"])

    page = site.goto("/report/")
    fill_report(page, {"crime_types": ["robbery"], "role": "victim"})
    press_continue(page)
    send_and_read_receipt(page)
    _check_resources(page, HOTLINE["name"], HOTLINE["helps_with_en"])
    acknowledge_receipt(page)  # "I have written it down" still leads on
    assert heading(page) == "Thank you"

    site.assert_stayed_local()
    assert not [url for url in site.requests if "humantraffickinghotline" in url]
