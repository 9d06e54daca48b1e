"""Documents in a room: upload (checked, scanned, sealed), the list a member may see, downloads.

- Uploads go through :func:`~baomi.services.dataroom.uploads.check_upload` first; only files that
  pass are scanned (outside any transaction) and sealed into the deal by
  :func:`baomi.services.deals.add`, under ``folder/name``.
- The seller's side receives originals, except its auditors (:func:`receives_originals`). Every
  other side only ever receives a protected version,
  made at download time by ``protect`` with the room's policy for that user (the recipient), so a
  leaked copy traces back to them: the trace record is kept under the home
  (``rooms/<deal>/records``) for ``baomi trace``.
- Each download is recorded as a provision (PIPL-23): who, which document, when, how many
  individuals (from the document's inventory), protected or not, and the package id. The first
  download of a protected copy is also a provision record (NDS-12,
  :mod:`baomi.services.comply.provisions`), written in the same transaction, with the people of
  the original document as keyed hashes (found once per document content).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.engine.protect.writers import CONVERTED
from baomi.engine.scan.linkage import people_in
from baomi.errors import InputError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.comply import people, provisions
from baomi.services.dataroom import marks, previews, rooms
from baomi.services.dataroom.rooms import Seat, Side
from baomi.services.dataroom.uploads import Limits, UploadError, check_upload
from baomi.services.permissions import Action, Role
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Copy, User

#: Suffixes ``protect`` writes back in their own format (a legacy ``.xls`` as an ``.xlsx``, a
#: ``.doc`` as a ``.docx``); a
#: PDF goes out with a visible watermark on every page instead; anything else is not given to
#: the buyer's side.
PROTECTABLE = (
    ".csv",
    ".tsv",
    ".xlsx",
    ".xls",
    ".json",
    ".jsonl",
    ".ndjson",
    ".parquet",
    ".txt",
    ".md",
    ".docx",
    ".doc",
)

Scanner = Callable[[Path], Mapping[str, Any]]
Protector = Callable[[Path, Path, str], tuple[Path, str]]


@dataclass(frozen=True)
class DocumentEntry:
    id: str
    name: str
    folder: str
    size: int
    created_at: str
    entities: dict[str, int]
    individuals: int | None
    sensitive_individuals: int | None
    protected: bool  # what this member receives


@dataclass(frozen=True)
class Download:
    name: str
    content: bytes
    protected: bool
    package_id: str | None


def _mark(seat: Seat) -> str:
    side = seat.side.value if seat.side is not None else "platform"
    return marks.mark_text(seat.actor.name, side, now())


def folder_of(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else "/"


def _entry(obj: deals.ObjectInfo, protected: bool) -> DocumentEntry:
    name = obj.name or "?"
    summary = (obj.inventory or {}).get("summary", {})
    return DocumentEntry(
        obj.id,
        name,
        folder_of(name),
        obj.size,
        obj.created_at,
        dict(summary.get("entities", {})),
        summary.get("estimated_individuals"),
        summary.get("individuals_with_sensitive"),
        protected,
    )


def upload(
    vault: Vault,
    seat: Seat,
    deal_ref: str,
    files: Iterable[tuple[str, bytes]],
    *,
    folder: str = "",
    scanner: Scanner = deals.scan_inventory,
    limits: Limits | None = None,
) -> list[DocumentEntry]:
    """Check, scan and seal uploaded files into the room under ``folder``."""
    rooms.gate(vault, seat, Action.DOC_UPLOAD, deal_ref)
    prefix = folder.strip().strip("/")
    named = [(f"{prefix}/{name}" if prefix else name, data) for name, data in files]
    existing = [e.name for e in _objects(vault, seat, deal_ref)]
    try:
        accepted = check_upload(named, existing=existing, limits=limits)
    except UploadError:  # refused: nothing stored; the deal's log says so (not the file names)
        audit.record_now(
            vault,
            actor=seat.actor,
            action=AuditAction.DOC_UPLOAD,
            obj=f"deal:{rooms.deal_id(vault, deal_ref)}",
            outcome="refused",
            details={"files": len(named)},
        )
        raise
    if not accepted:
        raise InputError(tr("没有上传任何文件", "nothing was uploaded"))
    with tempfile.TemporaryDirectory(prefix="baomi-upload-") as tmp:
        root = Path(tmp)
        for item in accepted:
            target = root / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.data)
        added = deals.add(
            vault,
            actor=seat.actor,
            deal_ref=deal_ref,
            paths=[root],
            scanner=_readable_only(scanner, root),
        )
    return [_entry(obj, False) for obj in added]


def _readable_only(scanner: Scanner, root: Path) -> Scanner:
    """``scanner``, refusing a file of which nothing could be read (a damaged workbook, an
    empty file): no protected copy could be made of it for anyone, so it is not taken in.
    Raised before anything is sealed; :func:`deals.add` then stores nothing of the upload."""

    def scan(path: Path) -> Mapping[str, Any]:
        inventory = scanner(path)
        for skipped in inventory.get("skipped") or ():
            name = path.relative_to(root).as_posix()
            reason = skipped.get("reason", "")
            raise UploadError(
                tr(
                    f"{name}：无法读取（{reason}），本次上传的文件均未保存",
                    f"{name} cannot be read ({reason}); nothing of this upload was stored",
                )
            )
        return inventory

    return scan


#: Roles that never receive originals, whichever side they sit on: an auditor reviews the audit
#: log and the process, which needs no one's raw personal information (PIPL-6, minimum
#: necessary), so they preview protected copies as a recipient side does.
NO_ORIGINALS = frozenset({Role.AUDITOR})


def receives_originals(seat: Seat) -> bool:
    """Whether ``seat`` is given the seller's originals: the seller's side (but not its
    auditors) and the platform roles that run the room without a seat."""
    return seat.side in (None, Side.SELLER) and seat.actor.role not in NO_ORIGINALS


def _objects(vault: Vault, seat: Seat, deal_ref: str) -> list[DocumentEntry]:
    """The room's documents as ``seat`` receives them; call after :func:`rooms.gate` (the
    room's own rules decide, not the command line's ``deal.show``)."""
    objects = deals.objects(vault, rooms.deal_id(vault, deal_ref))
    protected = not receives_originals(seat)
    return [_entry(o, protected) for o in objects if o.name is not None]


def documents(vault: Vault, seat: Seat, deal_ref: str) -> list[DocumentEntry]:
    """The documents ``seat`` may see: all for the seller's side and the platform; for other
    sides those in folders their side holds a grant for."""
    rooms.gate(vault, seat, Action.DOC_VIEW, deal_ref)
    entries = _objects(vault, seat, deal_ref)
    if seat.side not in rooms.RECIPIENT_SIDES:
        return entries
    visible = rooms.granted_filter(vault, seat, deal_ref, Action.DOC_VIEW)
    return [e for e in entries if visible(e.folder)]


def _entry_for(
    vault: Vault, seat: Seat, deal_ref: str, object_id: str, action: Action
) -> DocumentEntry:
    # the room and the role table first, so that who may not do this learns nothing of which
    # ids exist; an id not in this room (another room's, a missing one) is not found
    deal_id = rooms.require(vault, seat.actor, action, deal_ref)
    entry = {e.id: e for e in _objects(vault, seat, deal_ref)}.get(object_id)
    if entry is None:  # unknown, or another room's: the same answer, recorded
        raise rooms.unknown_document(vault, seat, action, deal_id)
    rooms.gate(vault, seat, action, deal_ref, folder=entry.folder)
    return entry


def _copy_aad(deal_id: str, copy_id: str) -> bytes:
    return crypto.aad("copy", deal=deal_id, copy=copy_id)


def _make_copy(
    name: str, content: bytes, seat: Seat, protect: Protector
) -> tuple[bytes, str | None]:
    """The protected form of one document for ``seat``: (content, package id)."""
    lower = name.lower()
    if lower.endswith(".pdf"):  # not de-identified: marked on every page
        return marks.watermark_pdf(content, _mark(seat)), None
    if not lower.endswith(PROTECTABLE):
        raise InputError(
            tr(
                "该类型文件暂不能以去标识化方式提供给买方",
                "this kind of file cannot yet be given to the buyer's side in protected form",
            )
        )
    with tempfile.TemporaryDirectory(prefix="baomi-dl-") as tmp:
        src = Path(tmp) / "src"
        (src / folder_of(name).strip("/")).mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(content)
        out, package_id = protect(src, Path(tmp) / "out", seat.actor.name)
        made = out.read_bytes()
    if out.suffix.lower() == ".docx":  # a .doc's copy is a .docx too
        made = marks.mark_docx(made, _mark(seat))
    return made, package_id


def _copy_for(
    vault: Vault, seat: Seat, deal_id: str, entry: DocumentEntry, protect: Protector
) -> tuple[bytes, Copy]:
    """This user's protected copy of the document: made once (one package, one trace record),
    kept sealed with the deal's key beside the original, and handed out again from there."""
    with vault.reading() as session:
        user_id = str(
            session.execute(select(User.id).where(User.username == seat.actor.name)).scalar_one()
        )
        found = session.execute(
            select(Copy).where(
                Copy.deal_id == deal_id, Copy.user_id == user_id, Copy.object_id == entry.id
            )
        ).scalar_one_or_none()
    key = vault.deal_key(deal_id)
    if found is not None and vault.blobs.exists(deal_id, f"copy-{found.id}"):
        blob = vault.blobs.get(deal_id, f"copy-{found.id}")
        return crypto.open_sealed(key, blob, _copy_aad(deal_id, found.id)), found
    name, content = deals.open_object(vault, deal_id, entry.id)
    made, package_id = _make_copy(name, content, seat, protect)
    copy = found or Copy(
        id=new_id(),
        deal_id=deal_id,
        user_id=user_id,
        object_id=entry.id,
        individuals=entry.individuals,
    )
    copy.package_id = package_id
    vault.blobs.put(deal_id, f"copy-{copy.id}", crypto.seal(key, made, _copy_aad(deal_id, copy.id)))
    with vault.transaction() as session:
        if found is None:
            session.add(copy)
        else:
            held = session.get(Copy, found.id)
            assert held is not None
            held.package_id = package_id
    return made, copy


