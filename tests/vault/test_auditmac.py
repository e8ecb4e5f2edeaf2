"""The audit key: hex of at least 32 bytes, self-describing values, fallbacks, purposes kept apart."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.test import override_settings

from vault.auditmac import AuditKeyError, Keyring, key_id_of, keyring, parse_key

KEY = "a7" * 32
OTHER = "3e" * 32


@pytest.mark.parametrize("text", ["", "zz" * 32, "ab" * 31, "abc", None])
def test_it_refuses_a_key_that_is_not_32_bytes_of_hex(text):
    with pytest.raises(AuditKeyError):
        parse_key(text)


def test_the_key_id_names_the_key_without_being_part_of_it():
    key = parse_key(KEY)
    assert len(key.key_id) == 8
    assert key.key_id not in KEY
    assert key.key_id == parse_key(KEY.upper()).key_id
    assert key.key_id != parse_key(OTHER).key_id
    assert KEY not in repr(key)


def test_a_value_is_hmac_sha256_of_the_labelled_message():
    ring = Keyring(parse_key(KEY), {})
    value = ring.sign("event", b"message")
    expected = hmac.new(bytes.fromhex(KEY), b"harbor/v1/audit-event\x00message", hashlib.sha256).hexdigest()
    assert value == f"hmac-sha256${parse_key(KEY).key_id}${expected}"


def test_check_tells_valid_forged_and_unknown_apart():
    key = parse_key(KEY)
    ring = Keyring(key, {key.key_id: key})
    value = ring.sign("event", b"message")
    assert ring.check("event", b"message", value) is True
    assert ring.check("event", b"messagE", value) is False
    assert ring.check("head", b"message", value) is False  # a value made for an event is no head's
    assert ring.check("event", b"message", value.replace("hmac-sha256", "sha256")) is False
    assert ring.check("event", b"message", "0" * 64) is False
    other = Keyring(parse_key(OTHER), {}).sign("event", b"message")
    assert ring.check("event", b"message", other) is None
    assert key_id_of(other) == parse_key(OTHER).key_id


@override_settings(HARBOR_AUDIT_KEY=OTHER, HARBOR_AUDIT_KEY_FALLBACKS=[KEY])
def test_the_keyring_signs_with_the_current_key_and_verifies_with_fallbacks():
    ring = keyring()
    assert ring.current.key_id == parse_key(OTHER).key_id
    old = Keyring(parse_key(KEY), {}).sign("event", b"m")
    assert ring.check("event", b"m", old) is True
    assert key_id_of(ring.sign("event", b"m")) == parse_key(OTHER).key_id
