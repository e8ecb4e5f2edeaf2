"""The send limit says what is true: which limit, its number and its window, read from settings.

A drop-in centre's shared Wi-Fi is one address: past its hourly sends its visitors are asked for
a short wait, never refused, and nobody else is slowed by it (docs/architecture.md, "Floods").
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from intake import services
from intake.models import Report
from tests.conftest import fill_and_preview, hidden
from tests.intake.conftest import page_text, press

pytestmark = pytest.mark.django_db

CENTRE = "192.0.2.10"
ELSEWHERE = "203.0.113.7"


def _drafts(client, count: int) -> list[str]:
    preview = fill_and_preview(client)
    draft = services.unseal_draft(hidden(preview, "draft"))
    return [services.seal_draft(draft.data, [], "en") for _ in range(count)]


def _send(client, draft: str, address: str):
    return client.submit("/report/send/", {"draft": draft}, REMOTE_ADDR=address)


def test_a_drop_in_centre_is_told_its_own_limit_and_waits_nobody_else(client, org_keys, clock):
    limit, window = settings.HARBOR_RATE_SUBMIT
    assert (limit, window) == (10, 3600)
    drafts = _drafts(client, limit + 2)
    for draft in drafts[:limit]:
        assert _send(client, draft, CENTRE).status_code == 200
    held = _send(client, drafts[limit], CENTRE)
    assert held.status_code == 429
    text = page_text(held)
    assert "More than 10 reports have been sent from this connection in less than an hour." in text
    assert "such as a drop-in centre's Wi-Fi, so nobody is refused" in text
    assert "a few minutes" not in text
    wait = int(held["Retry-After"])
    assert f"Please wait {wait} seconds, then press “Send report”." in text
    # Someone on another connection is not slowed by the centre's limit.
    assert _send(client, drafts[limit + 1], ELSEWHERE).status_code == 200
    # The centre's visitor gets through after the stated wait.
    clock.advance(wait)
    assert press(client, held, REMOTE_ADDR=CENTRE).status_code == 200
    assert Report.objects.count() == limit + 2


@override_settings(HARBOR_RATE_SUBMIT=(3, 1800))
def test_the_words_follow_the_settings(client, org_keys):
    drafts = _drafts(client, 4)
    for draft in drafts[:3]:
        _send(client, draft, CENTRE)
    text = page_text(_send(client, drafts[3], CENTRE))
    assert "More than 3 reports have been sent from this connection in less than 30 minutes." in text


@override_settings(HARBOR_RATE_LIMIT_BY_ADDRESS=False, HARBOR_RATE_SUBMIT_GLOBAL=(2, 600))
def test_the_shared_limit_says_it_is_everyones(client, org_keys):
    drafts = _drafts(client, 3)
    for draft in drafts[:2]:
        _send(client, draft, CENTRE)
    text = page_text(_send(client, drafts[2], ELSEWHERE))
    assert "More than 2 reports have been sent to Harbor, by everyone, in less than 10 minutes" in text
    assert "this connection" not in text
