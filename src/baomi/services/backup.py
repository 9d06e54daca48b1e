"""Backups: a consistent, encrypted snapshot of the database and blobs, with a signed manifest.

What a backup contains: every table's rows (sealed columns stay sealed) and every live blob, plus
``manifest.json`` (SHA-256 and size of each member, row counts, the audit head) signed with the
vault's Ed25519 key. What it does not contain: the key store. Decrypting anything in a backup
needs the live key store, so a deal destroyed after the backup was taken stays unreadable in it.

File format::

    b"BAOMIBAK1\\n" | u32 header length | header JSON | sealed chunks (AES-256-GCM stream)

The header holds a per-backup file key wrapped under the key store's backup key; the chunks'
associated data covers the header, each chunk's index and a final flag, so a corrupted, reordered
or truncated file is refused.

Consistency while the service runs: on SQLite the snapshot is taken with the online backup API
into a private temporary file; on PostgreSQL the rows are read in one REPEATABLE READ transaction.
Blobs are write-once, so reading those listed in the snapshot afterwards is consistent with it.
"""

from __future__ import annotations

import base64
import io
import json
import sqlite3
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, Table, create_engine, delete, func, insert, select
from sqlalchemy.engine import Connection

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction, canonical
from baomi.errors import ConfigError, CryptoError, InputError, IntegrityError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage.blobs import write_atomic
from baomi.storage.db import translate_storage_errors
from baomi.storage.models import TABLES, AuditEventRow, AuditHead, Deal, Party, StoredObject

MAGIC = b"BAOMIBAK1\n"
FORMAT = "baomi-backup/1"
CHUNK = 1 << 20
_LEN = struct.Struct(">I")
_MANIFEST_PREFIX = b"baomi-backup-manifest/1\n"


@dataclass(frozen=True)
class BackupReport:
    backup_id: str
    created_at: str
    created_by: str
    files: int
    rows: dict[str, int]
    audit_head: int


def _tables() -> list[Table]:
    return [t.__table__ for t in TABLES]  # type: ignore[misc]


def _dump_rows(conn: Connection) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for table in _tables():
        binary = {c.name for c in table.columns if isinstance(c.type, LargeBinary)}
        order = list(table.primary_key.columns)
        for row in conn.execute(select(table).order_by(*order)).mappings():
            values = {
                k: ({"$b64": crypto.b64(v)} if k in binary and v is not None else v)
                for k, v in row.items()
            }
            rows.append({"table": table.name, "row": values})
    return rows


def _snapshot_rows(vault: Vault) -> list[dict[str, Any]]:
    """All rows as of one instant, while writers keep running."""
    engine = vault.engine
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(dir=vault.settings.home, prefix=".backup-") as tmp:
            snap = Path(tmp) / "snapshot.db"
            raw = engine.raw_connection()
            try:
                target = sqlite3.connect(snap)
                try:
                    raw.driver_connection.backup(target)  # type: ignore[union-attr]
                finally:
                    target.close()
            finally:
                raw.close()
            snap_engine = create_engine(f"sqlite:///{snap}")
            try:
                with snap_engine.connect() as conn:
                    return _dump_rows(conn)
            finally:
                snap_engine.dispose()
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
        conn.begin(),
    ):
        return _dump_rows(conn)


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o600, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _chunks(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), CHUNK):
        yield data[i : i + CHUNK]


