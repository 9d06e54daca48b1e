"""The key store file: wrapped keys kept outside the database and outside every backup.

It is a small JSON document (mode 0600) holding the master key's public id, the scrypt salt when a
passphrase is used, and every key wrapped under the master key: the per-deal data keys, the field
key, the index (HMAC) key, the backup key and the Ed25519 signing key. Destroying a deal deletes
its wrapped key here — the file is rewritten atomically and no old version is kept — so no backup
of the database and blobs can ever be decrypted for that deal again.

Read-modify-write cycles hold an exclusive ``flock`` on a sibling lock file, so two processes
creating deals at once do not lose a key.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from baomi.errors import ConfigError
from baomi.storage.blobs import write_atomic
from baomi.storage.db import translate_storage_errors

FORMAT = "baomi-keystore/1"


def exists(path: Path) -> bool:
    return path.is_file()


def load(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no key store at {path}: run `baomi keys init` first") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(f"the key store {path} is not valid JSON") from None
    if data.get("format") != FORMAT:
        raise ConfigError(f"the key store {path} has an unknown format")
    return data


def save(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"), 0o600)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of the key store at ``path``."""
    with translate_storage_errors():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
