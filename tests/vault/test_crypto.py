"""The vault's primitives: every blob opens only with its key and its exact context."""

from __future__ import annotations

import struct

import pytest

from vault import crypto, envelope
from vault.exceptions import DecryptionError, FormatError, InvalidPassphraseError

AAD = b"harbor/v1|report=r1|section=narrative|item=|schema=1"
FAST_ARGON2 = {"memory_cost": 8, "iterations": 1, "lanes": 1}


@pytest.fixture(scope="module")
def keypair() -> crypto.KeyPair:
    return crypto.generate_keypair()


def _flipped(blob: bytes, position: int, mask: int = 0x01) -> bytes:
    altered = bytearray(blob)
    altered[position] ^= mask
    return bytes(altered)


# --- AES-256-GCM ------------------------------------------------------------


def test_it_round_trips_aead():
    key = crypto.random_key()
    blob = crypto.aead_encrypt(key, b"he took my phone", AAD)
    assert crypto.aead_decrypt(key, blob, AAD) == b"he took my phone"


def test_it_does_not_leave_plaintext_in_the_aead_blob():
    key = crypto.random_key()
    blob = crypto.aead_encrypt(key, b"Sunrise Motel room 12", AAD)
    assert b"Sunrise" not in blob
    assert key not in blob


def test_it_uses_a_fresh_nonce_each_time():
    key = crypto.random_key()
    first = crypto.aead_encrypt(key, b"same", AAD)
    second = crypto.aead_encrypt(key, b"same", AAD)
    assert first != second
    assert first[3:15] != second[3:15]


def test_it_writes_a_self_describing_header():
    blob = crypto.aead_encrypt(crypto.random_key(), b"x", AAD)
    alg, kid, body = crypto.parse_header(blob)
    assert blob[0] == crypto.VERSION
    assert alg == crypto.ALG_AES256GCM
    assert kid == b""
    assert len(body) == crypto.NONCE_BYTES + 1 + 16


@pytest.mark.parametrize("mask", [0x01, 0x80, 0xFF])
def test_it_refuses_an_aead_blob_altered_at_any_byte(mask):
    key = crypto.random_key()
    blob = crypto.aead_encrypt(key, b"short secret", AAD)
    for position in range(len(blob)):
        with pytest.raises((DecryptionError, FormatError)):
            crypto.aead_decrypt(key, _flipped(blob, position, mask), AAD)


def test_it_refuses_a_truncated_or_extended_aead_blob():
    key = crypto.random_key()
    blob = crypto.aead_encrypt(key, b"short secret", AAD)
    for length in range(len(blob)):
        with pytest.raises((DecryptionError, FormatError)):
            crypto.aead_decrypt(key, blob[:length], AAD)
    with pytest.raises(DecryptionError):
        crypto.aead_decrypt(key, blob + b"\x00", AAD)


def test_it_refuses_the_wrong_aead_key():
    blob = crypto.aead_encrypt(crypto.random_key(), b"secret", AAD)
    with pytest.raises(DecryptionError):
        crypto.aead_decrypt(crypto.random_key(), blob, AAD)


def test_it_refuses_a_changed_aad():
    key = crypto.random_key()
    blob = crypto.aead_encrypt(key, b"secret", AAD)
    for other in (b"", AAD[:-1], AAD + b" ", AAD.replace(b"r1", b"r2")):
        with pytest.raises(DecryptionError):
            crypto.aead_decrypt(key, blob, other)


# --- The AAD a report section is bound to: report id, section, item, schema --

DEK = bytes(range(32))


def _section_blob():
    return envelope.encrypt_section(DEK, "a" * 32, "messages", b"I am scared", item="7")


def test_it_opens_a_section_with_its_exact_context():
    blob = _section_blob()
    assert envelope.decrypt_section(DEK, "a" * 32, "messages", blob, item="7") == b"I am scared"
    key = envelope._section_key(DEK, "messages")
    assert crypto.aead_decrypt(key, blob, envelope._aad("a" * 32, "messages", "7", schema=1)) == b"I am scared"


