"""The vault's crypto primitives: AES-GCM envelope, bindings, wrapping, KDFs, HMAC, Ed25519."""

from __future__ import annotations

import pytest

from baomi.engine import crypto
from baomi.errors import ConfigError, CryptoError, IntegrityError


def test_seal_round_trip_uses_fresh_nonce() -> None:
    key = crypto.generate_key()
    ad = crypto.object_aad(deal_id="d", object_id="o", key_version=1, part="content")
    a, b = crypto.seal(key, b"secret", ad), crypto.seal(key, b"secret", ad)
    assert a[: crypto.NONCE_SIZE] != b[: crypto.NONCE_SIZE] and a != b
    assert crypto.open_sealed(key, a, ad) == b"secret"


@pytest.mark.parametrize(
    "other",
    [
        {"deal_id": "d", "object_id": "o2", "key_version": 1, "part": "content"},
        {"deal_id": "d2", "object_id": "o", "key_version": 1, "part": "content"},
        {"deal_id": "d", "object_id": "o", "key_version": 2, "part": "content"},
        {"deal_id": "d", "object_id": "o", "key_version": 1, "part": "name"},
    ],
)
def test_associated_data_binds_object_deal_version_and_part(other: dict[str, object]) -> None:
    key = crypto.generate_key()
    sealed = crypto.seal(
        key, b"x", crypto.object_aad(deal_id="d", object_id="o", key_version=1, part="content")
    )
    with pytest.raises(CryptoError):
        crypto.open_sealed(key, sealed, crypto.object_aad(**other))  # type: ignore[arg-type]


def test_wrong_key_tampering_and_truncation_fail() -> None:
    key = crypto.generate_key()
    sealed = crypto.seal(key, b"payload", b"ad")
    with pytest.raises(CryptoError):
        crypto.open_sealed(crypto.generate_key(), sealed, b"ad")
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(CryptoError):
        crypto.open_sealed(key, flipped, b"ad")
    with pytest.raises(CryptoError):
        crypto.open_sealed(key, sealed[:10], b"ad")


def test_key_wrapping_is_bound_to_its_label() -> None:
    kek, dek = crypto.generate_key(), crypto.generate_key()
    wrapped = crypto.wrap_key(kek, dek, "deal:1:1")
    assert crypto.unwrap_key(kek, wrapped, "deal:1:1") == dek
    with pytest.raises(CryptoError):
        crypto.unwrap_key(kek, wrapped, "deal:2:1")


def test_scrypt_hkdf_and_key_id_are_deterministic() -> None:
    salt = b"s" * 16
    k1 = crypto.stretch_passphrase("correct horse", salt, n=2**10)
    assert k1 == crypto.stretch_passphrase("correct horse", salt, n=2**10)
    assert k1 != crypto.stretch_passphrase("correct horse!", salt, n=2**10)
    assert len(k1) == 32
    assert crypto.hkdf(k1, "a") != crypto.hkdf(k1, "b")
    assert crypto.key_id(k1) == crypto.key_id(k1) and crypto.key_id(k1) not in k1.hex()
    with pytest.raises(ConfigError):
        crypto.stretch_passphrase("", salt)


def test_keyed_hash_and_constant_time_compare() -> None:
    k = crypto.generate_key()
    assert crypto.keyed_hash(k, " 13900000001 ") == crypto.keyed_hash(k, "13900000001")
    assert crypto.keyed_hash(k, "a") != crypto.keyed_hash(crypto.generate_key(), "a")
    assert crypto.constant_time_equal("ab", "ab") and not crypto.constant_time_equal(b"ab", b"ac")


def test_master_key_text_forms() -> None:
    key = crypto.generate_key()
    assert crypto.decode_master_key(crypto.encode_key(key)) == key
    assert crypto.decode_master_key(key.hex()) == key
    with pytest.raises(ConfigError) as err:
        crypto.decode_master_key("too-short")
    assert "too-short" not in str(err.value)


def test_ed25519_sign_verify() -> None:
    priv = crypto.generate_signing_key()
    pub = crypto.public_key_of(priv)
    sig = crypto.sign(priv, b"msg")
    assert crypto.verify_signature(pub, b"msg", sig)
    assert not crypto.verify_signature(pub, b"msg!", sig)
    assert not crypto.verify_signature(
        crypto.public_key_of(crypto.generate_signing_key()), b"msg", sig
    )


def test_stream_round_trip_and_truncation_detected() -> None:
    key = crypto.generate_key()
    chunks = [b"a" * 5, b"b" * 7, b"c"]
    data = b"".join(crypto.seal_stream(key, chunks, b"hdr"))
    assert list(crypto.open_stream(key, data, b"hdr")) == chunks
    assert list(crypto.open_stream(key, b"".join(crypto.seal_stream(key, [], b"h")), b"h")) == [b""]
    # Cutting the stream at a chunk boundary (dropping the final chunk) is detected.
    first = b"".join(list(crypto.seal_stream(key, chunks, b"hdr"))[:2])
    with pytest.raises(IntegrityError):
        list(crypto.open_stream(key, first, b"hdr"))
    with pytest.raises(IntegrityError):
        list(crypto.open_stream(key, data[:-3], b"hdr"))
    with pytest.raises(IntegrityError):
        list(crypto.open_stream(key, data + b"x", b"hdr"))
