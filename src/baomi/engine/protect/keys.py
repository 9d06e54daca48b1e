"""Key providers: key ids in a policy are resolved to key bytes here, never written anywhere.

A provider holds one master secret (from a key file or an environment variable) and derives
one sub-key per purpose and key id with HKDF-SHA256 (RFC 5869), so a policy names ``key_id:
pseudonym`` and never holds key material. Recipient-specific keys add the recipient name to
the derivation (per-recipient fingerprint, ``fingerprint.py``). Decoding and derivation are the
vault's primitives (``engine/crypto.py``: :func:`~baomi.engine.crypto.decode_secret`,
:func:`~baomi.engine.crypto.hkdf`), unchanged in their output.
"""

from __future__ import annotations

import os
from pathlib import Path

from baomi.engine import crypto
from baomi.errors import ConfigError
from baomi.i18n import tr

DEFAULT_ENV = "BAOMI_PROTECT_KEY"
MIN_SECRET_BYTES = crypto.MIN_SECRET_SIZE


def _decode_secret(text: str) -> bytes:
    """A secret given as hex, base64 or (at least 32 characters of) plain text."""
    secret = crypto.decode_secret(text)
    if secret is None:
        raise ConfigError(_too_short())
    return secret


def _too_short() -> str:
    """The message, built when the language is known."""
    return tr(
        "密钥太短：至少 16 个随机字节（hex、base64 或原始字节）",
        "key too short: give at least 16 random bytes (hex, base64 or raw bytes)",
    )


class KeyProvider:
    """Resolves key ids to 32-byte keys derived from one master secret."""

    def __init__(self, master: bytes) -> None:
        if len(master) < MIN_SECRET_BYTES:
            raise ConfigError("master key too short (need at least 16 bytes)")
        self._master = master

    def __repr__(self) -> str:  # never show the secret
        return "KeyProvider(<secret>)"

    @classmethod
    def from_file(cls, path: str | Path) -> KeyProvider:
        """A key file holds the secret as hex, base64 or text, or as raw random bytes."""
        try:
            blob = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(
                tr("无法读取密钥文件", "cannot read key file") + f" {path}: {exc.strerror}"
            ) from None
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError:  # raw bytes (head -c 32 /dev/urandom > key)
            if len(blob) < MIN_SECRET_BYTES:
                raise ConfigError(_too_short()) from None
            return cls(blob)
        return cls(_decode_secret(text))

    @classmethod
    def from_env(cls, var: str = DEFAULT_ENV) -> KeyProvider:
        value = os.environ.get(var)
        if not value:
            raise ConfigError(tr("环境变量未设置", "environment variable is not set") + f": {var}")
        return cls(_decode_secret(value))

    @classmethod
    def resolve(cls, key_file: str | Path | None, env: str = DEFAULT_ENV) -> KeyProvider:
        """The key file when given, else the environment variable."""
        return cls.from_file(key_file) if key_file else cls.from_env(env)

    def key(self, purpose: str, key_id: str, recipient: str | None = None) -> bytes:
        """A 32-byte key for ``purpose``/``key_id`` (and ``recipient`` when given)."""
        return crypto.hkdf(self._master, f"baomi/{purpose}/{key_id}/{recipient or ''}")


def generate_secret() -> str:
    """A fresh 32-byte master secret, hex encoded (for ``baomi policy init --key-file``)."""
    return crypto.generate_key().hex()
