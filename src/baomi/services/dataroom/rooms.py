"""Rooms: a deal opened to the parties of a transfer — target company, stage, members, NDA, grants.

Who may do what is decided in two steps, both here and nowhere else in the data room:

1. the role table (:mod:`baomi.services.permissions`), for the actor's role *in this deal*;
2. the room's state (:func:`gate`): NDA accepted (sides other than the seller's), the stage
   (buyer-side members only while the deal is open to them), a live grant for the folder.

Every refusal is recorded in the audit chain (``access.denied``) with its reason.

A deal's name is confidential, and so is whether it exists: a user who is not in a deal's room
(and does not run rooms) hears the same :func:`hidden` answer for a room they are not in and for
a deal that does not exist (a 404 on pages and the API), the recorded refusal keeping the real
reason. Members refused an action still hear why (they know the room exists).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from baomi.engine.audit_chain import AuditAction
from baomi.engine.checksums import is_valid_uscc
from baomi.errors import InputError, NotFoundError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.accounts import UserPublic
from baomi.services.dataroom.stages import BUYER_OPEN, ENDED, Stage, advance
from baomi.services.dataroom.stages import LABELS as STAGE_LABELS
from baomi.services.deals import find_deal
from baomi.services.permissions import ROLE_LABELS, Action, Actor, Role, action_label, allowed
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import (
    Copy,
    Deal,
    DealProfile,
    Grant,
    Member,
    Nda,
    NdaAcceptance,
    Room,
    User,
)


class Side(StrEnum):
    """Which party of the transfer a member works for."""

    SELLER = "seller"
    BUYER = "buyer"
    PLATFORM = "platform"  # the broker (transfer platform)


#: What each side is called on pages and in messages (Chinese, English).
SIDE_LABELS = {
    Side.SELLER: ("卖方", "seller"),
    Side.BUYER: ("买方", "buyer"),
    Side.PLATFORM: ("平台", "platform"),
}


class Level(StrEnum):
    VIEW = "view"
    DOWNLOAD = "download"


#: What each grant level is called on pages and at the command line (Chinese, English).
LEVEL_LABELS = {Level.VIEW: ("查看", "view"), Level.DOWNLOAD: ("下载", "download")}


#: A deal role fits these sides (a buyer reviewer is never on the seller's side).
SIDE_ROLES: dict[Side, frozenset[Role]] = {
    Side.SELLER: frozenset({Role.SELLER, Role.COUNSEL, Role.AUDITOR}),
    Side.BUYER: frozenset({Role.BUYER, Role.COUNSEL, Role.AUDITOR}),
    Side.PLATFORM: frozenset({Role.BROKER, Role.AUDITOR}),
}
#: Actions only members of these sides may take (counsel and auditors sit on either side).
SIDE_ONLY: dict[Action, frozenset[Side]] = {
    Action.QA_ASK: frozenset({Side.BUYER, Side.PLATFORM}),
    Action.QA_ANSWER: frozenset({Side.SELLER, Side.PLATFORM}),
    # the seller's incidents are the seller's and the platform's business, not the buyer's
    # (counsel and auditors on the buyer's side included)
    Action.INCIDENT_VIEW: frozenset({Side.SELLER, Side.PLATFORM}),
    Action.INCIDENT_EDIT: frozenset({Side.SELLER, Side.PLATFORM}),
    # the seller's compliance records: the buyer's side (its counsel and auditors too) is the
    # recipient being assessed and sees none of it
    Action.COMPLY_VIEW: frozenset({Side.SELLER, Side.PLATFORM}),
    Action.COMPLY_EDIT: frozenset({Side.SELLER, Side.PLATFORM}),
}
#: Actions open to a member without an accepted NDA and after the deal ended (accepting the
#: NDA itself; listing and confirming the deletion of one's own copies, PIPL-21).
AFTER_THE_END = frozenset({Action.NDA_ACCEPT, Action.COPY_CONFIRM})
#: The sides that receive the seller's data (PIPL-23): their members accept the NDA first, see
#: the deal only in the stages open to them and only the folders their side is granted.
RECIPIENT_SIDES = frozenset({Side.BUYER})
#: Platform roles that run rooms without being members of them.
RUNS_ROOMS = frozenset({Role.ADMIN, Role.BROKER})


@dataclass(frozen=True)
class RoomInfo:
    deal_id: str
    deal_name: str
    target_name: str
    target_uscc: str
    stage: Stage
    recipient_region: str


@dataclass(frozen=True)
class Seat:
    """A user in a room: the actor the permission table sees, and the side they are on."""

    actor: Actor
    side: Side | None  # None: a platform administrator or broker without a seat


def _room(session: Session, deal_ref: str) -> tuple[Deal, Room]:
    deal = find_deal(session, deal_ref)
    room = session.get(Room, deal.id)
    if room is None:
        raise InputError(tr(f"交易 {deal.name} 还没有数据室", f"deal {deal.name} has no data room"))
    return deal, room


def _info(deal: Deal, room: Room) -> RoomInfo:
    return RoomInfo(
        deal.id,
        deal.name,
        room.target_name,
        room.target_uscc,
        Stage(room.stage),
        room.recipient_region,
    )


def hidden() -> NotFoundError:
    """What a user outside a room hears of it, whether or not its deal exists: no name, no id."""
    return NotFoundError(
        tr(
            "没有这个数据室，或你不是它的成员",
            "no such data room, or you are not one of its members",
        )
    )


def deal_or_hidden(vault: Vault, actor: Actor, action: Action | None, deal_ref: str) -> Deal:
    """The deal ``deal_ref`` names, for an actor who may know whether it exists.

    Roles that see every room (unscoped actors) are told a deal does not exist; anyone else
    asking for a missing deal or one outside their scope gets :func:`hidden`, and the refusal
    is recorded with its real reason (the name typed is not: it may be anything)."""
    with vault.reading() as session:
        deal = session.execute(
            select(Deal).where(or_(Deal.name == deal_ref, Deal.id == deal_ref))
        ).scalar()
    if deal is None and actor.deals is None:
        raise NotFoundError(tr(f"没有名为 {deal_ref} 的交易", f"no deal named {deal_ref}"))
    if deal is None or (actor.deals is not None and deal.id not in actor.deals):
        _record_denial(
            vault,
            actor,
            action,
            "deal:-" if deal is None else f"deal:{deal.id}",
            "no such deal" if deal is None else "not a member",
        )
        raise hidden()
    return deal


def seat(vault: Vault, user: UserPublic, deal_ref: str) -> Seat:
    """The actor ``user`` is in the room of ``deal_ref``: their role there, scoped to the deal.
    A deal that does not exist is :func:`hidden` (recorded) for those who do not run rooms."""
    outside = seat_outside(user)
    with vault.reading() as session:
        deal = session.execute(
            select(Deal).where(or_(Deal.name == deal_ref, Deal.id == deal_ref))
        ).scalar()
        member = (
            None
            if deal is None
            else session.execute(
                select(Member).where(Member.deal_id == deal.id, Member.user_id == user.id)
            ).scalar_one_or_none()
        )
    if deal is None:
        deal_or_hidden(vault, outside, None, deal_ref)  # raises
    assert deal is not None
    if member is not None:
        return Seat(
            Actor(user.username, Role(member.role), frozenset({deal.id})), Side(member.side)
        )
    return Seat(outside, None)


def admitted(vault: Vault, user: UserPublic, deal_ref: str, action: Action) -> Seat:
    """``user``'s seat in the room of ``deal_ref`` once the room's gate lets it perform
    ``action`` (role, side, NDA, stage); a refusal is recorded and raised."""
    found = seat(vault, user, deal_ref)
    gate(vault, found, action, deal_ref)
    return found


def seat_outside(user: UserPublic) -> Actor:
    """The actor ``user`` is outside any one room (creating deals and rooms, listing, the
    company's governance): the platform role; unscoped only for the roles that run rooms; with
    the sides the user is seated on (``permissions.COMPANY_ONLY``)."""
    platform = Role(user.role)
    return Actor(
        user.username,
        platform,
        None if platform in RUNS_ROOMS else frozenset(),
        seats=user.seats,
    )


#: Sides whose seats make a deal the user's own company business outside its room (the
#: seller's data-subject requests): the seller's and the platform's, never the buyer's.
COMPANY_SIDES = frozenset({Side.SELLER, Side.PLATFORM})
#: Platform roles that see the company's registers of every deal: those who run rooms and the
#: seller's staff at the command line, who hold the key.
SEES_EVERY_DEAL = RUNS_ROOMS | {Role.OPERATOR}


def company_actor(vault: Vault, user: UserPublic) -> Actor:
    """The actor ``user`` is for the seller's registers kept outside a room (data-subject
    requests): the platform role, scoped to the deals where the user sits on the seller's or the
    platform's side (unscoped for :data:`SEES_EVERY_DEAL`). :func:`seat_outside`'s empty scope
    hid from the seller's staff the very requests they took in."""
    platform = Role(user.role)
    if platform in SEES_EVERY_DEAL:
        return Actor(user.username, platform, None)
    with vault.reading() as session:
        ids = session.execute(
            select(Member.deal_id).where(
                Member.user_id == user.id, Member.side.in_([s.value for s in COMPANY_SIDES])
            )
        ).scalars()
        return Actor(user.username, platform, frozenset(ids))


