"""Cryptographic building blocks of the vault — pure functions over bytes, no I/O.

Key hierarchy (see ``docs/vault.md``)::

    master key (key file | BAOMI_MASTER_KEY | passphrase --scrypt-->)
      └── wraps, in the key store file: per-deal data keys, the field key, the index (HMAC)
          key, the backup key and the Ed25519 signing key
            └── a deal data key seals every object of that deal (AES-256-GCM)

Every seal uses a fresh random 96-bit nonce; the associated data binds a ciphertext to its
purpose, deal, object and key version so that blobs or fields cannot be swapped. Comparisons of
secrets are constant-time. Nothing here logs or formats a key into a message.

This is the one crypto stack: protect's key provider (``engine/protect/keys.py``: HKDF sub-keys
of the protect secret, :func:`decode_secret`) and its token vault (``engine/protect/tokens.py``:
:func:`seal` / :func:`open_sealed`) use these primitives too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import struct
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from baomi.errors import ConfigError, CryptoError, IntegrityError

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
SALT_SIZE = 16

#: scrypt cost (RFC 7914): N=2^15, r=8, p=1 needs 32 MiB and ~0.1 s; stored with each key store.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1

_AAD_PREFIX = b"baomi/v1"


def generate_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_SIZE)


def constant_time_equal(a: bytes | str, b: bytes | str) -> bool:
    """Compare two secrets or digests in constant time."""
    a_bytes = a.encode() if isinstance(a, str) else a
    b_bytes = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(a_bytes, b_bytes)


def aad(purpose: str, **parts: str | int) -> bytes:
    """Associated data: a purpose and named parts, in a fixed (sorted) order."""
    fields = "|".join(f"{k}={parts[k]}" for k in sorted(parts))
    return b"%s|%s|%s" % (_AAD_PREFIX, purpose.encode(), fields.encode())


def object_aad(*, deal_id: str, object_id: str, key_version: int, part: str) -> bytes:
    """Associated data of one stored object's ``part`` (``content``, ``name``, ``inventory``)."""
    return aad("object", deal=deal_id, object=object_id, kv=key_version, part=part)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """AES-256-GCM with a fresh random nonce; returns ``nonce || ciphertext || tag``."""
    if len(key) != KEY_SIZE:
        raise CryptoError("key must be 256 bits")
    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    """Reverse :func:`seal`; raises :class:`CryptoError` on a wrong key, data or binding."""
    if len(key) != KEY_SIZE:
        raise CryptoError("key must be 256 bits")
    if len(sealed) < NONCE_SIZE + TAG_SIZE:
        raise CryptoError("ciphertext is truncated")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], associated_data)
    except InvalidTag:
        raise CryptoError(
            "decryption failed: wrong key, or the data was altered or moved"
        ) from None


def wrap_key(kek: bytes, key: bytes, label: str) -> bytes:
    """Wrap ``key`` under the key-encryption key ``kek``, bound to ``label``."""
    return seal(kek, key, aad("wrap", label=label))


def unwrap_key(kek: bytes, wrapped: bytes, label: str) -> bytes:
    """Reverse :func:`wrap_key`."""
    return open_sealed(kek, wrapped, aad("wrap", label=label))


def hkdf(key: bytes, info: str, length: int = KEY_SIZE) -> bytes:
    """HKDF-SHA256 (RFC 5869) without salt: a sub-key of ``key`` for ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(key)


def key_id(master_key: bytes) -> str:
    """A public identifier of a master key (HKDF-derived, reveals nothing of the key)."""
    return hkdf(master_key, "baomi key id", 16).hex()


def stretch_passphrase(
    passphrase: str, salt: bytes, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    """A 256-bit master key from a passphrase with scrypt (RFC 7914)."""
    if not passphrase:
        raise ConfigError("empty passphrase")
    return Scrypt(salt=salt, length=KEY_SIZE, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of a normalised value, hex: exact-match lookup without storing the value."""
    return hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: The shortest protect secret accepted (``BAOMI_PROTECT_KEY``, ``--key-file``).
