"""Second-factor secrets at rest: seeds sealed to their account, recovery codes only recognisable."""

from __future__ import annotations

import pytest
from django.test import override_settings

from vault import crypto, otp
from vault.exceptions import DecryptionError, FormatError

SEED = bytes(range(20))
OLD_KEY, NEW_KEY = "aa" * 32, "bb" * 32
CODE = "k7xq2mzd"


@override_settings(HARBOR_OTP_KEY=OLD_KEY, HARBOR_OTP_KEY_FALLBACKS=[])
def test_a_seed_opens_only_for_its_account():
    blob = otp.seal_seed(SEED, 7)
    assert otp.open_seed(blob, 7) == SEED
    with pytest.raises(DecryptionError):
        otp.open_seed(blob, 8)  # a sealed seed copied onto another account's row


@override_settings(HARBOR_OTP_KEY=OLD_KEY, HARBOR_OTP_KEY_FALLBACKS=[])
def test_a_sealed_seed_holds_nothing_readable_and_names_its_key():
    blob = otp.seal_seed(SEED, 7)
    assert SEED not in blob and SEED.hex().encode() not in blob
    alg, kid, _body = crypto.parse_header(blob)
    assert alg == crypto.ALG_AES256GCM and len(kid) == 8
    assert otp.seal_seed(SEED, 7) != blob  # a fresh nonce each time


@override_settings(HARBOR_OTP_KEY=OLD_KEY, HARBOR_OTP_KEY_FALLBACKS=[])
def test_an_altered_sealed_seed_does_not_open():
    blob = otp.seal_seed(SEED, 7)
    for position in range(3, len(blob)):  # the key id, the nonce, the ciphertext, the tag
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            otp.open_seed(bytes(altered), 7)
    with pytest.raises(FormatError):
        otp.open_seed(b"\x09" + blob[1:], 7)


def test_a_seed_opens_under_a_fallback_key_while_the_key_rotates():
    with override_settings(HARBOR_OTP_KEY=OLD_KEY, HARBOR_OTP_KEY_FALLBACKS=[]):
        blob = otp.seal_seed(SEED, 7)
        assert otp.sealed_with_current_key(blob)
    with override_settings(HARBOR_OTP_KEY=NEW_KEY, HARBOR_OTP_KEY_FALLBACKS=[OLD_KEY]):
        assert otp.open_seed(blob, 7) == SEED
        assert not otp.sealed_with_current_key(blob)
        assert otp.sealed_with_current_key(otp.seal_seed(SEED, 7))
    with override_settings(HARBOR_OTP_KEY=NEW_KEY, HARBOR_OTP_KEY_FALLBACKS=[]), pytest.raises(DecryptionError):
        otp.open_seed(blob, 7)


@override_settings(HARBOR_OTP_KEY=OLD_KEY, HARBOR_OTP_KEY_FALLBACKS=[])
def test_a_recovery_digest_recognises_its_code_for_its_account_only():
    digest = otp.recovery_digest(CODE, 7)
    assert otp.recovery_matches(CODE, 7, digest)
    assert not otp.recovery_matches(CODE, 8, digest)
    assert not otp.recovery_matches("k7xq2mze", 7, digest)
    assert not otp.recovery_matches("", 7, digest)
    assert CODE.encode() not in digest and CODE.upper().encode() not in digest
    alg, kid, tag = crypto.parse_header(digest)
    assert alg == crypto.ALG_HMAC_SHA256 and len(kid) == 8 and len(tag) == 32


def test_a_recovery_digest_needs_the_key():
    with override_settings(HARBOR_OTP_KEY=OLD_KEY, HARBOR_OTP_KEY_FALLBACKS=[]):
        digest = otp.recovery_digest(CODE, 7)
    with override_settings(HARBOR_OTP_KEY=NEW_KEY, HARBOR_OTP_KEY_FALLBACKS=[OLD_KEY]):
        assert otp.recovery_matches(CODE, 7, digest)
        assert otp.recovery_digest(CODE, 7) != digest
    with override_settings(HARBOR_OTP_KEY=NEW_KEY, HARBOR_OTP_KEY_FALLBACKS=[]):
        assert not otp.recovery_matches(CODE, 7, digest)


def test_a_mac_tag_is_compared_whole():
    key = bytes(32)
    tag = crypto.mac(key, b"message", kid=b"k")
    assert crypto.mac_matches(key, b"message", tag)
    assert not crypto.mac_matches(key, b"message", tag[:-1])
    assert not crypto.mac_matches(bytes([1]) * 32, b"message", tag)
    with pytest.raises(FormatError):
        crypto.mac_matches(key, b"message", crypto.aead_encrypt(key, b"x", b""))
