"""Passes: what a request past a rate limit shows to go ahead, instead of being refused.

docs/architecture.md ("Floods") says why and what this cannot do. A pass is a sealed token
(``vault.tokens``: AES-256-GCM under a key derived from SECRET_KEY) naming the action, what it
may be spent on (a digest of the sealed draft or receipt it was issued with), a random
challenge, a difficulty and two times: when it ripens and when it expires. It lets one request
through, in one of two ways:

- **work**: a nonce such that SHA-256(``harbor-pass/v1:<challenge>:<nonce>``) begins with at
  least ``bits`` zero bits (hashcash), found in the browser by static/js/pass.js;
- **waiting**: once it has ripened. Tickets ripen in issue order, at most HARBOR_WAIT_RATE a
  minute per queue (one queue per limit: an address's, a receipt bucket's, everyone's), no
  sooner than HARBOR_WAIT_SECONDS and no later than HARBOR_WAIT_MAX_SECONDS after issue.

Either way a pass is single-use: its challenge is recorded in the cache until it expires.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from vault import tokens
from vault.exceptions import DecryptionError, ExpiredTokenError

PURPOSE = "pass"
WORK_PREFIX = "harbor-pass/v1:"
SPENT = "harbor:pass-spent:{challenge}"
SLOT = "harbor:wait:{queue}:{slot}"
NEXT = "harbor:wait:{queue}:next"
# At most this many queue slots are tried for one ticket (the hint usually makes it one).
PROBES = 64
NONCE = re.compile(r"[0-9a-z]{1,32}")


def now() -> float:
    """The clock of passes and limits; tests move it."""
    return time.time()


class PassRefused(Exception):
    """A pass that can never be used: forged, altered, for something else, expired or spent."""


class NotYet(Exception):
    """A ticket used before it ripened, or work short of its difficulty: the pass stays good."""

    def __init__(self, held: Pass) -> None:
        super().__init__("not yet")
        self.held = held


@dataclass(frozen=True)
class Pass:
    token: str
    action: str
    binding: str
    challenge: str
    bits: int
    ripe_at: int
    expires_at: int

    def wait(self, at: float) -> int:
        """Whole seconds from ``at`` until the ticket may be used."""
        return max(0, math.ceil(self.ripe_at - at))


def binding_of(payload: str) -> str:
    """What a pass may be spent on: a digest of the sealed draft or receipt it was issued with."""
    return hashlib.sha256(b"harbor/v1/pass-binding\x00" + payload.encode("utf-8", "replace")).hexdigest()[:32]


def difficulty(load: float) -> int:
    """Zero bits of work asked at ``load`` (count over limit, 1 at the limit): one more each doubling."""
    low, high = settings.HARBOR_WORK_BITS
    extra = math.ceil(math.log2(load)) if load > 1 else 0
    return max(low, min(high, low + extra))


def leading_zero_bits(challenge: str, nonce: str) -> int:
    digest = hashlib.sha256(f"{WORK_PREFIX}{challenge}:{nonce}".encode("ascii")).digest()
    return 256 - int.from_bytes(digest, "big").bit_length()


def issue(action: str, binding: str, queues: list[str], load: float, at: float) -> Pass:
    """Issue a pass for ``action`` on ``binding``, its ticket in line in every one of ``queues``."""
    ripe = _ripe_at(queues, at)
    expires = ripe + settings.HARBOR_PASS_SECONDS
    challenge = secrets.token_hex(16)
    bits = difficulty(load)
    body = {"v": 1, "a": action, "b": binding, "c": challenge, "w": bits, "r": ripe, "x": expires}
    token = tokens.seal(settings.SECRET_KEY, PURPOSE, json.dumps(body).encode(), now=at)
    return Pass(token, action, binding, challenge, bits, ripe, expires)


def _open(token: str, at: float) -> Pass:
    max_age = settings.HARBOR_WAIT_MAX_SECONDS + settings.HARBOR_PASS_SECONDS + 60
    try:
        raw, _ = tokens.unseal(settings.SECRET_KEY, PURPOSE, token, max_age, now=at)
        body = json.loads(raw)
        return Pass(token, body["a"], body["b"], body["c"], int(body["w"]), int(body["r"]), int(body["x"]))
    except (DecryptionError, ExpiredTokenError, ValueError, KeyError, TypeError) as exc:
        raise PassRefused("not a pass") from exc


def redeem(token: str, action: str, binding: str, work: str, at: float) -> None:
    """Spend a pass; raise NotYet (come back with the same pass) or PassRefused (it is no good).

    With ``work`` the pass is judged by its work alone, without it by its ripeness alone.
    """
    held = _open(token, at)
    if held.action != action or held.binding != binding:
        raise PassRefused("a pass for something else")
    if at > held.expires_at:
        raise PassRefused("expired")
    if work:
        if not NONCE.fullmatch(work) or leading_zero_bits(held.challenge, work) < held.bits:
            raise NotYet(held)
    elif at < held.ripe_at:
        raise NotYet(held)
    spent = SPENT.format(challenge=held.challenge)
    if not cache.add(spent, 1, timeout=int(held.expires_at - at) + 60):
        raise PassRefused("already used")


def _ripe_at(queues: list[str], at: float) -> int:
    """When a new ticket ripens: its turn in the slowest of ``queues``, within the wait bounds."""
    earliest = math.ceil(at + settings.HARBOR_WAIT_SECONDS)
    latest = math.floor(at + settings.HARBOR_WAIT_MAX_SECONDS)
    ripe = earliest
    for queue in queues:
        ripe = max(ripe, math.ceil(_turn(queue, at, earliest, latest)))
    return min(ripe, latest) if latest >= earliest else earliest


def _turn(queue: str, at: float, earliest: int, latest: int) -> float:
    """Take the first free slot of ``queue`` from ``earliest``; ``latest`` if none is free by then.

    One ticket per slot, HARBOR_WAIT_RATE slots a minute: tickets collected at once, in
    parallel or not, ripen one slot apart, so collecting many buys no more than the rate. A
    queue longer than the longest wait gives its ticket the longest wait: past that, a flood
    gets through at its own pace, that much later (docs/architecture.md, "Floods").
    """
    step = 60 / settings.HARBOR_WAIT_RATE
    hint = NEXT.format(queue=queue)
    slot = max(math.ceil(earliest / step), cache.get(hint) or 0)
    for _ in range(PROBES):
        if slot * step > latest:
            break
        if cache.add(SLOT.format(queue=queue, slot=slot), 1, timeout=math.ceil(slot * step - at) + 60):
            cache.set(hint, slot + 1, timeout=math.ceil(latest - at) + 60)
            return slot * step
        slot += 1
    return latest