def download(
    vault: Vault,
    seat: Seat,
    deal_ref: str,
    object_id: str,
    *,
    protect: Protector,
    client: str = "",
    linker: people.Linker = people_in,
) -> Download:
    """One document for ``seat``: the original for the seller's side, else this user's protected
    copy (``protect(src_dir, out_dir, recipient)`` makes it once and returns the protected file
    and the package id); recorded as a provision. ``linker`` finds the people of the original
    the first time a copy of it is provided (for the provision record)."""
    entry = _entry_for(vault, seat, deal_ref, object_id, Action.DOC_DOWNLOAD)
    deal_id = rooms.deal_id(vault, deal_ref)
    package_id: str | None = None
    provided = None
    if entry.protected:
        content, copy = _copy_for(vault, seat, deal_id, entry, protect)
        package_id = copy.package_id
        if provisions.needs_record(vault, copy.id):  # found before the transaction: slow
            provided = people.people_of_object(vault, deal_id, entry.id, linker)
    else:
        content = deals.open_object(vault, deal_id, object_id)[1]
    with vault.transaction() as session:  # the provision and its event commit together
        if entry.protected:
            held = session.get(Copy, copy.id)
            assert held is not None
            if held.provided_at is None or held.deletion_confirmed_at is not None:
                held.provided_at, held.deletion_confirmed_at = now(), None
                provisions.record_download(
                    session,
                    vault,
                    actor=seat.actor,
                    deal_id=deal_id,
                    copy=held,
                    side=seat.side.value if seat.side else "platform",
                    people=provided,
                )
        audit.record(
            session,
            vault,
            actor=seat.actor,
            action=AuditAction.DOC_DOWNLOAD,
            obj=f"object:{object_id}",
            details={
                "deal": deal_id,
                "protected": entry.protected,
                "package": package_id,
                "individuals": entry.individuals,
                "client": client,
            },
        )
    return Download(_shipped_name(entry), content, entry.protected, package_id)


