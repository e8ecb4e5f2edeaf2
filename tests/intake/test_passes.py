"""Passes past a rate limit: work or a ripe ticket lets one request through, and nothing else does.

A send held at the limit comes back with a waiting page carrying a pass. The pass is tried here
as an attacker would: forged, altered, moved to another draft, replayed, used after it
expired, with work short of its difficulty, or as a ticket before it ripened. Each is refused
and stores nothing; the same report then goes with honest work, or after the stated wait.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.conf import settings
from django.test import override_settings

from intake import passes
from intake.models import Report
from tests.conftest import FULL_REPORT, fill_and_preview, hidden, receipt_in
from tests.intake.conftest import held_form, page_text, press, solve
from vault import tokens

pytestmark = pytest.mark.django_db

# Every send is held (a shared limit of zero), and the work is small, so that tests run fast.
HELD_SENDS = override_settings(HARBOR_RATE_SUBMIT_GLOBAL=(0, 600), HARBOR_WORK_BITS=(8, 12))


def _held_send(client, data=None):
    preview = fill_and_preview(client, data)
    assert preview.status_code == 200, preview.content.decode()[:2000]
    held = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    assert held.status_code == 429
    return held


def _body(token: str) -> dict:
    raw, _ = tokens.unseal(settings.SECRET_KEY, passes.PURPOSE, token, 10**9)
    return json.loads(raw)


def _reseal(body: dict) -> str:
    return tokens.seal(settings.SECRET_KEY, passes.PURPOSE, json.dumps(body).encode())


def _stored_after(client, held, **fields) -> tuple[int, int]:
    """Press the waiting page's button with ``fields`` changed; return (status, reports stored)."""
    url, values = held_form(held)
    values.update(fields)
    response = client.post(url, values)
    return response.status_code, Report.objects.count()


@HELD_SENDS
def test_the_waiting_page_keeps_the_report_and_states_the_wait(client, org_keys):
    held = _held_send(client)
    wait = int(held["Retry-After"])
    assert settings.HARBOR_WAIT_SECONDS <= wait <= settings.HARBOR_WAIT_SECONDS + 5
    text = page_text(held)
    assert "Your report is still here and nothing is lost." in text
    assert f"Please wait {wait} seconds, then press “Send report”." in text
    _url, values = held_form(held)
    assert values["draft"] and values["pass"]
    # What was typed is only in the sealed draft, never in the page in the clear.
    for typed in (FULL_REPORT["narrative"], FULL_REPORT["perp_description"], FULL_REPORT["contact_signal"]):
        assert typed not in held.content.decode()
    assert Report.objects.count() == 0


@HELD_SENDS
def test_honest_work_sends_the_report_at_once(client, org_keys):
    held = _held_send(client)
    sent = press(client, held, work=solve(held))
    assert sent.status_code == 200
    assert receipt_in(sent)
    assert Report.objects.count() == 1


@HELD_SENDS
def test_a_ripe_ticket_sends_the_report(client, org_keys, clock):
    held = _held_send(client)
    clock.advance(int(held["Retry-After"]))
    sent = press(client, held)
    assert sent.status_code == 200 and receipt_in(sent)
    assert Report.objects.count() == 1


@HELD_SENDS
def test_a_ticket_used_early_is_refused_and_keeps_its_place(client, org_keys, clock):
    held = _held_send(client)
    wait = int(held["Retry-After"])
    clock.advance(wait - 6)
    early = press(client, held)
    assert early.status_code == 429
    assert Report.objects.count() == 0
    assert "It is not time yet. Please wait 6 seconds more, then press “Send report” again." in page_text(early)
    assert hidden(early, "pass") == hidden(held, "pass")  # the same place in line
    clock.advance(6)
    assert press(client, early).status_code == 200
    assert Report.objects.count() == 1


@HELD_SENDS
def test_a_ticket_used_twice_is_refused(client, org_keys, clock):
    held = _held_send(client)
    clock.advance(int(held["Retry-After"]))
    url, values = held_form(held)
    assert client.post(url, values, follow=True).status_code == 200
    again = client.post(url, values)
    assert again.status_code == 429  # spent: held again, nothing stored twice
    assert Report.objects.count() == 1
    # Nor does it let another draft through.
    other = _held_send(client, dict(FULL_REPORT, narrative="Another report altogether."))
    assert _stored_after(client, other, **{"pass": values["pass"]}) == (429, 1)


@HELD_SENDS
def test_replayed_work_is_refused(client, org_keys):
    held = _held_send(client)
    url, values = held_form(held)
    values["work"] = solve(held)
    assert client.post(url, values, follow=True).status_code == 200
    # The very same request again (a replay, or Back and Send): the pass is spent.
    again = client.post(url, values)
    assert again.status_code == 429
    assert "The waiting time you had was used or too old, so it starts again." in page_text(again)
    assert Report.objects.count() == 1


