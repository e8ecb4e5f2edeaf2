"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against the live server.

Nothing here may reach the internet. Every page runs behind a context-wide
route that lets requests to the live server through and answers anything else
with a local stub page, and Chromium's resolver is told to resolve no host but
the loopback, so even a request the route misses cannot leave the machine.
Every request a page makes is recorded; the tests assert that none left the
live server's origin (the quick exit's navigation to the neutral site is the
one expected exception, and it too is answered by the stub).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from tests.browser.chromium import CHROMIUM_ARGS, DEFAULT_CHROMIUM
from tests.conftest import PASSWORD, OrgKeys
from vault.custody import create_org_key, create_staff_key, open_grant, unlock_staff_key

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"


PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}  # the commonest laptop screen

# What the stub answers in place of any site outside the live server.
STUB_HTML = (
    "<!doctype html><html lang='en'><head><title>Weather</title></head><body><h1>Weather today</h1></body></html>"
)
LOCAL_SCHEMES = {"data", "blob", "about"}


def _unavailable(message: str) -> NoReturn:
    """Skip, or fail when the environment promises a browser (HARBOR_REQUIRE_BROWSER=1)."""
    if os.environ.get("HARBOR_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("HARBOR_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _unavailable("Chromium is not installed: sudo apt-get install chromium")
    return path


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Browser]:
    """Chromium, for the browser tests only.

    While Playwright's sync API runs, the thread has a running asyncio loop
    (hence DJANGO_ALLOW_ASYNC_UNSAFE, and async_to_sync would refuse to work),
    so the package scope stops it before the worker moves on to other tests.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: make install")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.is_file():
        _unavailable(f"axe-core is not installed ({AXE_PATH.relative_to(ROOT)} is missing): npm ci")
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every browser request comes from 127.0.0.1: start each test with empty rate-limit counters."""
    cache.clear()


@pytest.fixture
def org_keys(transactional_db, live_server) -> OrgKeys:
    """The shared ``org_keys``, committed for real so the live server's thread sees it."""
    user = get_user_model().objects.create_user("holder", password=PASSWORD, is_staff=True)
    staff_key = create_staff_key(user, PASSWORD)
    org_key = create_org_key(staff_key)
    private = open_grant(org_key.grants.get(), unlock_staff_key(staff_key, PASSWORD))
    return OrgKeys(org_key=org_key, private=private, holder=user)


@dataclass
class Site:
    """One browser context on the live server, with every request its pages made."""

    context: BrowserContext
    base: str
    requests: list[str] = field(default_factory=list)
    # Off-site addresses a test expects (the quick exit's neutral site).
    allowed_offsite: set[str] = field(default_factory=set)
    csp_reports: list[str] = field(default_factory=list)
    _page: Page | None = None

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    def is_local(self, url: str) -> bool:
        scheme = urlsplit(url).scheme
        return scheme in LOCAL_SCHEMES or url == self.origin or url.startswith(self.origin + "/")

    @property
    def page(self) -> Page:
        if self._page is None:
            self._page = self.new_page()
        return self._page

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(10_000)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_reports.append(message.text)

    def url(self, path: str) -> str:
        return self.base + path

    def goto(self, path: str, status: int = 200) -> Page:
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"{path} answered {response.status}"
        return self.page

    def offsite(self) -> list[str]:
        return [url for url in self.requests if not self.is_local(url)]

    def assert_stayed_local(self) -> None:
        """Assert that no request left the live server (but the allowed ones) and the CSP held."""
        unexpected = [url for url in self.offsite() if url not in self.allowed_offsite]
        assert not unexpected, f"requests left {self.origin}: {unexpected}"
        assert not self.csp_reports, f"Content Security Policy violations: {self.csp_reports}"

    def _route(self, route: Route) -> None:
        if self.is_local(route.request.url):
            route.continue_()
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=STUB_HTML)


def _site(browser: Browser, live_server, locale: str = "en-US", **options: Any) -> Iterator[Site]:
    # The locale sets the Accept-Language of every navigation, which chooses the staff pages' language.
    context = browser.new_context(locale=locale, timezone_id="America/Los_Angeles", reduced_motion="reduce", **options)
    site = Site(context=context, base=live_server.url)
    context.route("**/*", site._route)
    try:
        yield site
        site.assert_stayed_local()
    finally:
        context.close()


@pytest.fixture
def phone(browser, live_server) -> Iterator[Site]:
    """A cheap phone's screen, JavaScript on."""
    yield from _site(browser, live_server, **PHONE)


@pytest.fixture
def phone_nojs(browser, live_server) -> Iterator[Site]:
    """A phone with JavaScript off, as Tor Browser at its safest level."""
    yield from _site(browser, live_server, java_script_enabled=False, **PHONE)


@pytest.fixture
def desktop(browser, live_server) -> Iterator[Site]:
    yield from _site(browser, live_server, **DESKTOP)


@pytest.fixture
def laptop(browser, live_server) -> Iterator[Site]:
    yield from _site(browser, live_server, **LAPTOP)


@pytest.fixture
def laptop_es(browser, live_server) -> Iterator[Site]:
    """A laptop whose browser asks for Spanish."""
    yield from _site(browser, live_server, locale="es-ES", **LAPTOP)


@pytest.fixture(params=["phone", "desktop"])
def axe_site(request, browser, live_server, axe_source) -> Iterator[Site]:
    """Phone and desktop contexts with axe-core in every page.

    axe-core goes in as an init script (through the DevTools protocol, which our
    CSP does not govern), so these pages keep the CSP enforced: no bypass_csp.
    """
    for site in _site(browser, live_server, **(PHONE if request.param == "phone" else DESKTOP)):
        site.context.add_init_script(axe_source)
        yield site
