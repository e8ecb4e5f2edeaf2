"""Envelope encryption: sections, chunks and data-key wraps stay where they were written."""

from __future__ import annotations

import pytest

from vault import crypto, envelope, receipts
from vault.exceptions import DecryptionError, FormatError

RID = "a" * 32
OTHER_RID = "b" * 32


@pytest.fixture(scope="module")
def org() -> crypto.KeyPair:
    return crypto.generate_keypair()


@pytest.fixture
def dek() -> bytes:
    return envelope.new_dek()


def test_it_round_trips_a_json_section(dek):
    value = {"narrative": "He pushed me. Ñandú 🙂", "list": ["a", "b"]}
    blob = envelope.encrypt_json(dek, RID, "narrative", value)
    assert envelope.decrypt_json(dek, RID, "narrative", blob) == value
    assert b"pushed" not in blob


def test_it_gives_each_report_a_fresh_dek():
    assert envelope.new_dek() != envelope.new_dek()
    assert len(envelope.new_dek()) == 32


def test_it_refuses_an_unknown_section(dek):
    with pytest.raises(ValueError):
        envelope.encrypt_section(dek, RID, "everything", b"x")
    with pytest.raises(ValueError):
        envelope.decrypt_section(dek, RID, "everything", envelope.encrypt_section(dek, RID, "notes", b"x"))


# --- section isolation ----------------------------------------------------------


def test_it_refuses_a_section_moved_to_another_report(dek):
    blob = envelope.encrypt_json(dek, RID, "sensitive", {"ctx_working": "yes"})
    with pytest.raises(DecryptionError):
        envelope.decrypt_json(dek, OTHER_RID, "sensitive", blob)


@pytest.mark.parametrize("other", [s for s in envelope.SECTIONS if s != "sensitive"])
def test_it_refuses_a_section_moved_to_another_section(dek, other):
    blob = envelope.encrypt_json(dek, RID, "sensitive", {"ctx_working": "yes"})
    with pytest.raises(DecryptionError):
        envelope.decrypt_json(dek, RID, other, blob)


def test_sections_use_distinct_subkeys(dek):
    # Even with a forged AAD, one section's key does not open another section.
    blob = envelope.encrypt_section(dek, RID, "sensitive", b"undocumented")
    wrong_key = envelope._section_key(dek, "incident")
    with pytest.raises(DecryptionError):
        crypto.aead_decrypt(wrong_key, blob, envelope._aad(RID, "sensitive"))
    keys = {envelope._section_key(dek, s) for s in envelope.SECTIONS}
    assert len(keys) == len(envelope.SECTIONS)
    assert dek not in keys


def test_it_refuses_a_message_moved_to_another_item(dek):
    blob = envelope.encrypt_json(dek, RID, "messages", {"text": "hi"}, item="1")
    assert envelope.decrypt_json(dek, RID, "messages", blob, item="1") == {"text": "hi"}
    with pytest.raises(DecryptionError):
        envelope.decrypt_json(dek, RID, "messages", blob, item="2")


def test_it_refuses_another_reports_dek(dek):
    blob = envelope.encrypt_json(dek, RID, "narrative", {"narrative": "x"})
    with pytest.raises(DecryptionError):
        envelope.decrypt_json(envelope.new_dek(), RID, "narrative", blob)


# --- chunks ------------------------------------------------------------------------

DATA = bytes(range(256)) * 4 + b"tail"  # 1028 bytes: five chunks of 256 and one of 4


def _chunks(dek, item="p1"):
    blobs = envelope.encrypt_chunks(dek, RID, item, DATA, chunk_size=256)
    assert len(blobs) == 5
    return blobs


def test_it_round_trips_chunks(dek):
    assert envelope.decrypt_chunks(dek, RID, "p1", _chunks(dek)) == DATA


