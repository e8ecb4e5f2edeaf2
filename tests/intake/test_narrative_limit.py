"""The narrative's limit is said before she reaches it, and nothing she pastes is cut silently."""

from __future__ import annotations

import re

import pytest

from intake.forms import NARRATIVE_LIMIT
from tests.conftest import FULL_REPORT, fill_and_preview
from tests.intake.conftest import form_values, page_text

pytestmark = pytest.mark.django_db


def _narrative_box(html: str) -> str:
    match = re.search(r"<textarea[^>]*name=\"narrative\"[^>]*>", html)
    assert match
    return match.group(0)


@pytest.mark.parametrize(("prefix", "limit"), [("", "50,000"), ("/es", "50 000")])
def test_the_form_says_the_limit_and_the_box_cuts_nothing(client, prefix, limit):
    html = client.get(f"{prefix}/report/").content.decode()
    box = _narrative_box(html)
    assert "maxlength" not in box, "a maxlength would cut a pasted text without a word"
    assert f'data-limit="{NARRATIVE_LIMIT}"' in box
    assert limit in page_text(client.get(f"{prefix}/report/"))
    assert 'id="narrative-counter"' in html and 'aria-live="polite"' in html


def test_a_narrative_over_the_limit_is_refused_kindly_and_kept_whole(client, org_keys):
    long = "He kept me there all night. " * (NARRATIVE_LIMIT // 28 + 10)
    assert len(long) > NARRATIVE_LIMIT
    response = fill_and_preview(client, dict(FULL_REPORT, narrative=long))
    assert response.status_code == 400
    text = page_text(response)
    assert f"This is longer than we can take ({NARRATIVE_LIMIT} characters; you wrote {len(long.strip())})" in text
    assert form_values(response)["narrative"] == [long]


def test_a_narrative_at_the_limit_goes_through(client, org_keys):
    response = fill_and_preview(client, dict(FULL_REPORT, narrative="a" * NARRATIVE_LIMIT))
    assert response.status_code == 200
