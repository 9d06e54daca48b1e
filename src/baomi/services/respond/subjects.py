"""Find a person across the data: every (file, sheet, row, column) where one of their
identifiers occurs, in a deal's vault documents or in the files a scan read.

The files are read as the scan reads them and indexed as keyed hashes
(:mod:`baomi.engine.scan.locate`); the query is canonicalised by the recognizers, so the
full-width, spaced and ``+86`` spellings of the same identifier find the same cells.

A deal's index is built on its first search (each document decrypted into a private temporary
folder, removed afterwards) and stored per document in ``subject_index``, sealed with the deal's
data key — shredded with the deal. A scan folder's index is built per search, in memory only.
The search is audited with the entity and the counts — never the identifier.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.engine.scan.linkage import identifier_hash
from baomi.engine.scan.locate import Occurrence, canonical, index_files, records_at
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.respond import requests
from baomi.services.respond.requests import RequestInfo
from baomi.services.vault import Vault, now
from baomi.storage.models import SubjectIndex


class IdKind(StrEnum):
    """What the query is (the entity the scan reports it as)."""

    ID = "CN_RESIDENT_ID"
    MOBILE = "CN_MOBILE"
    EMAIL = "EMAIL"


@dataclass(frozen=True)
class Hit:
    file: str
    sheet: str | None
    row: int
    column: str | None
    entity: str


@dataclass(frozen=True)
class SearchResult:
    entity: str
    documents: int
    hits: tuple[Hit, ...]
    #: ``deal:<id>`` or ``scan:<the folder scanned>``
    where: str = ""

    def per_file(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for h in self.hits:
            out[h.file] = out.get(h.file, 0) + 1
        return out


def _search(named: list[tuple[Path, str]], kind: IdKind, query: str, key: bytes) -> list[Hit]:
    wanted = identifier_hash(key, canonical(kind.value, query))
    hits: list[Hit] = []
    for path, name in named:
        for o in index_files([path], key):
            if o.entity == kind.value and o.hash == wanted:
                o = replace(o, file=name)
                hits.append(_hit(o))
    return sorted(hits, key=lambda h: (h.file, h.sheet or "", h.row, h.column or ""))


def _hit(o: Occurrence) -> Hit:
    return Hit(o.file, o.sheet, o.row, o.column, o.entity)


def _audit(vault: Vault, actor: Actor, obj: str, result: SearchResult, indexed: int = 0) -> None:
    audit.record_now(
        vault,
        actor=actor,
        action=AuditAction.SUBJECT_FIND,
        obj=obj,
        details={
            "indexed": indexed,
            "entity": result.entity,
            "documents": result.documents,
            "occurrences": len(result.hits),
            "files": len(result.per_file()),
        },
    )


def find_in_deal(
    vault: Vault, *, actor: Actor, deal_ref: str, kind: IdKind, query: str
) -> SearchResult:
    """Search every document of the deal, through its stored index (built where missing)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.SUBJECT_FIND, deal_id)
    canonical(kind.value, query)  # refuse an empty query before decrypting anything
    key = crypto.hkdf(vault.platform_key("index"), "baomi subject index")
    index, built = _deal_index(vault, deal_id, key)
    wanted = identifier_hash(key, canonical(kind.value, query))
    hits = sorted(
        (
            _hit(o)
            for occurrences in index.values()
            for o in occurrences
            if o.entity == kind.value and o.hash == wanted
        ),
        key=lambda h: (h.file, h.sheet or "", h.row, h.column or ""),
    )
    result = SearchResult(kind.value, len(index), tuple(hits), f"deal:{deal_id}")
    _audit(vault, actor, result.where, result, indexed=built)
    return result


def _index_aad(object_id: str) -> bytes:
    return crypto.aad("subject-index", object=object_id)


def _deal_index(vault: Vault, deal_id: str, key: bytes) -> tuple[dict[str, list[Occurrence]], int]:
    """Each document's occurrences (file = the document's name), from the stored index; a
    document not indexed yet is decrypted, indexed and its index stored sealed with the deal's
    key. Returns the index and how many documents were indexed now."""
    deal_key = vault.deal_key(deal_id)
    with vault.reading() as session:
        stored = {
            r.object_id: r.sealed
            for r in session.execute(
                select(SubjectIndex).where(SubjectIndex.deal_id == deal_id)
            ).scalars()
        }
    index: dict[str, list[Occurrence]] = {}
    fresh: list[SubjectIndex] = []
    for obj in deals.objects(vault, deal_id):
        name = obj.name or obj.id
        if obj.id in stored:
            rows = json.loads(crypto.open_sealed(deal_key, stored[obj.id], _index_aad(obj.id)))
            index[obj.id] = [Occurrence(name, r[0], r[1], r[2], r[3], r[4]) for r in rows]
            continue
        tmp = Path(tempfile.mkdtemp(prefix="baomi-subject-"))
        try:
            [(path, _)] = _deal_files(vault, deal_id, tmp, only=obj.id)
            found = [replace(o, file=name) for o in index_files([path], key)]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        index[obj.id] = found
        rows = [[o.sheet, o.row, o.column, o.entity, o.hash] for o in found]
        fresh.append(
            SubjectIndex(
                object_id=obj.id,
                deal_id=deal_id,
                sealed=crypto.seal(deal_key, json.dumps(rows).encode(), _index_aad(obj.id)),
                entries=len(rows),
                built_at=now(),
            )
        )
    if fresh:
        with vault.transaction() as session:
            for row in fresh:
                if session.get(SubjectIndex, row.object_id) is None:
                    session.add(row)
    return index, len(fresh)