@HELD_SENDS
def test_work_short_of_its_difficulty_is_refused(client, org_keys):
    held = _held_send(client)
    body = _body(hidden(held, "pass"))
    bits = body["w"]
    short = next(
        n
        for n in (format(i, "x") for i in range(1, 10**6))
        if bits - 4 <= passes.leading_zero_bits(body["c"], n) < bits
    )
    status, stored = _stored_after(client, held, work=short)
    assert (status, stored) == (429, 0)
    for junk in ("", "0", "not a nonce!", "9" * 40):
        if junk:
            assert _stored_after(client, held, work=junk) == (429, 0)
    assert press(client, held, work=solve(held)).status_code == 200


@HELD_SENDS
def test_a_forged_or_altered_pass_is_refused(client, org_keys, clock):
    held = _held_send(client)
    token = hidden(held, "pass")
    clock.advance(3600)  # every honest ticket would be ripe by now (and this one expired)
    blob = bytearray(base64.urlsafe_b64decode(token))
    blob[-1] ^= 1
    forged = [
        "",
        "x" * 40,
        base64.urlsafe_b64encode(bytes(blob)).decode(),
        # Sealed for another purpose (a draft token is a well-formed sealed token).
        hidden(held, "draft"),
        # Made by someone who knows the format but not SECRET_KEY.
        tokens.seal("not-the-secret-key-" + "z" * 40, passes.PURPOSE, json.dumps(_body(token)).encode()),
    ]
    for bad in forged:
        status, stored = _stored_after(client, held, **{"pass": bad})
        assert (status, stored) == (429, 0), bad[:20]


@HELD_SENDS
def test_a_pass_for_another_draft_or_action_is_refused(client, org_keys, clock):
    held = _held_send(client)
    other = _held_send(client, dict(FULL_REPORT, narrative="Another report altogether."))
    clock.advance(3600)
    assert _stored_after(client, other, **{"pass": hidden(held, "pass")}) == (429, 0)
    body = _body(hidden(held, "pass"))
    body["a"] = "preview"
    assert _stored_after(client, held, **{"pass": _reseal(body)}) == (429, 0)


@HELD_SENDS
def test_an_expired_pass_is_refused_and_replaced(client, org_keys, clock):
    held = _held_send(client)
    clock.advance(int(held["Retry-After"]) + settings.HARBOR_PASS_SECONDS + 1)
    late = press(client, held)
    assert late.status_code == 429 and Report.objects.count() == 0
    assert "The waiting time you had was used or too old, so it starts again." in page_text(late)
    assert hidden(late, "pass") != hidden(held, "pass")
    # The draft is still good: the new ticket sends it.
    clock.advance(int(late["Retry-After"]))
    assert press(client, late).status_code == 200


# --- the queue: tickets ripen in issue order, at a fixed rate per queue -------------------------


@override_settings(HARBOR_WAIT_SECONDS=15, HARBOR_WAIT_MAX_SECONDS=300, HARBOR_WAIT_RATE=12)
def test_tickets_collected_at_once_ripen_one_turn_apart():
    at = 1_800_000_000.0
    ripe = [passes.issue("send", f"b{i}", ["rl:submit:all"], 1, at).ripe_at for i in range(30)]
    assert ripe == sorted(ripe) and len(set(ripe)) == 30
    assert all(b - a == 5 for a, b in zip(ripe, ripe[1:], strict=False))  # 12 a minute
    assert at + 15 <= ripe[0] <= at + 20
    # Another queue (another address, another receipt bucket) has its own line.
    assert passes.issue("send", "x", ["rl:submit:other"], 1, at).ripe_at == ripe[0]


@override_settings(HARBOR_WAIT_SECONDS=15, HARBOR_WAIT_MAX_SECONDS=60, HARBOR_WAIT_RATE=12)
def test_nobody_waits_longer_than_the_longest_wait():
    at = 1_800_000_000.0
    waits = [passes.issue("send", f"b{i}", ["q"], 1, at).ripe_at - at for i in range(40)]
    assert max(waits) == 60
    assert waits[-1] == 60  # past the longest wait, the line does not grow


@override_settings(HARBOR_WORK_BITS=(16, 20))
def test_the_work_asked_rises_with_the_load():
    assert [passes.difficulty(load) for load in (0.5, 1, 1.5, 2, 3, 4, 8, 16, 1000)] == [
        16,
        16,
        17,
        17,
        18,
        18,
        19,
        20,
        20,
    ]


def test_the_page_has_no_inline_script_and_its_script_is_ours(client, org_keys):
    with HELD_SENDS:
        held = _held_send(client)
    page = held.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all(body.strip() == "" and 'src="/static/js/' in attrs for attrs, body in scripts)
    assert 'src="/static/js/pass.js"' in page
    assert "script-src 'self'" in held["Content-Security-Policy"]


@HELD_SENDS
def test_the_waiting_page_speaks_spanish(client, org_keys):
    held = _held_send(client)
    _url, values = held_form(held)
    early = client.post("/es/report/send/", values)
    assert early.status_code == 429
    text = page_text(early)
    assert "Un momento, por favor" in text
    assert "Su reporte sigue aquí y no se pierde nada." in text
    assert re.search(
        r"Todavía no es el momento\. Por favor, espere \d+ segundos más y luego presione “Enviar reporte” otra vez\.",
        text,
    )
    assert held_form(early)[0] == "/es/report/send/"
