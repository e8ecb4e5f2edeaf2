"""Rate-limit tags: under a random key of the hour that lives only in the cache, and groups of addresses."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from vault import tags

HOUR = 3600 * 500_000  # the start of an hour


def test_a_tag_is_stable_within_the_hour():
    assert tags.client_tag("203.0.113.77", now=HOUR) == tags.client_tag("203.0.113.77", now=HOUR + 3599)


def test_tags_differ_across_hours():
    assert tags.client_tag("203.0.113.77", now=HOUR) != tags.client_tag("203.0.113.77", now=HOUR + 3600)
    assert len({tags.client_tag("203.0.113.77", now=HOUR + 3600 * h) for h in range(48)}) == 48


def test_the_key_is_random_not_derived_from_a_secret():
    first = tags.hour_key(now=HOUR)
    assert len(first) == 32
    before = tags.client_tag("203.0.113.77", now=HOUR)
    # The key of an hour is whatever the first server made: forget it (a cache restart, or the
    # hour's end) and the same secrets make another, under which past tags mean nothing.
    cache.delete(tags.KEY_NAME.format(hour=HOUR // 3600))
    assert tags.hour_key(now=HOUR) != first
    assert tags.client_tag("203.0.113.77", now=HOUR) != before
    with override_settings(SECRET_KEY="another-secret-" + "y" * 40):
        assert tags.hour_key(now=HOUR) == tags.hour_key(now=HOUR + 10)


def _seconds_left(name: str) -> float:
    """How long the cache keeps ``name``: in-process or Redis, whichever the settings chose."""
    key = cache.make_key(name)
    if hasattr(cache, "_expire_info"):  # LocMemCache
        return cache._expire_info[key] - time.time()
    return cache._cache.get_client(key).ttl(key)  # RedisCache


def test_the_key_expires_soon_after_its_hour():
    # Made ten minutes before its hour ends, it is kept ten minutes and the grace, no longer.
    tags.hour_key(now=time.time() // 3600 * 3600 + 3000)
    left = _seconds_left(tags.KEY_NAME.format(hour=int(time.time() // 3600)))
    assert 600 - 5 <= left <= 600 + tags.GRACE_SECONDS


def test_tags_differ_per_address_and_hide_it():
    now = HOUR
    assert tags.client_tag("203.0.113.77", now=now) != tags.client_tag("203.0.113.78", now=now)
    for address in ("203.0.113.77", "127.0.0.1", "2001:db8::1", ""):
        tag = tags.client_tag(address, now=now)
        assert len(tag) == 32 and set(tag) <= set("0123456789abcdef")
        if address:
            assert address not in tag and address.encode().hex() not in tag


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("203.0.113.77", "203.0.113.77"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:198.51.100.23", "198.51.100.23"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_addresses_are_grouped(address, group):
    assert tags.address_group(address) == group


def test_an_ipv6_64_is_one_client_and_a_mapped_ipv4_is_its_ipv4():
    now = HOUR
    assert tags.client_tag("2001:db8:1:2::1", now=now) == tags.client_tag("2001:db8:1:2:ffff::9", now=now)
    assert tags.client_tag("2001:db8:1:2::1", now=now) != tags.client_tag("2001:db8:1:3::1", now=now)
    assert tags.client_tag("::ffff:198.51.100.23", now=now) == tags.client_tag("198.51.100.23", now=now)


def test_odd_addresses_still_get_a_tag():
    assert len(tags.client_tag("\ud800broken", now=HOUR)) == 32


def test_buckets_spread_and_depend_on_the_key():
    values = [f"{i:064x}" for i in range(4000)]
    counts = [0] * 64
    for value in values:
        counts[tags.bucket("receipt", value, 64, now=HOUR)] += 1
    assert min(counts) > 30 and max(counts) < 100  # about 62 each
    before = [tags.bucket("receipt", v, 64, now=HOUR) for v in values[:50]]
    cache.delete(tags.KEY_NAME.format(hour=HOUR // 3600))
    assert [tags.bucket("receipt", v, 64, now=HOUR) for v in values[:50]] != before


def test_a_cache_that_keeps_nothing_is_an_error_not_a_fixed_key():
    with (
        override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}),
        pytest.raises(tags.TagKeyUnavailable),
    ):
        tags.hour_key(now=HOUR)
