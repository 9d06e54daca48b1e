"""The token vault file on the vault's AES-GCM primitives: the format is unchanged both ways — a
vault written before still opens, and one written now opens with plain AES-GCM."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from baomi.engine.protect.tokens import FORMAT, TokenVault
from baomi.errors import CryptoError

KEY = b"token-format-key-0123456789abcde"
TOKEN_KEY = b"token-format-tok-0123456789abcde"


def _write_as_before(path: Path, items: dict[str, str]) -> None:
    """What tokens.py wrote when it called AES-GCM itself."""
    nonce = os.urandom(12)
    plain = json.dumps(items, ensure_ascii=False).encode("utf-8")
    doc = {
        "format": FORMAT,
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(AESGCM(KEY).encrypt(nonce, plain, FORMAT.encode())).decode(),
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_a_vault_written_before_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.tokens.vault"
    _write_as_before(path, {"TKN_AAAAAAAAAAAAAAAA": "13900000001"})
    vault = TokenVault.open(path, KEY, TOKEN_KEY)
    assert vault.lookup("TKN_AAAAAAAAAAAAAAAA") == "13900000001"


def test_a_vault_written_now_has_the_same_format(tmp_path: Path) -> None:
    path = tmp_path / "new.tokens.vault"
    vault = TokenVault(path, KEY, TOKEN_KEY)
    token = vault.token_for("13900000002")
    vault.save()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {"format", "nonce", "ciphertext"} and doc["format"] == FORMAT
    nonce = base64.b64decode(doc["nonce"])
    plain = AESGCM(KEY).decrypt(nonce, base64.b64decode(doc["ciphertext"]), FORMAT.encode())
    assert json.loads(plain) == {token: "13900000002"}


def test_a_wrong_key_or_an_altered_file_is_a_crypto_error(tmp_path: Path) -> None:
    path = tmp_path / "v.tokens.vault"
    _write_as_before(path, {"TKN_AAAAAAAAAAAAAAAA": "x"})
    with pytest.raises(CryptoError, match="密钥错误"):  # the message protect always gave
        TokenVault.open(path, TOKEN_KEY, TOKEN_KEY)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["ciphertext"] = base64.b64encode(b"\x00" * 40).decode()
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CryptoError):
        TokenVault.open(path, KEY, TOKEN_KEY)