def _deal_files(
    vault: Vault, deal_id: str, tmp: Path, only: str | None = None
) -> list[tuple[Path, str]]:
    """The deal's documents (or the one ``only``) decrypted into ``tmp`` (the caller removes
    it): (path, name)."""
    named: list[tuple[Path, str]] = []
    for i, obj in enumerate(deals.objects(vault, deal_id)):
        if only is not None and obj.id != only:
            continue
        name, content = deals.open_object(vault, deal_id, obj.id)
        folder = tmp / str(i)
        folder.mkdir(mode=0o700)
        path = folder / Path(name).name
        path.write_bytes(content)
        named.append((path, name))
    return named


def find_in_scan(
    vault: Vault, *, actor: Actor, scan_dir: Path, root: Path, kind: IdKind, query: str
) -> SearchResult:
    """Search the files a scan read: ``scan_dir/inventory.json`` lists them relative to the
    folder scanned, ``root``; they are read again from there."""
    authorize(actor, Action.SUBJECT_FIND)
    try:
        listed = json.loads((scan_dir / "inventory.json").read_text(encoding="utf-8"))["files"]
        names = [str(f["path"]) for f in listed]
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(
            tr(
                f"{scan_dir} 中没有可读的 inventory.json",
                f"no readable inventory.json in {scan_dir}",
            )
        ) from None
    base = root.resolve()
    named: list[tuple[Path, str]] = []
    for name in names:
        path = (base / name).resolve()
        if not path.is_relative_to(base):
            raise InputError(tr(f"路径越界：{name}", f"a path outside the root: {name}"))
        if not path.is_file():
            raise InputError(
                tr(f"{root} 下没有扫描过的文件 {name}", f"{root} has no scanned file {name}")
            )
        named.append((path, name))
    key = crypto.hkdf(vault.platform_key("index"), "baomi subject index")
    result = SearchResult(
        kind.value, len(named), tuple(_search(named, kind, query, key)), f"scan:{base}"
    )
    _audit(vault, actor, f"scan:{scan_dir.name}", result)
    return result


def link(vault: Vault, *, actor: Actor, request_id: str, result: SearchResult) -> RequestInfo:
    """Record ``result`` on the request (sealed): where, hits per file, positions."""
    return requests.record_search(
        vault,
        actor=actor,
        request_id=request_id,
        entity=result.entity,
        where=result.where,
        documents=result.documents,
        hits=[(h.file, h.sheet, h.row, h.column) for h in result.hits],
    )


def export_records(vault: Vault, *, actor: Actor, request_id: str, out: Path) -> int:
    """The response package: the requester's records at the positions of the search linked to
    the request, read again from where it looked, written as JSON to ``out`` (a new file,
    owner-only). Needs a verified identity (S35-8.7). Returns the number of records; the audit
    keeps the counts."""
    authorize(actor, Action.SUBJECT_FIND)
    info = requests.get(vault, actor=actor, request_id=request_id)
    if info.status not in (requests.Status.VERIFIED, requests.Status.ANSWERED):
        raise InputError(
            tr("导出前须核验请求人身份", "verify the requester's identity before exporting")
        )
    if info.search is None:
        raise InputError(
            tr(
                "请先查找请求人的数据（subject find --request）",
                "find the requester's data first (subject find --request)",
            )
        )
    if out.exists():
        raise InputError(tr(f"{out} 已存在", f"{out} exists already"))
    wanted: dict[str, set[tuple[str | None, int]]] = {}
    for file, sheet, row, _column in info.search["hits"]:
        wanted.setdefault(str(file), set()).add((sheet, int(row)))
    where = str(info.search["where"])
    tmp = Path(tempfile.mkdtemp(prefix="baomi-subject-"))
    try:
        if where.startswith("deal:"):
            named = _deal_files(vault, where.removeprefix("deal:"), tmp)
        else:
            base = Path(where.removeprefix("scan:"))
            named = [(base / name, name) for name in wanted]
        records = []
        for path, name in named:
            if name not in wanted:
                continue
            positions = {(path.name, sheet, row) for sheet, row in wanted[name]}
            for _file, sheet, row, values in records_at([path], positions):
                records.append({"file": name, "sheet": sheet, "row": row, "values": values})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    package = {
        "reference": info.reference,
        "kind": info.kind.value,
        "records": records,
    }
    with os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        json.dump(package, f, ensure_ascii=False, indent=2)
    audit.record_now(
        vault,
        actor=actor,
        action=AuditAction.REQUEST_UPDATE,
        obj=f"request:{info.id}",
        details={"export": len(records), "files": len({r["file"] for r in records})},
    )
    return len(records)
