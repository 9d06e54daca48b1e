"""Correction (PIPL-46) and deletion (PIPL-47) applied to a deal's documents as new versions.

For a verified correction or deletion request whose linked search looked in a deal, each
document the search found the requester in gets a NEW version: for a deletion, the table
without the requester's rows; for a correction, the named column of those rows set to the
corrected value (which is written into the sealed document only — never logged or stored
elsewhere). Tables are rewritten by the protect engine's round-trip writers (CSV, XLSX, JSON,
JSON Lines, Parquet: format, encoding and the other rows kept); a text document or one whose
rows the readers number differently is left as it is and reported.

Every new version is checked before it is stored: re-indexed, it must hold no row with the
requester (a deletion) and exactly as many rows as the original less those removed. It is sealed
with the deal's key like any document, its person index rebuilt, and it replaces the original
in every listing (``deals.objects``). The original stays in the vault encrypted, marked
``superseded`` with a retention date (``DSR-KEEP`` in ``rules/requests.yaml``, an analysis
value: PIPL-47's last paragraph allows storage and protection only), and :func:`purge`
shreds it once that date has come (its blob deleted, its index row removed).

Audited as ``subject.apply`` (per document: the deal, the two versions, the rows — counts) and
``object.shred`` — no personal value.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select

from baomi.engine.audit_chain import AuditAction
from baomi.engine.protect import writers
from baomi.engine.scan.locate import NAME, Occurrence, records_at
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.respond import person_index, requests
from baomi.services.respond.incidents import _parse
from baomi.services.respond.requests import Kind, Status
from baomi.services.vault import Vault, new_id
from baomi.storage.models import Deal, StoredObject, SubjectIndex

#: the rule giving how long a superseded original is kept (days)
KEEP_RULE = "DSR-KEEP"


@dataclass(frozen=True)
class NewVersion:
    file: str
    original: str
    version: str
    #: rows removed (deletion) or changed (correction)
    rows: int


@dataclass(frozen=True)
class Applied:
    request_id: str
    kind: Kind
    versions: tuple[NewVersion, ...]
    #: documents left as they were: (file, why)
    skipped: tuple[tuple[str, str], ...]
    #: when the originals are shredded
    retain_until: str
    #: the retention rule's label (an analysis value: says so)
    rule: str


@dataclass(frozen=True)
class _Change:
    """One document's new content, before it is stored."""

    obj: StoredObject
    name: str
    content: bytes
    rows: int
    inventory: dict[str, Any] | None
    index: list[Occurrence]


def retain_until(at: _dt.datetime | None = None) -> _dt.datetime:
    """When a version superseded at ``at`` (now) is shredded: ``DSR-KEEP.days`` later."""
    days = int(rules()[KEEP_RULE].param("days"))
    return (at or _dt.datetime.now(_dt.UTC)) + _dt.timedelta(days=days)


def _positions(search: dict[str, Any]) -> dict[str, dict[str | None, set[int]]]:
    """The search's rows per vault document and sheet (hits of a search linked before
    documents had versions carry no document: they are refused — search again)."""
    out: dict[str, dict[str | None, set[int]]] = {}
    for hit in search["hits"]:
        if len(hit) < 5 or not hit[4]:
            raise InputError(
                tr(
                    "关联的查找结果过旧，请重新查找（subject find --deal … --request）",
                    "the linked search is too old: search again (subject find --deal … --request)",
                )
            )
        _file, sheet, row, _column, object_id = hit[:5]
        out.setdefault(str(object_id), {}).setdefault(sheet, set()).add(int(row))
    return out


@contextmanager
def _scratch() -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix="baomi-versions-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _same_rows(path: Path, table: writers.Table, sheet: str | None, rows: set[int]) -> bool:
    """Whether the writer's frame rows ``rows`` are the records the scan's readers number so
    (the positions the search reported)."""
    if table.skipped_rows or any(r >= table.frame.height for r in rows):
        return False
    read = {
        row: values
        for _f, _s, row, values in records_at([path], {(path.name, sheet, r) for r in rows})
    }
    if set(read) != rows:
        return False
    for r in rows:
        mine = {k: "" if v is None else str(v) for k, v in table.frame.row(r, named=True).items()}
        if {k: v for k, v in mine.items() if v} != {k: v for k, v in read[r].items() if v}:
            return False
    return True