#: What no one does in a room once its deal has ended (closed or aborted): put data into it,
#: widen access to it, ask for a new NDA, change how its copies are de-identified (a new policy
#: remakes them while they await deletion), or start a conversation in it. Reading it, the
#: copies' deletion, the compliance records and incidents go on.
ENDED_REFUSES = frozenset(
    {
        Action.DOC_UPLOAD,
        Action.GRANT_SET,
        Action.MEMBER_ADD,
        Action.NDA_PUBLISH,
        Action.ROOM_POLICY,
        Action.QA_ASK,
        Action.QA_ANSWER,
    }
)


def _refuse_once_ended(vault: Vault, actor: Actor, action: Action, deal_ref: str) -> None:
    if action not in ENDED_REFUSES:
        return
    with vault.reading() as session:
        deal, room = _room(session, deal_ref)
        stage = Stage(room.stage)
    if stage in ENDED:
        _deny(
            vault,
            actor,
            action,
            deal.id,
            tr(
                "交易已结束：数据室不再接受新的文件、授权、成员、保密协议、去标识化策略或问答",
                "the deal has ended: the room takes no new files, grants, members, NDAs, "
                "de-identification policies or questions",
            ),
        )


def _record_denial(
    vault: Vault, actor: Actor, action: Action | None, obj: str, reason: str
) -> None:
    audit.record_now(
        vault,
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=obj,
        outcome="denied",
        details={
            "action": action.value if action is not None else "-",
            "role": actor.role.value,
            "reason": reason,
        },
    )


