"""Key management: ``keys init``, ``keys status``, ``keys rotate``.

Rotation re-wraps every key in the key store under a new master key; no document is re-encrypted.
The old master key stops working at once, because nothing is wrapped under it any more and the
key store names the new key's id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import ConfigError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import PLATFORM_KEYS, now, open_vault, resolve_master_key
from baomi.settings import Settings, read_key_file
from baomi.storage import keystore
from baomi.storage.blobs import write_atomic


@dataclass(frozen=True)
class KeyStatus:
    """What ``keys status`` shows; holds no secret."""

    keystore: str
    master_key_id: str
    source: str
    generation: int
    active_deals: int
    destroyed_deals: int
    public_key: str
    created_at: str
    rotated_at: str | None


def generate_key_file(path: Path) -> None:
    """Write a new random master key to ``path`` (mode 0600); refuse to overwrite."""
    if path.exists():
        raise ConfigError(tr(f"密钥文件已存在：{path}", f"key file already exists: {path}"))
    write_atomic(path, (crypto.encode_key(crypto.generate_key()) + "\n").encode("ascii"), 0o600)


#: The shortest passphrase a key store is made with (NIST SP 800-63B asks 8 of a memorised
#: secret that a server rate-limits; an offline key has no rate limit).
MIN_PASSPHRASE = 12


def _new_master(
    settings: Settings, key_file: Path | None = None, passphrase: str | None = None
) -> tuple[bytes, dict[str, Any] | None]:
    """A master key (and scrypt parameters) for init or rotation."""
    if passphrase is not None:
        if len(passphrase.strip()) < MIN_PASSPHRASE:
            # every deal's key is wrapped under it: scrypt slows a guess, it cannot widen "123"
            raise ConfigError(
                tr(
                    f"口令过短：至少 {MIN_PASSPHRASE} 个字符",
                    f"the passphrase is too short: at least {MIN_PASSPHRASE} characters",
                )
            )
        salt = os.urandom(crypto.SALT_SIZE)
        kdf = {
            "name": "scrypt",
            "salt": crypto.b64(salt),
            "n": crypto.SCRYPT_N,
            "r": crypto.SCRYPT_R,
            "p": crypto.SCRYPT_P,
        }
        return crypto.stretch_passphrase(passphrase, salt, n=crypto.SCRYPT_N), kdf
    if key_file is not None:
        if not key_file.exists():
            generate_key_file(key_file)
        return crypto.decode_master_key(read_key_file(key_file)), None
    if settings.master_key_source == "passphrase":
        assert settings.passphrase is not None
        return _new_master(settings, passphrase=settings.passphrase.get_secret_value())
    if settings.master_key_source == "file":
        assert settings.master_key_file is not None
        return _new_master(settings, key_file=settings.master_key_file)
    return resolve_master_key(settings, None), None


def _public_key_path(settings: Settings) -> Path:
    return settings.keystore_path.with_name("signing.pub")


def init(settings: Settings, *, actor: Actor) -> KeyStatus:
    """Create the key store (and the key file if configured but absent) and the schema.

    A refusal is not recorded: there is no audit log before the key store exists."""
    authorize(actor, Action.KEY_INIT)
    path = settings.keystore_path
    with keystore.locked(path):
        if keystore.exists(path):
            raise ConfigError(tr(f"密钥库已存在：{path}", f"the key store already exists: {path}"))
        master, kdf = _new_master(settings)
        signing = crypto.generate_signing_key()
        secrets = {
            "signing": signing,
            **{n: crypto.generate_key() for n in PLATFORM_KEYS if n != "signing"},
        }
        store: dict[str, Any] = {
            "format": keystore.FORMAT,
            "master_key_id": crypto.key_id(master),
            "kdf": kdf,
            "generation": 1,
            "created_at": now(),
            "rotated_at": None,
            "public_key": crypto.b64(crypto.public_key_of(signing)),
            "keys": {n: crypto.b64(crypto.wrap_key(master, k, n)) for n, k in secrets.items()},
            "deals": {},
            "destroyed": {},
        }
        with open_vault(settings, create=True) as vault, vault.transaction() as session:
            vault._master = master
            keystore.save(path, store)
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.KEYS_INIT,
                obj="keystore",
                details={"master_key_id": store["master_key_id"]},
            )
        write_atomic(_public_key_path(settings), (store["public_key"] + "\n").encode(), 0o644)
    return status(settings, actor=actor)


def status(settings: Settings, *, actor: Actor) -> KeyStatus:
    """The key store's state; checks that the configured master key matches it."""
    with open_vault(settings) as vault:
        audit.require(vault, actor, Action.KEY_STATUS, obj="keystore")
        store = vault.load_keystore()
        vault.master_key(store)
        source = settings.master_key_source or "-"
        return KeyStatus(
            keystore=str(settings.keystore_path),
            master_key_id=store["master_key_id"],
            source=source,
            generation=int(store["generation"]),
            active_deals=len(store["deals"]),
            destroyed_deals=len(store["destroyed"]),
            public_key=store["public_key"],
            created_at=store["created_at"],
            rotated_at=store.get("rotated_at"),
        )


def rotate(
    settings: Settings,
    *,
    actor: Actor,
    new_key_file: Path | None = None,
    new_passphrase: str | None = None,
) -> KeyStatus:
    """Re-wrap every key under a new master key; the old one stops working."""
    if (new_key_file is None) == (new_passphrase is None):
        raise ConfigError(
            tr(
                "请给出新的密钥文件或新口令（二选一）",
                "give either a new key file or a new passphrase",
            )
        )
    path = settings.keystore_path
    with keystore.locked(path), open_vault(settings) as vault:
        audit.require(vault, actor, Action.KEY_ROTATE, obj="keystore")
        store = vault.load_keystore()
        old = vault.master_key(store)
        new, kdf = _new_master(settings, key_file=new_key_file, passphrase=new_passphrase)
        if crypto.constant_time_equal(new, old):
            raise ConfigError(tr("新主密钥与旧主密钥相同", "the new master key equals the old one"))
        keys = {n: crypto.unwrap_key(old, crypto.unb64(w), n) for n, w in store["keys"].items()}
        store["keys"] = {n: crypto.b64(crypto.wrap_key(new, k, n)) for n, k in keys.items()}
        for deal_id, entry in store["deals"].items():
            label = f"deal:{deal_id}:{entry['version']}"
            entry["wrapped"] = crypto.b64(
                crypto.wrap_key(
                    new, crypto.unwrap_key(old, crypto.unb64(entry["wrapped"]), label), label
                )
            )
        store.update(
            master_key_id=crypto.key_id(new),
            kdf=kdf,
            generation=int(store["generation"]) + 1,
            rotated_at=now(),
        )
        with vault.transaction() as session:
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.KEYS_ROTATE,
                obj="keystore",
                details={
                    "generation": store["generation"],
                    "master_key_id": store["master_key_id"],
                },
            )
            keystore.save(path, store)
    new_settings = settings.model_copy(
        update={"master_key_file": new_key_file, "master_key": None, "passphrase": None}
        if new_key_file is not None
        else {
            "passphrase": SecretStr(new_passphrase or ""),
            "master_key_file": None,
            "master_key": None,
        }
    )
    return status(new_settings, actor=actor)
