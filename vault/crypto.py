"""Primitives, each from ``cryptography`` (Argon2id from ``argon2-cffi``, see :func:`_argon2`),
behind self-describing blobs.

Threat answered: a copy of the database (theft, backup leak, subpoena) must
yield nothing readable. Every stored ciphertext starts with a header naming
the format version, the algorithm and (for public-key wraps) the key id, so
suites and keys can rotate without guessing what old bytes are.

Blob layout: ``version (1) | alg (1) | kid length (1) | kid | body``.

Lengths are data too (an answer of "undocumented" is longer than "citizen"),
so what is stored at rest is padded to size classes before it is encrypted
(:func:`aead_encrypt_padded`, algorithm 4): a thief learns the class, not the
length. The classes are chosen by the callers in vault/envelope.py and
vault/referrals.py; docs/architecture.md gives the reasoning.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field

from argon2.low_level import Type as _Argon2Type
from argon2.low_level import hash_secret_raw as _argon2_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vault.exceptions import DecryptionError, FormatError, InvalidPassphraseError

VERSION = 1
ALG_AES256GCM = 1
ALG_HPKE_MLKEM768X25519 = 2
ALG_ARGON2ID_AES256GCM = 3
ALG_AES256GCM_PADDED = 4
ALG_HMAC_SHA256 = 5
ALG_LOGIN_AES256GCM = 6

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
TAG_BYTES = 16

# Size classes of padded plaintext: the floor, doubling up to PAD_STEP, then whole PAD_STEPs.
PAD_STEP = 64 * 1024
_PAD_PREFIX = struct.Struct(">I")  # the true length, inside the ciphertext

_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_MLKEM_SEED_BYTES = 64
_X25519_BYTES = 32
_MLKEM768_PUBLIC_BYTES = 1184


def random_key() -> bytes:
    """Return a fresh 256-bit key from the operating system's CSPRNG."""
    return os.urandom(KEY_BYTES)


def _header(alg: int, kid: bytes = b"") -> bytes:
    if len(kid) > 255:
        raise ValueError("key id too long")
    return bytes((VERSION, alg, len(kid))) + kid


def parse_header(blob: bytes) -> tuple[int, bytes, bytes]:
    """Return (alg, key id, body) of a blob; raise FormatError if it is not one."""
    blob = bytes(blob)
    if len(blob) < 3 or blob[0] != VERSION:
        raise FormatError("unknown ciphertext version")
    kid_len = blob[2]
    if len(blob) < 3 + kid_len:
        raise FormatError("truncated ciphertext header")
    return blob[1], blob[3 : 3 + kid_len], blob[3 + kid_len :]


