"""Deals: create, add documents (sealed, with their scan inventory), list, show, export.

A document's content, name and inventory are sealed with the deal's data key; the associated data
binds each to its deal, object, key version and part, so a blob moved to another object or deal
fails to open. Documents are scanned and their blobs written (temp + fsync + rename) before the
transaction that records them, never inside it; if anything fails the blobs are removed, and a
crash leaves at most unreferenced blobs. The scanner is a parameter (:data:`Scanner`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import BaomiError, CryptoError, InputError, IntegrityError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.permissions import Action, Actor
from baomi.services.respond import person_index
from baomi.services.vault import Vault, new_id, now
from baomi.storage import keystore
from baomi.storage.blobs import write_atomic
from baomi.storage.models import Deal, StoredObject, SubjectIndex

#: What :func:`add` asks for each document: the scan inventory of one file (the scan's
#: ``inventory.json`` contract, no raw PI), or ``None`` to store the file without one.
Scanner = Callable[[Path], Mapping[str, Any] | None]


#: What a deal's state is called (``deals.status``), Chinese and English.
STATUS_LABELS = {"active": ("进行中", "active"), "destroyed": ("已销毁", "destroyed")}


def status_label(status: str) -> str:
    """A deal's state in the reader's language (the code itself if unknown)."""
    zh, en = STATUS_LABELS.get(status, (status, status))
    return tr(zh, en)


@dataclass(frozen=True)
class DealInfo:
    id: str
    name: str
    status: str
    objects: int
    created_at: str
    created_by: str
    destroyed_at: str | None = None


@dataclass(frozen=True)
class ObjectInfo:
    id: str
    name: str | None
    size: int
    sha256: str
    created_at: str
    inventory: dict[str, Any] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DealDetail:
    deal: DealInfo
    objects: list[ObjectInfo]


#: the statuses of an object that is a deal's current version of its document (a superseded
#: or shredded one is an earlier version, see :mod:`baomi.services.respond.versions`)
CURRENT = ("stored", "destroyed")


def _info(session: Session, deal: Deal) -> DealInfo:
    count = session.execute(
        select(func.count())
        .select_from(StoredObject)
        .where(StoredObject.deal_id == deal.id, StoredObject.status.in_(CURRENT))
    ).scalar_one()
    return DealInfo(
        deal.id, deal.name, deal.status, count, deal.created_at, deal.created_by, deal.destroyed_at
    )


def find_deal(session: Session, ref: str) -> Deal:
    """A deal by name or id; :class:`InputError` if none."""
    deal = session.execute(select(Deal).where(or_(Deal.name == ref, Deal.id == ref))).scalar()
    if deal is None:
        raise InputError(tr(f"没有名为 {ref} 的交易", f"no deal named {ref}"))
    return deal


#: Characters a deal's name cannot hold: its room's address is /rooms/NAME.
_NOT_IN_NAMES = frozenset("/\\#?%")
MAX_NAME = 100


def _checked_name(name: str) -> str:
    """``name`` stripped, or :class:`InputError` for a name a link cannot carry."""
    name = name.strip()
    if not name:
        raise InputError(tr("交易名称不能为空", "a deal needs a name"))
    if len(name) > MAX_NAME:
        raise InputError(
            tr(f"交易名称最多 {MAX_NAME} 个字符", f"a deal name has at most {MAX_NAME} characters")
        )
    if name in (".", ".."):  # a browser reads /rooms/.. as /
        raise InputError(tr("交易名称不能是 . 或 ..", "a deal name cannot be . or .."))
    if any(c in _NOT_IN_NAMES or unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise InputError(
            tr(
                "交易名称不能包含 / \\ # ? % 或控制字符（它是数据室网址的一部分）",
                "a deal name cannot hold / \\ # ? % or control characters (it is part of "
                "the data room's address)",
            )
        )
    return name


def create(vault: Vault, *, actor: Actor, name: str) -> DealInfo:
    """A new deal with a fresh data key, wrapped under the master key in the key store."""
    audit.require(vault, actor, Action.DEAL_CREATE, obj="deal")
    name = _checked_name(name)
    deal_id = new_id()
    with keystore.locked(vault.keystore_path), vault.transaction() as session:
        if session.execute(select(Deal.id).where(Deal.name == name)).first() is not None:
            raise InputError(tr(f"交易 {name} 已存在", f"deal {name} already exists"))
        store = vault.load_keystore()
        label = f"deal:{deal_id}:1"
        store["deals"][deal_id] = {
            "version": 1,
            "created_at": now(),
            "wrapped": crypto.b64(
                crypto.wrap_key(vault.master_key(store), crypto.generate_key(), label)
            ),
        }
        deal = Deal(
            id=deal_id,
            name=name,
            status="active",
            key_version=1,
            created_at=now(),
            created_by=actor.name,
        )
        session.add(deal)
        session.flush()
        audit.record(
            session, vault, actor=actor, action=AuditAction.DEAL_CREATE, obj=f"deal:{deal_id}"
        )
        # Written last, inside the transaction: a failed commit leaves only an unused key.
        keystore.save(vault.keystore_path, store)
        return _info(session, deal)


def _files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every file under ``paths`` with the name to store, by the document layer's one walker
    (named as the scan names them); a path that does not exist is an error."""
    from baomi.engine.documents.files import iter_files

    for path in paths:
        if not path.exists():
            raise InputError(tr(f"找不到文件：{path}", f"no such file: {path}"))
    return list(iter_files(paths))


