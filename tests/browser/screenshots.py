"""Take the screenshots in docs/screenshots/ from the live server (the README shows form-phone.png).

Not part of the test suite (the name does not start with ``test_``); run it after a visible change:

    .venv/bin/python -m pytest tests/browser/screenshots.py -p no:cacheprovider
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, ROOT, _site
from tests.browser.flows import fill_report, press_continue, sample_report

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OUT = ROOT / "docs" / "screenshots"


def _shoot(site, name: str, *, full_page: bool) -> None:
    site.page.wait_for_load_state()
    site.page.screenshot(path=OUT / name, full_page=full_page, animations="disabled", caret="hide")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_screenshots(browser, live_server, size):
    OUT.mkdir(parents=True, exist_ok=True)
    options = dict(PHONE if size == "phone" else DESKTOP, device_scale_factor=1)
    for site in _site(browser, live_server, **options):
        site.goto("/report/")
        _shoot(site, f"form-{size}.png", full_page=False)
        if size == "phone":
            site.goto("/")
            _shoot(site, "landing-phone.png", full_page=True)
            site.goto("/report/")
            fill_report(site.page, sample_report())
            press_continue(site.page)
            _shoot(site, "confirm-phone.png", full_page=True)