MIN_SECRET_SIZE = 16


def decode_secret(text: str) -> bytes | None:
    """A protect secret given as hex, strict standard base64 (at least :data:`MIN_SECRET_SIZE`
    bytes either way) or plain text of at least 32 characters (its UTF-8 bytes); ``None`` when
    it is too short. The order matters and never changes: a secret must derive the same keys as
    when the token vaults and pseudonyms made with it were written."""
    s = text.strip()
    for decode in (bytes.fromhex, lambda v: base64.b64decode(v, validate=True)):
        try:
            raw = decode(s)
        except (ValueError, binascii.Error):
            continue
        if len(raw) >= MIN_SECRET_SIZE:
            return raw
    if len(s) >= 32:
        return s.encode("utf-8")
    return None


def encode_key(key: bytes) -> str:
    """The textual form of a key (URL-safe base64), as written to key files."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_master_key(text: str) -> bytes:
    """Parse a master key given as base64 (standard or URL-safe) or hex of 32 bytes."""
    value = text.strip()
    candidates: list[bytes] = []
    if len(value) == 2 * KEY_SIZE:
        with contextlib.suppress(ValueError):
            candidates.append(bytes.fromhex(value))
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            candidates.append(decoder(value.encode("ascii")))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
    for candidate in candidates:
        if len(candidate) == KEY_SIZE:
            return candidate
    raise ConfigError("the master key must be 32 random bytes, written as base64 or hex")


# --- Ed25519 signatures -----------------------------------------------------------------


def generate_signing_key() -> bytes:
    """A fresh Ed25519 private key (raw 32 bytes)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def public_key_of(private_key: bytes) -> bytes:
    return (
        Ed25519PrivateKey.from_private_bytes(private_key)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def sign(private_key: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise IntegrityError("malformed base64 value") from None


# --- chunked AEAD stream (backups) --------------------------------------------------------

_CHUNK_HEADER = struct.Struct(">IB")  # length of sealed chunk, final flag


def seal_stream(key: bytes, chunks: Iterable[bytes], associated_data: bytes) -> Iterator[bytes]:
    """Seal a sequence of chunks; each chunk's AAD holds its index and a final flag.

    A reordered, dropped, duplicated or truncated chunk therefore fails to open. Empty input
    yields one empty final chunk.
    """
    index = 0
    pending: bytes | None = None
    for chunk in chunks:
        if pending is not None:
            yield _seal_chunk(key, pending, associated_data, index, final=False)
            index += 1
        pending = chunk
    yield _seal_chunk(key, pending or b"", associated_data, index, final=True)


def _seal_chunk(
    key: bytes, data: bytes, associated_data: bytes, index: int, *, final: bool
) -> bytes:
    sealed = seal(key, data, associated_data + struct.pack(">QB", index, int(final)))
    return _CHUNK_HEADER.pack(len(sealed), int(final)) + sealed


def open_stream(key: bytes, data: bytes, associated_data: bytes) -> Iterator[bytes]:
    """Reverse :func:`seal_stream` over the concatenated sealed chunks."""
    offset = 0
    index = 0
    while True:
        if offset + _CHUNK_HEADER.size > len(data):
            raise IntegrityError("the encrypted stream is truncated")
        length, final = _CHUNK_HEADER.unpack_from(data, offset)
        offset += _CHUNK_HEADER.size
        sealed = data[offset : offset + length]
        if len(sealed) != length:
            raise IntegrityError("the encrypted stream is truncated")
        offset += length
        try:
            yield open_sealed(key, sealed, associated_data + struct.pack(">QB", index, final))
        except CryptoError:
            raise IntegrityError(f"the encrypted stream is corrupt at chunk {index}") from None
        index += 1
        if final:
            if offset != len(data):
                raise IntegrityError("unexpected data after the end of the encrypted stream")
            return
