"""Find a person across the data: every (file, sheet, row, column) where one of their
identifiers occurs, in a deal's vault documents or in the files a scan read.

The files are read as the scan reads them and indexed as keyed hashes
(:mod:`baomi.engine.scan.locate`); the query is canonicalised by the recognizers, so the
full-width, spaced and ``+86`` spellings of the same identifier find the same cells.

A deal's index is built when a document is added (:mod:`.person_index`, ``deals.add``) and
stored per document in ``subject_index``, sealed with the deal's data key — shredded with the
deal; a document without one (added before) is indexed on the next search. A scan folder's index
is stored sealed in the scan's output folder (``baomi scan`` writes it when a vault is
initialised; a search writes it otherwise) and a file is read again only when its bytes
changed. A search may be narrowed by a name (name + phone: both in the same row). The search is
audited with the entity and the counts — never the identifier or the name.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.engine.checksums import is_valid_hkid, is_valid_tw_id
from baomi.engine.recognizers.base import PatternRecognizer
from baomi.engine.recognizers.cn.passport import CnPassportRecognizer
from baomi.engine.recognizers.generic import phone
from baomi.engine.recognizers.generic.passport import PassportRecognizer
from baomi.engine.scan.linkage import identifier_hash
from baomi.engine.scan.locate import (
    Occurrence,
    canonical,
    in_rows_with,
    name_hash,
    records_at,
)
from baomi.errors import BaomiError, CryptoError, InputError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.respond import person_index, requests
from baomi.services.respond.requests import RequestInfo
from baomi.services.vault import Vault
from baomi.storage.blobs import write_atomic
from baomi.storage.models import SubjectIndex


class IdKind(StrEnum):
    """What the query is (the entity the scan reports it as)."""

    ID = "CN_RESIDENT_ID"
    MOBILE = "CN_MOBILE"
    EMAIL = "EMAIL"
    #: a phone number of another country or region (``+852 9123 4567``): asked for as a
    #: mobile, searched as what the scan reports it as (:func:`searched_kind`)
    PHONE = "PHONE_NUMBER"
    #: a Hong Kong identity card number (``A123456(3)``): asked for as an ID
    HK_ID = "HK_ID"
    #: a Taiwan identity card number (``A123456789``): asked for as an ID
    TW_ID = "TW_ID"
    #: a Macao identity card number (``1234567(8)``): asked for as an ID
    MO_ID = "MO_ID"
    #: a PRC passport number (``E12345678``): asked for as an ID
    CN_PASSPORT = "CN_PASSPORT"
    #: another country's passport number (``C01X00T47``): asked for as an ID
    PASSPORT = "PASSPORT"


_MACAO_ID = re.compile(r"[157]\d{6}\(?\d\)?")


def _whole(recognizer: type[PatternRecognizer], text: str) -> bool:
    """Whether one of ``recognizer``'s patterns reads ``text`` whole (its shape, no context)."""
    return any(rx.fullmatch(text) for _, rx in recognizer._compiled)


def searched_kind(kind: IdKind, query: str) -> IdKind:
    """The kind ``query`` is searched as: a mobile written with a country code other than
    86 that the numbering plan of its country allows is a phone number abroad, and so is one
    written without a country code that is no mainland mobile or landline (``9123 4567``,
    ``(415) 555-0132``); an ID with a Hong Kong or Taiwan identity card number's valid check
    character is one, one of a Macao card's shape (``1234567(8)``; no check is published)
    is one, and one of a passport's shape is a PRC passport (``E12345678``) or another
    country's (``C01X00T47``)."""
    text = "".join(unicodedata.normalize("NFKC", query).split())
    if kind is IdKind.ID and is_valid_hkid(text):
        return IdKind.HK_ID
    if kind is IdKind.ID and is_valid_tw_id(text):
        return IdKind.TW_ID
    if kind is IdKind.ID and _MACAO_ID.fullmatch(text):
        return IdKind.MO_ID
    if kind is IdKind.ID and _whole(CnPassportRecognizer, text):
        return IdKind.CN_PASSPORT
    if kind is IdKind.ID and _whole(PassportRecognizer, text):
        return IdKind.PASSPORT
    if kind is not IdKind.MOBILE:
        return kind
    bare = text.lstrip("(")
    if bare.startswith("+") and not bare.startswith("+86") and phone.parsed(bare) is not None:
        return IdKind.PHONE
    digits = phone.local_digits(text)
    if (
        not bare.startswith(("+", "0086"))
        and phone.LocalPhoneRecognizer().validate(digits) is None  # no mainland mobile
        and not _is_mainland_landline(text)
    ):
        return IdKind.PHONE
    return kind


