"""Copies handed out, and their deletion once the deal ends (PIPL-21: return or delete, keep
nothing; PIPL-47: delete when the purpose is achieved or can no longer be achieved).

Every protected download to a member outside the seller's side is a :class:`~baomi.storage.models.Copy`.
When the deal is closed or aborted, the buyer's access ends at once (the room's gate) and the
copies still held are listed here until each holder confirms their deletion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select

from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Seat
from baomi.services.dataroom.stages import ENDED, Stage
from baomi.services.permissions import Action
from baomi.services.vault import Vault, now
from baomi.storage.models import Copy, Room, User


@dataclass(frozen=True)
class CopyInfo:
    id: str
    holder: str
    object_id: str
    package_id: str | None
    individuals: int | None
    provided_at: str | None
    deletion_confirmed_at: str | None


def _info(copy: Copy, holder: str) -> CopyInfo:
    return CopyInfo(
        copy.id,
        holder,
        copy.object_id,
        copy.package_id,
        copy.individuals,
        copy.provided_at,
        copy.deletion_confirmed_at,
    )


def _query(
    deal_id: str, *, holder: str | None = None, outstanding: bool = False
) -> Select[tuple[Copy, str]]:
    q = (
        select(Copy, User.username)
        .join(User, User.id == Copy.user_id)
        .where(Copy.deal_id == deal_id, Copy.provided_at.is_not(None))  # downloaded only
    )
    if holder is not None:
        q = q.where(User.username == holder)
    if outstanding:
        q = q.where(Copy.deletion_confirmed_at.is_(None))
    return q.order_by(Copy.provided_at)


def copies(vault: Vault, seat: Seat, deal_ref: str, *, outstanding: bool = False) -> list[CopyInfo]:
    """Every copy of the deal handed out (or only those not yet confirmed deleted)."""
    rooms.gate(vault, seat, Action.COPY_LIST, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    with vault.reading() as session:
        return [_info(c, h) for c, h in session.execute(_query(deal_id, outstanding=outstanding))]


def my_copies(vault: Vault, seat: Seat, deal_ref: str) -> list[CopyInfo]:
    """The copies ``seat`` holds (also after the deal ended, to confirm their deletion)."""
    rooms.gate(vault, seat, Action.COPY_CONFIRM, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    with vault.reading() as session:
        rows = session.execute(_query(deal_id, holder=seat.actor.name))
        return [_info(c, h) for c, h in rows]


def confirm_deleted(vault: Vault, seat: Seat, deal_ref: str, copy_ids: Sequence[str]) -> int:
    """The holder confirms their copies are deleted; only once the deal has ended."""
    rooms.gate(vault, seat, Action.COPY_CONFIRM, deal_ref)
    if not copy_ids:
        raise InputError(tr("请勾选已删除的副本", "tick the copies you deleted"))
    deal_id = rooms.deal_id(vault, deal_ref)
    with vault.transaction() as session:
        room = session.get(Room, deal_id)
        assert room is not None
        if Stage(room.stage) not in ENDED:
            raise InputError(
                tr("交易尚未结束，不需要确认删除", "the deal has not ended: nothing to confirm yet")
            )
        held = {
            c.id: c
            for c, _ in session.execute(_query(deal_id, holder=seat.actor.name, outstanding=True))
        }
        unknown = [i for i in copy_ids if i not in held]
        if unknown:
            raise InputError(
                tr(
                    "其中有不属于您或已确认的副本",
                    "some of these copies are not yours or were confirmed",
                )
            )
        stamp = now()
        for copy_id in copy_ids:
            held[copy_id].deletion_confirmed_at = stamp
        audit.record(
            session,
            vault,
            actor=seat.actor,
            action=AuditAction.COPY_CONFIRM,
            obj=f"deal:{deal_id}",
            details={"deal": deal_id, "copies": len(copy_ids)},
        )
    return len(copy_ids)
