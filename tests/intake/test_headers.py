"""Every anonymous page: strict headers, no inline code, nothing from another origin, a neutral title."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.conftest import FULL_REPORT, fill_and_preview, submit_report

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "background", "cite", "manifest"}


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts: list[str] = []
        self.style_elements = 0
        self.style_attributes: list[str] = []
        self.event_handlers: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.titles: list[str] = []
        self._in: str | None = None
        self._script_has_src = False
        self._buffer = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
            if value and value.strip().lower().startswith("javascript:"):
                self.event_handlers.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.style_elements += 1
        if tag in ("script", "title"):
            self._in = tag
            self._script_has_src = tag == "script" and any(n == "src" for n, _ in attrs)
            self._buffer = ""

    def handle_endtag(self, tag):
        if tag == self._in:
            if tag == "script" and (self._buffer.strip() or not self._script_has_src):
                self.inline_scripts.append(self._buffer)
            elif tag == "title":
                self.titles.append(self._buffer.strip())
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buffer += data


def _html_pages(pages):
    """The pages with a body (a 405 is answered with none)."""
    return [(label, r) for label, r in pages if r.content]


def _pages(client):
    """Yield (label, response) for every kind of anonymous page."""
    yield "landing", client.get("/")
    yield "landing es", client.get("/es/")
    yield "form", client.get("/report/")
    yield "form es", client.get("/es/report/")
    yield "check", client.get("/check/")
    yield "check es", client.get("/es/check/")
    yield "done", client.get("/report/done/")
    yield "404", client.get("/no-such-page/")
    yield "404 es", client.get("/es/no-such-page/")
    yield "form with errors", fill_and_preview(client, dict(FULL_REPORT, role=""))
    yield "confirm", fill_and_preview(client)
    receipt, sent = submit_report(client)
    yield "receipt", sent
    yield "wrong receipt", client.submit("/check/", {"receipt": "0000-0000-0000-0000-0000"})
    opened = client.submit("/check/", {"receipt": receipt})
    yield "opened report", opened
    yield "expired draft", client.submit("/report/send/", {"draft": "forged"})
    yield "expired check", client.submit("/check/message/", {"token": "forged", "text": "hi"})
    yield "405", client.get("/report/send/")
    yield "csrf failure", Client(enforce_csrf_checks=True).post("/check/", {"receipt": receipt})
    yield "400 too many fields", client.submit("/check/", {f"f{i}": "x" for i in range(1000)})
    with override_settings(HARBOR_MAX_REQUEST_BYTES=1000):
        yield "413", client.submit("/report/", {"narrative": "a" * 5000})


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """Visit every page once for the module, in a transaction rolled back afterwards."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import transaction

    from tests.conftest import PASSWORD, CsrfClient
    from vault.custody import create_org_key, create_staff_key

    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        user = get_user_model().objects.create_user("holder-headers", password=PASSWORD, is_staff=True)
        create_org_key(create_staff_key(user, PASSWORD))
        visited = list(_pages(CsrfClient()))
        cache.clear()
        transaction.set_rollback(True)
    return visited


def test_it_covers_the_expected_statuses(pages):
    assert len(_html_pages(pages)) == len(pages)  # the 405 too has words and the quick exit
    statuses = {label: response.status_code for label, response in pages}
    assert statuses["404"] == 404
    assert statuses["405"] == 405
    assert statuses["csrf failure"] == 403
    assert statuses["400 too many fields"] == 400
    assert statuses["413"] == 413
    assert statuses["opened report"] == 200
    assert statuses["expired draft"] == 400


def test_it_sends_a_strict_content_security_policy(pages):
    for label, response in pages:
        csp = response.get("Content-Security-Policy", "")
        assert csp, f"{label}: no CSP"
        assert "unsafe-inline" not in csp, label
        assert "unsafe-eval" not in csp, label
        directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
        assert directives.get("frame-ancestors") == "frame-ancestors 'none'", label
        assert directives.get("default-src") == "default-src 'none'", label
        assert directives.get("form-action") == "form-action 'self'", label
        assert "*" not in csp and "http:" not in csp and "https:" not in csp, label


def test_it_forbids_caching_framing_sniffing_and_referrers(pages):
    for label, response in pages:
        assert "no-store" in response.get("Cache-Control", ""), label
        # "same-origin" rather than "no-referrer" (config/settings.py explains why):
        # either way no address reaches another site.
        assert response.get("Referrer-Policy") in ("no-referrer", "same-origin"), label
        assert response.get("X-Frame-Options") == "DENY", label
        assert response.get("X-Content-Type-Options") == "nosniff", label
        policy = response.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "browsing-topics=()"):
            assert feature in policy, (label, feature)
        assert response.get("Cross-Origin-Opener-Policy") == "same-origin", label


def test_it_serves_html_without_inline_code(pages):
    for label, response in _html_pages(pages):
        if "text/html" not in response.get("Content-Type", ""):
            continue
        reader = _PageReader()
        reader.feed(response.content.decode())
        assert reader.inline_scripts == [], label
        assert reader.style_attributes == [], (label, reader.style_attributes[:3])
        assert reader.style_elements == 0, label
        assert reader.event_handlers == [], (label, reader.event_handlers[:3])


def test_it_links_to_no_other_origin_but_the_quick_exit(pages):
    for label, response in _html_pages(pages):
        reader = _PageReader()
        reader.feed(response.content.decode())
        assert reader.urls, label
        for tag, attribute, url in reader.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("//"):
                assert url == settings.HARBOR_QUICK_EXIT_URL, (label, tag, attribute, url)
                assert tag == "a"


def test_every_page_has_the_quick_exit(pages):
    for label, response in _html_pages(pages):
        assert f'href="{settings.HARBOR_QUICK_EXIT_URL.replace("&", "&amp;")}"' in response.content.decode(), label
        assert 'id="quick-exit"' in response.content.decode(), label


def test_it_gives_every_page_a_neutral_title(pages):
    for label, response in _html_pages(pages):
        reader = _PageReader()
        reader.feed(response.content.decode())
        assert reader.titles == [settings.HARBOR_SITE_TITLE], (label, reader.titles)
        for word in ("report", "violence", "sex", "abuse", "crime", "police", "assault"):
            assert word not in reader.titles[0].lower(), label


def test_it_tells_search_engines_to_stay_away(pages):
    for label, response in _html_pages(pages):
        assert re.search(r'<meta name="robots" content="noindex, nofollow">', response.content.decode()), label


def test_static_files_do_not_need_no_store_but_keep_the_other_headers(client):
    response = client.get("/static/js/quick-exit.js")
    assert response.status_code == 200
    assert response.get("X-Content-Type-Options") == "nosniff"
    assert "Permissions-Policy" in response


def test_it_answers_a_500_with_the_same_headers(client, org_keys, monkeypatch):
    from intake import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", broken)
    quiet = Client(raise_request_exception=False)
    response = quiet.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "boom" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", "")
