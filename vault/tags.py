"""Rate-limit tags under a random key of the hour that lives only in memory.

Threat answered: a rate limit must count per client without keeping anything that names the
client, and without anything that lets it be named later. A tag is HMAC-SHA256, under a random
256-bit key of the current hour, of the client's address group (the IPv4 address; an IPv6
address's /64; an IPv4-mapped IPv6 address as IPv4).

The key comes from ``secrets``, never from SECRET_KEY or any stored secret, and is kept only in
the cache: Redis shared by the app servers when REDIS_URL is set (Redis must run without
persistence: docs/operations.md), the process's own memory otherwise. Harbor never writes it
to disk. It expires a couple of minutes after its hour; from then on nobody, the operator
included, with every secret and backup there is, can tell which address a past tag stood for,
because the key that made it no longer exists. Whoever can read the cache's memory during the
hour gets that hour's key, and can then try every IPv4 address (minutes of work) against the
tags of the hour: docs/threat-model.md says so.
"""

from __future__ import annotations

import ipaddress
import secrets
import time

from django.core.cache import cache

from vault.crypto import KEY_BYTES, hmac_sha256
from vault.exceptions import VaultError

# How long a key outlives its hour: app servers' clocks may differ by this much.
GRACE_SECONDS = 120
KEY_NAME = "harbor:tag-key:{hour}"


class TagKeyUnavailable(VaultError):
    """The cache would not keep the key of the hour (rate limits fail open)."""


def hour_key(now: float | None = None) -> bytes:
    """Return the key of the current hour: 32 random bytes, made by the first server to need it.

    Raise TagKeyUnavailable if the cache does not keep it, and whatever the cache raises when
    it is away: callers fail open.
    """
    current = time.time() if now is None else now
    hour = int(current // 3600)
    name = KEY_NAME.format(hour=hour)
    key = cache.get(name)
    if key is None:
        timeout = int((hour + 1) * 3600 - current) + GRACE_SECONDS
        # add() is atomic: when two servers race, both go on with the first one's key.
        cache.add(name, secrets.token_bytes(KEY_BYTES), timeout=timeout)
        key = cache.get(name)
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise TagKeyUnavailable("the cache did not keep the key of the hour")
    return key


def address_group(address: str) -> str:
    """Return what a client address is counted as: IPv4 as is, IPv6 by its /64.

    One IPv6 subscriber usually holds a whole /64, so counting single IPv6 addresses would give
    one client 2**64 counters. An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, as a
    dual-stack socket reports IPv4 clients) is its IPv4 address. Anything else is kept as it is.
    """
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]").split("%")[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def tag(purpose: str, value: str, now: float | None = None) -> str:
    """Return a 128-bit tag (32 hex digits) of ``value`` for ``purpose`` under the hour's key."""
    message = f"harbor/v1/tag/{purpose}\x00".encode() + value.encode("utf-8", "replace")
    return hmac_sha256(hour_key(now), message).hex()[:32]


def client_tag(address: str, now: float | None = None) -> str:
    """Return the tag of a client address's group for this hour."""
    return tag("client", address_group(address), now)


def bucket(purpose: str, value: str, buckets: int, now: float | None = None) -> int:
    """Return which of ``buckets`` a value falls in this hour, by its tag.

    Nobody without the key of the hour can tell which bucket a value falls in, so a flood
    cannot aim at the bucket of a value it does not know.
    """
    return int(tag(purpose, value, now), 16) % buckets
