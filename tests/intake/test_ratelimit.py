"""Rate-limit counters: per address group, IPv6 by /64, behind a proxy, and open when the cache is away."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from intake.models import Report
from tests.conftest import fill_and_preview, hidden, receipt_in
from tests.intake.conftest import cache_keys
from vault import receipts, tags

pytestmark = pytest.mark.django_db

# A Redis nobody listens on: every cache call fails at once.
AWAY = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}


def _send(client, **extra):
    preview = fill_and_preview(client, **extra)
    return client.submit("/report/send/", {"draft": hidden(preview, "draft")}, **extra)


@override_settings(HARBOR_RATE_SUBMIT=(1, 3600))
def test_one_ipv6_64_is_one_client_and_its_neighbour_another(client, org_keys):
    assert _send(client, REMOTE_ADDR="2001:db8:1:2::10").status_code == 200
    # Another address of the same /64: the same client, past its limit.
    assert _send(client, REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:1").status_code == 429
    # The next /64: another client.
    assert _send(client, REMOTE_ADDR="2001:db8:1:3::10").status_code == 200


@override_settings(HARBOR_RATE_SUBMIT=(1, 3600))
def test_an_ipv4_mapped_address_is_its_ipv4_address(client, org_keys):
    assert _send(client, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert _send(client, REMOTE_ADDR="::ffff:198.51.100.7").status_code == 429


@override_settings(HARBOR_RATE_SUBMIT=(1, 3600), HARBOR_TRUSTED_PROXY_HEADER="HTTP_X_REAL_IP")
def test_behind_a_proxy_the_forwarded_address_is_counted(client, org_keys):
    assert _send(client, HTTP_X_REAL_IP="198.51.100.8").status_code == 200
    assert _send(client, HTTP_X_REAL_IP="198.51.100.9").status_code == 200
    assert _send(client, HTTP_X_REAL_IP="198.51.100.8").status_code == 429


def test_counters_are_named_by_tags_not_addresses(client, org_keys):
    _send(client, REMOTE_ADDR="203.0.113.77")
    client.submit("/check/", {"receipt": receipts.generate()}, REMOTE_ADDR="203.0.113.77")
    keys = cache_keys()
    tag = tags.client_tag("203.0.113.77")
    assert f"rl:submit:{tag}" in keys and f"rl:check_fail:{tag}" in keys and f"rl:preview:{tag}" in keys
    assert not [k for k in keys if "203.0.113" in k]


@override_settings(CACHES=AWAY, HARBOR_RATE_SUBMIT=(0, 3600), HARBOR_RATE_SUBMIT_GLOBAL=(0, 600))
def test_a_cache_outage_fails_open_and_says_so(client, org_keys, caplog):
    caplog.set_level(logging.WARNING, logger="harbor")
    sent = _send(client)
    assert sent.status_code == 200 and receipt_in(sent)
    assert Report.objects.count() == 1
    assert "rate-limit cache unavailable" in caplog.text
    wrong = client.submit("/check/", {"receipt": receipts.generate()})
    assert wrong.status_code == 400
