"""Envelope encryption of reports.

Each report has a fresh 256-bit data key (DEK). Each section is encrypted
separately with AES-256-GCM under a subkey HKDF-derived from the DEK and the
section name; the AAD binds report id, section and schema version, so a
section copied to another report or slot fails to open, and a referral can
never carry a section it did not select. The DEK is wrapped twice: with HPKE
to the organisation's intake public key (the server can encrypt but never
decrypt) and with AES-256-GCM under the reporter's receipt key.

Every section, message, note and attachment chunk is padded to a size class
before it is encrypted (vault.crypto.aead_encrypt_padded), so its length does
not give its content away: every section holding only choices, and every
answer up to about 200 characters, is stored at the same size
(docs/architecture.md, "What the server can see").
"""

from __future__ import annotations

import json
from typing import Any

from policy.catalogue import default_catalogue
from vault.crypto import aead_decrypt, aead_encrypt, aead_encrypt_padded, hkdf, hpke_unwrap, hpke_wrap, random_key

SCHEMA_VERSION = 1

# The smallest size class of a section, message or note (bytes of JSON). The
# largest section of choices alone (every crime type, every need: the summary)
# is under 400 bytes, and 200 characters of any script (4 bytes each at most)
# with their JSON fit too; tests/vault/test_padding.py holds both to it.
SECTION_FLOOR = 1024
# A referral's trace names the fields and rules the policy applied: which
# fields it removed says which questions were answered, so its floor is set
# above the largest trace of a report of choices alone (about 1.3 kB).
TRACE_FLOOR = 4096
CHUNK_BYTES = 256 * 1024

# The labels under which a report's parts are encrypted: the summary (what the queue and
# statistics read), the sections of the field catalogue (policy/data/catalogue.toml, the one
# place they are named), and the items kept in rows of their own.
SECTIONS = ("summary", *default_catalogue().sections, "attachments", "messages", "notes")


def new_dek() -> bytes:
    """Return a fresh 256-bit report data key."""
    return random_key()


def _aad(report_id: str, section: str, item: str = "", schema: int = SCHEMA_VERSION) -> bytes:
    return f"harbor/v1|report={report_id}|section={section}|item={item}|schema={schema}".encode()


def _section_key(dek: bytes, section: str) -> bytes:
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}")
    return hkdf(dek, info=f"harbor/v1/section/{section}".encode())


def encrypt_section(
    dek: bytes, report_id: str, section: str, data: bytes, item: str = "", *, floor: int = SECTION_FLOOR
) -> bytes:
    """Encrypt one section (or one item of it, such as a message) of a report, padded to its size class."""
    return aead_encrypt_padded(_section_key(dek, section), data, _aad(report_id, section, item), floor=floor)


def decrypt_section(dek: bytes, report_id: str, section: str, blob: bytes, item: str = "") -> bytes:
    """Decrypt one section; raise DecryptionError if anything does not match."""
    return aead_decrypt(_section_key(dek, section), bytes(blob), _aad(report_id, section, item))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def encrypt_json(dek: bytes, report_id: str, section: str, value: Any, item: str = "") -> bytes:
    """Encrypt a JSON-serialisable section value."""
    return encrypt_section(dek, report_id, section, _json(value), item)


def decrypt_json(dek: bytes, report_id: str, section: str, blob: bytes, item: str = "") -> Any:
    """Decrypt a section written by :func:`encrypt_json`."""
    return json.loads(decrypt_section(dek, report_id, section, blob, item))


def _trace_item(referral_id: str) -> str:
    return f"referral-trace/{referral_id}"


def encrypt_referral_trace(dek: bytes, report_id: str, referral_id: str, trace: Any) -> bytes:
    """Encrypt a referral's policy trace under the report key (advocates only), padded to TRACE_FLOOR."""
    return encrypt_section(dek, report_id, "notes", _json(trace), _trace_item(referral_id), floor=TRACE_FLOOR)


def decrypt_referral_trace(dek: bytes, report_id: str, referral_id: str, blob: bytes) -> Any:
    """Decrypt a trace written by :func:`encrypt_referral_trace`."""
    return json.loads(decrypt_section(dek, report_id, "notes", blob, _trace_item(referral_id)))


def _dek_info(report_id: str) -> bytes:
    return f"harbor/v1/report-dek/{report_id}".encode()


def wrap_dek_to_org(dek: bytes, report_id: str, org_public: bytes) -> bytes:
    """Wrap a DEK with HPKE to the organisation intake key, bound to the report id."""
    return hpke_wrap(org_public, dek, _dek_info(report_id))


def unwrap_dek_with_org(blob: bytes, report_id: str, org_private) -> bytes:
    """Open the organisation's wrap of a DEK."""
    return hpke_unwrap(org_private, bytes(blob), _dek_info(report_id))


def wrap_dek_to_receipt(dek: bytes, report_id: str, reporter_key: bytes) -> bytes:
    """Wrap a DEK under the reporter's receipt key (AES-256-GCM), bound to the report id."""
    return aead_encrypt(reporter_key, dek, _dek_info(report_id))


def unwrap_dek_with_receipt(blob: bytes, report_id: str, reporter_key: bytes) -> bytes:
    """Open the reporter's wrap of a DEK."""
    return aead_decrypt(reporter_key, bytes(blob), _dek_info(report_id))


def encrypt_chunks(dek: bytes, report_id: str, item: str, data: bytes, chunk_size: int = CHUNK_BYTES) -> list[bytes]:
    """Encrypt an attachment in chunks; each chunk's AAD holds its index and a last flag.

    Chunks cannot be reordered, dropped or truncated without decryption failing.
    The last chunk is padded to a whole chunk, so every chunk has the same
    length and an attachment shows only how many chunks it has (its size to
    the next 256 KiB), not its exact size.
    """
    pieces = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] or [b""]
    last = len(pieces) - 1
    return [
        encrypt_section(
            dek, report_id, "attachments", piece, f"{item}/{i}/{'last' if i == last else 'more'}", floor=chunk_size
        )
        for i, piece in enumerate(pieces)
    ]


def decrypt_chunks(dek: bytes, report_id: str, item: str, blobs: list[bytes]) -> bytes:
    """Decrypt the chunks written by :func:`encrypt_chunks`, in order."""
    last = len(blobs) - 1
    return b"".join(
        decrypt_section(dek, report_id, "attachments", blob, f"{item}/{i}/{'last' if i == last else 'more'}")
        for i, blob in enumerate(blobs)
    )