def _deny(vault: Vault, actor: Actor, action: Action, deal_id: str, reason: str) -> None:
    _record_denial(vault, actor, action, f"deal:{deal_id}", reason)
    raise PermissionDeniedError(reason)


def gate(
    vault: Vault, seat_: Seat, action: Action, deal_ref: str, folder: str | None = None
) -> None:
    """Let a seat perform ``action`` in the room, or record the refusal and raise it."""
    deal_id = deal_or_hidden(vault, seat_.actor, action, deal_ref).id
    with vault.reading() as session:
        _room(session, deal_ref)
    audit.require(vault, seat_.actor, action, obj=f"deal:{deal_id}", resource=deal_id)
    _refuse_once_ended(vault, seat_.actor, action, deal_ref)
    sides = SIDE_ONLY.get(action)
    if sides is not None and seat_.side is not None and seat_.side not in sides:
        _deny(
            vault,
            seat_.actor,
            action,
            deal_id,
            tr(
                f"{_side(seat_.side)}不能{action_label(action)}",
                f"the {_side(seat_.side)} side may not {action_label(action)}",
            ),
        )
    if seat_.side not in RECIPIENT_SIDES:
        return  # the discloser's side and the platform that runs the room: no NDA, every stage
    with vault.reading() as session:
        deal, room = _room(session, deal_ref)
        user = session.execute(select(User).where(User.username == seat_.actor.name)).scalar_one()
        reason = _state_refusal(session, deal, room, user, seat_, action)
        refused, seen = (
            ("", True) if reason else _folder_refusal(session, deal, seat_, action, folder)
        )
    if reason is not None:
        _deny(vault, seat_.actor, action, deal_id, reason)
    if refused:
        _record_denial(vault, seat_.actor, action, f"deal:{deal_id}", refused)
        if not seen:  # not even listed to the side: as if there were no such document
            raise no_document()
        raise PermissionDeniedError(
            tr("没有该文件的下载授权", "no download grant for this document")
        )