def _rewrite(
    path: Path,
    wanted: dict[str | None, set[int]],
    kind: Kind,
    column: str | None,
    value: str | None,
) -> tuple[Path, int] | str:
    """The document at ``path`` without (deletion) or corrected at (correction) the rows
    ``wanted`` per sheet, written beside it: (new path, rows) — or why it cannot be."""
    if path.suffix.lower() not in writers.TABLE_SUFFIXES:
        return tr("不是表格（需人工处理）", "not a table (handle it by hand)")
    try:
        doc = writers.load(path)
    except Exception:  # a reader's many errors: the document stays as it is
        return tr("无法读取", "unreadable")
    count = 0
    for table in doc.tables:
        rows = wanted.get(table.sheet, set())
        if not rows:
            continue
        if not _same_rows(path, table, table.sheet, rows):
            return tr("行号无法对应（需人工处理）", "rows cannot be matched (handle by hand)")
        if kind is Kind.DELETION:
            keep = [i for i in range(table.frame.height) if i not in rows]
            table.frame = table.frame[keep]
            table.keep_rows = keep
            if doc.format in ("json", "jsonl"):  # the saver compares with the rows as loaded
                doc.state.original = doc.state.original[keep]
        else:
            assert column is not None and value is not None
            if column not in table.frame.columns:
                return tr(f"没有列 {column}", f"no column {column}")
            hit = pl.int_range(0, table.frame.height, eager=True).is_in(sorted(rows))
            table.frame = table.frame.with_columns(
                pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
            )
        count += len(rows)
    if count == 0 or count != sum(len(r) for r in wanted.values()):
        return tr("工作表无法对应", "sheets cannot be matched")
    target = path.parent / "new" / path.name
    target.parent.mkdir(mode=0o700, exist_ok=True)
    try:
        doc.save(target)
    except Exception:
        return tr("无法写回该格式", "cannot write this format back")
    return target, count


def _leftover(
    old: list[Occurrence], new: list[Occurrence], wanted: dict[str | None, set[int]], entity: str
) -> bool:
    """Whether a row of ``new`` still holds the requester: the identifier found at the search's
    positions, with the name found there too when the rows held one (name + phone)."""
    at = [o for o in old if o.row in wanted.get(o.sheet, set())]
    ids = {o.hash for o in at if o.entity == entity}
    names = {o.hash for o in at if o.entity == NAME}
    rows_with_id = {(o.sheet, o.row) for o in new if o.entity == entity and o.hash in ids}
    if not names:
        return bool(rows_with_id)
    rows_with_name = {(o.sheet, o.row) for o in new if o.entity == NAME and o.hash in names}
    return bool(rows_with_id & rows_with_name)


def _rows(path: Path) -> dict[str | None, int]:
    return {t.sheet: t.frame.height for t in writers.load(path).tables}


def apply(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    column: str | None = None,
    value: str | None = None,
) -> Applied:
    """Apply a verified deletion or correction request to the documents its linked search
    found (see the module). ``column``/``value``: a correction's column and corrected value."""
    authorize(actor, Action.SUBJECT_FIND)  # the role first: an unknown id tells nothing
    info = requests.get(vault, actor=actor, request_id=request_id)
    if info.kind not in (Kind.DELETION, Kind.CORRECTION):
        raise InputError(tr("只有更正或删除请求可以执行", "only a correction or deletion applies"))
    if info.status is not Status.VERIFIED:
        raise InputError(
            tr("执行前须核验身份且请求未答复", "the request must be verified and not yet answered")
        )
    if info.kind is Kind.CORRECTION and (not column or value is None or not value.strip()):
        raise InputError(tr("更正须给出列和更正后的值", "a correction needs a column and a value"))
    search = info.search
    if search is None or not str(search["where"]).startswith("deal:"):
        raise InputError(
            tr(
                "请先在交易中查找请求人的数据（subject find --deal … --request）",
                "find the requester's data in a deal first (subject find --deal … --request)",
            )
        )
    deal_id = str(search["where"]).removeprefix("deal:")
    authorize(actor, Action.SUBJECT_FIND, deal_id)
    requests.authorize_edit(vault, actor=actor, request_id=info.id)
    positions = _positions(search)
    deal_key = vault.deal_key(deal_id)
    key = person_index.index_key(vault)
    changes: list[_Change] = []
    skipped: list[tuple[str, str]] = []
    with vault.reading() as session:
        stored = {
            o.id: o
            for o in session.execute(
                select(StoredObject).where(StoredObject.id.in_(list(positions)))
            ).scalars()
        }
        indexes = {
            r.object_id: r
            for r in session.execute(
                select(SubjectIndex).where(SubjectIndex.object_id.in_(list(positions)))
            ).scalars()
        }
    for object_id, wanted in sorted(positions.items()):
        obj = stored.get(object_id)
        if obj is None or obj.deal_id != deal_id or obj.status != "stored":
            raise InputError(
                tr(
                    "文件已有新版本，请重新查找",
                    "a document has a newer version since the search: search again",
                )
            )
        with _scratch() as tmp:
            name, content = deals.open_object(vault, deal_id, object_id)
            (tmp / "old").mkdir(mode=0o700)
            path = tmp / "old" / Path(name).name
            path.write_bytes(content)
            done = _rewrite(path, wanted, info.kind, column, value)
            if isinstance(done, str):
                skipped.append((name, done))
                continue
            new_path, count = done
            new_index = person_index.build(new_path, key)
            old_index = (
                person_index.unseal(deal_key, indexes[object_id], name)
                if object_id in indexes
                else None
            ) or person_index.build(path, key)
            if info.kind is Kind.DELETION:
                before, after = _rows(path), _rows(new_path)
                removed = {s: len(r) for s, r in wanted.items()}
                if _leftover(old_index, new_index, wanted, str(search["entity"])) or any(
                    after.get(s, 0) != n - removed.get(s, 0) for s, n in before.items()
                ):
                    skipped.append(
                        (name, tr("新版本核对未通过", "the new version failed its check"))
                    )
                    continue
            inventory = None
            if obj.inventory_sealed is not None:
                inventory = dict(deals.scan_inventory(new_path))
            changes.append(
                _Change(
                    obj,
                    name,
                    new_path.read_bytes(),
                    count,
                    inventory,
                    [replace(o, file=name) for o in new_index],
                )
            )
    until = retain_until().isoformat()
    versions = _store(vault, actor, info.id, info.kind, deal_id, changes, until)
    audit.record_now(
        vault,
        actor=actor,
        action=AuditAction.REQUEST_UPDATE,
        obj=f"request:{info.id}",
        details={
            "applied": info.kind.value,
            "documents": len(versions),
            "rows": sum(v.rows for v in versions),
            "skipped": len(skipped),
        },
    )
    return Applied(
        info.id,
        info.kind,
        tuple(versions),
        tuple(skipped),
        until,
        rules()[KEEP_RULE].label(),
    )