def scan_inventory(path: Path) -> dict[str, Any]:
    """The default :data:`Scanner`: the engine's scan of one file (no raw PI in it), as JSON data:
    it is sealed as it is, and a document keeps the inventory of the version that scanned it."""
    from baomi.engine.contracts import codec
    from baomi.engine.scan import scan_paths

    return codec.to_dict(scan_paths([path]).inventory)


def inventory_json(inventory: Mapping[str, Any]) -> bytes:
    """A document's scan inventory as it is sealed."""
    return json.dumps(inventory, ensure_ascii=False).encode()


def put_object(
    vault: Vault,
    key: bytes,
    deal: Deal,
    object_id: str,
    *,
    name: str,
    content: bytes,
    inventory: Mapping[str, Any] | None,
) -> StoredObject:
    """Seal one document's content (its blob written now, temp + rename), name and inventory;
    the row to record (the caller sets ``created_by``, adds it in its transaction, and deletes
    the blob if that fails)."""

    def part_aad(part: str) -> bytes:
        return crypto.object_aad(
            deal_id=deal.id, object_id=object_id, key_version=deal.key_version, part=part
        )

    blob = crypto.seal(key, content, part_aad("content"))
    vault.blobs.put(deal.id, object_id, blob)
    return StoredObject(
        id=object_id,
        deal_id=deal.id,
        name_sealed=crypto.seal(key, name.encode("utf-8"), part_aad("name")),
        inventory_sealed=None
        if inventory is None
        else crypto.seal(key, inventory_json(inventory), part_aad("inventory")),
        size=len(content),
        sha256=crypto.sha256_hex(content),
        blob_sha256=crypto.sha256_hex(blob),
        key_version=deal.key_version,
        status="stored",
        created_at=now(),
        created_by="",
    )