def no_document() -> NotFoundError:
    """What a document id that is not in the room answers — and one in a folder the user's side
    holds no grant for: the folder's name is not told to whoever was not granted it (404)."""
    return NotFoundError(tr("没有该文件", "no such document"))


def unknown_document(vault: Vault, seat_: Seat, action: Action, deal_id: str) -> NotFoundError:
    """:func:`no_document` for an id that is not in the room (a missing one, another room's),
    the probing recorded as a hidden folder's document is (``access.denied``; the id typed is
    not recorded: it may be anything). The platform's roles without a seat, who see every
    room, are just told it is missing."""
    if seat_.actor.deals is not None:
        _record_denial(vault, seat_.actor, action, f"deal:{deal_id}", "no such document")
    return no_document()


def _folder_refusal(
    session: Session, deal: Deal, seat_: Seat, action: Action, folder: str | None
) -> tuple[str, bool]:
    """Why the side may not view or download in ``folder`` (for the audit record: the folder is
    named there, never in the answer), or ``""``; and whether the side sees the folder's
    documents listed (a view grant), so that a refused download of one need not hide it."""
    if folder is None or action not in (Action.DOC_VIEW, Action.DOC_DOWNLOAD):
        return "", True
    need = Level.DOWNLOAD if action is Action.DOC_DOWNLOAD else Level.VIEW
    if _granted(session, deal.id, seat_.side, folder, need):
        return "", True
    seen = need is Level.DOWNLOAD and _granted(session, deal.id, seat_.side, folder, Level.VIEW)
    return f"no {need.value} grant for folder {folder}", seen


def _state_refusal(
    session: Session,
    deal: Deal,
    room: Room,
    user: User,
    seat_: Seat,
    action: Action,
) -> str | None:
    if action in AFTER_THE_END:
        return None
    if not _accepted_current(session, deal.id, user.id):
        return tr("请先接受本交易的保密协议", "Accept this deal's NDA first")
    if seat_.side is Side.BUYER and Stage(room.stage) not in BUYER_OPEN:
        return tr(
            "交易不在尽职调查或已签约阶段，买方无权访问",
            "the deal is not in due diligence or signed: buyers have no access",
        )
    return None


def can(seat_: Seat, action: Action) -> bool:
    """Whether the role table (and the side rule) lets ``seat_`` perform ``action`` — for what
    a page offers; the use case still decides when it is called."""
    sides = SIDE_ONLY.get(action)
    if sides is not None and seat_.side is not None and seat_.side not in sides:
        return False
    return allowed(seat_.actor, action)


def granted(vault: Vault, seat_: Seat, deal_ref: str, folder: str, action: Action) -> bool:
    """Whether ``seat_``'s side holds a live grant for ``folder`` (no audit: a listing filter)."""
    return granted_filter(vault, seat_, deal_ref, action)(folder)


def granted_filter(
    vault: Vault, seat_: Seat, deal_ref: str, action: Action
) -> Callable[[str], bool]:
    """:func:`granted` for many folders: the side's live grants are read once."""
    need = Level.DOWNLOAD if action is Action.DOC_DOWNLOAD else Level.VIEW
    with vault.reading() as session:
        deal, _ = _room(session, deal_ref)
        folders = _grant_folders(session, deal.id, seat_.side, need)
    return lambda folder: _covers(folders, folder)


