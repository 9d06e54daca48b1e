"""What the checklist and the third-party register share: the company a request is about (named
directly by its USCC, or through a deal's data room), the permission check for it, the date
deadlines are counted in, and the sealed files people attach.

Both registers belong to the target company, not to a deal: the measures they record (rules,
training, contracts with providers) are the company's, and every deal of that company shows the
same ones. A deal's page reaches them through its room's ``target_uscc``.

Files are sealed with AES-256-GCM under a key derived (HKDF) from the platform's field key, with
associated data naming the file, its company and the part (name or content); the ciphertext is
kept in the ``comply_files`` row, so it commits with its audit event, is backed up with the
database and never lies in clear on disk.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Protocol

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.engine.checksums import is_valid_uscc
from baomi.errors import InputError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.accounts import UserPublic
from baomi.services.dataroom import rooms
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import ComplyFile, Room

#: China Standard Time (no daylight saving): due dates and contract ends are Chinese dates.
CST = clock.CHINA_TIME
#: A technical limit on one attached file (not a legal threshold).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NAME = 200


def today() -> _dt.date:
    """Today's date in China Standard Time."""
    return clock.today()


def parse_date(text: str | None, what: str) -> _dt.date | None:
    """An ISO date (``YYYY-MM-DD``) or ``None`` for empty; :class:`InputError` otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            tr(f"{what}须为日期 YYYY-MM-DD", f"{what} must be a date YYYY-MM-DD")
        ) from None


@dataclass(frozen=True)
class Choice:
    """One option of a data file (an area, a kind, a criterion) with its title in both
    languages."""

    key: str
    title_zh: str
    title_en: str

    @property
    def title(self) -> str:
        return tr(self.title_zh, self.title_en)


def data_file(name: str) -> Any:
    """A YAML data file shipped beside the comply services (``checklist.yaml`` …)."""
    text = (files("baomi.services.comply") / name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def choices(entries: Iterable[Any]) -> tuple[Choice, ...]:
    """``[{key, title: {zh, en}}, …]`` from a data file as choices."""
    return tuple(Choice(str(e["key"]), e["title"]["zh"], e["title"]["en"]) for e in entries)


@dataclass(frozen=True)
class Target:
    """The company a request is about, and the deal it came through (if any)."""

    uscc: str
    deal_id: str | None = None
    deal_name: str | None = None

    @property
    def obj(self) -> str:
        return f"company:{self.uscc}"


def _resolve(session: Session, actor: Actor, deal_ref: str | None, uscc: str | None) -> Target:
    if deal_ref is not None:
        deal = find_deal(session, deal_ref)
        room = session.get(Room, deal.id)
        if room is None or not room.target_uscc:
            raise InputError(
                tr(
                    f"交易 {deal.name} 还没有数据室（目标公司未知）",
                    f"deal {deal.name} has no data room (the target company is unknown)",
                )
            )
        return Target(room.target_uscc, deal.id, deal.name)
    if uscc is None:
        raise InputError(tr("请指定交易或公司", "name a deal or a company"))
    code = uscc.strip().upper()
    if not is_valid_uscc(code):
        raise InputError(tr("统一社会信用代码无效", "invalid unified social credit code"))
    if actor.deals is not None:
        # a scoped actor reaches a company only through one of its own deals
        deal_id = session.execute(
            select(Room.deal_id).where(
                Room.target_uscc == code, Room.deal_id.in_(sorted(actor.deals))
            )
        ).scalar()
        return Target(code, deal_id)
    return Target(code)


def target(
    vault: Vault,
    actor: Actor,
    action: Action,
    *,
    deal_ref: str | None = None,
    uscc: str | None = None,
) -> Target:
    """The company of ``deal_ref`` (or ``uscc``) once ``actor`` may perform ``action`` on it; a
    refusal is recorded in the audit chain."""
    with vault.reading() as session:
        found = _resolve(session, actor, deal_ref, uscc)
    if found.deal_id is None and actor.deals is not None:
        resource: str | None = found.obj  # not in the actor's scope: refused with its reason
    else:
        resource = found.deal_id
    audit.require(vault, actor, action, obj=found.obj, resource=resource)
    return found


def require_own(
    vault: Vault,
    actor: Actor,
    action: Action,
    found: Target,
    *,
    kind: str,
    lookup: Callable[[Session], tuple[str, str] | None],
    missing: NotFoundError,
) -> None:
    """Go on when the record ``lookup`` finds (its id and company, wherever it is) is of the
    company ``found``; anything else answers exactly as an id that names nothing (``missing``,
    404, no id): another company's record is not told apart from an unknown one. A scoped
    actor's refusal is recorded (:func:`~baomi.services.audit.refuse_unseen`, ``kind:id`` or
    ``kind:-``); an unscoped one, who sees every company, is just told it is missing. Called
    after :func:`target`, before the transaction that uses the record."""
    with vault.reading() as session:
        hit = lookup(session)
    if hit is not None and hit[1] == found.uscc:
        return
    if actor.deals is None:
        raise missing
    audit.refuse_unseen(
        vault,
        actor,
        action,
        obj=f"{kind}:{hit[0] if hit is not None else '-'}",
        reason=f"no such {kind}" if hit is None else "another company's",
        missing=missing,
    )


def seat_actor(vault: Vault, user: UserPublic, deal_ref: str) -> Actor:
    """The actor a data-room user is in ``deal_ref`` for its compliance records, once the room's
    gate lets the seat read them (the buyer's side is refused: ``SIDE_ONLY``); a refusal is
    recorded."""
    return rooms.admitted(vault, user, deal_ref, Action.COMPLY_VIEW).actor


# --- sealed files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """A sealed file's public facts (the name is decrypted only for those who may read it)."""

    id: str
    name: str
    size: int
    sha256: str
    created_at: str
    created_by: str


def _key(vault: Vault) -> bytes:
    return crypto.hkdf(vault.platform_key("fields"), "baomi comply files")


def _aad(uscc: str, file_id: str, part: str) -> bytes:
    return crypto.aad("comply-file", uscc=uscc, file=file_id, part=part)


def check_file(name: str, content: bytes) -> str:
    """The file's name, stripped, once it passes the limits."""
    name = name.strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name or len(name) > MAX_NAME:
        raise InputError(tr("文件名为空或过长", "the file name is empty or too long"))
    if not content:
        raise InputError(tr("文件为空", "the file is empty"))
    if len(content) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise InputError(tr(f"文件超过 {limit} MB", f"the file is larger than {limit} MB"))
    return name


def add_file(
    session: Session,
    vault: Vault,
    *,
    actor: Actor,
    uscc: str,
    owner: str,
    name: str,
    content: bytes,
) -> FileInfo:
    """Seal a file for ``owner`` (``item:<id>``, ``vendor:<id>:nda`` …) in the caller's
    transaction and record it (kind and size in the audit event, not the name)."""
    name = check_file(name, content)
    key = _key(vault)
    file_id = new_id()
    row = ComplyFile(
        id=file_id,
        uscc=uscc,
        owner=owner,
        name_sealed=crypto.seal(key, name.encode("utf-8"), _aad(uscc, file_id, "name")),
        content_sealed=crypto.seal(key, content, _aad(uscc, file_id, "content")),
        size=len(content),
        sha256=crypto.sha256_hex(content),
        created_at=now(),
        created_by=actor.name,
    )
    session.add(row)
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.COMPLY_FILE_ADD,
        obj=f"file:{file_id}",
        details={"company": uscc, "owner": owner, "size": len(content), "sha256": row.sha256},
    )
    return FileInfo(file_id, name, row.size, row.sha256, row.created_at, row.created_by)


