"""The deploy check that keeps the cache (and the key of the hour in it) off every disk."""

from __future__ import annotations

import pytest
from django.test import override_settings

from vault.checks import check_cache_stays_in_memory

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}


class _Redis:
    def __init__(self, save="", appendonly="no", fail=False):
        self.values = {"save": save, "appendonly": appendonly}
        self.fail = fail

    def config_get(self, name):
        if self.fail:
            raise ConnectionError("refused")
        return {name: self.values[name]}


def _ids(monkeypatch, client: _Redis) -> list[str]:
    from django.core.cache import cache

    monkeypatch.setattr(cache._cache, "get_client", lambda write=False: client)
    return [message.id for message in check_cache_stays_in_memory(None)]


def test_in_process_memory_is_fine():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert check_cache_stays_in_memory(None) == []


def test_a_cache_on_disk_is_refused(tmp_path):
    files = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}}
    with override_settings(CACHES=files):
        assert [m.id for m in check_cache_stays_in_memory(None)] == ["harbor.E006"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (_Redis(), []),
        (_Redis(save="3600 1 300 100"), ["harbor.E007"]),
        (_Redis(appendonly="yes"), ["harbor.E007"]),
        (_Redis(fail=True), ["harbor.W003"]),
    ],
    ids=["no persistence", "snapshots", "append-only file", "cannot ask"],
)
def test_redis_must_run_without_persistence(monkeypatch, config, expected):
    with override_settings(CACHES=REDIS):
        assert _ids(monkeypatch, config) == expected