def _is_mainland_landline(text: str) -> bool:
    """Whether the mainland landline recognizer reads ``text`` whole (``010-62345678``)."""
    from baomi.engine.recognizers.cn.landline import CnLandlineRecognizer

    spans = [(f.start, f.end) for f in CnLandlineRecognizer().analyze("电话 " + text)]
    return (3, 3 + len(text)) in spans


@dataclass(frozen=True)
class Hit:
    file: str
    sheet: str | None
    row: int
    column: str | None
    entity: str
    #: the vault document (a deal's search), None for a scanned file
    object_id: str | None = None


@dataclass(frozen=True)
class SearchResult:
    entity: str
    documents: int
    hits: tuple[Hit, ...]
    #: ``deal:<id>`` or ``scan:<the folder scanned>``
    where: str = ""
    #: the search was narrowed by a name (name + phone)
    named: bool = False

    def per_file(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for h in self.hits:
            out[h.file] = out.get(h.file, 0) + 1
        return out


def _matches(
    occurrences: list[Occurrence], kind: IdKind, wanted: int, name: int | None
) -> list[Occurrence]:
    found = [o for o in occurrences if o.entity == kind.value and o.hash == wanted]
    return found if name is None else in_rows_with(occurrences, found, name)


def _sorted(hits: list[Hit]) -> tuple[Hit, ...]:
    return tuple(sorted(hits, key=lambda h: (h.file, h.sheet or "", h.row, h.column or "")))


def _query(key: bytes, kind: IdKind, query: str, name: str | None) -> tuple[int, int | None]:
    """The keyed hashes of the query and of the name (refused when blank, before any
    document is read)."""
    wanted = identifier_hash(key, canonical(kind.value, query))
    return wanted, (None if name is None else name_hash(key, name))


def _audit(vault: Vault, actor: Actor, obj: str, result: SearchResult, indexed: int = 0) -> None:
    audit.record_now(
        vault,
        actor=actor,
        action=AuditAction.SUBJECT_FIND,
        obj=obj,
        details={
            "indexed": indexed,
            "entity": result.entity,
            "named": result.named,
            "documents": result.documents,
            "occurrences": len(result.hits),
            "files": len(result.per_file()),
        },
    )


def find_in_deal(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    kind: IdKind,
    query: str,
    name: str | None = None,
) -> SearchResult:
    """Search every current document of the deal through its stored index (built where
    missing). With ``name``: only the rows where the name occurs beside the identifier."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.SUBJECT_FIND, deal_id)
    kind = searched_kind(kind, query)
    key = person_index.index_key(vault)
    wanted, named = _query(key, kind, query, name)
    index, built = _deal_index(vault, deal_id, key)
    hits = [
        Hit(o.file, o.sheet, o.row, o.column, o.entity, object_id)
        for object_id, occurrences in index.items()
        for o in _matches(occurrences, kind, wanted, named)
    ]
    result = SearchResult(
        kind.value, len(index), _sorted(hits), f"deal:{deal_id}", named is not None
    )
    _audit(vault, actor, result.where, result, indexed=built)
    return result


def _deal_index(vault: Vault, deal_id: str, key: bytes) -> tuple[dict[str, list[Occurrence]], int]:
    """Each current document's occurrences (file = the document's name), from the stored index
    (written when the document was added); a document without one, or with one of an older
    format, is decrypted, indexed and its index stored. Returns the index and how many
    documents were indexed now."""
    deal_key = vault.deal_key(deal_id)
    with vault.reading() as session:
        stored = {
            r.object_id: r
            for r in session.execute(
                select(SubjectIndex).where(SubjectIndex.deal_id == deal_id)
            ).scalars()
        }
    index: dict[str, list[Occurrence]] = {}
    fresh: list[SubjectIndex] = []
    for obj in deals.objects(vault, deal_id):
        name = obj.name or obj.id
        kept = person_index.unseal(deal_key, stored[obj.id], name) if obj.id in stored else None
        if kept is not None:
            index[obj.id] = kept
            continue
        tmp = Path(tempfile.mkdtemp(prefix="baomi-subject-"))
        try:
            [(path, _, _)] = _deal_files(vault, deal_id, tmp, only={obj.id})
            found = [replace(o, file=name) for o in person_index.build(path, key)]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        index[obj.id] = found
        fresh.append(person_index.seal(deal_key, deal_id=deal_id, object_id=obj.id, found=found))
    if fresh:
        with vault.transaction() as session:
            for row in fresh:
                old = session.get(SubjectIndex, row.object_id)
                if old is not None:
                    session.delete(old)
                    session.flush()
                session.add(row)
    return index, len(fresh)


def _decrypt_into(vault: Vault, deal_id: str, object_id: str, folder: Path) -> tuple[Path, str]:
    """One document decrypted into the new private ``folder``: (path, name)."""
    name, content = deals.open_object(vault, deal_id, object_id)
    folder.mkdir(mode=0o700, parents=True)
    path = folder / Path(name).name
    path.write_bytes(content)
    return path, name


def _deal_files(
    vault: Vault, deal_id: str, tmp: Path, only: set[str] | None = None
) -> list[tuple[Path, str, str]]:
    """The deal's current documents (or those in ``only``) decrypted into ``tmp`` (the caller
    removes it): (path, name, object id)."""
    named: list[tuple[Path, str, str]] = []
    for i, obj in enumerate(deals.objects(vault, deal_id)):
        if only is not None and obj.id not in only:
            continue
        path, name = _decrypt_into(vault, deal_id, obj.id, tmp / str(i))
        named.append((path, name, obj.id))
    return named


#: a scan folder's person index, written beside its ``inventory.json`` (sealed)
SCAN_INDEX = "person_index.sealed"


def _scan_files(scan_dir: Path, root: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """The files ``scan_dir/inventory.json`` lists, under ``root`` (resolved): (path, name)."""
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
    return base, named


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _scan_seal_key(vault: Vault) -> bytes:
    return crypto.hkdf(vault.platform_key("index"), "baomi scan person index")


def _scan_index(
    vault: Vault, scan_dir: Path, base: Path, named: list[tuple[Path, str]], key: bytes
) -> tuple[list[Occurrence], int]:
    """The scanned files' occurrences: from ``scan_dir/SCAN_INDEX`` for every file whose bytes
    are unchanged (SHA-256), the others read again; the index file is (re)written when any file
    was read (best effort: an unwritable folder only costs the next search a re-read).
    Returns the occurrences and how many files were read now."""
    seal_key, aad = _scan_seal_key(vault), crypto.aad("scan-person-index", root=str(base))
    cached: dict[str, Any] = {}
    try:
        data = json.loads(crypto.open_sealed(seal_key, (scan_dir / SCAN_INDEX).read_bytes(), aad))
        if data.get("v") == person_index.FORMAT:
            cached = data["files"]
    except (OSError, ValueError, CryptoError, AttributeError):
        cached = {}
    files: dict[str, Any] = {}
    out: list[Occurrence] = []
    read = 0
    for path, name in named:
        digest = _digest(path)
        entry = cached.get(name)
        if entry is None or entry.get("sha256") != digest:
            found = person_index.build(path, key)
            entry = {
                "sha256": digest,
                "rows": [[o.sheet, o.row, o.column, o.entity, o.hash] for o in found],
            }
            read += 1
        files[name] = entry
        out.extend(Occurrence(name, r[0], r[1], r[2], r[3], r[4]) for r in entry["rows"])
    if read or set(cached) != set(files):
        payload = json.dumps({"v": person_index.FORMAT, "files": files}).encode()
        with contextlib.suppress(BaomiError):
            write_atomic(scan_dir / SCAN_INDEX, crypto.seal(seal_key, payload, aad), 0o600)
    return out, read


def index_scan(vault: Vault, *, actor: Actor, scan_dir: Path, root: Path) -> int:
    """Write the person index of a scan's files into its output folder (``baomi scan`` does
    when a vault is initialised), so that ``subject find --scan`` need not read them again.
    Returns the number of files indexed."""
    authorize(actor, Action.SUBJECT_FIND)
    base, named = _scan_files(scan_dir, root)
    _, read = _scan_index(vault, scan_dir, base, named, person_index.index_key(vault))
    return read


def find_in_scan(
    vault: Vault,
    *,
    actor: Actor,
    scan_dir: Path,
    root: Path,
    kind: IdKind,
    query: str,
    name: str | None = None,
) -> SearchResult:
    """Search the files a scan read: ``scan_dir/inventory.json`` lists them relative to the
    folder scanned, ``root``. Their index is read from ``scan_dir`` where the files are
    unchanged, else they are read again from ``root`` (and the index stored)."""
    authorize(actor, Action.SUBJECT_FIND)
    kind = searched_kind(kind, query)
    key = person_index.index_key(vault)
    wanted, named_hash = _query(key, kind, query, name)
    base, named = _scan_files(scan_dir, root)
    occurrences, read = _scan_index(vault, scan_dir, base, named, key)
    hits = [
        Hit(o.file, o.sheet, o.row, o.column, o.entity)
        for o in _matches(occurrences, kind, wanted, named_hash)
    ]
    result = SearchResult(kind.value, len(named), _sorted(hits), f"scan:{base}", name is not None)
    _audit(vault, actor, f"scan:{scan_dir.name}", result, indexed=read)
    return result


def link(vault: Vault, *, actor: Actor, request_id: str, result: SearchResult) -> RequestInfo:
    """Record ``result`` on the request (sealed): where, hits per file, positions (and the
    vault document of each)."""
    return requests.record_search(
        vault,
        actor=actor,
        request_id=request_id,
        entity=result.entity,
        where=result.where,
        documents=result.documents,
        hits=[(h.file, h.sheet, h.row, h.column, h.object_id) for h in result.hits],
    )


def find_for_request(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    deal_ref: str,
    kind: IdKind,
    query: str,
    name: str | None = None,
) -> tuple[SearchResult, RequestInfo]:
    """Search a deal for a request's requester and link the result to the request (the data
    room's search form): needs ``subject.find`` and ``request.edit``."""
    authorize(actor, Action.SUBJECT_FIND)  # the role first: an unknown id tells nothing
    found = requests.authorize_edit(vault, actor=actor, request_id=request_id)
    result = find_in_deal(vault, actor=actor, deal_ref=deal_ref, kind=kind, query=query, name=name)
    return result, link(vault, actor=actor, request_id=found, result=result)