def ended(vault: Vault, deal_ref: str) -> bool:
    """Whether the deal of ``deal_ref`` has ended (closed or aborted)."""
    with vault.reading() as session:
        return Stage(_room(session, deal_ref)[1].stage) in ENDED


def deal_id(vault: Vault, deal_ref: str) -> str:
    with vault.reading() as session:
        return _room(session, deal_ref)[0].id


def _current_nda(session: Session, deal_id: str) -> Nda | None:
    return session.execute(
        select(Nda).where(Nda.deal_id == deal_id).order_by(Nda.version.desc()).limit(1)
    ).scalar_one_or_none()


def _accepted_current(session: Session, deal_id: str, user_id: str) -> bool:
    current = _current_nda(session, deal_id)
    if current is None:
        return False
    return (
        session.execute(
            select(NdaAcceptance.id).where(
                NdaAcceptance.nda_id == current.id, NdaAcceptance.user_id == user_id
            )
        ).first()
        is not None
    )


def _granted(session: Session, deal_id: str, side: Side | None, folder: str, need: Level) -> bool:
    return _covers(_grant_folders(session, deal_id, side, need), folder)


def _grant_folders(session: Session, deal_id: str, side: Side | None, need: Level) -> list[str]:
    """The folders of the side's live grants at ``need`` or above."""
    levels = (
        {Level.DOWNLOAD.value}
        if need is Level.DOWNLOAD
        else {Level.VIEW.value, Level.DOWNLOAD.value}
    )
    moment = _dt.datetime.now(_dt.UTC).isoformat()
    return list(
        session.execute(
            select(Grant.folder).where(
                Grant.deal_id == deal_id,
                Grant.side == (side.value if side else ""),
                Grant.revoked_at.is_(None),
                Grant.expires_at > moment,
                Grant.level.in_(levels),
            )
        ).scalars()
    )


def _covers(grant_folders: list[str], folder: str) -> bool:
    """Whether a grant of ``grant_folders`` covers ``folder`` (a grant stored before folders
    were normalised may be ``/客户``: it names ``客户``)."""
    inside = folder.strip("/")
    for g in grant_folders:
        name = g.strip("/")
        if not name or inside == name or inside.startswith(name + "/"):
            return True
    return False


# --- use cases ---------------------------------------------------------------------------------


def require(vault: Vault, actor: Actor, action: Action, deal_ref: str) -> str:
    """The deal's id once ``actor`` may know it exists (:func:`hidden` otherwise) and the role
    table lets them perform ``action`` on it; refusals recorded."""
    deal_id = deal_or_hidden(vault, actor, action, deal_ref).id
    audit.require(vault, actor, action, obj=f"deal:{deal_id}", resource=deal_id)
    return deal_id


def _require(vault: Vault, actor: Actor, action: Action, deal_ref: str) -> str:
    """:func:`require`, and refused for what no one does once the deal has ended."""
    deal_id = require(vault, actor, action, deal_ref)
    _refuse_once_ended(vault, actor, action, deal_ref)
    return deal_id


def open_room(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    target_name: str,
    target_uscc: str,
    recipient_region: str | None = None,
    policy: str | None = None,
) -> RoomInfo:
    """Open the data room of an existing deal; the target's USCC must pass GB 32100's check.
    The recipient's region is the one given, else the deal's profile's (the room shows the
    profile's word, :func:`baomi.services.comply.profile.set_profile`), else ``CN``."""
    uscc = target_uscc.strip().upper()
    if not is_valid_uscc(uscc):
        raise InputError(
            tr(
                "统一社会信用代码无效（GB 32100 校验码不符）",
                "the unified social credit code is not valid (GB 32100 check character)",
            )
        )
    if not target_name.strip():
        raise InputError(tr("请填写目标公司名称", "the target company needs a name"))
    _require(vault, actor, Action.ROOM_OPEN, deal_ref)
    with vault.transaction() as session:
        deal = find_deal(session, deal_ref)
        if session.get(Room, deal.id) is not None:
            raise InputError(tr("该交易已有数据室", "the deal has a data room already"))
        room = Room(
            deal_id=deal.id,
            target_name=target_name.strip()[:200],
            target_uscc=uscc,
            stage=Stage.PREPARING.value,
            recipient_region=(recipient_region or "").strip() or _profiled_region(session, deal.id),
            policy=policy,
            created_at=now(),
            created_by=actor.name,
        )
        session.add(room)
        audit.record(
            session, vault, actor=actor, action=AuditAction.ROOM_OPEN, obj=f"deal:{deal.id}"
        )
        return _info(deal, room)


