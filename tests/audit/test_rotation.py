"""Rotating the audit key: new events use the new key, fallbacks keep the old ones verifying."""

from __future__ import annotations

import pytest
from django.test import override_settings

from audit import anchor
from audit.models import Event
from audit.services import verify
from tests.audit.support import make_chain
from vault.auditmac import parse_key

pytestmark = pytest.mark.django_db

OLD = "a7" * 32  # the test settings' key
NEW = "3e" * 32


def _key_ids() -> list[str]:
    return [h.split("$")[1] for h in Event.objects.order_by("seq").values_list("hash", flat=True)]


@override_settings(HARBOR_AUDIT_KEY=OLD)
def test_a_chain_written_with_a_fallback_key_still_verifies_after_rotation():
    make_chain(3)
    with override_settings(HARBOR_AUDIT_KEY=NEW, HARBOR_AUDIT_KEY_FALLBACKS=[OLD]):
        make_chain(2)
        result = verify()
        assert result.ok, result.problem
        assert result.count == 5
    assert _key_ids() == [parse_key(OLD).key_id] * 3 + [parse_key(NEW).key_id] * 2


@override_settings(HARBOR_AUDIT_KEY=OLD)
def test_without_the_fallback_the_old_events_cannot_be_verified():
    make_chain(3)
    with override_settings(HARBOR_AUDIT_KEY=NEW, HARBOR_AUDIT_KEY_FALLBACKS=[]):
        make_chain(1)
        result = verify()
    assert (result.ok, result.at_seq) == (False, 1)
    assert result.problem == f"event 1 is keyed with a key this server does not have (key id {parse_key(OLD).key_id})"


@override_settings(HARBOR_AUDIT_KEY=OLD)
def test_an_event_edited_under_a_fallback_key_is_still_found():
    make_chain(3)
    with override_settings(HARBOR_AUDIT_KEY=NEW, HARBOR_AUDIT_KEY_FALLBACKS=[OLD]):
        make_chain(1)
        Event.objects.filter(seq=2).update(action="report.noted")
        assert (verify().ok, verify().at_seq) == (False, 2)


@override_settings(HARBOR_AUDIT_KEY=OLD)
def test_heads_exported_under_the_old_key_verify_after_rotation(tmp_path):
    path = tmp_path / "head.jsonl"
    make_chain(2)
    anchor.export_head(path)
    with override_settings(HARBOR_AUDIT_KEY=NEW, HARBOR_AUDIT_KEY_FALLBACKS=[OLD]):
        make_chain(1)
        anchor.export_head(path)
        result = anchor.check_heads(path)
        assert result.ok, result.problems
        assert result.records == 2
    with override_settings(HARBOR_AUDIT_KEY=NEW, HARBOR_AUDIT_KEY_FALLBACKS=[]):
        result = anchor.check_heads(path)
    assert result.problems == [
        f"line 1 is signed with a key this server does not have (key id {parse_key(OLD).key_id})"
    ]
