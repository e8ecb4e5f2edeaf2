"""Rate limits that slow a flood without locking out a reporter.

Counters live in the cache only, under the hour's tag of a client's address group
(``vault.tags``), a receipt's bucket, or everyone's name. Past a limit a request is not
refused: it is held, and asked to come back with a pass (``intake.passes``) — work its browser
does, or a short wait that the page states. docs/architecture.md, "Floods", says why and what
this cannot do. A cache outage fails open (logged), as refusing a report is worse than
accepting a flood for a while.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from intake import passes
from vault import tags

log = logging.getLogger("harbor")


@dataclass(frozen=True)
class Counter:
    """One limit: ``limit`` events per ``window`` seconds, counted under ``key``."""

    key: str
    limit: int
    window: int
    # "address" (one address group's), "shared" (everyone's) or "bucket" (a receipt bucket's).
    scope: str = "shared"


@dataclass(frozen=True)
class Held:
    """A request held at a limit: the pass to come back with, and why it was held."""

    held: passes.Pass
    wait: int
    # "limit": past a limit, with no usable pass; "early": its ticket has not ripened (or its work
    # fell short); "refused": the pass it showed can never be used, so this is a new one.
    reason: str
    # The limits it was past (what the waiting page tells her); empty when it came back early.
    over: tuple[Counter, ...] = ()


def _address(request) -> str:
    header = settings.HARBOR_TRUSTED_PROXY_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def counters(
    request,
    name: str,
    per_address: tuple[int, int] | None,
    shared: tuple[int, int] | None,
    *,
    receipt_lookup: str | None = None,
) -> list[Counter]:
    """The counters of ``name`` for this request: its address group's, and a shared one.

    The shared counter is everyone's, or with ``receipt_lookup`` that of the receipt's bucket
    (one of HARBOR_CHECK_PREFIXES, chosen by the hour's key), so that a flood of wrong receipts
    spreads over buckets that the right one is unlikely to share. No counters if the cache is away.
    """
    at = passes.now()
    try:
        out = []
        if per_address and settings.HARBOR_RATE_LIMIT_BY_ADDRESS:
            out.append(Counter(f"rl:{name}:{tags.client_tag(_address(request), at)}", *per_address, scope="address"))
        if shared:
            group, scope = "all", "shared"
            if receipt_lookup is not None:
                group = f"p{tags.bucket('receipt', receipt_lookup, settings.HARBOR_CHECK_PREFIXES, at)}"
                scope = "bucket"
            out.append(Counter(f"rl:{name}:{group}", *shared, scope=scope))
    except Exception:  # noqa: BLE001 - a cache outage must not stop a report (fail open, logged)
        log.warning("rate-limit cache unavailable")
        return []
    return out


def _count(counter: Counter) -> int:
    if cache.add(counter.key, 1, timeout=counter.window):
        return 1
    try:
        return cache.incr(counter.key)
    except ValueError:  # expired between add() and incr()
        cache.add(counter.key, 1, timeout=counter.window)
        return 1


def hit(counted: list[Counter]) -> None:
    """Count one event (a failed receipt) on each counter."""
    try:
        for counter in counted:
            _count(counter)
    except Exception:  # noqa: BLE001 - see counters()
        log.warning("rate-limit cache unavailable")


def gate(request, action: str, counted: list[Counter], payload: str, *, count: bool) -> Held | None:
    """Return None if the request may go ahead, or how it is held.

    With ``count`` the request is counted first (a send, a preview) and held past the limit;
    without, the counters are only read (a receipt: only failures count, through hit()) and it
    is held at the limit. A held request goes ahead with a pass for ``payload`` (the sealed draft
    or receipt it carries): work, or a ripe ticket, presented as POST ``pass`` and ``work``.
    """
    at = passes.now()
    try:
        over = []
        for counter in counted:
            value = _count(counter) if count else (cache.get(counter.key) or 0)
            if value > counter.limit or (not count and value >= counter.limit):
                over.append((counter, value))
        if not over:
            return None
        binding = passes.binding_of(payload)
        reason = "limit"
        shown = request.POST.get("pass", "")
        if shown:
            try:
                passes.redeem(shown, action, binding, request.POST.get("work", "").strip(), at)
                return None
            except passes.NotYet as early:
                return Held(early.held, early.held.wait(at), "early")
            except passes.PassRefused:
                reason = "refused"
        load = max(value / max(counter.limit, 1) for counter, value in over)
        fresh = passes.issue(action, binding, [counter.key for counter, _ in over], load, at)
        return Held(fresh, fresh.wait(at), reason, tuple(counter for counter, _ in over))
    except Exception:  # noqa: BLE001 - see counters()
        log.warning("rate-limit cache unavailable")
        return None
