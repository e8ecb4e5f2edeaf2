"""Reporter receipts: the only key a reporter holds.

Threat answered: someone who finds the database, or guesses, must not open a
report; the reporter, on a cheap phone, must be able to write the receipt on
paper and type it back. A receipt is 19 symbols from a CSPRNG in Crockford's
base-32 alphabet (95 bits) plus one check symbol, shown in five groups of four.
It is never stored: the server keeps only two keyed derivations with distinct
labels, a lookup id (HMAC-SHA256 with a server pepper) and the reporter key
(HKDF-SHA256) that wraps the report's data key. 95 bits need no slow KDF.
"""

from __future__ import annotations

import secrets
import unicodedata

from vault.crypto import hkdf, hmac_sha256
from vault.exceptions import InvalidReceiptError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_SYMBOLS = 19
LENGTH = DATA_SYMBOLS + 1
ENTROPY_BITS = DATA_SYMBOLS * 5
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
# Letters people confuse with digits, as Crockford's base 32 reads them.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = str.maketrans("", "", " -_.·‐‑‒–—―\t\r\n")


def _check_symbol(symbols: str) -> str:
    # Odd weights are invertible mod 32, so any single wrong symbol changes the
    # check; neighbouring weights differ, so most swaps of two symbols do too.
    total = sum(_INDEX[c] * (2 * i + 1) for i, c in enumerate(symbols))
    return ALPHABET[total % 32]


def generate() -> str:
    """Return a new receipt in canonical form (20 symbols, no separators)."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_SYMBOLS))
    return data + _check_symbol(data)


def display(receipt: str) -> str:
    """Format a canonical receipt as five groups of four: ``ABCD-EFGH-…``."""
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def normalize(text: str) -> str:
    """Return the canonical receipt typed as ``text``, or raise InvalidReceiptError.

    Tolerates spaces, dashes, lower case, full-width characters, and O/I/L/U
    typed for 0/1/1/V. Raises for a wrong length, a character outside the
    alphabet, or a check symbol that does not match (a typo, not a guess).
    """
    cleaned = unicodedata.normalize("NFKC", text or "").translate(_SEPARATORS).upper().translate(_CONFUSABLE)
    if len(cleaned) != LENGTH:
        raise InvalidReceiptError("length")
    if any(c not in _INDEX for c in cleaned):
        raise InvalidReceiptError("alphabet")
    if _check_symbol(cleaned[:DATA_SYMBOLS]) != cleaned[-1]:
        raise InvalidReceiptError("check")
    return cleaned


def lookup_id(receipt: str, pepper: bytes) -> bytes:
    """Return the 32-byte database lookup id: HMAC-SHA256(pepper, label || receipt)."""
    return hmac_sha256(pepper, b"harbor/v1/receipt-lookup\x00" + receipt.encode("ascii"))


def reporter_key(receipt: str) -> bytes:
    """Return the 256-bit key that wraps the report's data key: HKDF-SHA256."""
    return hkdf(receipt.encode("ascii"), info=b"harbor/v1/receipt-key", salt=b"harbor/v1/receipt")
