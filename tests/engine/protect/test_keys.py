"""The protect key provider on the vault's crypto primitives: secrets decode and derive exactly as
before, so the token vaults, pseudonyms and trace records made with a key keep working."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from baomi.engine.protect.keys import KeyProvider, generate_secret
from baomi.errors import ConfigError

SECRET = bytes(range(32))


def _hkdf_as_written_before(master: bytes, info: str) -> bytes:
    """The derivation keys.py carried on its own before it used engine/crypto.py."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()).derive(master)


@pytest.mark.parametrize(
    ("purpose", "key_id", "recipient"),
    [("vault", "tokens", None), ("token", "tokens", None), ("fingerprint", "fp", "买方A")],
)
def test_sub_keys_are_those_derived_before(
    purpose: str, key_id: str, recipient: str | None
) -> None:
    expected = _hkdf_as_written_before(SECRET, f"baomi/{purpose}/{key_id}/{recipient or ''}")
    assert KeyProvider(SECRET).key(purpose, key_id, recipient) == expected


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (SECRET.hex(), SECRET),  # hex, as `policy init --key-file` writes it
        ("AAECAwQFBgcICQoLDA0ODw==", bytes(range(16))),  # standard base64
        ("a passphrase of at least 32 chars", b"a passphrase of at least 32 chars"),
        ("  " + SECRET.hex() + "\n", SECRET),  # surrounding blanks ignored
    ],
)
def test_secret_text_forms(
    text: str, secret: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "k.key").write_text(text, encoding="utf-8")
    monkeypatch.setenv("BAOMI_PROTECT_KEY", text)
    for provider in (KeyProvider.from_file(tmp_path / "k.key"), KeyProvider.from_env()):
        assert provider.key("vault", "tokens") == KeyProvider(secret).key("vault", "tokens")


def test_raw_bytes_and_too_short_secrets(tmp_path: Path) -> None:
    raw = tmp_path / "raw.key"
    raw.write_bytes(b"\xff\xfe" + bytes(range(30)))
    assert KeyProvider.from_file(raw).key("a", "b") == KeyProvider(raw.read_bytes()).key("a", "b")
    for short in ("abcd", "00" * 15, "short text"):
        (tmp_path / "s.key").write_text(short, encoding="utf-8")
        with pytest.raises(ConfigError):
            KeyProvider.from_file(tmp_path / "s.key")


def test_a_generated_secret_is_32_random_bytes_in_hex() -> None:
    a, b = generate_secret(), generate_secret()
    assert len(bytes.fromhex(a)) == 32 and a != b
