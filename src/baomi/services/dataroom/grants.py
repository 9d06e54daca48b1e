"""Grants: a side's access to a folder of the room (view or download) until it expires or is
revoked; the room's gate (:func:`baomi.services.dataroom.rooms.gate`) reads them on every request,
so a revocation takes effect on the next one."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from sqlalchemy import select

from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Grant


@dataclass(frozen=True)
class GrantInfo:
    """A grant as the management section lists it."""

    id: str
    side: Side
    folder: str
    level: Level
    created_at: str
    created_by: str
    expires_at: str
    revoked_at: str | None

    @property
    def live(self) -> bool:
        """Neither revoked nor expired: the room's gate honours it."""
        return self.revoked_at is None and (
            _dt.datetime.fromisoformat(self.expires_at) > _dt.datetime.now(_dt.UTC)
        )


def list_grants(vault: Vault, *, actor: Actor, deal_ref: str) -> list[GrantInfo]:
    """The room's grants, the newest first — live, revoked and expired ones (the record of who
    was let see what, and when)."""
    deal_id = rooms._require(vault, actor, Action.GRANT_LIST, deal_ref)
    with vault.reading() as session:
        return [
            GrantInfo(
                g.id,
                Side(g.side),
                g.folder,
                Level(g.level),
                g.created_at,
                g.created_by,
                g.expires_at,
                g.revoked_at,
            )
            for g in session.execute(
                select(Grant)
                .where(Grant.deal_id == deal_id)
                .order_by(Grant.created_at.desc(), Grant.id)
            ).scalars()
        ]


def room_folder(folder: str) -> str:
    """A folder as the room names its documents' folders (``客户``, ``客户/名单``; ``/`` the
    whole room): typed with slashes around it (``/客户/``) it is that folder; ``.`` and ``..``
    are refused (a grant names a folder of the room, not a way out of one)."""
    parts = [p.strip() for p in folder.strip().replace("\\", "/").split("/") if p.strip()]
    if any(p in (".", "..") for p in parts):
        raise InputError(
            tr(
                f"文件夹不能包含 . 或 ..：{folder.strip()}",
                f"a folder cannot hold . or ..: {folder.strip()}",
            )
        )
    return "/".join(parts) or "/"


def folder_label(folder: str) -> str:
    """A grant's folder as the user reads it: ``/`` is the whole room."""
    return tr("整个数据室", "the whole room") if folder.strip("/") == "" else folder


def set_grant(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    side: Side,
    folder: str,
    level: Level,
    days: int,
) -> str:
    """Give a side access to a folder (``/`` for all) at ``level`` for ``days`` days."""
    folder = room_folder(folder)
    if not 1 <= days <= 366:
        raise InputError(tr("授权期限须为 1–366 天", "a grant lasts 1–366 days"))
    rooms._require(vault, actor, Action.GRANT_SET, deal_ref)
    grant_id = new_id()
    with vault.transaction() as session:
        deal, _ = rooms._room(session, deal_ref)
        expires = (_dt.datetime.now(_dt.UTC) + _dt.timedelta(days=days)).isoformat()
        session.add(
            Grant(
                id=grant_id,
                deal_id=deal.id,
                side=side.value,
                folder=folder,
                level=level.value,
                expires_at=expires,
                created_at=now(),
                created_by=actor.name,
            )
        )
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.GRANT_SET,
            obj=f"grant:{grant_id}",
            details={
                "deal": deal.id,
                "side": side.value,
                "level": level.value,
                "expires_at": expires,
            },
        )
    return grant_id


def documents_under(vault: Vault, *, actor: Actor, deal_ref: str, folder: str) -> int:
    """How many of the room's documents a grant on ``folder`` covers. A grant may name a folder
    before anything is uploaded to it (a broker sets the room up ahead): it is kept, and the
    page says the folder has no documents yet."""
    deal_id = rooms._require(vault, actor, Action.GRANT_LIST, deal_ref)
    wanted = [room_folder(folder)]
    names = [o.name for o in deals.objects(vault, deal_id) if o.name is not None]
    return sum(1 for n in names if rooms._covers(wanted, n.rsplit("/", 1)[0] if "/" in n else "/"))


def granted_notice(vault: Vault, *, actor: Actor, deal_ref: str, grant_id: str) -> str:
    """What the page says after a grant: side, folder, level, days; and when the folder has no
    documents yet, that its files become visible once uploaded."""
    with vault.reading() as session:
        grant = session.get(Grant, grant_id)
        if grant is None:
            raise NotFoundError(tr("没有该授权", "no such grant"))
        side, folder, level = Side(grant.side), grant.folder, Level(grant.level)
        days = round(
            (
                _dt.datetime.fromisoformat(grant.expires_at)
                - _dt.datetime.fromisoformat(grant.created_at)
            ).total_seconds()
            / 86400
        )
    who, how = tr(*rooms.SIDE_LABELS[side]), tr(*rooms.LEVEL_LABELS[level])
    where = folder_label(folder)
    said = tr(
        f"已授予{who}对“{where}”的{how}权限，{days} 天",
        f"The {who} side may {how} {where} for {days} days",
    )
    if documents_under(vault, actor=actor, deal_ref=deal_ref, folder=folder) == 0:
        said += tr(
            f"；该文件夹目前没有文件，上传后{who}即可访问",
            f"; the folder has no documents yet: the {who} side sees them once uploaded",
        )
    return said


def revoked_notice(vault: Vault, *, grant_id: str) -> str:
    """What the command line and the room page say after a grant was revoked: whose, on what."""
    with vault.reading() as session:
        grant = session.get(Grant, grant_id)
        if grant is None:
            raise NotFoundError(tr("没有该授权", "no such grant"))
        side, folder = Side(grant.side), grant.folder
    who, where = tr(*rooms.SIDE_LABELS[side]), folder_label(folder)
    return tr(
        f"已撤销{who}对“{where}”的授权；该方的下一次访问即被拒绝",
        f"the {who} side's grant on {where} is revoked; its next request is refused",
    )


def revoke_grant(vault: Vault, *, actor: Actor, deal_ref: str, grant_id: str) -> None:
    """End a grant; the next request of that side is refused."""
    deal_id = rooms._require(vault, actor, Action.GRANT_REVOKE, deal_ref)
    with vault.transaction() as session:
        grant = session.get(Grant, grant_id)
        if grant is None or grant.deal_id != deal_id:
            raise InputError(tr("没有该授权", "no such grant"))
        if grant.revoked_at is None:
            grant.revoked_at = now()
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.GRANT_REVOKE,
                obj=f"grant:{grant_id}",
            )