def _profiled_region(session: Session, deal_id: str) -> str:
    """Where the deal's profile says the recipient is, else ``CN``."""
    profiled = session.get(DealProfile, deal_id)
    return profiled.recipient_location if profiled is not None else "CN"


def open_deal_room(
    vault: Vault,
    *,
    actor: Actor,
    deal_name: str,
    target_name: str,
    target_uscc: str,
    recipient_region: str | None = None,
) -> RoomInfo:
    """Open the data room of ``deal_name``, creating the deal first if there is none by that
    name. Refused before anything is created unless the role table lets ``actor`` open rooms
    (creating the deal alone is allowed to more roles than opening its room)."""
    audit.require(vault, actor, Action.ROOM_OPEN, obj="deal")
    if deal_name not in {d.name for d in deals.list_deals(vault, actor=actor)}:
        deals.create(vault, actor=actor, name=deal_name)
    return open_room(
        vault,
        actor=actor,
        deal_ref=deal_name,
        target_name=target_name,
        target_uscc=target_uscc,
        recipient_region=recipient_region,
    )


def set_stage(vault: Vault, *, actor: Actor, deal_ref: str, stage: Stage) -> RoomInfo:
    """Move the deal along its stages; leaving the buyer-open stages ends buyer access at once."""
    _require(vault, actor, Action.ROOM_STAGE, deal_ref)
    with vault.transaction() as session:
        deal, room = _room(session, deal_ref)
        before = Stage(room.stage)
        room.stage = advance(before, stage).value
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.ROOM_STAGE,
            obj=f"deal:{deal.id}",
            details={"from": before.value, "to": stage.value},
        )
        return _info(deal, room)


def show(vault: Vault, seat_: Seat, deal_ref: str) -> RoomInfo:
    gate(vault, seat_, Action.ROOM_VIEW, deal_ref)
    with vault.reading() as session:
        return _info(*_room(session, deal_ref))


def _role(role: str) -> str:
    return tr(*ROLE_LABELS.get(str(role), (str(role), str(role))))


def _side(side: Side) -> str:
    return tr(*SIDE_LABELS[side])


def stage_notice(info: RoomInfo) -> str:
    """What the command line and the room page say after the stage moved."""
    stage = tr(*STAGE_LABELS[info.stage])
    return tr(f"{info.deal_name} 的阶段：{stage}", f"{info.deal_name} is now at the stage: {stage}")


def seated_notice(username: str, side: Side, role: Role) -> str:
    """What the command line and the room page say after a member was seated."""
    return tr(
        f"已让 {username} 以“{_role(role.value)}”身份坐在{_side(side)}一方",
        f"{username} seated on the {_side(side)} side as {_role(role.value)}",
    )