def test_it_round_trips_an_empty_attachment(dek):
    blobs = envelope.encrypt_chunks(dek, RID, "p1", b"", chunk_size=256)
    assert len(blobs) == 1
    assert envelope.decrypt_chunks(dek, RID, "p1", blobs) == b""


def test_it_refuses_reordered_chunks(dek):
    blobs = _chunks(dek)
    for i in range(len(blobs) - 1):
        swapped = list(blobs)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        with pytest.raises(DecryptionError):
            envelope.decrypt_chunks(dek, RID, "p1", swapped)


def test_it_refuses_a_dropped_chunk(dek):
    blobs = _chunks(dek)
    for i in range(len(blobs)):
        with pytest.raises(DecryptionError):
            envelope.decrypt_chunks(dek, RID, "p1", blobs[:i] + blobs[i + 1 :])


def test_it_refuses_a_truncated_attachment(dek):
    blobs = _chunks(dek)
    for keep in range(1, len(blobs)):
        with pytest.raises(DecryptionError):
            envelope.decrypt_chunks(dek, RID, "p1", blobs[:keep])


def test_it_refuses_a_duplicated_or_appended_chunk(dek):
    blobs = _chunks(dek)
    with pytest.raises(DecryptionError):
        envelope.decrypt_chunks(dek, RID, "p1", blobs + [blobs[-1]])
    with pytest.raises(DecryptionError):
        envelope.decrypt_chunks(dek, RID, "p1", [blobs[0], *blobs[:-1]])


def test_it_refuses_a_chunk_cut_short(dek):
    blobs = _chunks(dek)
    with pytest.raises((DecryptionError, FormatError)):
        envelope.decrypt_chunks(dek, RID, "p1", [*blobs[:-1], blobs[-1][:-1]])


def test_it_refuses_chunks_moved_to_another_attachment_or_report(dek):
    blobs = _chunks(dek)
    with pytest.raises(DecryptionError):
        envelope.decrypt_chunks(dek, RID, "p2", blobs)
    with pytest.raises(DecryptionError):
        envelope.decrypt_chunks(dek, OTHER_RID, "p1", blobs)
    mixed = _chunks(dek, "p2")
    with pytest.raises(DecryptionError):
        envelope.decrypt_chunks(dek, RID, "p1", [*blobs[:2], mixed[2], *blobs[3:]])


# --- DEK wraps ------------------------------------------------------------------------


def test_it_wraps_the_dek_to_the_org_bound_to_the_report(dek, org):
    wrap = envelope.wrap_dek_to_org(dek, RID, org.public)
    assert envelope.unwrap_dek_with_org(wrap, RID, org.private) == dek
    assert crypto.wrapped_key_id(wrap) == org.key_id
    with pytest.raises(DecryptionError):
        envelope.unwrap_dek_with_org(wrap, OTHER_RID, org.private)
    with pytest.raises(DecryptionError):
        envelope.unwrap_dek_with_org(wrap, RID, crypto.generate_keypair().private)


def test_it_wraps_the_dek_to_the_receipt_bound_to_the_report(dek):
    receipt = receipts.generate()
    key = receipts.reporter_key(receipt)
    wrap = envelope.wrap_dek_to_receipt(dek, RID, key)
    assert envelope.unwrap_dek_with_receipt(wrap, RID, key) == dek
    assert dek not in wrap
    with pytest.raises(DecryptionError):
        envelope.unwrap_dek_with_receipt(wrap, OTHER_RID, key)
    with pytest.raises(DecryptionError):
        envelope.unwrap_dek_with_receipt(wrap, RID, receipts.reporter_key(receipts.generate()))


def test_a_receipt_wrap_is_not_a_section(dek):
    # The wrap's context is the DEK purpose, not any section: it does not open as one.
    key = receipts.reporter_key(receipts.generate())
    wrap = envelope.wrap_dek_to_receipt(dek, RID, key)
    for section in envelope.SECTIONS:
        with pytest.raises(DecryptionError):
            crypto.aead_decrypt(key, wrap, envelope._aad(RID, section))