@pytest.mark.parametrize(
    "report_id,section,item,schema",
    [
        ("b" * 32, "messages", "7", 1),  # another report
        ("a" * 31, "messages", "7", 1),  # a prefix of the id
        ("a" * 32, "notes", "7", 1),  # another section name in the AAD
        ("a" * 32, "messages", "8", 1),  # another item
        ("a" * 32, "messages", "", 1),  # no item
        ("a" * 32, "messages", "7", 2),  # another schema version
    ],
)
def test_it_refuses_any_changed_aad_part(report_id, section, item, schema):
    blob = _section_blob()
    key = envelope._section_key(DEK, "messages")  # the right key: only the AAD differs
    with pytest.raises(DecryptionError):
        crypto.aead_decrypt(key, blob, envelope._aad(report_id, section, item, schema=schema))


# --- HPKE (ML-KEM-768 + X25519, HKDF-SHA256, AES-256-GCM) ---------------------


def test_it_round_trips_hpke(keypair):
    dek = crypto.random_key()
    blob = crypto.hpke_wrap(keypair.public, dek, b"harbor/v1/report-dek/abc")
    assert crypto.hpke_unwrap(keypair.private, blob, b"harbor/v1/report-dek/abc") == dek
    assert dek not in blob


def test_it_records_the_key_id_in_an_hpke_wrap(keypair):
    blob = crypto.hpke_wrap(keypair.public, b"k" * 32, b"info")
    assert crypto.wrapped_key_id(blob) == keypair.key_id == crypto.key_id(keypair.public)
    assert len(keypair.key_id) == 8
    assert crypto.parse_header(blob)[0] == crypto.ALG_HPKE_MLKEM768X25519
    other = crypto.generate_keypair()
    assert crypto.wrapped_key_id(crypto.hpke_wrap(other.public, b"k" * 32, b"info")) != keypair.key_id


def test_it_refuses_an_hpke_info_mismatch(keypair):
    blob = crypto.hpke_wrap(keypair.public, b"k" * 32, b"harbor/v1/report-dek/abc")
    for info in (b"harbor/v1/report-dek/abd", b"harbor/v1/report-dek/ab", b"", b"harbor/v1/org-key-grant/abc"):
        with pytest.raises(DecryptionError):
            crypto.hpke_unwrap(keypair.private, blob, info)


def test_it_refuses_the_wrong_hpke_private_key(keypair):
    blob = crypto.hpke_wrap(keypair.public, b"k" * 32, b"info")
    with pytest.raises(DecryptionError):
        crypto.hpke_unwrap(crypto.generate_keypair().private, blob, b"info")


def test_it_refuses_an_hpke_wrap_altered_at_any_byte(keypair):
    # The key id in the header included: a wrap that lies about its key must not open.
    blob = crypto.hpke_wrap(keypair.public, b"k" * 32, b"info")
    for position in range(len(blob)):
        with pytest.raises((DecryptionError, FormatError)):
            crypto.hpke_unwrap(keypair.private, _flipped(blob, position), b"info")


def test_it_refuses_an_aead_blob_given_to_hpke_and_back(keypair):
    aead_blob = crypto.aead_encrypt(crypto.random_key(), b"x" * 32, b"info")
    with pytest.raises(FormatError):
        crypto.hpke_unwrap(keypair.private, aead_blob, b"info")
    hpke_blob = crypto.hpke_wrap(keypair.public, b"k" * 32, b"info")
    with pytest.raises(FormatError):
        crypto.aead_decrypt(crypto.random_key(), hpke_blob, b"info")


def test_it_refuses_malformed_key_material(keypair):
    blob = crypto.hpke_wrap(keypair.public, b"k" * 32, b"info")
    with pytest.raises(FormatError):
        crypto.hpke_unwrap(keypair.private[:-1], blob, b"info")
    with pytest.raises(FormatError):
        crypto.hpke_wrap(keypair.public[:-1], b"k" * 32, b"info")


# --- Headers of garbage -----------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x01",
        b"\x01\x01",
        b"\x00\x01\x00" + b"x" * 40,  # version 0
        b"\x02\x01\x00" + b"x" * 40,  # a version from the future
        b"\xff" * 64,
        b"\x01\x02\x08abc",  # key id longer than the blob
        b"not a ciphertext at all",
    ],
)
def test_it_refuses_garbage_with_a_format_error(garbage):
    with pytest.raises(FormatError):
        crypto.parse_header(garbage)
    with pytest.raises(FormatError):
        crypto.aead_decrypt(crypto.random_key(), garbage, AAD)