def add(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    paths: Sequence[Path],
    scanner: Scanner = scan_inventory,
    index: bool = True,
) -> list[ObjectInfo]:
    """Seal files into a deal with their scan inventory and (``index``) their person index
    (:mod:`baomi.services.respond.person_index`, sealed with the deal's key like the
    document); one audit event per document.

    Each file is read, scanned, sealed and its blob written outside any transaction, one file
    in memory at a time (a scan can take minutes and must not hold the database's write lock);
    then one short transaction records the objects and their events. A failure anywhere
    removes the blobs already written.
    """
    with vault.reading() as session:
        deal = find_deal(session, deal_ref)
    audit.require(vault, actor, Action.DEAL_ADD, obj=f"deal:{deal.id}", resource=deal.id)
    if deal.status != "active":
        raise InputError(tr("该交易已销毁", "this deal has been destroyed"))
    files = _files(paths)
    replaced = _replaced_versions(vault, deal.id)
    key = vault.deal_key(deal.id)
    index_key = person_index.index_key(vault) if index else None
    indexes: list[SubjectIndex] = []
    rows: list[StoredObject] = []
    added: list[ObjectInfo] = []
    try:
        for path, name in files:
            content = path.read_bytes()
            if replaced and hashlib.sha256(content).hexdigest() in replaced:
                raise _replaced_error(name)  # the blobs written so far are removed below
            inventory = scanner(path)
            object_id = new_id()
            row = put_object(
                vault, key, deal, object_id, name=name, content=content, inventory=inventory
            )
            row.created_by = actor.name
            rows.append(row)
            if index_key is not None:
                try:
                    found = person_index.build(path, index_key)
                except BaomiError:  # the search indexes it later (or says why it cannot)
                    found = None
                if found is not None:
                    indexes.append(
                        person_index.seal(key, deal_id=deal.id, object_id=object_id, found=found)
                    )
            added.append(
                ObjectInfo(
                    object_id,
                    name,
                    row.size,
                    row.sha256,
                    row.created_at,
                    None if inventory is None else dict(inventory),
                )
            )
        with vault.transaction() as session:
            for row in rows:
                session.add(row)
                session.flush()
                audit.record(
                    session,
                    vault,
                    actor=actor,
                    action=AuditAction.OBJECT_ADD,
                    obj=f"object:{row.id}",
                    details={"deal": deal.id, "sha256": row.sha256, "size": row.size},
                )
            session.add_all(indexes)
    except BaseException:
        for row in rows:
            vault.blobs.delete(deal.id, row.id)
        raise
    return added


def _replaced_versions(vault: Vault, deal_id: str) -> set[str]:
    """The SHA-256 of the deal's versions replaced on a data-subject request (a correction or
    deletion, ``subject apply``): a file with that content is refused, adding it back would
    undo the change for the person."""
    with vault.reading() as session:
        return set(
            session.execute(
                select(StoredObject.sha256).where(
                    StoredObject.deal_id == deal_id,
                    StoredObject.status.in_(("superseded", "shredded")),
                )
            ).scalars()
        )


def _replaced_error(name: str) -> InputError:
    return InputError(
        tr(
            f"{name} 与因个人权利请求（更正或删除）而被替换的旧版本相同：重新加入会恢复已删除或更正的个人信息",
            f"{name} is a version replaced on a data-subject request (a correction or "
            "deletion): adding it back would undo that for the person",
        )
    )


def list_deals(vault: Vault, *, actor: Actor) -> list[DealInfo]:
    """The deals ``actor`` may see (every deal for an unscoped actor)."""
    audit.require(vault, actor, Action.DEAL_LIST, obj="deal")
    with vault.reading() as session:
        deals = session.execute(select(Deal).order_by(Deal.created_at)).scalars().all()
        return [_info(session, d) for d in deals if actor.deals is None or d.id in actor.deals]


def _open_part(key: bytes, deal: Deal, obj: StoredObject, part: str, sealed: bytes) -> bytes:
    return crypto.open_sealed(
        key,
        sealed,
        crypto.object_aad(
            deal_id=deal.id, object_id=obj.id, key_version=obj.key_version, part=part
        ),
    )


def show(vault: Vault, deal_ref: str, *, actor: Actor) -> DealDetail:
    """A deal with its documents; names and inventories decrypted while the key exists.

    Decrypting is an access to the deal's data, so it is audited (``deal.show``).
    """
    with vault.reading() as session:
        deal = find_deal(session, deal_ref)
    audit.require(vault, actor, Action.DEAL_SHOW, obj=f"deal:{deal.id}", resource=deal.id)
    info, out, decrypted = _detail(vault, deal)
    if decrypted:
        audit.record_now(
            vault,
            actor=actor,
            action=AuditAction.DEAL_SHOW,
            obj=f"deal:{deal.id}",
            details={"objects": len(out)},
        )
    return DealDetail(info, out)


def objects(vault: Vault, deal_id: str) -> list[ObjectInfo]:
    """A deal's documents (their current versions), names and inventories decrypted while the
    key exists.

    For other services, *after* they authorized the access (the data room's listing, which its
    own gate decides); it checks no permission and records nothing itself.
    """
    with vault.reading() as session:
        deal = session.get(Deal, deal_id)
        if deal is None:
            raise InputError(tr(f"没有交易 {deal_id}", f"no deal {deal_id}"))
    return _detail(vault, deal)[1]