def _store(
    vault: Vault,
    actor: Actor,
    request_id: str,
    kind: Kind,
    deal_id: str,
    changes: list[_Change],
    until: str,
) -> list[NewVersion]:
    """Seal the new versions (blobs first, then one transaction: the new rows and their
    indexes, the originals superseded, the audit); a failure removes the blobs written."""
    key = vault.deal_key(deal_id)
    with vault.reading() as session:
        deal = session.get(Deal, deal_id)
        assert deal is not None
    rows: list[tuple[_Change, StoredObject, SubjectIndex]] = []
    try:
        for change in changes:
            object_id = new_id()
            row = deals.put_object(
                vault,
                key,
                deal,
                object_id,
                name=change.name,
                content=change.content,
                inventory=change.inventory,
            )
            row.created_by, row.supersedes = actor.name, change.obj.id
            index = person_index.seal(key, deal_id=deal_id, object_id=object_id, found=change.index)
            rows.append((change, row, index))
        out: list[NewVersion] = []
        with vault.transaction() as session:
            for change, row, index in rows:
                old = session.get(StoredObject, change.obj.id)
                if old is None or old.status != "stored":
                    raise InputError(
                        tr(
                            "文件已有新版本，请重新查找",
                            "a document has a newer version: search again",
                        )
                    )
                old.status, old.retain_until = "superseded", until
                session.add(row)
                session.flush()
                session.add(index)
                audit.record(
                    session,
                    vault,
                    actor=actor,
                    action=AuditAction.SUBJECT_APPLY,
                    obj=f"object:{row.id}",
                    details={
                        "deal": deal_id,
                        "request": request_id,
                        "kind": kind.value,
                        "supersedes": old.id,
                        "rows": change.rows,
                        "retain_until": until,
                    },
                )
                out.append(NewVersion(change.name, old.id, row.id, change.rows))
    except BaseException:
        for _change, row, _index in rows:
            vault.blobs.delete(deal_id, row.id)
        raise
    return out


@dataclass(frozen=True)
class Shredded:
    object_id: str
    deal_id: str
    retain_until: str


def due_for_purge(vault: Vault, at: _dt.datetime | None = None) -> list[Shredded]:
    """The superseded versions whose retention has ended at ``at`` (now): at or after their
    ``retain_until``."""
    instant = at or _dt.datetime.now(_dt.UTC)
    with vault.reading() as session:
        objs = session.execute(
            select(StoredObject).where(StoredObject.status == "superseded")
        ).scalars()
        return [
            Shredded(o.id, o.deal_id, o.retain_until)
            for o in objs
            if o.retain_until is not None and _parse(o.retain_until) <= instant
        ]


def purge(vault: Vault, *, actor: Actor, at: _dt.datetime | None = None) -> list[Shredded]:
    """Shred every superseded version whose retention has ended: its blob deleted and its
    index removed (the row stays, ``shredded``, for the record). Needs ``deal.destroy``."""
    authorize(actor, Action.DEAL_DESTROY)
    due = due_for_purge(vault, at)
    for item in due:
        authorize(actor, Action.DEAL_DESTROY, item.deal_id)
    with vault.transaction() as session:
        for item in due:
            obj = session.get(StoredObject, item.object_id)
            assert obj is not None
            obj.status = "shredded"
            obj.inventory_sealed = None
            index = session.get(SubjectIndex, item.object_id)
            if index is not None:
                session.delete(index)
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.OBJECT_SHRED,
                obj=f"object:{item.object_id}",
                details={"deal": item.deal_id, "retain_until": item.retain_until},
            )
    for item in due:  # after the commit, as a deal's destruction does
        vault.blobs.delete(item.deal_id, item.object_id)
    return due