def seal_text(vault: Vault, uscc: str, owner: str, text: str) -> bytes | None:
    """A short text that may name a person (a contact), sealed like a file; ``None`` if empty."""
    if not text:
        return None
    return crypto.seal(_key(vault), text.encode("utf-8"), _aad(uscc, owner, "text"))


def open_text(vault: Vault, uscc: str, owner: str, sealed: bytes | None) -> str:
    if sealed is None:
        return ""
    return crypto.open_sealed(_key(vault), sealed, _aad(uscc, owner, "text")).decode("utf-8")


def files_of(
    session: Session, vault: Vault, uscc: str, owners: list[str]
) -> dict[str, list[FileInfo]]:
    """The files of each owner (names decrypted), oldest first."""
    found: dict[str, list[FileInfo]] = {o: [] for o in owners}
    if not owners:
        return found
    rows = session.execute(
        select(ComplyFile)
        .where(ComplyFile.uscc == uscc, ComplyFile.owner.in_(owners))
        .order_by(ComplyFile.created_at, ComplyFile.id)
    ).scalars()
    key: bytes | None = None
    for row in rows:
        key = key or _key(vault)
        name = crypto.open_sealed(key, row.name_sealed, _aad(uscc, row.id, "name")).decode()
        found[row.owner].append(
            FileInfo(row.id, name, row.size, row.sha256, row.created_at, row.created_by)
        )
    return found


def read_file(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str | None = None,
    uscc: str | None = None,
    file_id: str,
) -> tuple[str, bytes]:
    """Decrypt a file attached to the company's checklist or register, for someone who may read
    them; audited."""
    found = target(vault, actor, Action.COMPLY_VIEW, deal_ref=deal_ref, uscc=uscc)
    require_own(
        vault,
        actor,
        Action.COMPLY_VIEW,
        found,
        kind="file",
        lookup=lambda s: owner_of(s.get(ComplyFile, file_id)),
        missing=no_file(),
    )
    with vault.transaction() as session:
        row = session.get(ComplyFile, file_id)
        if row is None or row.uscc != found.uscc:
            raise no_file()
        key = _key(vault)
        name = crypto.open_sealed(key, row.name_sealed, _aad(row.uscc, row.id, "name")).decode()
        content = crypto.open_sealed(key, row.content_sealed, _aad(row.uscc, row.id, "content"))
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.COMPLY_FILE_VIEW,
            obj=f"file:{file_id}",
            details={"company": row.uscc, "owner": row.owner, "size": row.size},
        )
    return name, content


def no_file() -> NotFoundError:
    """What a file id that is not the company's answers (an unknown one, another company's)."""
    return NotFoundError(tr("没有该文件", "no such file"))


class CompanyRecord(Protocol):
    """A record of a company's registers (a party, an item, a file): its id and its company."""

    @property
    def id(self) -> str: ...

    @property
    def uscc(self) -> str: ...


def owner_of(row: CompanyRecord | None) -> tuple[str, str] | None:
    """A record's id and company, for :func:`require_own`'s ``lookup``."""
    return None if row is None else (row.id, row.uscc)