def test_it_refuses_a_well_formed_header_with_a_short_body():
    with pytest.raises(FormatError):
        crypto.aead_decrypt(crypto.random_key(), b"\x01\x01\x00" + b"x" * 27, AAD)


# --- Passphrase blobs (staff private keys) ------------------------------------


def test_it_round_trips_a_passphrase_blob():
    blob = crypto.passphrase_encrypt("correct horse", b"private key", b"aad", **FAST_ARGON2)
    assert crypto.passphrase_decrypt("correct horse", blob, b"aad") == b"private key"
    assert b"private key" not in blob


@pytest.mark.parametrize("password", ["correct hors", "Correct horse", "correct horse ", ""])
def test_it_refuses_a_wrong_password(password):
    blob = crypto.passphrase_encrypt("correct horse", b"private key", b"aad", **FAST_ARGON2)
    with pytest.raises(InvalidPassphraseError):
        crypto.passphrase_decrypt(password, blob, b"aad")


def test_it_refuses_a_passphrase_blob_for_another_user():
    blob = crypto.passphrase_encrypt("pw", b"private key", b"harbor/v1/staff-key/1/aa", **FAST_ARGON2)
    with pytest.raises(InvalidPassphraseError):
        crypto.passphrase_decrypt("pw", blob, b"harbor/v1/staff-key/2/aa")


def test_it_records_the_argon2_parameters_in_the_blob():
    blob = crypto.passphrase_encrypt("pw", b"k", b"aad", memory_cost=16, iterations=2, lanes=2)
    alg, kid, body = crypto.parse_header(blob)
    assert (alg, kid) == (crypto.ALG_ARGON2ID_AES256GCM, b"")
    assert struct.unpack(">III", body[:12]) == (16, 2, 2)
    # and they are the ones used: decryption needs no parameters from outside
    assert crypto.passphrase_decrypt("pw", blob, b"aad") == b"k"


def test_it_salts_each_passphrase_blob():
    first = crypto.passphrase_encrypt("pw", b"k", b"aad", **FAST_ARGON2)
    second = crypto.passphrase_encrypt("pw", b"k", b"aad", **FAST_ARGON2)
    assert first[15:31] != second[15:31]


def test_it_refuses_a_passphrase_blob_altered_at_any_byte_quickly():
    # Altered cost parameters must fail with a named error, not run Argon2 with
    # gigabytes of memory or millions of passes (or raise a bare ValueError).
    blob = crypto.passphrase_encrypt("pw", b"private key", b"aad", **FAST_ARGON2)
    for position in range(len(blob)):
        for mask in (0x01, 0xFF):
            with pytest.raises((DecryptionError, FormatError, InvalidPassphraseError)):
                crypto.passphrase_decrypt("pw", _flipped(blob, position, mask), b"aad")


def test_it_refuses_to_write_argon2_parameters_it_could_not_read_back():
    with pytest.raises(ValueError):
        crypto.passphrase_encrypt(
            "pw", b"k", b"aad", memory_cost=8, iterations=crypto.ARGON2_MAX_ITERATIONS + 1, lanes=1
        )
    with pytest.raises(ValueError):
        crypto.passphrase_encrypt(
            "pw", b"k", b"aad", memory_cost=crypto.ARGON2_MAX_MEMORY_KIB + 1, iterations=1, lanes=1
        )


def test_it_compares_in_constant_time_correctly():
    assert crypto.constant_time_equal(b"abc", b"abc")
    assert not crypto.constant_time_equal(b"abc", b"abd")
    assert not crypto.constant_time_equal(b"abc", b"ab")


def test_it_derives_distinct_subkeys_per_purpose():
    key = crypto.random_key()
    assert crypto.hkdf(key, b"a") != crypto.hkdf(key, b"b")
    assert crypto.hkdf(key, b"a") == crypto.hkdf(key, b"a")
    assert len(crypto.hkdf(key, b"a", length=64)) == 64