def hkdf(key: bytes, info: bytes, length: int = KEY_BYTES, salt: bytes | None = None) -> bytes:
    """Derive a subkey with HKDF-SHA256 (RFC 5869); info names its purpose."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(key)


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """Return HMAC-SHA256(key, message) (RFC 2104)."""
    return hmac.new(key, message, hashlib.sha256).digest()


def aead_encrypt(key: bytes, plaintext: bytes, aad: bytes, kid: bytes = b"") -> bytes:
    """Encrypt with AES-256-GCM, a random 96-bit nonce, and bind ``aad``.

    ``kid`` names the key in the header, for keys that rotate; the caller
    picks the key to open with by it (:func:`parse_header`).
    """
    nonce = os.urandom(NONCE_BYTES)
    return _header(ALG_AES256GCM, kid) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def aead_decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt an :func:`aead_encrypt` or :func:`aead_encrypt_padded` blob.

    The header says which: blobs written before padding (algorithm 1) still
    open. Raise DecryptionError on any mismatch, FormatError on bytes that are
    not such a blob.
    """
    alg, _kid, body = parse_header(blob)
    if alg not in (ALG_AES256GCM, ALG_AES256GCM_PADDED) or len(body) < NONCE_BYTES + TAG_BYTES:
        raise FormatError("not an AES-256-GCM blob")
    if alg == ALG_AES256GCM_PADDED:
        aad = bytes(blob[: len(blob) - len(body)]) + aad
    try:
        plaintext = AESGCM(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionError("authentication failed") from exc
    return _unpad(plaintext) if alg == ALG_AES256GCM_PADDED else plaintext


def size_class(length: int, floor: int) -> int:
    """Return the padded size of ``length`` bytes: ``floor``, doubling up to 64 KiB, then 64 KiB steps.

    Everything up to ``floor`` bytes looks the same; above it, a thief learns
    the length only to within a factor of two (to within 64 KiB past 64 KiB).
    """
    if floor < 1:
        raise ValueError("floor must be positive")
    size = floor
    while size < length and size < PAD_STEP:
        size *= 2
    if size >= length:
        return size
    return -(-length // PAD_STEP) * PAD_STEP


def _pad(plaintext: bytes, floor: int) -> bytes:
    size = size_class(len(plaintext), floor)
    return _PAD_PREFIX.pack(len(plaintext)) + plaintext + bytes(size - len(plaintext))


def _unpad(padded: bytes) -> bytes:
    # Length-prefixed, not terminated: no content can be mistaken for padding.
    if len(padded) < _PAD_PREFIX.size:
        raise FormatError("padded plaintext too short")
    (length,) = _PAD_PREFIX.unpack_from(padded)
    end = _PAD_PREFIX.size + length
    if end > len(padded) or padded[end:] != bytes(len(padded) - end):
        raise FormatError("malformed padding")
    return padded[_PAD_PREFIX.size : end]


def aead_encrypt_padded(key: bytes, plaintext: bytes, aad: bytes, *, floor: int) -> bytes:
    """Encrypt with AES-256-GCM after padding the plaintext to its size class (:func:`size_class`).

    Inside the ciphertext: a 4-byte big-endian length, the plaintext, zeros to
    the class size. The header (algorithm 4) is bound into the AAD with
    ``aad``, so a blob relabelled as unpadded (or the reverse) does not open.
    """
    header = _header(ALG_AES256GCM_PADDED)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, _pad(plaintext, floor), header + aad)


# --- Hybrid post-quantum key pairs (ML-KEM-768 + X25519) for HPKE -----------


@dataclass(frozen=True)
class KeyPair:
    """A hybrid key pair in raw bytes: ML-KEM-768 seed + X25519 private key."""

    private: bytes  # 64-byte ML-KEM seed || 32-byte X25519 key
    public: bytes  # 1184-byte ML-KEM public key || 32-byte X25519 public key

    @property
    def key_id(self) -> bytes:
        return key_id(self.public)


def generate_keypair() -> KeyPair:
    """Generate a fresh ML-KEM-768 + X25519 key pair (RFC 9180 hybrid KEM)."""
    mk = mlkem.MLKEM768PrivateKey.generate()
    xk = x25519.X25519PrivateKey.generate()
    private = mk.private_bytes_raw() + xk.private_bytes_raw()
    public = mk.public_key().public_bytes_raw() + xk.public_key().public_bytes_raw()
    return KeyPair(private=private, public=public)


def key_id(public: bytes) -> bytes:
    """Return an 8-byte identifier of a public key (truncated SHA-256)."""
    return hashlib.sha256(b"harbor/v1/key-id" + public).digest()[:8]


def _load_private(private: bytes) -> tuple[hpke.MLKEM768X25519PrivateKey, bytes]:
    """Return the HPKE private key and the key id of its public half."""
    if len(private) != _MLKEM_SEED_BYTES + _X25519_BYTES:
        raise FormatError("not a hybrid private key")
    mk = mlkem.MLKEM768PrivateKey.from_seed_bytes(private[:_MLKEM_SEED_BYTES])
    xk = x25519.X25519PrivateKey.from_private_bytes(private[_MLKEM_SEED_BYTES:])
    public = mk.public_key().public_bytes_raw() + xk.public_key().public_bytes_raw()
    return hpke.MLKEM768X25519PrivateKey(mk, xk), key_id(public)


def _load_public(public: bytes) -> hpke.MLKEM768X25519PublicKey:
    if len(public) != _MLKEM768_PUBLIC_BYTES + _X25519_BYTES:
        raise FormatError("not a hybrid public key")
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(public[:_MLKEM768_PUBLIC_BYTES]),
        x25519.X25519PublicKey.from_public_bytes(public[_MLKEM768_PUBLIC_BYTES:]),
    )


