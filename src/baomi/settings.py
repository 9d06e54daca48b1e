"""Settings of the vault, read from ``BAOMI_*`` environment variables by the entry points.

Nothing here runs at import time: an entry point builds :class:`Settings` and passes it down.
Outside tests (``BAOMI_ENV=test``) a missing master key is refused, and a placeholder key is
refused everywhere, as the FastAPI template's settings do.

The master key comes from exactly one of: ``BAOMI_MASTER_KEY_FILE`` (a 0600 file holding 32
random bytes as base64), ``BAOMI_MASTER_KEY`` (the same text) or ``BAOMI_PASSPHRASE`` (stretched
with scrypt, the salt kept in the key store).
"""

from __future__ import annotations

import ipaddress
import os
import stat
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from baomi.errors import ConfigError
from baomi.i18n import tr

#: Values that look like someone forgot to set a real secret.
PLACEHOLDERS = frozenset(
    {
        "",
        "changethis",
        "changeme",
        "change-me",
        "change_me",
        "placeholder",
        "secret",
        "password",
        "todo",
        "xxx",
        "test",
        "none",
        "null",
        "default",
        "example",
    }
)

MasterKeySource = Literal["file", "env", "passphrase"]


class Settings(BaseSettings):
    """Where the vault lives and where its master key comes from."""

    model_config = SettingsConfigDict(env_prefix="BAOMI_", extra="ignore")

    home: Path = Path("var")
    database_url: str | None = None
    keystore: Path | None = None
    master_key: SecretStr | None = None
    master_key_file: Path | None = None
    passphrase: SecretStr | None = None
    env: Literal["production", "development", "test"] = "production"
    checkpoint_every: int = 100
    # the data room (web service); OWASP ASVS 2.2 (throttling) and 3.3 (session expiry)
    login_max_failures: int = 5
    lockout_minutes: int = 15
    session_idle_minutes: int = 30
    session_absolute_minutes: int = 12 * 60
    max_upload_mb: int = 200
    #: the reverse proxies whose ``X-Forwarded-For`` names the client (addresses or networks,
    #: comma-separated; empty: none): the rate limits per address count that client, not the
    #: proxy all clients come through
    trusted_proxies: str = "127.0.0.1"
    # e-mail for notifications (services/govern/notify.py); no host: in-app notifications only.
    # The password comes from BAOMI_SMTP_PASSWORD or, better, a 0600 file
    # (BAOMI_SMTP_PASSWORD_FILE); it is never logged or printed.
    smtp_host: str | None = None
    smtp_port: int = 587
    #: ``starttls`` (upgrade a plain connection), ``ssl`` (TLS from the start) or ``none``
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_from: str | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_timeout_seconds: float = 30.0
    #: a CA bundle to verify the SMTP server with (an internal CA); default: the system's
    smtp_ca_file: Path | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_or_missing_key(self) -> Settings:
        for name in ("master_key", "passphrase"):
            value = getattr(self, name)
            if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDERS:
                raise ConfigError(
                    tr(
                        f"BAOMI_{name.upper()} 是占位值，请设置真正的密钥",
                        f"BAOMI_{name.upper()} is a placeholder; set a real secret",
                    )
                )
        sources = [
            n
            for n in ("master_key", "master_key_file", "passphrase")
            if getattr(self, n) is not None
        ]
        if len(sources) > 1:
            raise ConfigError(
                tr(
                    "BAOMI_MASTER_KEY、BAOMI_MASTER_KEY_FILE、BAOMI_PASSPHRASE 只能设置一个",
                    "set only one of BAOMI_MASTER_KEY, BAOMI_MASTER_KEY_FILE, BAOMI_PASSPHRASE",
                )
            )
        if not sources and self.env != "test":
            raise ConfigError(
                tr(
                    "未配置主密钥：请设置 BAOMI_MASTER_KEY_FILE、BAOMI_MASTER_KEY 或 BAOMI_PASSPHRASE",
                    "no master key: set BAOMI_MASTER_KEY_FILE, BAOMI_MASTER_KEY or BAOMI_PASSPHRASE",
                )
            )
        if self.smtp_password is not None and self.smtp_password_file is not None:
            raise ConfigError("set only one of BAOMI_SMTP_PASSWORD, BAOMI_SMTP_PASSWORD_FILE")
        if self.smtp_host and not self.smtp_from:
            raise ConfigError("BAOMI_SMTP_FROM is needed with BAOMI_SMTP_HOST")
        if self.checkpoint_every < 1:
            raise ConfigError("BAOMI_CHECKPOINT_EVERY must be at least 1")
        self.proxies()
        return self

    def proxies(self) -> list[str]:
        """:attr:`trusted_proxies` as a list, each an address or a network; anything else —
        ``*`` too: any client could then name itself another and escape the rate limits — is
        refused."""
        found = [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
        for p in found:
            try:
                ipaddress.ip_network(p, strict=False)
            except ValueError:
                raise ConfigError(
                    tr(
                        f"BAOMI_TRUSTED_PROXIES 中的 {p!r} 不是 IP 地址或网段",
                        f"{p!r} in BAOMI_TRUSTED_PROXIES is no IP address or network",
                    )
                ) from None
        return found

    @property
    def keystore_path(self) -> Path:
        """The key store file; by default ``$BAOMI_HOME/keys/keystore.json``."""
        return self.keystore if self.keystore is not None else self.home / "keys" / "keystore.json"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL; by default SQLite at ``$BAOMI_HOME/baomi.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'baomi.db').resolve()}"

    def smtp_secret(self) -> str | None:
        """The SMTP password (from the env or its 0600 file), or ``None`` to send without
        logging in."""
        if self.smtp_password_file is not None:
            return read_key_file(self.smtp_password_file, "SMTP password file")
        if self.smtp_password is not None:
            return self.smtp_password.get_secret_value()
        return None

    def as_environment(self) -> dict[str, str]:
        """The ``BAOMI_*`` variables from which :class:`Settings` reads these settings again:
        what another process is given (a worker of ``baomi serve --workers N`` builds its own
        ``Settings()``) so that it serves the same home with the same key. A secret is among
        them only when it is set, which it is only when it came from the environment."""
        found: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            found[f"BAOMI_{name.upper()}"] = str(value)
        return found

    @property
    def master_key_source(self) -> MasterKeySource | None:
        if self.master_key_file is not None:
            return "file"
        if self.master_key is not None:
            return "env"
        if self.passphrase is not None:
            return "passphrase"
        return None


def read_key_file(path: Path, what: str = "master key file") -> str:
    """The text of a secret file (the master key's, by default); refuses a file others can read
    (must be 0600)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{what} {path} must be readable by its owner only (chmod 600)")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if text.lower() in PLACEHOLDERS:
        raise ConfigError(f"{what} {path} holds a placeholder")
    return text
