#!/usr/bin/env python
"""Take the screenshots in docs/screenshots from a running development Harbor.

Start Harbor with ``make run`` (or ``manage.py runserver`` with ``HARBOR_ENV=development``),
then run ``.venv/bin/python scripts/screenshots.py`` (``--base`` if it is not on
127.0.0.1:8000). Debian's Chromium draws the pages, headless, with no network but the local
server. The confirmation page is reached the way a reporter reaches it, without JavaScript
help: the form filled with a made-up report and "Continue" pressed.

- ``form-phone.png``: the report form on a 360 × 740 phone screen (the README's picture);
- ``landing-phone.png`` and ``confirm-phone.png``: the start page and the confirmation page,
  whole, on the same phone;
- ``form-desktop.png``: the report form on a 1280 × 900 screen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM_ARGS, DEFAULT_CHROMIUM  # noqa: E402 - after the path

OUT = ROOT / "docs" / "screenshots"
MIN_FORM_SECONDS = 5
# Made up for the picture: no real person, place or number.
NARRATIVE = (
    "I met a man outside the laundromat on 16th Street around 11 at night. He said he would give me "
    "a ride, then drove to a dead end, hit me in the face and took my phone and my bag. He was tall, "
    "about forty, with a grey beard and a red cap. My lip is split and my wrist hurts."
)


def fill_report(page: Page) -> None:
    """Fill the report form as a reporter would, and press Continue.

    A form sent within HARBOR_MIN_FORM_SECONDS (4) of opening it is shown again, as a robot's
    would be: the script takes as long as a quick person.
    """
    page.wait_for_timeout(MIN_FORM_SECONDS * 1000)
    page.check('input[name="crime_types"][value="physical_assault"]')
    page.check('input[name="crime_types"][value="robbery"]')
    page.check('input[name="role"][value="victim"]')
    page.fill('textarea[name="narrative"]', NARRATIVE)
    page.check('input[name="consent"][value="victim_services"]')
    page.check('input[name="consent_share_contact"][value="no"]')
    page.check('input[name="consent_protections"][value="yes"]')
    page.click('button[name="action"][value="preview"]')


def local_only(context: BrowserContext, base: str) -> None:
    """Refuse every request that is not to the local Harbor."""
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(f"{base}/") else route.abort(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="where Harbor answers")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=DEFAULT_CHROMIUM, args=CHROMIUM_ARGS)
        phone = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
        local_only(phone, base)
        page = phone.new_page()
        page.goto(f"{base}/")
        page.screenshot(path=args.out / "landing-phone.png", full_page=True)
        page.goto(f"{base}/report/")
        page.screenshot(path=args.out / "form-phone.png")
        fill_report(page)
        page.wait_for_selector("#send-form")
        page.screenshot(path=args.out / "confirm-phone.png", full_page=True)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900})
        local_only(desktop, base)
        page = desktop.new_page()
        page.goto(f"{base}/report/")
        page.screenshot(path=args.out / "form-desktop.png")
        browser.close()
    for name in ("form-phone", "landing-phone", "confirm-phone", "form-desktop"):
        print(args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
