"""The token vault: reversible tokens and their originals in one AES-GCM-encrypted file.

A standalone store for ``tokenize`` (the product's main vault lives in ``storage``/``services``;
this file does not depend on it). The file holds ``{"format", "nonce", "ciphertext"}``; the
plaintext is a JSON map token → original. Tokens are keyed (HMAC-SHA256) so the same value gets
the same token in every run. The file is written to a temporary name and renamed. Reading it
back needs the key; :func:`detokenize_text` is what ``baomi detokenize`` calls (and logs, without
values).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from baomi.engine.protect.feistel import prf
from baomi.errors import CryptoError, IntegrityError
from baomi.i18n import tr

log = logging.getLogger(__name__)

FORMAT = "baomi-token-vault-1"
_AAD = FORMAT.encode()


class TokenVault:
    """An in-memory map token → value, loaded from and saved to an encrypted file."""

    def __init__(self, path: Path, key: bytes, token_key: bytes) -> None:
        self.path = path
        self._aead = AESGCM(key)
        self._token_key = token_key
        self._items: dict[str, str] = {}
        self._dirty = False
        if path.exists():
            self._load()

    def __len__(self) -> int:
        return len(self._items)

    def _load(self) -> None:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT:
                raise IntegrityError(f"{self.path.name}: not a baomi token vault")
            nonce = base64.b64decode(doc["nonce"])
            plain = self._aead.decrypt(nonce, base64.b64decode(doc["ciphertext"]), _AAD)
        except InvalidTag:
            raise CryptoError(
                tr("令牌库：密钥错误或文件被改动", "token vault: wrong key or the file was altered")
            ) from None
        except (OSError, ValueError, KeyError) as exc:
            raise IntegrityError(f"token vault unreadable: {type(exc).__name__}") from None
        self._items = json.loads(plain)

    def token_for(self, value: str, prefix: str = "TKN") -> str:
        """The token of ``value`` (the same in every run under the same key); stored."""
        digest = prf(self._token_key)(value.encode("utf-8"))
        token = f"{prefix}_{base64.b32encode(digest[:10]).decode().rstrip('=')}"
        if token not in self._items:
            self._items[token] = value
            self._dirty = True
        return token

    def lookup(self, token: str) -> str | None:
        return self._items.get(token)

    def save(self) -> None:
        """Encrypt and write the vault (temporary file, then rename)."""
        if not self._dirty and self.path.exists():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        nonce = os.urandom(12)
        plain = json.dumps(self._items, ensure_ascii=False).encode("utf-8")
        doc = {
            "format": FORMAT,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(self._aead.encrypt(nonce, plain, _AAD)).decode(),
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".vault-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        os.replace(tmp, self.path)
        self._dirty = False


_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]{0,7}_[A-Z2-7]{16}\b")


def detokenize_text(text: str, vault: TokenVault) -> tuple[str, int]:
    """Replace every known token in ``text`` by its original; returns the text and the count."""
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        value = vault.lookup(m.group())
        if value is None:
            return m.group()
        count += 1
        return value

    out = _TOKEN.sub(sub, text)
    log.info("detokenized %d token(s) from vault %s", count, vault.path.name)
    return out, count
