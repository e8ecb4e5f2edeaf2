"""Rate limits keyed by the hour's tag of the client's address group (vault.tags), in the cache only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

from vault.tags import client_tag

log = logging.getLogger("harbor")


def _address(request) -> str:
    header = settings.HARBOR_TRUSTED_PROXY_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _keys(request, name: str, per_address: tuple[int, int], global_limit: tuple[int, int] | None):
    keys = []
    if settings.HARBOR_RATE_LIMIT_BY_ADDRESS:
        keys.append((f"rl:{name}:{client_tag(_address(request))}", per_address))
    if global_limit:
        keys.append((f"rl:{name}:all", global_limit))
    return keys


def exceeded(request, name: str, per_address: tuple[int, int], global_limit: tuple[int, int] | None = None) -> bool:
    """Return True if any counter for ``name`` has reached its limit."""
    try:
        for key, (count, _window) in _keys(request, name, per_address, global_limit):
            if (cache.get(key) or 0) >= count:
                return True
    except Exception:  # noqa: BLE001 - a cache outage must not stop a report (fail open, logged)
        log.warning("rate-limit cache unavailable")
    return False


def allow(request, name: str, per_address: tuple[int, int], global_limit: tuple[int, int] | None = None) -> bool:
    """Count one event for ``name`` and return whether it is within every limit."""
    allowed = True
    try:
        for key, (count, window) in _keys(request, name, per_address, global_limit):
            if cache.add(key, 1, timeout=window):
                value = 1
            else:
                try:
                    value = cache.incr(key)
                except ValueError:
                    cache.add(key, 1, timeout=window)
                    value = 1
            allowed = allowed and value <= count
    except Exception:  # noqa: BLE001 - see exceeded()
        log.warning("rate-limit cache unavailable")
    return allowed


def hit(request, name: str, per_address: tuple[int, int], global_limit: tuple[int, int] | None = None) -> None:
    """Count one event for ``name``."""
    try:
        for key, (_count, window) in _keys(request, name, per_address, global_limit):
            if not cache.add(key, 1, timeout=window):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.add(key, 1, timeout=window)
    except Exception:  # noqa: BLE001 - see exceeded()
        log.warning("rate-limit cache unavailable")
