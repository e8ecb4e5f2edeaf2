"""No flood locks out a real reporter (docs/architecture.md, "Floods").

Floods through the real views, with a CSRF-enforcing client and distinct addresses: 1,000
wrong receipts, or 1,000 sends, from 100 addresses. A reporter then comes from an address
never seen, and her receipt opens, or her report is stored, within two tries: on the first,
or on the second after the wait the page states (no JavaScript) or with the work its script
would do. The same behind an onion service, where every client is 127.0.0.1. Afterwards no
tag, and not the key that made the tags, is found in the database or under var/. And a
worker's memory stays under a stated bound through 1,000 crafted previews.
"""

from __future__ import annotations

import base64
import gc
import random
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from intake import services
from intake.models import Report
from tests.conftest import FULL_REPORT, fill_and_preview, hidden, receipt_in, start_form, submit_report
from tests.intake.conftest import cache_keys, page_text, press, solve
from vault import receipts, tags

pytestmark = pytest.mark.django_db

FLOODERS = [f"198.51.100.{i}" for i in range(100)]
REPORTER = "203.0.113.50"


def _second_try(client, first, clock, how: str, address: str):
    """The reporter's second try on a waiting page: with her script's work, or after the wait."""
    assert first.status_code == 429, first.content.decode()[:2000]
    wait = int(first["Retry-After"])
    assert wait <= settings.HARBOR_WAIT_MAX_SECONDS
    assert f"Please wait {wait} seconds" in page_text(first) or "Please wait about" in page_text(first)
    if how == "work":
        return press(client, first, work=solve(first), REMOTE_ADDR=address)
    clock.advance(wait)
    return press(client, first, REMOTE_ADDR=address)


# --- /check/: 1,000 wrong receipts from 100 addresses -----------------------------------------


def _flood_check(client, rounds: int = 10) -> Counter:
    """Each of the 100 flooding addresses tries ``rounds`` well-formed, wrong receipts."""
    outcomes: Counter = Counter()
    for _ in range(rounds):
        for address in FLOODERS:
            response = client.submit("/check/", {"receipt": receipts.generate()}, REMOTE_ADDR=address)
            outcomes[response.status_code] += 1
    return outcomes


@pytest.mark.parametrize(
    "case",
    [
        (True, 1024, "wait"),
        (False, 1024, "wait"),
        # One bucket for every receipt: the flood has filled hers, the worst case.
        (False, 1, "wait"),
        (False, 1, "work"),
    ],
    ids=["clear-web", "onion", "onion-her-bucket-full-no-js", "onion-her-bucket-full-js"],
)
def test_a_flood_of_wrong_receipts_does_not_lock_out_the_right_one(client, org_keys, clock, case):
    by_address, buckets, how = case
    receipt, _ = submit_report(client, data=FULL_REPORT)
    with override_settings(HARBOR_RATE_LIMIT_BY_ADDRESS=by_address, HARBOR_CHECK_PREFIXES=buckets):
        outcomes = _flood_check(client)
        assert sum(outcomes.values()) == 1000 and set(outcomes) <= {400, 429}
        if buckets == 1:
            # Past the bucket's limit the flood is held, not served: it is slowed down.
            assert outcomes[400] == settings.HARBOR_RATE_CHECK_FAIL_PREFIX[0]
        else:
            # Spread over 1,024 buckets of 5 tries, hardly any bucket fills.
            assert outcomes[400] >= 990
        first = client.submit("/check/", {"receipt": receipts.display(receipt)}, REMOTE_ADDR=REPORTER)
        opened = first if first.status_code == 200 else _second_try(client, first, clock, how, REPORTER)
    assert opened.status_code == 200, opened.content.decode()[:2000]
    assert FULL_REPORT["perp_description"] in page_text(opened)
    if buckets == 1:
        assert first.status_code == 429  # the second try was needed, and was enough


# --- /report/send/: 1,000 sends from 100 addresses --------------------------------------------


def _drafts(client, count: int) -> list[str]:
    """Drafts as a flooder collects them: one real preview, then the same report sealed again.

    (Each is what a preview returns; making them through the preview view would flood the
    preview limit instead, which has its own test.)
    """
    preview = fill_and_preview(client)
    draft = services.unseal_draft(hidden(preview, "draft"))
    return [services.seal_draft(draft.data, [], "en") for _ in range(count)]


@pytest.mark.parametrize(
    ("by_address", "how"),
    [(True, "wait"), (False, "wait"), (False, "work")],
    ids=["clear-web", "onion-no-js", "onion-js"],
)
def test_a_flood_of_sends_does_not_lock_out_a_reporter(client, org_keys, clock, by_address, how):
    with override_settings(HARBOR_RATE_LIMIT_BY_ADDRESS=by_address):
        drafts = iter(_drafts(client, 1000))
        outcomes: Counter = Counter()
        for _ in range(10):
            for address in FLOODERS:
                response = client.submit("/report/send/", {"draft": next(drafts)}, REMOTE_ADDR=address)
                outcomes[response.status_code] += 1
        flood_stored = Report.objects.count()
        # The flood got as far as the shared limit, and the rest of it was held.
        assert flood_stored == outcomes[200] == settings.HARBOR_RATE_SUBMIT_GLOBAL[0]
        assert outcomes[429] == 1000 - flood_stored

        preview = fill_and_preview(client, dict(FULL_REPORT, narrative="Her own report."), REMOTE_ADDR=REPORTER)
        first = client.submit("/report/send/", {"draft": hidden(preview, "draft")}, REMOTE_ADDR=REPORTER)
        sent = _second_try(client, first, clock, how, REPORTER)
    assert sent.status_code == 200, sent.content.decode()[:2000]
    opened = services.open_with_receipt(receipt_in(sent))
    assert opened.section("narrative")["narrative"] == "Her own report."
    assert Report.objects.count() == flood_stored + 1


