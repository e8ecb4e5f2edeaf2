"""Sealed tokens: unreadable, unforgeable, short-lived."""

from __future__ import annotations

import base64

import pytest

from vault import crypto, tokens
from vault.exceptions import DecryptionError, ExpiredTokenError

SECRET = "test-secret-" + "s" * 40
NOW = 1_800_000_000.0
PAYLOAD = b'{"narrative": "he took my phone"}'


def _seal(payload: bytes = PAYLOAD, purpose: str = "draft", now: float = NOW) -> str:
    return tokens.seal(SECRET, purpose, payload, now=now)


def test_it_round_trips():
    payload, stamp = tokens.unseal(SECRET, "draft", _seal(), max_age=60, now=NOW + 10)
    assert payload == PAYLOAD
    assert stamp == int(NOW)


def test_it_hides_the_payload():
    token = _seal()
    raw = base64.urlsafe_b64decode(token)
    assert b"phone" not in raw
    assert "phone" not in token
    assert _seal() != _seal()  # fresh nonce each time


def test_it_is_url_safe_text():
    token = _seal(bytes(range(256)) * 10)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def test_it_refuses_a_forged_token():
    forged = base64.urlsafe_b64encode(b"\x01\x01\x00" + b"\x00" * 60).decode()
    with pytest.raises(DecryptionError):
        tokens.unseal(SECRET, "draft", forged, max_age=60, now=NOW)


def test_it_refuses_a_token_sealed_with_another_secret():
    token = tokens.seal("another-secret-" + "x" * 40, "draft", PAYLOAD, now=NOW)
    with pytest.raises(DecryptionError):
        tokens.unseal(SECRET, "draft", token, max_age=60, now=NOW)


def test_it_refuses_a_token_altered_at_any_byte():
    raw = base64.urlsafe_b64decode(_seal())
    for position in range(len(raw)):
        altered = bytearray(raw)
        altered[position] ^= 0x01
        token = base64.urlsafe_b64encode(bytes(altered)).decode()
        with pytest.raises(DecryptionError):
            tokens.unseal(SECRET, "draft", token, max_age=60, now=NOW)


def test_it_refuses_a_truncated_token():
    token = _seal()
    for cut in (1, 4, 8, len(token) // 2, len(token) - 4):
        with pytest.raises(DecryptionError):
            tokens.unseal(SECRET, "draft", token[:cut], max_age=60, now=NOW)


@pytest.mark.parametrize("other", ["photos", "check", "draft2", "Draft", ""])
def test_it_refuses_a_token_sealed_for_another_purpose(other):
    with pytest.raises(DecryptionError):
        tokens.unseal(SECRET, other, _seal(purpose="draft"), max_age=60, now=NOW)


def test_it_refuses_an_expired_token():
    token = _seal(now=NOW)
    assert tokens.unseal(SECRET, "draft", token, max_age=60, now=NOW + 60)[0] == PAYLOAD
    with pytest.raises(ExpiredTokenError):
        tokens.unseal(SECRET, "draft", token, max_age=60, now=NOW + 61)
    with pytest.raises(ExpiredTokenError):
        tokens.unseal(SECRET, "draft", token, max_age=60, now=NOW + 86400 * 365)


def test_it_refuses_a_future_dated_token():
    token = _seal(now=NOW + 3600)
    with pytest.raises(ExpiredTokenError):
        tokens.unseal(SECRET, "draft", token, max_age=7200, now=NOW)
    # A minute of clock skew between servers is tolerated.
    assert tokens.unseal(SECRET, "draft", _seal(now=NOW + 60), max_age=60, now=NOW)[0] == PAYLOAD
    with pytest.raises(ExpiredTokenError):
        tokens.unseal(SECRET, "draft", _seal(now=NOW + 61), max_age=60, now=NOW)


def test_it_uses_the_real_clock_by_default():
    token = tokens.seal(SECRET, "draft", PAYLOAD)
    assert tokens.unseal(SECRET, "draft", token, max_age=60)[0] == PAYLOAD
    with pytest.raises(ExpiredTokenError):
        tokens.unseal(SECRET, "draft", _seal(now=NOW - 86400 * 3650), max_age=60)


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "!!!!",
        "abc",  # bad padding
        "a",
        "=====",
        "é-not-ascii",
        "\x00\x00\x00\x00",
        "AAAA" * 10,
        "A" * 2_000_000,  # huge
    ],
    ids=["empty", "punctuation", "bad-padding", "one-char", "padding-only", "non-ascii", "nul", "zeros", "huge"],
)
def test_it_refuses_malformed_base64(malformed):
    with pytest.raises(DecryptionError):
        tokens.unseal(SECRET, "draft", malformed, max_age=60, now=NOW)


def test_it_refuses_a_zip_bomb():
    # 65 MiB of zeros compresses to about 64 KiB; unsealing must stop at 64 MiB.
    token = _seal(b"\x00" * (65 * 1024 * 1024))
    assert len(token) < 200_000
    with pytest.raises(DecryptionError):
        tokens.unseal(SECRET, "draft", token, max_age=60, now=NOW)


def test_it_refuses_a_sealed_payload_that_is_not_zlib():
    # Only the holder of the secret can make this, but it must still fail by name.
    key = tokens._key(SECRET, "draft")
    blob = crypto.aead_encrypt(key, int(NOW).to_bytes(8, "big") + b"not zlib", b"draft")
    with pytest.raises(DecryptionError):
        tokens.unseal(SECRET, "draft", base64.urlsafe_b64encode(blob).decode(), max_age=60, now=NOW)
