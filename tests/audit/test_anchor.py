"""The anchored head: exports append, and verify_audit --head finds truncation, rebuilds and forged lines."""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from audit import anchor
from audit.models import GENESIS, Event
from audit.services import verify
from tests.audit.support import (
    ACTORS,
    OBJECT_ID,
    delete,
    edit,
    keyed_with,
    make_chain,
    plain_sha256,
    rehash_from,
    swap,
    truncate_after,
)
from vault.auditmac import Keyring, parse_key

pytestmark = pytest.mark.django_db

OTHER_KEY = "5c" * 32


@pytest.fixture
def head_file(tmp_path):
    return tmp_path / "audit-head.jsonl"


def verify_command(head_file) -> tuple[bool, str]:
    """Run `manage.py verify_audit --head FILE`; return (passed, everything it printed)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", "--head", str(head_file), stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- exporting


def test_each_export_appends_one_signed_line_and_keeps_the_others(head_file):
    make_chain(3)
    first = anchor.export_head(head_file, now=datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    before = head_file.read_bytes()
    make_chain(2)
    second = anchor.export_head(head_file)
    assert head_file.read_bytes().startswith(before)
    lines = _lines(head_file)
    assert [line["seq"] for line in lines] == [3, 5]
    assert lines[0]["hash"] == Event.objects.get(seq=3).hash
    assert lines[0]["at"] == "2026-12-01T09:30:00Z"
    assert lines[0]["mac"].startswith(f"hmac-sha256${parse_key('a7' * 32).key_id}$")
    assert (first.seq, second.seq) == (3, 5)
    assert set(lines[0]) == {"seq", "hash", "at", "mac"}  # and nothing of what the events say


def test_the_head_file_is_not_world_readable(head_file):
    anchor.export_head(head_file)
    assert not head_file.stat().st_mode & stat.S_IRWXO


def test_an_empty_chain_exports_its_genesis(head_file):
    head = anchor.export_head(head_file)
    assert (head.seq, head.hash) == (0, GENESIS)
    assert anchor.check_heads(head_file).ok


def test_the_export_is_off_without_a_head_file(caplog):
    with caplog.at_level(logging.WARNING, logger="audit.anchor"):
        assert anchor.export_head() is None
    assert "HARBOR_AUDIT_HEAD_FILE is not set" in caplog.text
    with pytest.raises(CommandError, match="HARBOR_AUDIT_HEAD_FILE is not set"):
        call_command("export_audit_head", stdout=StringIO())


def test_the_export_command_writes_once(head_file):
    make_chain(2)
    out = StringIO()
    with override_settings(HARBOR_AUDIT_HEAD_FILE=str(head_file)):
        call_command("export_audit_head", stdout=out)
    assert "event 2" in out.getvalue()
    assert [line["seq"] for line in _lines(head_file)] == [2]


def test_the_export_interval_is_off_without_a_file(settings, head_file):
    settings.HARBOR_AUDIT_HEAD_EVERY = 600
    assert anchor.export_interval() == 0
    settings.HARBOR_AUDIT_HEAD_FILE = str(head_file)
    assert anchor.export_interval() == 600


# --- verifying against the anchored heads


def test_an_untouched_chain_passes_with_its_heads(head_file):
    make_chain(3)
    anchor.export_head(head_file)
    make_chain(3)
    anchor.export_head(head_file)
    passed, output = verify_command(head_file)
    assert passed, output
    assert "audit chain intact: 6 events" in output
    assert "head file: 2 records, the newest anchors event 6" in output


def _rebuild_plain():
    edit(2, action="report.noted")
    rehash_from(1, plain_sha256)


def _rebuild_with_another_key():
    edit(2, action="report.noted")
    rehash_from(1, keyed_with(OTHER_KEY))


def _truncate_and_grow_again():
    truncate_after(4)
    make_chain(3)  # new events, keyed by Harbor itself: the chain verifies, the head does not


ATTACKS = {
    # name: (attack on a chain of 6 anchored at event 6, what verify() says or None, what the head says)
    "edit a field": (lambda: edit(3, actor="someone-else"), "event 3 was altered", None),
    "delete one in the middle": (lambda: delete(3), "event 3 is missing", None),
    "reorder": (lambda: swap(2, 4), "event 2 does not follow its predecessor", None),
    "rebuild with plain SHA-256": (_rebuild_plain, "none of the 6 events is keyed", "event 6 differs"),
    "rebuild with another key": (_rebuild_with_another_key, "event 1 is keyed with a key", "event 6 differs"),
    "truncate the newest": (lambda: truncate_after(4), None, "event 6, anchored at"),
    "truncate and grow again": (_truncate_and_grow_again, None, "event 6 differs"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_verify_audit_head_finds_every_attack(head_file, attack):
    make_chain(6)
    anchor.export_head(head_file)
    assert verify_command(head_file)[0]
    act, chain_problem, head_problem = ATTACKS[attack]
    act()

    result = verify()
    if chain_problem:
        assert not result.ok and chain_problem in result.problem, result.problem
    else:
        assert result.ok  # the chain alone cannot know it was longer: this is what the anchor is for
    heads = anchor.check_heads(head_file)
    if head_problem:
        assert not heads.ok and head_problem in heads.problems[0], heads.problems

    passed, output = verify_command(head_file)
    assert not passed
    for problem in filter(None, (chain_problem, head_problem)):
        assert problem in output
    for secret in [*ACTORS, OBJECT_ID, "report.viewed", "someone-else"]:
        assert secret not in output  # sequence numbers, never what an event says


def test_truncation_names_every_anchored_event_that_is_gone(head_file):
    make_chain(4)
    anchor.export_head(head_file)
    make_chain(2)
    anchor.export_head(head_file)
    truncate_after(3)
    heads = anchor.check_heads(head_file)
    assert [p.split(",")[0] for p in heads.problems] == ["event 4", "event 6"]
    assert all("is gone from the chain" in p for p in heads.problems)


def test_a_line_with_an_edited_sequence_is_forged(head_file):
    """The attacker truncates to 4 and makes the file's newest line claim 4."""
    make_chain(6)
    anchor.export_head(head_file)
    line = _lines(head_file)[0]
    truncate_after(4)
    line.update(seq=4, hash=Event.objects.get(seq=4).hash)
    head_file.write_text(json.dumps(line) + "\n")
    heads = anchor.check_heads(head_file)
    assert heads.problems == ["line 1 is forged or altered: its MAC does not verify"]
    passed, output = verify_command(head_file)
    assert not passed and "line 1 is forged" in output