# --- the response package ----------------------------------------------------------------------


class PackageFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return {
            PackageFormat.JSON: "application/json",
            PackageFormat.CSV: "text/csv; charset=utf-8",
            PackageFormat.XLSX: (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        }[self]


@dataclass(frozen=True)
class Package:
    reference: str
    format: PackageFormat
    content: bytes
    records: int
    files: int

    @property
    def filename(self) -> str:
        return f"{self.reference}.{self.format.value}"


#: the columns of the CSV and XLSX forms: one line per cell of each record
_LONG = ("file", "sheet", "row", "column", "value")


def _long(records: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [r["file"], r["sheet"] or "", r["row"], column, value]
        for r in records
        for column, value in r["values"].items()
    ]


def _render(reference: str, kind: str, records: list[dict[str, Any]], fmt: PackageFormat) -> bytes:
    if fmt is PackageFormat.JSON:
        package = {"reference": reference, "kind": kind, "records": records}
        return json.dumps(package, ensure_ascii=False, indent=2).encode()
    header = [
        tr("文件", "file"),
        tr("工作表", "sheet"),
        tr("行", "row"),
        tr("列", "column"),
        tr("值", "value"),
    ]
    if fmt is PackageFormat.CSV:
        buf = io.StringIO(newline="")
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in line] for line in _long(records)])
        return b"\xef\xbb\xbf" + buf.getvalue().encode()  # the BOM: Excel reads it as UTF-8
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = reference[:31]
    ws.append(header)
    for line in _long(records):
        ws.append([_cell(v) for v in line])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A value for a spreadsheet cell: text a spreadsheet would take for a formula (``=``,
    ``+``, ``-``, ``@`` first) is prefixed with an apostrophe, so it stays text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def package(
    vault: Vault, *, actor: Actor, request_id: str, fmt: PackageFormat = PackageFormat.JSON
) -> Package:
    """The response package: the requester's records at the positions of the search linked to
    the request, read again from where it looked, in ``fmt`` (JSON; CSV with a BOM so that a
    spreadsheet reads it as UTF-8; XLSX — both one line per cell: file, sheet, row, column,
    value). Needs a verified identity (S35-8.7) and a linked search. Audited with the counts."""
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
    records = _records(vault, info.search)
    files = len({r["file"] for r in records})
    content = _render(info.reference, info.kind.value, records, fmt)
    audit.record_now(
        vault,
        actor=actor,
        action=AuditAction.REQUEST_UPDATE,
        obj=f"request:{info.id}",
        details={"export": len(records), "files": files, "format": fmt.value},
    )
    return Package(info.reference, fmt, content, len(records), files)


