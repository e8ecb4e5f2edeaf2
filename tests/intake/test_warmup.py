"""A fresh worker serves its first reporter warm (intake/warmup.py, since 2026-12), and the
confirmation page redacts each text once for all the recipients it previews."""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application

from config.timing import server_timing
from intake import policy_bridge, warmup
from policy import freetext


class Counting:
    """The production redactor, counting the texts it is asked to find spans in."""

    def __init__(self) -> None:
        real = freetext.default_redactor()
        self.texts: list[str] = []
        self.apply = real.apply
        self.removed_ranges = real.removed_ranges
        self.find_flags = real.find_flags
        self._find_spans = real.find_spans

    def find_spans(self, text, lang, *, known=()):
        self.texts.append(text)
        return self._find_spans(text, lang, known=known)


def _report():
    data = warmup._sample()
    data["narrative"] = "He hit me outside the bar and took my phone. I was working that night."
    return data


def test_each_text_is_redacted_once_for_every_recipient_and_the_previews_do_not_change(monkeypatch):
    data = _report()
    one_by_one = [policy_bridge.build(data, consent, "en") for consent in data["consent"]]
    counting = Counting()
    monkeypatch.setattr(policy_bridge, "default_redactor", lambda: counting)
    previews = policy_bridge.previews(data, "en")
    assert [p["id"] for p in previews] == data["consent"]
    for preview, built in zip(previews, one_by_one, strict=True):
        assert preview["rows"] == policy_bridge.referral_rows(built)
        assert preview["held"] == policy_bridge.held_rows(built)
    assert counting.texts.count(data["narrative"]) == 1
    assert len(counting.texts) == len(set(counting.texts))


def test_a_remembered_answer_is_the_same_answer():
    once = freetext.OncePerText(freetext.default_redactor())
    text = "Call me at 415 555 0100, I was working on Capp Street."
    first = freetext.redact_free_text(text, known=("Ana",), redactor=once)
    again = freetext.redact_free_text(text, known=("Ana",), redactor=once)
    plain = freetext.redact_free_text(text, known=("Ana",))
    assert first == again == plain
    other = freetext.redact_free_text(text, known=("Capp",), redactor=once)
    assert other == freetext.redact_free_text(text, known=("Capp",))


def test_the_vocabulary_holds_the_lexicons_words_and_no_report():
    words = set(warmup.vocabulary().replace(".", " ").split())
    assert {"crystal", "undocumented", "cliente", "trabajando"} & words
    assert len(words) > 1000


# A WSGI call sends request_started, whose close_old_connections closes a connection held in a
# transaction: the test runs outside one (as the warm-up does), or PostgreSQL's would be lost.
@pytest.mark.django_db(transaction=True)
def test_the_warm_up_serves_the_first_pages_and_leaves_no_connection_open(monkeypatch):
    application = get_wsgi_application()
    assert warmup._get_pages(application) == []
    closed = []
    monkeypatch.setattr(warmup.connections, "close_all", lambda: closed.append(True))
    warmup.warm(application)
    assert closed == [True]  # a forked worker must not share the master's connection


def test_the_bench_timing_header_gives_the_server_time():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(headers)

    assert server_timing(app)({}, start_response) == [b"ok"]
    assert seen["Server-Timing"].startswith("app;dur=")
    assert float(seen["Server-Timing"].removeprefix("app;dur=")) >= 0


def test_the_timing_header_is_for_bench_mode_only(client):
    assert "Server-Timing" not in client.get("/check/")
