"""The keyed chain: every edit, deletion, reordering or rebuild without the key is found by verify()."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.conf import settings

from audit.models import GENESIS, Event
from audit.services import record, verify
from tests.audit.support import (
    backdate,
    delete,
    edit,
    keyed_with,
    make_chain,
    plain_sha256,
    rehash_from,
    swap,
    truncate_after,
)
from vault.auditmac import keyring, parse_key

pytestmark = pytest.mark.django_db

OTHER_KEY = "5c" * 32


def test_each_new_event_is_an_hmac_naming_its_key():
    first, second = make_chain(2)
    key_id = parse_key(settings.HARBOR_AUDIT_KEY).key_id
    assert re.fullmatch(rf"hmac-sha256\${key_id}\$[0-9a-f]{{64}}", first.hash)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert keyring().check("event", first.material(), first.hash) is True


def test_the_hash_is_not_a_plain_digest_of_the_fields():
    (event,) = make_chain(1)
    digest = event.hash.rsplit("$", 1)[1]
    assert digest != event.compute_unkeyed_hash()
    assert digest != hashlib.sha256(event.material()).hexdigest()


def test_an_untouched_chain_verifies():
    make_chain(5)
    result = verify()
    assert result.ok, result.problem
    assert (result.count, result.unkeyed) == (5, 0)


def test_an_empty_chain_verifies():
    assert verify().ok


@pytest.mark.parametrize(
    "field,value",
    [
        ("action", "report.noted"),
        ("actor", "someone-else"),
        ("object_id", "0" * 32),
    ],
)
def test_an_edited_field_is_found(field, value):
    make_chain(5)
    edit(3, **{field: value})
    result = verify()
    assert not result.ok
    assert (result.at_seq, result.problem) == (3, "event 3 was altered")
    assert result.count == 2


def test_an_edited_time_is_found():
    make_chain(5)
    backdate(4)
    assert (verify().at_seq, verify().problem) == (4, "event 4 was altered")


def test_an_event_deleted_in_the_middle_is_found():
    make_chain(5)
    delete(3)
    result = verify()
    assert (result.ok, result.at_seq, result.problem) == (False, 3, "event 3 is missing")


def test_a_deletion_closed_up_by_renumbering_is_found():
    make_chain(5)
    delete(3)
    for seq in (4, 5):
        edit(seq, seq=seq - 1)
    result = verify()
    assert (result.ok, result.at_seq) == (False, 3)


def test_two_swapped_events_are_found():
    make_chain(5)
    swap(2, 4)
    result = verify()
    assert (result.ok, result.at_seq, result.problem) == (False, 2, "event 2 does not follow its predecessor")


def test_a_swap_that_also_swaps_the_links_is_found():
    """Swap seq and prev_hash both, so every link looks right: the keyed hashes still break."""
    events = {e.seq: e for e in make_chain(5)}
    swap(2, 3)
    edit(2, prev_hash=events[1].hash)  # the event now at 2 (was 3) points at 1
    edit(3, prev_hash=Event.objects.get(seq=2).hash)
    edit(4, prev_hash=Event.objects.get(seq=3).hash)
    result = verify()
    assert (result.ok, result.at_seq, result.problem) == (False, 2, "event 2 was altered")


def test_a_chain_rebuilt_with_plain_sha256_is_found():
    """The attacker edits event 2 and recomputes the whole chain as anyone can: plain SHA-256."""
    make_chain(5)
    edit(2, action="report.noted")
    rehash_from(1, plain_sha256)
    result = verify()
    assert not result.ok
    assert result.problem.startswith("none of the 5 events is keyed")


def test_a_tail_rebuilt_with_plain_sha256_is_found():
    make_chain(5)
    edit(4, action="report.noted")
    rehash_from(4, plain_sha256)
    result = verify()
    assert (result.ok, result.at_seq) == (False, 4)
    assert "is not keyed, but events before it are" in result.problem


def test_a_chain_rebuilt_with_another_key_is_found():
    make_chain(5)
    edit(2, actor="someone-else")
    rehash_from(1, keyed_with(OTHER_KEY))
    result = verify()
    other_id = parse_key(OTHER_KEY).key_id
    assert (result.ok, result.at_seq) == (False, 1)
    assert result.problem == f"event 1 is keyed with a key this server does not have (key id {other_id})"


def test_a_chain_rebuilt_with_another_key_under_our_key_id_is_found():
    make_chain(5)
    edit(2, actor="someone-else")
    our_id = parse_key(settings.HARBOR_AUDIT_KEY).key_id
    forge = keyed_with(OTHER_KEY)
    rehash_from(2, lambda event: forge(event).replace(parse_key(OTHER_KEY).key_id, our_id))
    result = verify()
    assert (result.ok, result.at_seq, result.problem) == (False, 2, "event 2 was altered")


def test_a_hash_of_an_unknown_algorithm_is_refused():
    make_chain(3)
    event = Event.objects.get(seq=3)
    edit(3, hash="sha256$" + hashlib.sha256(event.material()).hexdigest())
    assert (verify().ok, verify().at_seq) == (False, 3)


def test_deleting_the_newest_events_alone_is_not_found_by_the_chain():
    """The chain cannot know it used to be longer: the anchored head finds this (test_anchor.py)."""
    make_chain(5)
    truncate_after(3)
    assert verify().ok


# --- events written before the chain was keyed (before 2026-12)


def _legacy_chain(n: int) -> list[Event]:
    """Events as Harbor wrote them before 2026-12: bare SHA-256 hashes."""
    events = make_chain(n)
    rehash_from(1, plain_sha256)
    return events


def test_unkeyed_events_followed_by_a_keyed_one_verify_and_are_counted():
    _legacy_chain(3)
    record("dana-advocate", "login", "dana-advocate")
    result = verify()
    assert result.ok, result.problem
    assert (result.count, result.unkeyed) == (4, 3)
    assert Event.objects.get(seq=4).prev_hash == Event.objects.get(seq=3).hash


def test_an_unkeyed_event_edited_under_a_keyed_one_is_found():
    """The first keyed event's HMAC covers the last unkeyed hash: the old part is sealed."""
    _legacy_chain(3)
    record("dana-advocate", "login", "dana-advocate")
    edit(2, action="report.noted")
    rehash_from(2, plain_sha256, until=3)
    result = verify()
    assert (result.ok, result.at_seq, result.problem) == (False, 4, "event 4 does not follow its predecessor")


def test_an_unkeyed_event_edited_and_the_keyed_link_repointed_is_found():
    _legacy_chain(3)
    record("dana-advocate", "login", "dana-advocate")
    edit(2, action="report.noted")
    rehash_from(2, plain_sha256, until=3)
    edit(4, prev_hash=Event.objects.get(seq=3).hash)
    result = verify()
    assert (result.ok, result.at_seq, result.problem) == (False, 4, "event 4 was altered")


def test_an_unkeyed_past_rebuilt_to_the_end_is_found():
    """Recomputing the keyed event too leaves no keyed event: the whole chain is refused."""
    _legacy_chain(3)
    record("dana-advocate", "login", "dana-advocate")
    edit(2, action="report.noted")
    rehash_from(1, plain_sha256)
    result = verify()
    assert (result.ok, result.at_seq) == (False, 1)
    assert result.problem.startswith("none of the 4 events is keyed")


def test_a_chain_with_no_keyed_event_fails():
    """Indistinguishable from a rebuild without the key, so it is not trusted."""
    _legacy_chain(3)
    result = verify()
    assert not result.ok
    assert result.unkeyed == 3