def _shipped_name(entry: DocumentEntry) -> str:
    """The file name a download carries: the document's, with the suffix of the format its
    protected copy is written in (``客户.xls`` → ``客户.xlsx``)."""
    name = entry.name.rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    if entry.protected and dot and (new := CONVERTED.get(dot + suffix.lower())):
        return stem + new
    return name


Preview = previews.Preview


def preview(
    vault: Vault,
    seat: Seat,
    deal_ref: str,
    object_id: str,
    *,
    protect: Protector,
    page: int = 0,
) -> Preview:
    """Page ``page`` of a document (from 0): a table's rows, a text's lines, a PDF page as an
    image; :class:`NotFoundError` for a page before the first or after the last."""
    entry = _entry_for(vault, seat, deal_ref, object_id, Action.DOC_VIEW)
    if page < 0:
        raise NotFoundError(tr("没有这一页（页码从 1 开始）", "no such page (pages start at 1)"))
    deal_id = rooms.deal_id(vault, deal_ref)
    if entry.protected:
        content = _copy_for(vault, seat, deal_id, entry, protect)[0]
    else:
        content = deals.open_object(vault, deal_id, object_id)[1]
    audit.record_now(
        vault,
        actor=seat.actor,
        action=AuditAction.DOC_VIEW,
        obj=f"object:{object_id}",
        details={"deal": deal_id, "protected": entry.protected, "page": page},
    )
    return previews.render(entry.name, content, page=page, protected=entry.protected)