def create(vault: Vault, *, actor: Actor, out: Path) -> BackupReport:
    """Write an encrypted backup to ``out``; audited."""
    audit.require(vault, actor, Action.BACKUP_CREATE, obj="backup")
    if out.exists():
        raise InputError(tr(f"文件已存在：{out}", f"file already exists: {out}"))
    backup_key = vault.platform_key("backup")
    signing_key = vault.platform_key("signing")
    rows = _snapshot_rows(vault)
    members: dict[str, bytes] = {}
    db = "\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows).encode()
    members["db.jsonl"] = db
    for r in rows:
        if r["table"] == "objects" and r["row"]["status"] == "stored":
            deal_id, object_id = r["row"]["deal_id"], r["row"]["id"]
            try:
                blob = vault.blobs.get(deal_id, object_id)
            except FileNotFoundError:
                raise IntegrityError(
                    tr(
                        f"对象 {object_id} 的密文缺失（交易刚被销毁？请重试）",
                        f"blob of object {object_id} is missing (deal destroyed meanwhile? retry)",
                    )
                ) from None
            if not crypto.constant_time_equal(crypto.sha256_hex(blob), r["row"]["blob_sha256"]):
                raise IntegrityError(
                    tr(f"对象 {object_id} 的密文已损坏", f"blob of object {object_id} is corrupt")
                )
            members[f"blobs/{deal_id}/{object_id}.bin"] = blob
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["table"]] = counts.get(r["table"], 0) + 1
    head = next((r["row"] for r in rows if r["table"] == "audit_head"), {"seq": 0, "hash": ""})
    backup_id = new_id()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "backup_id": backup_id,
        "created_at": now(),
        "created_by": actor.name,
        "dialect": vault.engine.dialect.name,
        "rows": counts,
        "audit_head": {"seq": head["seq"], "hash": head["hash"]},
        "files": [
            {"path": n, "sha256": crypto.sha256_hex(d), "size": len(d)} for n, d in members.items()
        ],
    }
    manifest["signature"] = crypto.b64(
        crypto.sign(signing_key, _MANIFEST_PREFIX + canonical(manifest))
    )
    payload = _tar({"manifest.json": json.dumps(manifest, indent=1).encode(), **members})
    file_key = crypto.generate_key()
    header = json.dumps(
        {
            "format": FORMAT,
            "backup_id": backup_id,
            "created_at": manifest["created_at"],
            "wrapped_key": crypto.b64(crypto.wrap_key(backup_key, file_key, f"backup:{backup_id}")),
        },
        sort_keys=True,
    ).encode()
    prefix = MAGIC + _LEN.pack(len(header)) + header
    sealed = b"".join(crypto.seal_stream(file_key, _chunks(payload), prefix))
    with vault.transaction() as session:
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.BACKUP_CREATE,
            obj=f"backup:{backup_id}",
            details={
                "files": len(members),
                "audit_head": head["seq"],
                "sha256": crypto.sha256_hex(prefix + sealed),
            },
            checkpoint=True,
        )
        write_atomic(out, prefix + sealed, 0o600)
    return _report(manifest)


def _report(manifest: dict[str, Any]) -> BackupReport:
    return BackupReport(
        manifest["backup_id"],
        manifest["created_at"],
        manifest["created_by"],
        sum(1 for f in manifest["files"] if f["path"].startswith("blobs/")),
        manifest["rows"],
        int(manifest["audit_head"]["seq"]),
    )


def _open(vault: Vault, path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Decrypt and check a backup fully; :class:`IntegrityError` names what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            tr(f"无法读取备份：{exc.strerror}", f"cannot read the backup: {exc.strerror}")
        ) from None
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _LEN.size:
        raise IntegrityError(
            tr("不是 baomi 备份文件，或已截断", "not a baomi backup, or truncated")
        )
    (hlen,) = _LEN.unpack_from(data, len(MAGIC))
    start = len(MAGIC) + _LEN.size
    try:
        header = json.loads(data[start : start + hlen])
        wrapped = crypto.unb64(header["wrapped_key"])
        label = f"backup:{header['backup_id']}"
    except (ValueError, KeyError, TypeError):
        raise IntegrityError(tr("备份文件头已损坏", "the backup header is corrupt")) from None
    try:
        file_key = crypto.unwrap_key(vault.platform_key("backup"), wrapped, label)
    except CryptoError:
        raise IntegrityError(
            tr(
                "备份无法用此密钥库解密（头部损坏，或密钥库不同）",
                "the backup cannot be decrypted with this key store (corrupt header, or another key store)",
            )
        ) from None
    payload = b"".join(crypto.open_stream(file_key, data[start + hlen :], data[: start + hlen]))
    try:
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:") as tar:
            members = {}
            for m in tar.getmembers():
                fh = tar.extractfile(m)
                if fh is None:
                    raise IntegrityError(
                        tr("备份中有意外的成员", "unexpected member in the backup")
                    )
                members[m.name] = fh.read()
        manifest = json.loads(members.pop("manifest.json"))
    except (tarfile.TarError, KeyError, ValueError):
        raise IntegrityError(tr("备份内容已损坏", "the backup content is corrupt")) from None
    signature = crypto.unb64(manifest.pop("signature"))
    if not crypto.verify_signature(
        vault.public_key(), _MANIFEST_PREFIX + canonical(manifest), signature
    ):
        raise IntegrityError(tr("备份清单签名无效", "the backup manifest signature is invalid"))
    listed = {f["path"]: f for f in manifest["files"]}
    if set(listed) != set(members):
        raise IntegrityError(
            tr("备份成员与清单不符", "the backup members do not match the manifest")
        )
    for name, blob in members.items():
        if not crypto.constant_time_equal(crypto.sha256_hex(blob), listed[name]["sha256"]):
            raise IntegrityError(
                tr(f"备份成员 {name} 的哈希不符", f"backup member {name} does not match its hash")
            )
    return manifest, members