def _objects_files(vault: Vault, deal_id: str, tmp: Path, ids: set[str]) -> list[tuple[Path, str]]:
    """The vault documents ``ids`` (any version not yet shredded) decrypted into ``tmp``:
    (path, object id). An id that is no document of the deal (a file name) is passed by."""
    out: list[tuple[Path, str]] = []
    for i, object_id in enumerate(sorted(ids)):
        try:
            path, _name = _decrypt_into(vault, deal_id, object_id, tmp / f"v{i}")
        except InputError:
            continue
        out.append((path, object_id))
    return out


def _records(vault: Vault, search: dict[str, Any]) -> list[dict[str, Any]]:
    """The records at the search's positions, read from the very documents it searched: a
    deal's hits name their vault document, so a document replaced since (a correction or
    deletion) is read in the version the positions refer to, until that is shredded — never
    the new version, whose rows have moved. A search linked before hits named documents reads
    the current documents by name."""
    #: (vault document or file name) → (file name, {(sheet, row)})
    wanted: dict[str, tuple[str, set[tuple[str | None, int]]]] = {}
    for hit in search["hits"]:
        file, sheet, row = str(hit[0]), hit[1], int(hit[2])
        source = str(hit[4]) if len(hit) > 4 and hit[4] else file
        wanted.setdefault(source, (file, set()))[1].add((sheet, row))
    where = str(search["where"])
    records: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="baomi-subject-"))
    try:
        if where.startswith("deal:"):
            deal_id = where.removeprefix("deal:")
            located = _objects_files(vault, deal_id, tmp, set(wanted))
            found = {source for _p, source in located}
            left = {s for s in wanted if s not in found and s == wanted[s][0]}
            if left:  # hits of a search linked before they named documents: by name
                located += [
                    (p, n) for p, n, _ in _deal_files(vault, deal_id, tmp / "current") if n in left
                ]
        else:
            base = Path(where.removeprefix("scan:"))
            located = [(base / source, source) for source in wanted]
        for path, source in located:
            if source not in wanted:
                continue
            name, places = wanted[source]
            positions = {(path.name, sheet, row) for sheet, row in places}
            for _file, sheet, row, values in records_at([path], positions):
                records.append({"file": name, "sheet": sheet, "row": row, "values": values})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(records, key=lambda r: (r["file"], r["sheet"] or "", r["row"]))


def export_records(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    out: Path,
    fmt: PackageFormat = PackageFormat.JSON,
) -> int:
    """:func:`package` written to ``out``: a new file readable by its owner only (the
    requester's own data, to hand over on a safe channel), written under a temporary name and
    linked into place (never over an existing file). Returns the number of records."""
    if out.exists():
        raise InputError(tr(f"{out} 已存在", f"{out} exists already"))
    made = package(vault, actor=actor, request_id=request_id, fmt=fmt)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(made.content)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, out)  # fails if ``out`` appeared meanwhile: never overwrites
        except FileExistsError:
            raise InputError(tr(f"{out} 已存在", f"{out} exists already")) from None
    finally:
        tmp.unlink(missing_ok=True)
    return made.records
