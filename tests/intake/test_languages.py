"""Eight reporter languages (since 2026-12): addresses, the switcher, the first visit, no cookie."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils.translation import get_language_info

from config.languages import NATIVE_NAMES, reporter_language
from tests.conftest import CsrfClient

CODES = ["en", "es", "zh-hant", "zh-hans", "tl", "vi", "ko", "th"]
REPORTER_PAGES = ["", "report/", "check/", "rights/"]


def test_it_offers_the_eight_languages_named_in_themselves():
    assert [code for code, _ in settings.LANGUAGES] == CODES
    assert NATIVE_NAMES == {
        "en": "English",
        "es": "Español",
        "zh-hant": "繁體中文",
        "zh-hans": "简体中文",
        "tl": "Tagalog",
        "vi": "Tiếng Việt",
        "ko": "한국어",
        "th": "ไทย",
    }
    for code in CODES:
        assert get_language_info(code)["code"] == code  # Tagalog through EXTRA_LANG_INFO


def _prefix(code: str) -> str:
    return "" if code == "en" else f"{code}/"


@pytest.mark.parametrize("code", CODES)
def test_every_reporter_page_is_in_its_language_with_every_other_a_link_away(db, code):
    client = CsrfClient()
    for page in REPORTER_PAGES:
        response = client.get(f"/{_prefix(code)}{page}")
        assert response.status_code == 200, (code, page)
        html = response.content.decode()
        assert f'<html lang="{code}">' in html
        nav = html[html.index('class="container lang-switch') : html.index("</nav>", html.index("lang-switch"))]
        for other in CODES:
            name = NATIVE_NAMES[other]
            if other == code:
                assert f'<span class="lang-current" lang="{other}" aria-current="true">{name}</span>' in nav
                continue
            href = f"/{_prefix(other)}{page}" if (other != "en" or page) else "/en/"
            assert f'<a href="{href}" lang="{other}" hreflang="{other}">{name}</a>' in nav, (code, page, other)
        assert not response.cookies.get(settings.LANGUAGE_COOKIE_NAME)


@pytest.mark.parametrize(
    ("header", "where"),
    [
        ("th-TH,th;q=0.9,en;q=0.8", "/th/"),
        ("zh-TW,zh;q=0.9", "/zh-hant/"),
        ("zh-HK", "/zh-hant/"),
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("fil-PH,fil;q=0.9", "/tl/"),
        ("tl", "/tl/"),
        ("vi-VN", "/vi/"),
        ("ko-KR,ko;q=0.9", "/ko/"),
        ("es-MX,es;q=0.9", "/es/"),
        ("fr-FR,ko;q=0.5", "/ko/"),
    ],
)
def test_a_first_visit_follows_the_browsers_language(db, header, where):
    response = CsrfClient().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302
    assert response["Location"] == where
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies


@pytest.mark.parametrize("header", ["", "en-US,en;q=0.9,th;q=0.8", "fr-FR", "de,*;q=0.1"])
def test_english_or_an_unknown_language_stays_in_english(db, header):
    response = CsrfClient().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_a_reader_who_chose_english_is_never_sent_back(db):
    client = CsrfClient()
    # Her browser asks for Thai; she chose English in the switcher (/en/), then went back to the start.
    chosen = client.get("/en/", HTTP_ACCEPT_LANGUAGE="th")
    assert chosen.status_code == 200 and '<html lang="en">' in chosen.content.decode()
    back = client.get("/", HTTP_ACCEPT_LANGUAGE="th", HTTP_REFERER="http://testserver/report/")
    assert back.status_code == 200 and '<html lang="en">' in back.content.decode()
    # Her language links from /en/ lead to the same page in each language.
    assert '<a href="/th/" lang="th" hreflang="th">ไทย</a>' in chosen.content.decode()


def test_the_language_is_never_taken_from_anywhere_else(db):
    """No address lookup, no cookie: a page under a prefix is in that language whatever else is sent."""
    client = CsrfClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    response = client.get("/report/", HTTP_ACCEPT_LANGUAGE="ko", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert '<html lang="en">' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_AGE is None


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("", "en"),
        ("*", "en"),
        ("zh-SG", "zh-hans"),
        ("zh-Hant-TW", "zh-hant"),
        ("th;q=0.1,vi;q=0.9", "vi"),
        ("fil-PH", "tl"),
        ("ko-KR", "ko"),
    ],
)
def test_reporter_language(header, code):
    assert reporter_language(header) == code


def test_the_switcher_names_languages_without_flags_or_scripts(db):
    html = CsrfClient().get("/ko/").content.decode()
    nav = html[html.index("lang-switch") : html.index("</nav>", html.index("lang-switch"))]
    assert "<script" not in nav and "<img" not in nav
    assert len(re.findall(r"<li>", nav)) == len(CODES)