def test_a_drop_in_centre_past_its_hourly_sends_is_asked_to_wait_not_refused(client, org_keys, clock):
    centre = "192.0.2.10"
    drafts = _drafts(client, 10)
    for draft in drafts:
        assert client.submit("/report/send/", {"draft": draft}, REMOTE_ADDR=centre).status_code == 200
    preview = fill_and_preview(client, REMOTE_ADDR=centre)
    first = client.submit("/report/send/", {"draft": hidden(preview, "draft")}, REMOTE_ADDR=centre)
    assert first.status_code == 429
    text = page_text(first)
    assert "wait a few minutes" not in text
    wait = int(first["Retry-After"])
    assert f"Please wait {wait} seconds, then press “Send report”." in text
    clock.advance(wait)
    assert press(client, first, REMOTE_ADDR=centre).status_code == 200
    assert Report.objects.count() == 11


# --- previews are limited like sends ------------------------------------------------------------


@override_settings(HARBOR_RATE_PREVIEW=(3, 3600))
def test_previews_past_the_limit_wait_and_keep_everything_typed(client, org_keys, clock):
    for _ in range(3):
        assert fill_and_preview(client).status_code == 200
    held = fill_and_preview(client, dict(FULL_REPORT, narrative="Kept while she waits."))
    assert held.status_code == 429
    assert "Everything you wrote is kept, and nothing is saved yet." in page_text(held)
    assert "Kept while she waits." not in held.content.decode()  # sealed in the draft, not in the page
    clock.advance(int(held["Retry-After"]))
    confirm = press(client, held)
    assert confirm.status_code == 200
    assert "Check before sending" in page_text(confirm)
    assert "Kept while she waits." in page_text(confirm)
    # The confirmation page's draft is the one that waited: Send stores it.
    sent = client.submit("/report/send/", {"draft": hidden(confirm, "draft")})
    assert sent.status_code == 200
    assert services.open_with_receipt(receipt_in(sent)).section("narrative")["narrative"] == "Kept while she waits."


@override_settings(HARBOR_RATE_PREVIEW_GLOBAL=(5, 600))
def test_a_preview_flood_is_held_before_the_redactor_runs(client, monkeypatch):
    from intake import policy_bridge

    calls = Counter()
    real = policy_bridge.previews
    monkeypatch.setattr(policy_bridge, "previews", lambda *a: calls.update(["redacted"]) or real(*a))
    for address in FLOODERS[:20]:
        fill_and_preview(client, REMOTE_ADDR=address)
    assert calls["redacted"] == 5


# --- no tag, and no key of the hour, on disk ---------------------------------------------------


def test_no_tag_or_key_reaches_the_disk(client, org_keys):
    from tests.intake.test_canary import _database_dump

    submit_report(client)
    _flood_check(client, rounds=1)
    key = tags.hour_key()
    client_tags = {k.rsplit(":", 1)[1] for k in cache_keys() if k.startswith("rl:check_fail:") and ":p" not in k}
    assert len(client_tags) == 100  # one per flooding address, in the cache only
    forms = {"key hex": key.hex(), "key base64": base64.b64encode(key).decode()}
    dump, _ = _database_dump()
    assert "check_fail" not in dump
    for name, value in [*forms.items(), *((f"tag {t}", t) for t in client_tags)]:
        assert value not in dump, f"{name} is in the database"
    var = Path(settings.BASE_DIR) / "var"
    for path in var.rglob("*") if var.exists() else ():
        if path.is_file() and path.stat().st_size < 200 * 1024 * 1024:
            data = path.read_bytes()
            assert key not in data, f"the key of the hour is in {path}"
            for value in (*forms.values(), *client_tags):
                assert value.encode() not in data, f"a tag or the key is in {path}"


# --- memory: 1,000 crafted previews -------------------------------------------------------------

IDEOGRAPHS = [chr(c) for c in range(0x4E00, 0x9FFF)]
# The bound stated in docs/benchmarks.md: a worker's resident memory grows by less than this
# through 1,000 previews of crafted, all-different texts. Every cache the redactor keeps is
# bounded (docs/redaction.md, "Memory"); before they were, the same run grew it by about 40 MB.
MEMORY_BOUND = 20 * 1024 * 1024


def _resident() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads the resident size from /proc")
@override_settings(HARBOR_RATE_PREVIEW=(10**9, 3600), HARBOR_RATE_PREVIEW_GLOBAL=(10**9, 600))
def test_a_thousand_crafted_previews_stay_under_the_memory_bound(client):
    rng = random.Random(7)
    fields = {**start_form(client), **FULL_REPORT, "action": "preview", "consent": ["victim_services"]}

    def preview():
        # 200 words of three CJK letters, all different: each a word start no text had before.
        crafted = " ".join("".join(rng.choice(IDEOGRAPHS) for _ in range(3)) for _ in range(200))
        assert client.post("/report/", dict(fields, narrative=crafted)).status_code == 200

    for _ in range(20):  # lexicons compiled, templates loaded
        preview()
    gc.collect()
    before = _resident()
    for _ in range(1000):
        preview()
    gc.collect()
    grown = _resident() - before
    assert grown < MEMORY_BOUND, f"1,000 crafted previews grew the worker by {grown / 2**20:.1f} MiB"
