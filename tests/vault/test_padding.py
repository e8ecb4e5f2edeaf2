"""Padding: what is stored at rest shows its size class, never its length.

A thief with the database sees each blob's length. Before padding, a
"sensitive" section holding only an immigration answer was 65 bytes for
"undocumented" and 60 for "citizen". These tests hold the vault to its size
classes, to an unambiguous unpadding, and to opening blobs written before
padding existed.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault import crypto, envelope
from vault import referrals as vault_referrals
from vault.exceptions import DecryptionError, FormatError

AAD = b"harbor/v1|report=r1|section=sensitive|item=|schema=1"
RID = "a" * 32
DEK = bytes(range(32))
OVERHEAD = 3 + crypto.NONCE_BYTES + 4 + crypto.TAG_BYTES  # header, nonce, length prefix, tag


def _flipped(blob: bytes, position: int) -> bytes:
    altered = bytearray(blob)
    altered[position] ^= 0x01
    return bytes(altered)


# --- size classes -------------------------------------------------------------------


def test_size_classes_double_from_the_floor_then_step_by_64_kib():
    assert crypto.size_class(0, 1024) == 1024
    assert crypto.size_class(1024, 1024) == 1024
    assert crypto.size_class(1025, 1024) == 2048
    assert crypto.size_class(40_000, 1024) == 65536
    assert crypto.size_class(65536, 1024) == 65536
    assert crypto.size_class(65537, 1024) == 2 * 65536
    assert crypto.size_class(200_001, 1024) == 4 * 65536
    # A floor above the step (an attachment chunk) is one class for everything up to it.
    assert crypto.size_class(1, 256 * 1024) == 256 * 1024
    with pytest.raises(ValueError):
        crypto.size_class(1, 0)


@given(st.integers(min_value=0, max_value=2_000_000), st.sampled_from([16, 1024, 4096, 8192, 256 * 1024]))
def test_a_size_class_holds_its_length_and_wastes_at_most_half(length, floor):
    size = crypto.size_class(length, floor)
    assert size >= length
    if length > floor:
        assert size < 2 * length or size - length < crypto.PAD_STEP


# --- the padded format -----------------------------------------------------------------


@given(st.binary(max_size=3000))
def test_it_round_trips_any_content_however_it_ends(data):
    # Trailing zeros, or content that starts like a length prefix, are content, not padding.
    key = crypto.random_key()
    blob = crypto.aead_encrypt_padded(key, data, AAD, floor=64)
    assert crypto.aead_decrypt(key, blob, AAD) == data


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00" * 100, b"\x00\x00\x00\x05hello\x00\x00", b"x" * 1020])
def test_it_keeps_content_that_looks_like_padding(data):
    key = crypto.random_key()
    assert crypto.aead_decrypt(key, crypto.aead_encrypt_padded(key, data, AAD, floor=1024), AAD) == data


def test_every_length_up_to_the_floor_gives_the_same_blob_length():
    key = crypto.random_key()
    lengths = {len(crypto.aead_encrypt_padded(key, os.urandom(n), AAD, floor=1024)) for n in range(0, 1025, 7)}
    assert lengths == {1024 + OVERHEAD}
    assert len(crypto.aead_encrypt_padded(key, b"x" * 1025, AAD, floor=1024)) == 2048 + OVERHEAD


def test_it_names_the_padded_format_in_the_header():
    blob = crypto.aead_encrypt_padded(crypto.random_key(), b"citizen", AAD, floor=1024)
    alg, kid, _body = crypto.parse_header(blob)
    assert alg == crypto.ALG_AES256GCM_PADDED and kid == b""
    assert b"citizen" not in blob


def test_it_refuses_a_padded_blob_altered_at_any_byte():
    key = crypto.random_key()
    blob = crypto.aead_encrypt_padded(key, b"undocumented", AAD, floor=16)
    for position in range(len(blob)):
        with pytest.raises((DecryptionError, FormatError)):
            crypto.aead_decrypt(key, _flipped(blob, position), AAD)
    for length in range(len(blob)):
        with pytest.raises((DecryptionError, FormatError)):
            crypto.aead_decrypt(key, blob[:length], AAD)


def test_it_refuses_a_blob_relabelled_between_padded_and_unpadded():
    # The header is bound into the padded format's AAD: changing the algorithm byte
    # must fail to authenticate, not hand back padding as content (or content as padding).
    key = crypto.random_key()
    padded = crypto.aead_encrypt_padded(key, b"citizen", AAD, floor=16)
    as_plain = padded[:1] + bytes([crypto.ALG_AES256GCM]) + padded[2:]
    with pytest.raises(DecryptionError):
        crypto.aead_decrypt(key, as_plain, AAD)
    plain = crypto.aead_encrypt(key, b"citizen", AAD)
    as_padded = plain[:1] + bytes([crypto.ALG_AES256GCM_PADDED]) + plain[2:]
    with pytest.raises(DecryptionError):
        crypto.aead_decrypt(key, as_padded, AAD)


@pytest.mark.parametrize(
    "inner",
    [
        b"",  # no length prefix at all
        b"\x00\x00\x00",  # a prefix cut short
        b"\x00\x00\x00\x09short",  # a length longer than what follows
        b"\x00\x00\x00\x02ok\x00\x01",  # padding that is not zeros
    ],
)
def test_it_refuses_malformed_padding_even_when_authentic(inner):
    # Only a key holder could write these; they are refused rather than guessed at.
    key = crypto.random_key()
    header = bytes((crypto.VERSION, crypto.ALG_AES256GCM_PADDED, 0))
    nonce = os.urandom(crypto.NONCE_BYTES)
    blob = header + nonce + crypto.AESGCM(key).encrypt(nonce, inner, header + AAD)
    with pytest.raises(FormatError):
        crypto.aead_decrypt(key, blob, AAD)


# --- sections, chunks and referrals ------------------------------------------------------


def test_a_section_written_before_padding_still_opens():
    # Blobs stored before 2026-12 are algorithm 1, unpadded: they open as they are.
    key = envelope._section_key(DEK, "sensitive")
    legacy = crypto.aead_encrypt(key, b'{"ctx_immigration":"undocumented"}', envelope._aad(RID, "sensitive"))
    assert envelope.decrypt_json(DEK, RID, "sensitive", legacy) == {"ctx_immigration": "undocumented"}
    assert crypto.parse_header(envelope.encrypt_json(DEK, RID, "sensitive", {}))[0] == crypto.ALG_AES256GCM_PADDED


def test_immigration_answers_store_the_same_length():
    lengths = {
        len(envelope.encrypt_json(DEK, RID, "sensitive", {"ctx_immigration": answer}))
        for answer in ("citizen", "permanent_resident", "visa", "undocumented", "prefer_not")
    }
    lengths.add(len(envelope.encrypt_json(DEK, RID, "sensitive", {})))
    assert lengths == {envelope.SECTION_FLOOR + OVERHEAD}


def test_every_chunk_of_every_attachment_has_the_same_length():
    photos = {"p1": os.urandom(1000), "p2": os.urandom(3000), "p3": os.urandom(4096 * 2 + 5)}
    chunks = {item: envelope.encrypt_chunks(DEK, RID, item, data, chunk_size=4096) for item, data in photos.items()}
    assert [len(c) for c in chunks.values()] == [1, 1, 3]
    assert {len(blob) for blobs in chunks.values() for blob in blobs} == {4096 + OVERHEAD}
    for item, data in photos.items():
        assert envelope.decrypt_chunks(DEK, RID, item, chunks[item]) == data


def test_the_default_chunk_is_padded_to_256_kib():
    blobs = envelope.encrypt_chunks(DEK, RID, "p1", b"\xff\xd8 a small photo")
    assert [len(b) for b in blobs] == [envelope.CHUNK_BYTES + OVERHEAD]
    assert envelope.decrypt_chunks(DEK, RID, "p1", blobs) == b"\xff\xd8 a small photo"


def test_a_referral_trace_is_padded_to_its_own_floor():
    short = envelope.encrypt_referral_trace(DEK, RID, "f" * 32, {"removed": []})
    long = envelope.encrypt_referral_trace(DEK, RID, "f" * 32, {"removed": [{"field": "ctx_working"}] * 60})
    assert len(short) == len(long) == envelope.TRACE_FLOOR + OVERHEAD
    assert envelope.decrypt_referral_trace(DEK, RID, "f" * 32, short) == {"removed": []}
    with pytest.raises(DecryptionError):
        envelope.decrypt_referral_trace(DEK, RID, "e" * 32, short)


def test_referral_bodies_and_messages_are_padded():
    key = vault_referrals.new_key()
    plain = vault_referrals.encrypt(key, RID, "body", {"fields": [], "notice": []})
    noticed = vault_referrals.encrypt(key, RID, "body", {"fields": [], "notice": ["protections apply " * 200]})
    assert len(plain) == len(noticed) == vault_referrals.BODY_FLOOR + OVERHEAD
    short = vault_referrals.encrypt(key, RID, "message/1", {"text": "ok"})
    long = vault_referrals.encrypt(key, RID, "message/2", {"text": "é" * 200})
    assert len(short) == len(long) == envelope.SECTION_FLOOR + OVERHEAD
    assert vault_referrals.decrypt(key, RID, "message/2", long) == {"text": "é" * 200}


def test_a_referral_body_written_before_padding_still_opens():
    key = vault_referrals.new_key()
    legacy = crypto.aead_encrypt(
        vault_referrals._part_key(key, "body"), b'{"fields":[]}', vault_referrals._aad(RID, "body")
    )
    assert vault_referrals.decrypt(key, RID, "body", legacy) == {"fields": []}