def hpke_wrap(public: bytes, plaintext: bytes, info: bytes) -> bytes:
    """Encrypt to a public key with HPKE base mode (RFC 9180).

    Suite: KEM ML-KEM-768+X25519, KDF HKDF-SHA256, AEAD AES-256-GCM. ``info``
    binds the purpose and ids (``harbor/v1/report-dek/<id>``): a wrap moved to
    another record or purpose fails to open.
    """
    return _header(ALG_HPKE_MLKEM768X25519, key_id(public)) + _SUITE.encrypt(plaintext, _load_public(public), info=info)


class LoadedPrivateKey:
    """A hybrid private key expanded once for many unwraps.

    Expanding an ML-KEM key from its seed costs about half a millisecond; a
    page that opens fifty reports should pay it once, not fifty times.
    """

    __slots__ = ("_key", "_kid")

    def __init__(self, private: bytes):
        self._key, self._kid = _load_private(private)

    @property
    def key_id(self) -> str:
        """The key id (hex) of the public half, as stored beside the public key."""
        return self._kid.hex()


def load_private(private: bytes) -> LoadedPrivateKey:
    """Expand a raw hybrid private key for repeated :func:`hpke_unwrap` calls."""
    return LoadedPrivateKey(private)


def hpke_unwrap(private: bytes | LoadedPrivateKey, blob: bytes, info: bytes) -> bytes:
    """Open an :func:`hpke_wrap` blob; raise DecryptionError on any mismatch."""
    alg, kid, body = parse_header(blob)
    if alg != ALG_HPKE_MLKEM768X25519:
        raise FormatError("not an HPKE blob")
    key, own_kid = (private._key, private._kid) if isinstance(private, LoadedPrivateKey) else _load_private(private)
    # HPKE does not authenticate our header: without this a wrap whose key id
    # was altered would still open, and the header would lie about its key.
    if not hmac.compare_digest(kid, own_kid):
        raise DecryptionError("wrapped to another key")
    try:
        return _SUITE.decrypt(body, key, info=info)
    except Exception as exc:  # the binding raises several types; all mean "cannot open"
        raise DecryptionError("HPKE open failed") from exc


def wrapped_key_id(blob: bytes) -> bytes:
    """Return the key id recorded in a wrap's header."""
    return parse_header(blob)[1]


# --- Password-based encryption (staff private keys) -------------------------


# Bounds on the Argon2 cost stored in a blob: an altered blob asking for
# terabytes of memory or millions of passes fails at once instead of hanging a login.
ARGON2_MAX_MEMORY_KIB = 4 * 1024 * 1024
ARGON2_MAX_ITERATIONS = 64
ARGON2_MAX_LANES = 64


def _argon2_params_ok(memory_cost: int, iterations: int, lanes: int) -> bool:
    return (
        1 <= lanes <= ARGON2_MAX_LANES
        and 1 <= iterations <= ARGON2_MAX_ITERATIONS
        and 8 * lanes <= memory_cost <= ARGON2_MAX_MEMORY_KIB
    )