def test_a_line_signed_by_someone_without_the_key_is_forged(head_file):
    make_chain(3)
    anchor.export_head(head_file)
    head = anchor.Head(seq=3, hash=Event.objects.get(seq=3).hash, at="2026-12-01T00:00:00Z")
    our_id = parse_key("a7" * 32).key_id
    forged = Keyring(parse_key(OTHER_KEY), {}).sign("head", head.message()).replace(parse_key(OTHER_KEY).key_id, our_id)
    with head_file.open("a") as f:
        f.write(json.dumps({"seq": 3, "hash": head.hash, "at": head.at, "mac": forged}) + "\n")
        f.write(json.dumps({"seq": 3, "hash": head.hash, "at": head.at}) + "\n")
        f.write("not json at all\n")
    heads = anchor.check_heads(head_file)
    assert heads.problems == [
        "line 2 is forged or altered: its MAC does not verify",
        "line 3 is not a head record",
        "line 4 is not a head record",
    ]
    assert heads.records == 1


def test_an_event_mac_cannot_pass_for_a_head_line(head_file):
    (event,) = make_chain(1)
    head = anchor.Head(seq=1, hash=event.hash, at="2026-12-01T00:00:00Z")
    head_file.write_text(json.dumps({"seq": 1, "hash": event.hash, "at": head.at, "mac": event.hash}) + "\n")
    assert anchor.check_heads(head_file).problems == ["line 1 is forged or altered: its MAC does not verify"]


def test_a_missing_or_empty_head_file_fails(head_file):
    make_chain(1)
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("verify_audit", "--head", str(head_file), stdout=StringIO(), stderr=StringIO())
    head_file.write_text("")
    passed, output = verify_command(head_file)
    assert not passed and "holds no valid head record" in output


def test_verify_audit_without_head_checks_the_chain_only():
    make_chain(2)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chain intact: 2 events" in out.getvalue()
    edit(2, action="report.noted")
    with pytest.raises(CommandError, match="event 2 was altered"):
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
