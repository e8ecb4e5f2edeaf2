"""Receipts: enough entropy, forgiving to type, strict about typos, and keyed derivations that match the spec."""

from __future__ import annotations

import hashlib
import hmac
import math

import pytest

from vault import receipts
from vault.exceptions import InvalidReceiptError

# Known-answer vector. The receipt's check symbol is computed by hand below too.
KAT_RECEIPT = "0123456789ABCDEFGHJ5"
KAT_PEPPER = bytes.fromhex("00112233445566778899aabbccddeeff" * 2)
KAT_LOOKUP_ID = "fde9ff15e28c27f64eb85354e36ffabc0a92ecf420d7ad3c295dd3ab04b65914"
KAT_REPORTER_KEY = "ab5649ae28a26214a597fb87914acfdbe6c7724564d960edacfdea0b3465bfc6"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 written from the stdlib, independent of the vault's implementation."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block = b"", b""
    for counter in range(1, math.ceil(length / 32) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
    return okm[:length]


def test_hkdf_helper_matches_rfc5869_test_case_1():
    # RFC 5869 appendix A.1, so the independent helper is itself checked.
    okm = _hkdf_sha256(
        bytes.fromhex("0b" * 22), bytes.fromhex("000102030405060708090a0b0c"), bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42
    )
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")


# --- entropy and shape --------------------------------------------------------


def test_it_has_at_least_80_bits_of_entropy():
    assert receipts.ALPHABET == CROCKFORD
    assert len(set(receipts.ALPHABET)) == 32
    assert receipts.DATA_SYMBOLS * math.log2(len(receipts.ALPHABET)) == receipts.ENTROPY_BITS
    assert receipts.ENTROPY_BITS >= 80
    assert receipts.LENGTH == receipts.DATA_SYMBOLS + 1


def test_it_generates_canonical_receipts_from_the_alphabet():
    seen = set()
    for _ in range(500):
        receipt = receipts.generate()
        assert len(receipt) == receipts.LENGTH == 20
        assert set(receipt) <= set(CROCKFORD)
        assert receipts.normalize(receipt) == receipt
        seen.add(receipt)
    assert len(seen) == 500


def test_it_uses_every_symbol_in_every_position():
    # A biased or stuck generator would leave symbols unused somewhere.
    counts = [set() for _ in range(receipts.DATA_SYMBOLS)]
    for _ in range(2000):
        for i, symbol in enumerate(receipts.generate()[: receipts.DATA_SYMBOLS]):
            counts[i].add(symbol)
    assert all(len(symbols) == 32 for symbols in counts)


def test_it_displays_five_groups_of_four():
    assert receipts.display(KAT_RECEIPT) == "0123-4567-89AB-CDEF-GHJ5"


# --- typing it back -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "0123456789ABCDEFGHJ5",
        "0123-4567-89AB-CDEF-GHJ5",
        "0123 4567 89AB CDEF GHJ5",
        "  0123 4567\t89ab cdef ghj5 \n",
        "0123456789abcdefghj5",
        "0123–4567–89AB–CDEF–GHJ5",  # en dash, as phones autocorrect
        "0123—4567—89AB—CDEF—GHJ5",  # em dash
        "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪ５",  # full-width digits and letters
        "０１２３－４５６７－８９ａｂ－ｃｄｅｆ－ｇｈｊ５",  # full-width, lower case, with dashes
        "O123456789ABCDEFGHJ5",  # letter O for zero
        "o123456789ABCDEFGHJ5",
        "0I23456789ABCDEFGHJ5",  # letter I for one
        "0l23456789ABCDEFGHJ5",  # lower-case L for one
        "0L23456789ABCDEFGHJ5",
        "0123.4567.89AB.CDEF.GHJ5",
    ],
)
def test_it_normalizes_what_people_type(typed):
    assert receipts.normalize(typed) == KAT_RECEIPT


