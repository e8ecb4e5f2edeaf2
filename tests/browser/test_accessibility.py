"""axe-core finds no violation on any reporter page, at phone and desktop size.

axe-core runs with all its default rules (none disabled) in every page of a
real reporter's journey, with the CSP enforced. At phone size the pages are also
checked for sideways scrolling and for tap targets smaller than WCAG 2.2 allows.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resources.models import Resource
from tests.browser.flows import (
    acknowledge_receipt,
    fill_report,
    open_with_receipt,
    press_continue,
    sample_report,
    send_and_read_receipt,
)
from tests.browser.test_resources import HOTLINE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Smallest size, in CSS pixels, of anything a finger must hit (WCAG 2.2, 2.5.8 asks 24).
MIN_TARGET = 24

TARGETS_TOO_SMALL = """(min) => {
  const small = [];
  for (const el of document.querySelectorAll('button, .btn, input:not([type=hidden]), select, textarea, summary, header a')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;  // not rendered (the honeypot)
    // A checkbox or radio is hit through its whole row, label included.
    const target = el.matches('.form-check-input') ? el.closest('.form-check').getBoundingClientRect() : box;
    if (target.width < min || target.height < min) {
      small.push(`${el.outerHTML.slice(0, 80)} is ${Math.round(target.width)}×${Math.round(target.height)}`);
    }
  }
  return small;
}"""


class Audit:
    """Run axe-core (and a layout check) on each page visited; report everything at the end."""

    def __init__(self, site, phone: bool):
        self.site = site
        self.phone = phone
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, name: str) -> None:
        page = self.site.page
        page.wait_for_load_state()
        # Open every <details> so what it hides is checked too.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        self.pages.append(name)
        for violation in result["violations"]:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:8])
            self.problems.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
        if self.phone:
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                self.problems.append(f"{name}: the page is {overflow}px wider than the phone's screen")
            self.problems.extend(
                f"{name}: tap target too small: {small}" for small in page.evaluate(TARGETS_TOO_SMALL, MIN_TARGET)
            )


def test_it_has_no_accessibility_violations_on_any_reporter_page(axe_site, org_keys, request):
    # With a hotline listed, so its section on the landing and receipt pages is checked too.
    Resource.objects.create(**HOTLINE)
    site = axe_site
    audit = Audit(site, phone=request.node.callspec.params["axe_site"] == "phone")
    page = site.page

    site.goto("/")
    audit.check("landing")
    site.goto("/es/")
    audit.check("landing (es)")
    site.goto("/th/")
    audit.check("landing (th), the hotline in English, marked lang=en")
    site.goto("/no-such-page/", status=404)
    audit.check("404")

    site.goto("/report/")
    audit.check("report form")
    press_continue(page)
    expect(page.locator("#form-errors")).to_be_visible()
    audit.check("report form with errors")
    fill_report(page, sample_report())
    press_continue(page)
    audit.check("confirmation")
    receipt = send_and_read_receipt(page)
    audit.check("receipt")
    acknowledge_receipt(page)
    audit.check("thank-you")

    site.goto("/check/")
    audit.check("check form")
    page.get_by_role("button", name="Open my report").click()
    expect(page.locator(".invalid-feedback")).to_have_text("Please type your receipt.")
    audit.check("check form with an error")
    open_with_receipt(page, site.base, receipt)
    page.get_by_label("Add details or write to the advocates").fill("Here is more.")
    page.get_by_role("button", name="Send to the advocates").click()
    expect(page.locator(".message")).to_have_count(1)
    audit.check("check report, with a message")
    page.get_by_label("Yes, erase my report and everything in it. This cannot be undone.").check()
    page.get_by_role("button", name="Erase everything").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your report has been erased"
    audit.check("withdrawn")

    assert len(audit.pages) == 13
    assert not audit.problems, "\n".join(audit.problems)