def verify(vault: Vault, path: Path, *, actor: Actor) -> BackupReport:
    """Decrypt and check every hash and the manifest signature; nothing but the outcome is
    written: a ``backup.verify`` event (``success`` with the backup's id and creation time, or
    ``failure``), which the assessment reads as the last verified backup. In an empty home (a
    restore target) nothing is recorded: an event would make it non-empty."""
    audit.require(vault, actor, Action.BACKUP_VERIFY, obj="backup")
    with vault.reading() as session:
        empty = not session.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()
    try:
        manifest, _ = _open(vault, path)
    except (IntegrityError, InputError) as exc:
        if not empty:
            audit.record_now(
                vault,
                actor=actor,
                action=AuditAction.BACKUP_VERIFY,
                obj="backup",
                outcome="failure",
                details={"reason": type(exc).__name__},
            )
        raise
    if not empty:
        audit.record_now(
            vault,
            actor=actor,
            action=AuditAction.BACKUP_VERIFY,
            obj=f"backup:{manifest['backup_id']}",
            details={"backup_id": manifest["backup_id"], "created_at": manifest["created_at"]},
        )
    return _report(manifest)


def _decode(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for c in table.columns:
        v = out.get(c.name)
        if isinstance(v, dict) and "$b64" in v:
            out[c.name] = base64.b64decode(v["$b64"])
    return out


def restore(vault: Vault, *, actor: Actor, path: Path) -> BackupReport:
    """Restore a verified backup into an empty home; the restore is appended to the audit log.

    A refusal is not recorded here: an event in the empty home would make it non-empty."""
    authorize(actor, Action.BACKUP_RESTORE)
    if not vault.settings.keystore_path.exists():
        raise ConfigError(
            tr(
                "恢复需要原密钥库（BAOMI_KEYSTORE）",
                "restoring needs the original key store (BAOMI_KEYSTORE)",
            )
        )
    manifest, members = _open(vault, path)
    rows = [json.loads(line) for line in members["db.jsonl"].decode().splitlines() if line]
    by_name = {t.name: t for t in _tables()}
    with vault.transaction() as session:
        for model in (Deal, StoredObject, Party, AuditEventRow):
            if session.execute(select(func.count()).select_from(model)).scalar_one():
                raise InputError(tr("目标主目录不是空的", "the target home is not empty"))
        if not vault.blobs.is_empty():
            raise InputError(tr("目标主目录不是空的", "the target home is not empty"))
        session.execute(delete(AuditHead))
        for table in _tables():
            batch = [_decode(table, r["row"]) for r in rows if r["table"] == table.name]
            if batch:
                session.execute(insert(by_name[table.name]), batch)
        # The key store records destructions made after this backup: re-apply them, so the
        # restored store agrees with the keys that exist (the data could not be decrypted anyway).
        shredded = vault.load_keystore().get("destroyed", {})
        reapplied = []
        for deal in session.execute(select(Deal).where(Deal.id.in_(list(shredded)))).scalars():
            if deal.status != "destroyed":
                deal.status, deal.destroyed_at = "destroyed", shredded[deal.id]
                for obj in session.execute(
                    select(StoredObject).where(StoredObject.deal_id == deal.id)
                ).scalars():
                    obj.status = "destroyed"
                reapplied.append(deal.id)
        written: list[tuple[str, str]] = []
        try:
            for name, blob in members.items():
                if name.startswith("blobs/"):
                    _, deal_id, fname = name.split("/")
                    if deal_id in shredded:
                        continue
                    vault.blobs.put(deal_id, fname.removesuffix(".bin"), blob)
                    written.append((deal_id, fname.removesuffix(".bin")))
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.BACKUP_RESTORE,
                obj=f"backup:{manifest['backup_id']}",
                details={
                    "files": len(written),
                    "audit_head": manifest["audit_head"]["seq"],
                    "reapplied_destructions": reapplied,
                },
            )
        except BaseException:
            with translate_storage_errors():
                for deal_id, object_id in written:
                    vault.blobs.delete(deal_id, object_id)
            raise
    return _report(manifest)