def passphrase_encrypt(
    passphrase: str, plaintext: bytes, aad: bytes, *, memory_cost: int, iterations: int, lanes: int
) -> bytes:
    """Encrypt under AES-256-GCM with a key from Argon2id(passphrase, random salt).

    The cost parameters are stored in the blob so they can be raised later.
    """
    if not _argon2_params_ok(memory_cost, iterations, lanes):
        raise ValueError("Argon2 parameters out of range")
    salt = os.urandom(SALT_BYTES)
    key = _argon2(passphrase, salt, memory_cost, iterations, lanes)
    params = struct.pack(">III", memory_cost, iterations, lanes)
    nonce = os.urandom(NONCE_BYTES)
    return _header(ALG_ARGON2ID_AES256GCM) + params + salt + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def passphrase_decrypt(passphrase: str, blob: bytes, aad: bytes) -> bytes:
    """Open a :func:`passphrase_encrypt` or :func:`login_encrypt` blob; raise InvalidPassphraseError on failure."""
    alg, _kid, body = parse_header(blob)
    if alg == ALG_LOGIN_AES256GCM:
        salt, memory_cost, iterations, lanes = login_blob_params(blob)
        secret = login_secret(passphrase, salt, memory_cost=memory_cost, iterations=iterations, lanes=lanes)
        return login_decrypt(secret, blob, aad)
    if alg != ALG_ARGON2ID_AES256GCM or len(body) < 12 + SALT_BYTES + NONCE_BYTES + 16:
        raise FormatError("not a passphrase blob")
    memory_cost, iterations, lanes = struct.unpack(">III", body[:12])
    if not _argon2_params_ok(memory_cost, iterations, lanes):
        raise FormatError("Argon2 parameters out of range")
    salt = body[12 : 12 + SALT_BYTES]
    nonce = body[12 + SALT_BYTES : 12 + SALT_BYTES + NONCE_BYTES]
    key = _argon2(passphrase, salt, memory_cost, iterations, lanes)
    try:
        return AESGCM(key).decrypt(nonce, body[12 + SALT_BYTES + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise InvalidPassphraseError("wrong password") from exc


def _argon2(passphrase: str, salt: bytes, memory_cost: int, iterations: int, lanes: int) -> bytes:
    # Argon2id version 1.3 (RFC 9106), through the reference implementation, which computes
    # the lanes in parallel threads: the same output as any other Argon2id with these inputs
    # (tests/vault/test_crypto.py compares it with cryptography's), in less time on a multi-core server.
    return _argon2_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=iterations,
        memory_cost=memory_cost,
        parallelism=lanes,
        hash_len=KEY_BYTES,
        type=_Argon2Type.ID,
        version=19,
    )


# --- One Argon2id run per login (since 2026-12) ------------------------------
#
# A staff login used to run Argon2id twice: once for Django's password hash, once for the key
# under which the staff private key is encrypted. Now one run, over the password and the salt
# of the login record, gives a 256-bit secret from which HKDF derives two unrelated values: a
# verifier, stored as the password hash (vault/hashers.py), and the key that encrypts the staff
# private key. Neither can be computed from the other: the database holds the verifier and the
# encrypted key, and opening the key still needs the password, at the cost of one Argon2id run
# per guess, as before.

_LOGIN_VERIFIER_INFO = b"harbor/v1/login/verifier"
_LOGIN_KEY_INFO = b"harbor/v1/login/staff-key"
_LOGIN_SALT_MAX = 64


@dataclass(frozen=True)
class LoginSecret:
    """Argon2id(password, salt) with its salt and cost; never stored, never logged."""

    salt: bytes
    memory_cost: int
    iterations: int
    lanes: int
    secret: bytes = field(repr=False)

    def verifier(self) -> bytes:
        """What the password hash holds: enough to recognise the password, nothing to open a key with."""
        return hkdf(self.secret, _LOGIN_VERIFIER_INFO)

    def _key(self) -> bytes:
        return hkdf(self.secret, _LOGIN_KEY_INFO)

    def same_run(self, salt: bytes, memory_cost: int, iterations: int, lanes: int) -> bool:
        """Whether a blob with these parameters was made from this very Argon2id run."""
        return (self.salt, self.memory_cost, self.iterations, self.lanes) == (salt, memory_cost, iterations, lanes)


def login_secret(password: str, salt: bytes, *, memory_cost: int, iterations: int, lanes: int) -> LoginSecret:
    """Run Argon2id once over ``password`` and ``salt`` (the login record's)."""
    if not _argon2_params_ok(memory_cost, iterations, lanes) or not 8 <= len(salt) <= _LOGIN_SALT_MAX:
        raise FormatError("Argon2 parameters out of range")
    return LoginSecret(salt, memory_cost, iterations, lanes, _argon2(password, salt, memory_cost, iterations, lanes))


def login_encrypt(secret: LoginSecret, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt under AES-256-GCM with the key derived from a login secret.

    Layout after the header: cost (12 bytes), salt length (1), salt, nonce, ciphertext. The
    salt and cost are those of the password hash made from the same run, so a login that has
    just checked the password opens this blob without a second Argon2id run.
    """
    header = _header(ALG_LOGIN_AES256GCM)
    params = struct.pack(">IIIB", secret.memory_cost, secret.iterations, secret.lanes, len(secret.salt))
    nonce = os.urandom(NONCE_BYTES)
    return header + params + secret.salt + nonce + AESGCM(secret._key()).encrypt(nonce, plaintext, header + aad)


def login_blob_params(blob: bytes) -> tuple[bytes, int, int, int]:
    """Return (salt, memory cost, iterations, lanes) of a :func:`login_encrypt` blob."""
    alg, _kid, body = parse_header(blob)
    if alg != ALG_LOGIN_AES256GCM or len(body) < 13:
        raise FormatError("not a login blob")
    memory_cost, iterations, lanes, salt_len = struct.unpack(">IIIB", body[:13])
    if not _argon2_params_ok(memory_cost, iterations, lanes) or not 8 <= salt_len <= _LOGIN_SALT_MAX:
        raise FormatError("Argon2 parameters out of range")
    if len(body) < 13 + salt_len + NONCE_BYTES + TAG_BYTES:
        raise FormatError("truncated login blob")
    return body[13 : 13 + salt_len], memory_cost, iterations, lanes


def login_decrypt(secret: LoginSecret, blob: bytes, aad: bytes) -> bytes:
    """Open a :func:`login_encrypt` blob with the secret of the same run; InvalidPassphraseError otherwise."""
    salt, memory_cost, iterations, lanes = login_blob_params(blob)
    if not secret.same_run(salt, memory_cost, iterations, lanes):
        raise InvalidPassphraseError("made from another login record")
    header = _header(ALG_LOGIN_AES256GCM)
    body = parse_header(blob)[2]
    start = 13 + len(salt)
    nonce = body[start : start + NONCE_BYTES]
    try:
        return AESGCM(secret._key()).decrypt(nonce, body[start + NONCE_BYTES :], header + aad)
    except InvalidTag as exc:
        raise InvalidPassphraseError("wrong password") from exc


def mac(key: bytes, message: bytes, kid: bytes = b"") -> bytes:
    """Return a self-describing HMAC-SHA256 tag of ``message`` (header, then 32 bytes).

    For values that need only be recognised, never read back; ``kid`` names the key.
    """
    return _header(ALG_HMAC_SHA256, kid) + hmac_sha256(key, message)


def mac_matches(key: bytes, message: bytes, blob: bytes) -> bool:
    """Whether ``blob`` is :func:`mac` of ``message`` under ``key``, compared in constant time."""
    alg, _kid, tag = parse_header(blob)
    if alg != ALG_HMAC_SHA256:
        raise FormatError("not an HMAC-SHA256 tag")
    return hmac.compare_digest(tag, hmac_sha256(key, message))


def constant_time_equal(a: bytes, b: bytes) -> bool:
    """Compare two byte strings in time independent of where they differ."""
    return hmac.compare_digest(a, b)
