"""/favicon.ico answers with Harbor's own icon from static/, and every page links it from there."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import CsrfClient

ICON = Path(settings.BASE_DIR) / "static" / "favicon.ico"


def test_favicon_ico_is_our_own_icon(db):
    response = CsrfClient().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content == ICON.read_bytes()
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file
    assert len(response.content) < 8 * 1024


@pytest.mark.parametrize("path", ["/", "/es/report/", "/staff/login/"])
def test_pages_link_it_from_static(db, path):
    html = CsrfClient().get(path).content.decode()
    assert '<link rel="icon" href="/static/favicon.ico">' in html
