"""The room's members and grants as its runners manage them: listing members (side, role, NDA
accepted), removing one (access ends at once; not oneself, not the last runner), listing grants
and revoking one — each allowed exactly to the roles the permission table names."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts, deals
from baomi.services.dataroom import documents, grants, members, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import PERMISSIONS, Action, Actor, Role
from baomi.storage.models import AuditEventRow, Copy
from tests.services.dataroom.test_rooms import VALID_USCC

ADMIN = Actor("admin", Role.ADMIN)
BROKER = Actor("broker.a", Role.BROKER)
DEAL = "转让-001"


def room_actor(role: Role) -> Actor:
    return Actor(f"x.{role.value}", role)


def _user(vault: Any, name: str, role: Role) -> accounts.UserPublic:
    user, _ = accounts.create_user(
        vault, actor=ADMIN, username=name, display_name=f"显示名 {name}", role=role.value
    )
    return user


def _seat(vault: Any, name: str, side: Side, role: Role) -> accounts.UserPublic:
    user = _user(vault, name, role)
    rooms.add_member(vault, actor=ADMIN, deal_ref=DEAL, username=name, side=side, role=role)
    return user


@pytest.fixture
def room(vault: Any) -> dict[str, accounts.UserPublic]:
    deals.create(vault, actor=ADMIN, name=DEAL)
    rooms.open_room(
        vault, actor=ADMIN, deal_ref=DEAL, target_name="示例科技有限公司", target_uscc=VALID_USCC
    )
    people = {
        "broker": _seat(vault, "broker.a", Side.PLATFORM, Role.BROKER),
        "seller": _seat(vault, "seller.a", Side.SELLER, Role.SELLER),
        "buyer": _seat(vault, "buyer.a", Side.BUYER, Role.BUYER),
    }
    ndas.publish_nda(vault, actor=ADMIN, deal_ref=DEAL, discloser="卖方", recipient="买方")
    rooms.set_stage(vault, actor=ADMIN, deal_ref=DEAL, stage=Stage.DUE_DILIGENCE)
    return people


def _events(vault: Any, action: str) -> list[AuditEventRow]:
    with vault.reading() as s:
        return list(
            s.execute(select(AuditEventRow).where(AuditEventRow.action == action)).scalars()
        )


def _grant(
    vault: Any,
    side: Side = Side.BUYER,
    *,
    actor: Actor = ADMIN,
    folder: str = "/",
    level: Level = Level.VIEW,
) -> str:
    return grants.set_grant(
        vault, actor=actor, deal_ref=DEAL, side=side, folder=folder, level=level, days=7
    )


Use = Callable[[Any, Actor], object]
USES: dict[Action, Use] = {
    Action.MEMBER_LIST: lambda v, a: members.list_members(v, actor=a, deal_ref=DEAL),
    Action.MEMBER_REMOVE: lambda v, a: members.remove_member(
        v, actor=a, deal_ref=DEAL, username="seller.a"
    ),
    Action.GRANT_LIST: lambda v, a: grants.list_grants(v, actor=a, deal_ref=DEAL),
}
CASES = [(action, role) for action in USES for role in Role]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_the_permission_table_decides(
    vault: Any, room: dict[str, Any], action: Action, role: Role
) -> None:
    actor = Actor(f"someone.{role.value}", role)
    if role in PERMISSIONS[action]:
        USES[action](vault, actor)
    else:
        with pytest.raises(PermissionDeniedError):
            USES[action](vault, actor)
        denied = _events(vault, "access.denied")[-1]
        assert denied.actor == actor.name and action.value in denied.details
    removed = _events(vault, "member.remove")
    assert len(removed) == (action is Action.MEMBER_REMOVE and role in PERMISSIONS[action])


def test_members_show_side_role_and_the_current_nda(vault: Any, room: dict[str, Any]) -> None:
    buyer = rooms.seat(vault, room["buyer"], DEAL)
    sha = ndas.current_nda(vault, buyer, DEAL)
    assert sha is not None
    ndas.accept_nda(vault, buyer, DEAL, text_sha256=sha[2], name="买方代表")
    listed = members.list_members(vault, actor=BROKER, deal_ref=DEAL)
    assert [(m.username, m.side, m.role, m.nda_required) for m in listed] == [
        ("buyer.a", Side.BUYER, Role.BUYER, True),
        ("broker.a", Side.PLATFORM, Role.BROKER, False),
        ("seller.a", Side.SELLER, Role.SELLER, False),
    ]
    assert listed[0].nda_accepted_at is not None and listed[0].added_by == "admin"
    assert listed[1].nda_accepted_at is None
    # a new version of the NDA must be accepted again: the list says so
    ndas.publish_nda(vault, actor=ADMIN, deal_ref=DEAL, discloser="卖方", recipient="买方乙")
    assert members.list_members(vault, actor=BROKER, deal_ref=DEAL)[0].nda_accepted_at is None


def test_a_removed_member_loses_access_at_once(vault: Any, room: dict[str, Any]) -> None:
    buyer = room["buyer"]
    sha = ndas.current_nda(vault, rooms.seat(vault, buyer, DEAL), DEAL)
    assert sha is not None
    ndas.accept_nda(vault, rooms.seat(vault, buyer, DEAL), DEAL, text_sha256=sha[2], name="买方")
    assert rooms.show(vault, rooms.seat(vault, buyer, DEAL), DEAL).deal_name == DEAL
    removed = members.remove_member(vault, actor=BROKER, deal_ref=DEAL, username="buyer.a")
    assert removed == members.Removed("buyer.a", 0)
    with pytest.raises(PermissionDeniedError):
        rooms.show(vault, rooms.seat(vault, buyer, DEAL), DEAL)
    assert [e.room.deal_name for e in rooms.rooms_for(vault, buyer)] == []
    (event,) = _events(vault, "member.remove")
    assert event.actor == "broker.a" and json.loads(event.details) == {
        "user": buyer.id,
        "side": "buyer",
        "role": "buyer",
        "copies_outstanding": 0,
    }
    assert "buyer.a" not in [
        m.username for m in members.list_members(vault, actor=BROKER, deal_ref=DEAL)
    ]
    with pytest.raises(InputError, match=r"buyer\.a"):  # not a member any more
        members.remove_member(vault, actor=BROKER, deal_ref=DEAL, username="buyer.a")


def test_the_copies_a_removed_member_still_holds_are_counted(
    vault: Any, room: dict[str, Any]
) -> None:
    with vault.transaction() as s:
        s.add(
            Copy(
                id="c1",
                deal_id=rooms.deal_id(vault, DEAL),
                user_id=room["buyer"].id,
                object_id=_object(vault),
                provided_at="2026-01-01T00:00:00+00:00",
            )
        )
    removed = members.remove_member(vault, actor=BROKER, deal_ref=DEAL, username="buyer.a")
    assert removed.copies_outstanding == 1


def _object(vault: Any) -> str:
    """A document of the deal (a copy names one)."""
    (doc,) = documents.upload(
        vault,
        rooms.Seat(ADMIN, None),
        DEAL,
        [("名单.csv", "姓名\n张三\n".encode())],
        scanner=lambda _: {},
    )
    return doc.id


def test_nobody_removes_themselves(vault: Any, room: dict[str, Any]) -> None:
    _seat(vault, "broker.b", Side.PLATFORM, Role.BROKER)
    with pytest.raises(InputError, match=r"自己|yourself"):
        members.remove_member(vault, actor=BROKER, deal_ref=DEAL, username="broker.a")
    assert _events(vault, "member.remove") == []


def test_the_last_member_who_runs_the_room_stays(vault: Any, room: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"broker\.a"):
        members.remove_member(vault, actor=ADMIN, deal_ref=DEAL, username="broker.a")
    _seat(vault, "broker.b", Side.PLATFORM, Role.BROKER)
    members.remove_member(vault, actor=ADMIN, deal_ref=DEAL, username="broker.a")
    with pytest.raises(InputError, match=r"broker\.b"):
        members.remove_member(vault, actor=ADMIN, deal_ref=DEAL, username="broker.b")


def test_members_can_be_removed_after_the_deal_ended(vault: Any, room: dict[str, Any]) -> None:
    rooms.set_stage(vault, actor=ADMIN, deal_ref=DEAL, stage=Stage.ABORTED)
    members.remove_member(vault, actor=ADMIN, deal_ref=DEAL, username="buyer.a")
    with pytest.raises(PermissionDeniedError):  # while nobody may be seated any more
        rooms.add_member(
            vault, actor=ADMIN, deal_ref=DEAL, username="buyer.a", side=Side.BUYER, role=Role.BUYER
        )


def test_grants_are_listed_newest_first_with_their_state(vault: Any, room: dict[str, Any]) -> None:
    first = _grant(vault, Side.BUYER)
    second = _grant(vault, Side.PLATFORM, actor=BROKER, folder="财务", level=Level.DOWNLOAD)
    grants.revoke_grant(vault, actor=BROKER, deal_ref=DEAL, grant_id=first)
    listed = grants.list_grants(vault, actor=room_actor(Role.SELLER), deal_ref=DEAL)
    assert [(g.id, g.side, g.folder, g.level, g.created_by, g.live) for g in listed] == [
        (second, Side.PLATFORM, "财务", Level.DOWNLOAD, "broker.a", True),
        (first, Side.BUYER, "/", Level.VIEW, "admin", False),
    ]
    assert listed[1].revoked_at is not None


def test_a_revoked_grant_ends_the_sides_access_to_the_folder(
    vault: Any, room: dict[str, Any]
) -> None:
    grant = _grant(vault)
    seat = rooms.seat(vault, room["buyer"], DEAL)
    assert rooms.granted(vault, seat, DEAL, "/资料", Action.DOC_VIEW)
    grants.revoke_grant(vault, actor=BROKER, deal_ref=DEAL, grant_id=grant)
    assert not rooms.granted(vault, seat, DEAL, "/资料", Action.DOC_VIEW)
    assert not grants.list_grants(vault, actor=BROKER, deal_ref=DEAL)[0].live