def add_member(
    vault: Vault, *, actor: Actor, deal_ref: str, username: str, side: Side, role: Role
) -> None:
    """Seat a user in the room on ``side`` with ``role``, which must be the user's account role
    and fit the side."""
    if role not in SIDE_ROLES[side]:
        raise InputError(
            tr(
                f"“{_role(role)}”不能坐在{_side(side)}一方",
                f"a {_role(role)} does not sit on the {_side(side)} side",
            )
        )
    _require(vault, actor, Action.MEMBER_ADD, deal_ref)
    with vault.transaction() as session:
        deal, _ = _room(session, deal_ref)
        user = session.execute(
            select(User).where(User.username == username.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
        if user.disabled:
            raise InputError(
                tr(f"用户 {user.username} 已停用，请先启用", f"user {user.username} is disabled")
            )
        if user.role != role.value:
            # the seat's role decides what the user may do in the room: a buyer's account
            # seated as the seller would read the originals with no NDA
            raise InputError(
                tr(
                    f"{username} 的账户角色是“{_role(user.role)}”，不能以“{_role(role)}”身份入座",
                    f"{username}'s account role is {_role(user.role)}; it cannot take a "
                    f"{_role(role)} seat",
                )
            )
        if session.execute(
            select(Member.id).where(Member.deal_id == deal.id, Member.user_id == user.id)
        ).first():
            raise InputError(
                tr(f"{username} 已在该数据室中", f"{username} is in this room already")
            )
        session.add(
            Member(
                id=new_id(),
                deal_id=deal.id,
                user_id=user.id,
                side=side.value,
                role=role.value,
                created_at=now(),
                created_by=actor.name,
            )
        )
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.MEMBER_ADD,
            obj=f"deal:{deal.id}",
            details={"user": user.id, "side": side.value, "role": role.value},
        )


@dataclass(frozen=True)
class RoomEntry:
    """A room in a user's list: what it is and whether the user still has to accept its NDA."""

    room: RoomInfo
    side: Side | None
    role: Role
    nda_pending: bool


def rooms_for(vault: Vault, user: UserPublic) -> list[RoomEntry]:
    """The rooms ``user`` has a seat in (every room for the platform's administrators)."""
    return _rooms_seen(vault, Role(user.role), user.id)


def rooms_for_actor(vault: Vault, actor: Actor) -> list[RoomEntry]:
    """The rooms an actor without an account sees — the installation's administrator at the
    command line, who holds the key: every room for the roles that run rooms (as
    :func:`rooms_for` gives an account of those roles without seats), none for the others."""
    return _rooms_seen(vault, actor.role, None)


def _rooms_seen(vault: Vault, platform: Role, user_id: str | None) -> list[RoomEntry]:
    """The rooms of ``user_id``'s seats (none without an account), every room for
    :data:`RUNS_ROOMS`."""
    with vault.reading() as session:
        seats = (
            {
                m.deal_id: m
                for m in session.execute(select(Member).where(Member.user_id == user_id)).scalars()
            }
            if user_id is not None
            else {}
        )
        rows = session.execute(
            select(Deal, Room).join(Room, Room.deal_id == Deal.id).order_by(Room.created_at)
        ).all()
        out: list[RoomEntry] = []
        for deal, room in rows:
            member = seats.get(deal.id)
            if member is None and platform not in RUNS_ROOMS:
                continue
            side = Side(member.side) if member is not None else None
            pending = (
                side in RECIPIENT_SIDES
                and user_id is not None
                and not _accepted_current(session, deal.id, user_id)
            )
            role = Role(member.role) if member is not None else platform
            out.append(RoomEntry(_info(deal, room), side, role, pending))
    return out


def set_policy(vault: Vault, *, actor: Actor, deal_ref: str, policy_text: str) -> str:
    """Set the room's de-identification policy (YAML, validated as ``baomi policy check`` does);
    copies made under the old policy are remade at their next use. Returns the policy's hash."""
    from baomi.engine.protect.policy import load_policy_text

    deal_id = _require(vault, actor, Action.ROOM_POLICY, deal_ref)  # the refusal first
    policy = load_policy_text(policy_text, source="room policy")
    with vault.transaction() as session:
        room = session.get(Room, deal_id)
        assert room is not None
        room.policy = policy_text
        held = session.execute(select(Copy.id).where(Copy.deal_id == deal_id)).scalars().all()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.ROOM_POLICY,
            obj=f"deal:{deal_id}",
            details={"deal": deal_id, "policy_sha256": policy.sha256, "copies_remade": len(held)},
        )
    for copy_id in held:  # after the commit: a failure leaves old copies, never a lost policy
        vault.blobs.delete(deal_id, f"copy-{copy_id}")
    return policy.sha256
