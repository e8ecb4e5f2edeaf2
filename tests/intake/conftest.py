"""Helpers for the anonymous surface's tests: read a page's form back, make photos."""

from __future__ import annotations

import html
import io
import re
import time
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from intake.models import Attachment, Report
from intake.services import open_with_receipt
from tests.casework.conftest import logged_in, staff  # noqa: F401 - staff fixtures, for an advocate in between
from vault import envelope


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(response) -> dict[str, list[str]]:
    """Return what a browser would send back from the page: name -> values."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    out = {}
    for name, values in reader.values.items():
        # HTML drops one newline right after <textarea>.
        out[name] = [v[1:] if v.startswith("\n") else v for v in values]
    return out


def assert_values_kept(response, sent: dict, skip: tuple[str, ...] = ()) -> None:
    """Assert every non-empty value sent comes back in the page's form, unchanged."""
    shown = form_values(response)
    for name, value in sent.items():
        if name in skip or name in ("csrfmiddlewaretoken", "started", "action") or value in ("", [], None):
            continue
        expected = sorted(str(v) for v in value) if isinstance(value, list) else [str(value)]
        got = sorted(shown.get(name, [])) if isinstance(value, list) else shown.get(name)
        assert got == expected, f"{name}: sent {expected!r}, page has {shown.get(name)!r}"


def field_error(response, name: str) -> str:
    """Return the plain text of the error shown at field ``name`` ('' if none)."""
    page = response.content.decode()
    match = re.search(rf'<div id="id_{name}_error"[^>]*>(.*?)</div>', page, re.S)
    if not match:
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def page_text(response) -> str:
    """Return the visible text of a page, whitespace collapsed."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def jpeg_bytes(size=(64, 48), color=(200, 40, 40), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **save_kwargs)
    return out.getvalue()


def png_bytes(size=(40, 30), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 10, 128)).save(out, "PNG", **save_kwargs)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_photos(receipt: str) -> list[bytes]:
    """Decrypt, with the receipt, every photo stored for the report."""
    opened = open_with_receipt(receipt)
    report = Report.objects.get(pk=opened.report.pk)
    out = []
    for attachment in Attachment.objects.filter(report=report).order_by("position"):
        blobs = [bytes(c.blob) for c in attachment.chunks.order_by("index")]
        assert len(blobs) == attachment.chunk_count
        out.append(envelope.decrypt_chunks(opened.dek, report.id, attachment.item, blobs))
    return out


class Clock:
    """The clock of passes and limits (intake.passes.now), moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from intake import passes

    moved = Clock()
    monkeypatch.setattr(passes, "now", moved)
    return moved


def held_form(response) -> tuple[str, dict[str, str]]:
    """Return the waiting page's form: where it posts, and the fields a browser sends back."""
    assert response.status_code == 429, response.content.decode()[:2000]
    match = re.search(r'<form method="post" action="([^"]+)" id="pass-form"', response.content.decode())
    assert match, "no waiting form in the page"
    return html.unescape(match.group(1)), {name: values[0] for name, values in form_values(response).items()}


def press(client, response, work: str = "", **extra):
    """Press the waiting page's button (with ``work``, as the page's script sends it)."""
    url, values = held_form(response)
    if work:
        values["work"] = work
    return client.post(url, values, follow=True, **extra)


def solve(response) -> str:
    """Do the work a waiting page asks for, as static/js/pass.js does: the first nonce that will do."""
    from intake.passes import leading_zero_bits

    page = response.content.decode()
    challenge = re.search(r'data-pass-challenge="([0-9a-f]+)"', page).group(1)
    bits = int(re.search(r'data-pass-bits="(\d+)"', page).group(1))
    n = 0
    while leading_zero_bits(challenge, _base36(n)) < bits:
        n += 1
    return _base36(n)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def cache_keys() -> list[str]:
    """Every key in the cache, as Harbor named it: in-process or Redis, whichever the settings chose."""
    from django.core.cache import cache

    if hasattr(cache, "_expire_info"):  # LocMemCache: ":1:name"
        keys = list(cache._cache)
    else:  # RedisCache
        keys = [k.decode() for k in cache._cache.get_client().keys("*")]
    return [k.split(":", 2)[2] if k.startswith(":") else k for k in keys]