def _detail(vault: Vault, deal: Deal) -> tuple[DealInfo, list[ObjectInfo], bool]:
    """The deal's summary, its objects, and whether their names could be decrypted."""
    with vault.reading() as session:
        objs = (
            session.execute(
                select(StoredObject)
                .where(StoredObject.deal_id == deal.id, StoredObject.status.in_(CURRENT))
                .order_by(StoredObject.created_at, StoredObject.id)
            )
            .scalars()
            .all()
        )
        info = _info(session, deal)
    key = None
    if deal.status == "active":
        try:
            key = vault.deal_key(deal.id)
        except CryptoError:  # shredded after the backup this store was restored from
            key = None
    out: list[ObjectInfo] = []
    for obj in objs:
        name = inventory = None
        if key is not None:
            name = _open_part(key, deal, obj, "name", obj.name_sealed).decode("utf-8")
            if obj.inventory_sealed is not None:
                inventory = json.loads(
                    _open_part(key, deal, obj, "inventory", obj.inventory_sealed)
                )
        out.append(ObjectInfo(obj.id, name, obj.size, obj.sha256, obj.created_at, inventory))
    return info, out, key is not None


def export(vault: Vault, *, actor: Actor, deal_ref: str, out_dir: Path) -> list[Path]:
    """Decrypt a deal's documents into ``out_dir`` for the operator; audited (also when refused)."""
    with vault.reading() as session:
        deal = find_deal(session, deal_ref)
    audit.require(vault, actor, Action.DEAL_EXPORT, obj=f"deal:{deal.id}", resource=deal.id)
    try:
        key = vault.deal_key(deal.id)
    except CryptoError as exc:
        audit.record_now(
            vault,
            actor=actor,
            action=AuditAction.DEAL_EXPORT,
            obj=f"deal:{deal.id}",
            outcome="failure",
            details={"reason": "data key unavailable"},
        )
        raise exc from None
    written: list[Path] = []
    with vault.transaction() as session:
        objs = (
            session.execute(
                select(StoredObject).where(
                    StoredObject.deal_id == deal.id, StoredObject.status.in_(CURRENT)
                )
            )
            .scalars()
            .all()
        )
        for obj in objs:
            name = _open_part(key, deal, obj, "name", obj.name_sealed).decode("utf-8")
            content = _open_part(key, deal, obj, "content", vault.blobs.get(deal.id, obj.id))
            if not crypto.constant_time_equal(crypto.sha256_hex(content), obj.sha256):
                raise IntegrityError(
                    tr(f"对象 {obj.id} 的哈希不符", f"object {obj.id} does not match its hash")
                )
            target = (out_dir / name).resolve()
            if out_dir.resolve() not in target.parents:
                raise IntegrityError(
                    tr(f"对象 {obj.id} 的名称不安全", f"object {obj.id} has an unsafe name")
                )
            write_atomic(target, content, 0o600)
            written.append(target)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.DEAL_EXPORT,
            obj=f"deal:{deal.id}",
            details={"objects": len(written)},
        )
    return written


def open_object(vault: Vault, deal_id: str, object_id: str) -> tuple[str, bytes]:
    """The name and content of one object (also a superseded version, until it is shredded),
    checked against its hash.

    For other services, *after* they authorized the access and while they record it (the data
    room's downloads); it checks no permission itself.
    """
    with vault.reading() as session:
        deal = session.get(Deal, deal_id)
        obj = session.get(StoredObject, object_id)
        if deal is None or obj is None or obj.deal_id != deal_id or obj.status == "shredded":
            raise InputError(tr("没有该文件", "no such document"))
    key = vault.deal_key(deal.id)
    name = _open_part(key, deal, obj, "name", obj.name_sealed).decode("utf-8")
    content = _open_part(key, deal, obj, "content", vault.blobs.get(deal.id, obj.id))
    if not crypto.constant_time_equal(crypto.sha256_hex(content), obj.sha256):
        raise IntegrityError(
            tr(f"对象 {obj.id} 的哈希不符", f"object {obj.id} does not match its hash")
        )
    return name, content
