"""An open vault: settings, database, blob store and the key store, unlocked on demand.

:func:`open_vault` is what every service starts from. The master key is resolved from the
settings only when a key is needed, checked against the key store's key id, and never logged,
formatted into a message or stored.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from baomi.engine import crypto
from baomi.errors import ConfigError, CryptoError
from baomi.i18n import tr
from baomi.settings import Settings, read_key_file
from baomi.storage import keystore
from baomi.storage.blobs import BlobStore
from baomi.storage.db import (
    is_migrated,
    make_engine,
    make_sessionmaker,
    migrate,
    reader,
    translate_storage_errors,
)

#: Keys of the platform itself, wrapped under the master key in the key store.
PLATFORM_KEYS = ("signing", "index", "fields", "backup")


def now() -> str:
    """The current time, UTC, ISO 8601 with microseconds."""
    return _dt.datetime.now(_dt.UTC).isoformat()


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Vault:
    """Handles to one home's store; use as a context manager or call :meth:`close`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    _master: bytes | None = field(default=None, repr=False)

    # --- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()
        self._master = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: the action and its audit event commit together or not at all."""
        with translate_storage_errors(), self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction: one consistent view, no write lock taken."""
        with (
            translate_storage_errors(),
            Session(reader(self.engine), expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    # --- keys ------------------------------------------------------------------------------

    @property
    def keystore_path(self) -> Path:
        return self.settings.keystore_path

    def load_keystore(self) -> dict[str, Any]:
        return keystore.load(self.keystore_path)

    def master_key(self, store: dict[str, Any] | None = None) -> bytes:
        """The master key from the settings, checked against the key store's key id."""
        if self._master is None:
            store = store if store is not None else self.load_keystore()
            candidate = resolve_master_key(self.settings, store.get("kdf"))
            if not crypto.constant_time_equal(crypto.key_id(candidate), store["master_key_id"]):
                raise CryptoError(
                    tr(
                        "主密钥与密钥库不匹配（轮换后旧主密钥不再有效）",
                        "the master key does not match the key store (old master keys stop working after rotation)",
                    )
                )
            self._master = candidate
        return self._master

    def platform_key(self, name: str) -> bytes:
        store = self.load_keystore()
        return crypto.unwrap_key(self.master_key(store), crypto.unb64(store["keys"][name]), name)

    def public_key(self) -> bytes:
        return crypto.unb64(self.load_keystore()["public_key"])

    def deal_key(self, deal_id: str) -> bytes:
        """The data key of a deal; :class:`CryptoError` if it was destroyed or is missing."""
        store = self.load_keystore()
        if deal_id in store.get("destroyed", {}):
            raise CryptoError(
                tr(
                    f"该交易的数据密钥已于 {store['destroyed'][deal_id]} 销毁，数据无法解密",
                    f"the deal's data key was destroyed at {store['destroyed'][deal_id]}; its data cannot be decrypted",
                )
            )
        entry = store.get("deals", {}).get(deal_id)
        if entry is None:
            raise CryptoError(
                tr("密钥库中没有该交易的数据密钥", "no data key for this deal in the key store")
            )
        return crypto.unwrap_key(
            self.master_key(store),
            crypto.unb64(entry["wrapped"]),
            f"deal:{deal_id}:{entry['version']}",
        )


def resolve_master_key(settings: Settings, kdf: dict[str, Any] | None) -> bytes:
    """The candidate master key from the settings (file, environment or passphrase)."""
    source = settings.master_key_source
    if source == "file":
        assert settings.master_key_file is not None
        return crypto.decode_master_key(read_key_file(settings.master_key_file))
    if source == "env":
        assert settings.master_key is not None
        return crypto.decode_master_key(settings.master_key.get_secret_value())
    if source == "passphrase":
        assert settings.passphrase is not None
        if not kdf:
            raise ConfigError(
                tr("密钥库不是用口令创建的", "the key store was not created with a passphrase")
            )
        return crypto.stretch_passphrase(
            settings.passphrase.get_secret_value(),
            crypto.unb64(kdf["salt"]),
            n=int(kdf["n"]),
            r=int(kdf["r"]),
            p=int(kdf["p"]),
        )
    raise ConfigError(
        tr(
            "未配置主密钥：请设置 BAOMI_MASTER_KEY_FILE、BAOMI_MASTER_KEY 或 BAOMI_PASSPHRASE",
            "no master key: set BAOMI_MASTER_KEY_FILE, BAOMI_MASTER_KEY or BAOMI_PASSPHRASE",
        )
    )


def open_vault(settings: Settings, *, create: bool = False) -> Vault:
    """Open the store under ``settings``; migrate it (first use, or ``create``).

    Without ``create`` the key store must exist: a vault is only used after ``keys init``.
    """
    if not create and not keystore.exists(settings.keystore_path):
        raise ConfigError(
            tr(
                f"没有密钥库 {settings.keystore_path}：请先运行 `baomi keys init`",
                f"no key store at {settings.keystore_path}: run `baomi keys init` first",
            )
        )
    with translate_storage_errors():
        settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = make_engine(settings.sqlalchemy_url)
    vault = Vault(settings, engine, make_sessionmaker(engine), BlobStore(settings.home / "blobs"))
    try:
        if create or not is_migrated(engine):
            migrate(engine, migration_attributes(vault))
        vault.blobs.sweep_temp()
    except BaseException:
        vault.close()
        raise
    return vault


def migration_attributes(vault: Vault) -> dict[str, Any]:
    """What the data migrations may use of ``vault``'s keys, reached only if one needs them
    (migration 0017 seals the deal profiles' contacts with the field key)."""
    from baomi.services.comply.recipient_contact import ContactMigration

    return {"profile_contact": ContactMigration(lambda: vault.platform_key("fields"))}