def test_it_reads_u_as_v():
    data = "VVVVVVVVVVVVVVVVVVV"
    receipt = data + receipts._check_symbol(data)
    assert receipts.normalize(receipt.replace("V", "u")) == receipt


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "0123456789ABCDEFGHJ",  # one short
        "0123456789ABCDEFGHJ55",  # one long
        "0123456789ABCDEFGHJ5" * 2,
        "0123456789ABCDEFGH*5",  # not in the alphabet
        "0123456789ABCDEFGHÄ5",
        "0123456789ABCDEFGH\x005",
        "0123456789ABCDEFGHJ\u202e5",
        "0123456789ABCDEFGHJ6",  # wrong check symbol
        "1023456789ABCDEFGHJ5",  # two symbols swapped
    ],
)
def test_it_refuses_malformed_receipts(typed):
    with pytest.raises(InvalidReceiptError):
        receipts.normalize(typed)


def test_it_detects_every_single_symbol_substitution():
    receipt = receipts.generate()
    tried = 0
    for position in range(receipts.LENGTH):
        for symbol in CROCKFORD:
            if symbol == receipt[position]:
                continue
            typo = receipt[:position] + symbol + receipt[position + 1 :]
            with pytest.raises(InvalidReceiptError):
                receipts.normalize(typo)
            tried += 1
    assert tried == receipts.LENGTH * 31


def test_check_symbol_is_the_weighted_sum_mod_32():
    data = KAT_RECEIPT[:19]
    total = sum(CROCKFORD.index(c) * (2 * i + 1) for i, c in enumerate(data))
    assert CROCKFORD[total % 32] == KAT_RECEIPT[-1]


# --- keyed derivations: known answers and independent computation ---------------


def test_lookup_id_known_answer():
    assert receipts.lookup_id(KAT_RECEIPT, KAT_PEPPER).hex() == KAT_LOOKUP_ID


def test_lookup_id_is_hmac_sha256_with_its_label():
    expected = hmac.new(KAT_PEPPER, b"harbor/v1/receipt-lookup\x00" + KAT_RECEIPT.encode(), hashlib.sha256).hexdigest()
    assert expected == KAT_LOOKUP_ID


def test_reporter_key_known_answer():
    assert receipts.reporter_key(KAT_RECEIPT).hex() == KAT_REPORTER_KEY


def test_reporter_key_is_rfc5869_hkdf_with_its_label():
    expected = _hkdf_sha256(KAT_RECEIPT.encode(), salt=b"harbor/v1/receipt", info=b"harbor/v1/receipt-key")
    assert expected.hex() == KAT_REPORTER_KEY


def test_distinct_labels_give_distinct_outputs():
    lookup = receipts.lookup_id(KAT_RECEIPT, KAT_PEPPER)
    key = receipts.reporter_key(KAT_RECEIPT)
    assert lookup != key
    # Neither is the unlabelled primitive, so one cannot be computed from the other's inputs.
    assert lookup != hmac.new(KAT_PEPPER, KAT_RECEIPT.encode(), hashlib.sha256).digest()
    assert key != _hkdf_sha256(KAT_RECEIPT.encode(), salt=b"", info=b"")
    assert key != hmac.new(KAT_PEPPER, b"harbor/v1/receipt-key" + KAT_RECEIPT.encode(), hashlib.sha256).digest()


def test_lookup_id_depends_on_the_pepper_and_the_receipt():
    other_receipt = receipts.generate()
    assert receipts.lookup_id(KAT_RECEIPT, KAT_PEPPER) != receipts.lookup_id(KAT_RECEIPT, b"\x22" * 32)
    assert receipts.lookup_id(KAT_RECEIPT, KAT_PEPPER) != receipts.lookup_id(other_receipt, KAT_PEPPER)
    assert receipts.reporter_key(KAT_RECEIPT) != receipts.reporter_key(other_receipt)
    assert len(receipts.lookup_id(KAT_RECEIPT, KAT_PEPPER)) == len(receipts.reporter_key(KAT_RECEIPT)) == 32


def test_derivations_do_not_contain_the_receipt():
    lookup = receipts.lookup_id(KAT_RECEIPT, KAT_PEPPER)
    assert KAT_RECEIPT.encode() not in lookup
    assert KAT_RECEIPT.lower() not in lookup.hex()
