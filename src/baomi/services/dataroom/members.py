"""The room's members: who sits on which side with which role, whether they accepted the current
NDA, and taking a seat away.

Seating a member is :func:`baomi.services.dataroom.rooms.add_member`. A removed member's access
ends at once: the room's gate reads the seat on every request, and without one the user is
outside the room. What they downloaded stays on the room's list of copies (``copy.list``) until
its deletion is confirmed; the event of the removal counts those copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import PERMISSIONS, Action, Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import Copy, Member, NdaAcceptance, User


@dataclass(frozen=True)
class MemberInfo:
    """A seat in the room as the management section shows it."""

    username: str
    display_name: str
    side: Side
    role: Role
    #: when the member accepted the room's current NDA (``None``: not accepted, or no NDA yet)
    nda_accepted_at: str | None
    #: the side receives the seller's data, so the member must accept the NDA first
    nda_required: bool
    disabled: bool
    added_at: str
    added_by: str


@dataclass(frozen=True)
class Removed:
    """A seat taken away, and the copies its holder has not yet confirmed deleted."""

    username: str
    copies_outstanding: int

    def summary(self) -> str:
        """What the page and the command line say of the removal (the copies still held)."""
        said = tr(f"已将 {self.username} 移出数据室", f"{self.username} left the room")
        if self.copies_outstanding:
            n = self.copies_outstanding
            said += tr(
                f"；其下载的 {n} 份副本尚未确认删除，仍列在副本清单中",
                f"; {n} copies they downloaded are not yet confirmed deleted and stay on the list",
            )
        return said


def list_members(vault: Vault, *, actor: Actor, deal_ref: str) -> list[MemberInfo]:
    """The room's members by side, then user name."""
    deal_id = rooms._require(vault, actor, Action.MEMBER_LIST, deal_ref)
    with vault.reading() as session:
        current = rooms._current_nda(session, deal_id)
        accepted: dict[str, str] = {}
        if current is not None:
            accepted = {
                user_id: at
                for user_id, at in session.execute(
                    select(NdaAcceptance.user_id, func.min(NdaAcceptance.accepted_at))
                    .where(NdaAcceptance.nda_id == current.id)
                    .group_by(NdaAcceptance.user_id)
                ).tuples()
            }
        rows = session.execute(
            select(Member, User)
            .join(User, User.id == Member.user_id)
            .where(Member.deal_id == deal_id)
            .order_by(Member.side, User.username)
        ).tuples()
        return [
            MemberInfo(
                username=user.username,
                display_name=user.display_name,
                side=Side(member.side),
                role=Role(member.role),
                nda_accepted_at=accepted.get(user.id),
                nda_required=Side(member.side) in rooms.RECIPIENT_SIDES,
                disabled=user.disabled,
                added_at=member.created_at,
                added_by=member.created_by,
            )
            for member, user in rows
        ]


def _runs_rooms(role: str) -> bool:
    """Whether a seat of ``role`` runs the room (the permission table lets it remove members)."""
    return Role(role) in PERMISSIONS[Action.MEMBER_REMOVE]


def remove_member(vault: Vault, *, actor: Actor, deal_ref: str, username: str) -> Removed:
    """Take ``username``'s seat in the room away; their next request is refused. Refused for
    one's own seat and for the room's last seat that runs it (a broker's)."""
    deal_id = rooms._require(vault, actor, Action.MEMBER_REMOVE, deal_ref)
    with vault.transaction() as session:
        found = session.execute(
            select(Member, User)
            .join(User, User.id == Member.user_id)
            .where(Member.deal_id == deal_id, User.username == username.strip().lower())
        ).one_or_none()
        if found is None:
            raise InputError(tr(f"{username} 不在该数据室中", f"{username} is not in this room"))
        member, user = found
        if user.username == actor.name:
            raise InputError(tr("不能把自己移出数据室", "you cannot remove yourself from the room"))
        if _runs_rooms(member.role) and not any(
            _runs_rooms(role)
            for role in session.execute(
                select(Member.role).where(Member.deal_id == deal_id, Member.id != member.id)
            ).scalars()
        ):
            raise InputError(
                tr(
                    f"{user.username} 是数据室中最后一位管理数据室的成员，请先加入另一位经纪人",
                    f"{user.username} is the last member who runs this room: "
                    "seat another broker first",
                )
            )
        outstanding = session.execute(
            select(func.count())
            .select_from(Copy)
            .where(
                Copy.deal_id == deal_id,
                Copy.user_id == user.id,
                Copy.provided_at.is_not(None),
                Copy.deletion_confirmed_at.is_(None),
            )
        ).scalar_one()
        session.delete(member)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.MEMBER_REMOVE,
            obj=f"deal:{deal_id}",
            details={
                "user": user.id,
                "side": member.side,
                "role": member.role,
                "copies_outstanding": int(outstanding),
            },
        )
        return Removed(user.username, int(outstanding))
