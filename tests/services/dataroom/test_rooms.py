"""Rooms end to end at the service layer: roles, NDA first, stages, grants — every refusal
recorded with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from baomi.engine.checksums import uscc_check_char
from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import accounts, deals
from baomi.services.dataroom import grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Action, Actor, Role
from baomi.storage.models import AuditEventRow
from tests.vault_support import database_url, key_file, settings, vault

__all__ = ["database_url", "key_file", "settings", "vault"]

ADMIN = Actor("admin", Role.ADMIN)
BROKER = Actor("broker", Role.BROKER)
USCC = "91110000" + "MA01ABCD" + "X"  # 17 characters; the check character is computed below
VALID_USCC = USCC[:17] + uscc_check_char(USCC[:17])


def _user(vault: Any, name: str, role: str) -> accounts.UserPublic:
    user, _ = accounts.create_user(vault, actor=ADMIN, username=name, display_name=name, role=role)
    return user


@pytest.fixture
def room(vault: Any) -> dict[str, Any]:
    deals.create(vault, actor=Actor("ops", Role.OPERATOR), name="转让-001")
    rooms.open_room(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        target_name="示例科技有限公司",
        target_uscc=VALID_USCC,
    )
    people = {
        "seller": _user(vault, "seller.a", "seller"),
        "buyer": _user(vault, "buyer.a", "buyer"),
        "stranger": _user(vault, "buyer.b", "buyer"),
    }
    rooms.add_member(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        username="seller.a",
        side=Side.SELLER,
        role=Role.SELLER,
    )
    rooms.add_member(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        username="buyer.a",
        side=Side.BUYER,
        role=Role.BUYER,
    )
    return people


def _seat(vault: Any, user: accounts.UserPublic) -> rooms.Seat:
    return rooms.seat(vault, user, "转让-001")


def _denials(vault: Any) -> list[str]:
    with vault.reading() as s:
        rows = s.execute(
            select(AuditEventRow).where(AuditEventRow.action == "access.denied")
        ).scalars()
        return [r.details for r in rows]


def _accept(vault: Any, seat: rooms.Seat) -> None:
    nda = ndas.current_nda(vault, seat, "转让-001")
    assert nda is not None
    ndas.accept_nda(vault, seat, "转让-001", text_sha256=nda[2], name="买方代表")


@pytest.mark.parametrize(
    "uscc", [VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1"), "123", ""]
)
def test_room_needs_a_valid_uscc(vault: Any, uscc: str) -> None:
    deals.create(vault, actor=Actor("ops", Role.OPERATOR), name="d")
    with pytest.raises(InputError):
        rooms.open_room(vault, actor=BROKER, deal_ref="d", target_name="公司", target_uscc=uscc)


def test_only_the_platform_opens_rooms(vault: Any) -> None:
    deals.create(vault, actor=Actor("ops", Role.OPERATOR), name="d")
    with pytest.raises(PermissionDeniedError):
        rooms.open_room(
            vault,
            actor=Actor("b", Role.BUYER),
            deal_ref="d",
            target_name="公司",
            target_uscc=VALID_USCC,
        )


def test_a_user_without_a_seat_sees_nothing(vault: Any, room: dict[str, Any]) -> None:
    with pytest.raises(PermissionDeniedError):
        rooms.show(vault, _seat(vault, room["stranger"]), "转让-001")
    assert len(_denials(vault)) == 1


def test_buyer_sees_nothing_before_the_nda_and_outside_open_stages(
    vault: Any, room: dict[str, Any]
) -> None:
    buyer = _seat(vault, room["buyer"])
    with pytest.raises(PermissionDeniedError, match=r"保密协议|NDA"):
        rooms.show(vault, buyer, "转让-001")
    assert ndas.current_nda(vault, buyer, "转让-001") is None
    ndas.publish_nda(vault, actor=BROKER, deal_ref="转让-001", discloser="卖方", recipient="买方")
    with pytest.raises(InputError):  # the hash of another text
        ndas.accept_nda(vault, buyer, "转让-001", text_sha256="0" * 64, name="买方代表")
    _accept(vault, buyer)
    with pytest.raises(PermissionDeniedError, match=r"尽职调查|due diligence"):
        rooms.show(vault, buyer, "转让-001")  # still preparing
    rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=Stage.DUE_DILIGENCE)
    assert rooms.show(vault, buyer, "转让-001").target_name == "示例科技有限公司"
    ndas.publish_nda(vault, actor=BROKER, deal_ref="转让-001", discloser="卖方", recipient="买方")
    with pytest.raises(PermissionDeniedError):  # a new version must be accepted again
        rooms.show(vault, buyer, "转让-001")
    _accept(vault, buyer)
    rooms.show(vault, buyer, "转让-001")
    rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=Stage.ABORTED)
    with pytest.raises(PermissionDeniedError):  # ended: buyer access ends at once
        rooms.show(vault, buyer, "转让-001")
    reasons = _denials(vault)
    assert len(reasons) == 4 and all('"reason"' in r for r in reasons)


def test_seller_side_needs_no_nda_in_any_stage(vault: Any, room: dict[str, Any]) -> None:
    seller = _seat(vault, room["seller"])
    assert rooms.show(vault, seller, "转让-001").stage is Stage.PREPARING


def test_grants_give_view_or_download_until_revoked(vault: Any, room: dict[str, Any]) -> None:
    buyer = _seat(vault, room["buyer"])
    ndas.publish_nda(vault, actor=BROKER, deal_ref="转让-001", discloser="卖方", recipient="买方")
    _accept(vault, buyer)
    rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=Stage.DUE_DILIGENCE)
    with pytest.raises(PermissionDeniedError):
        rooms.gate(vault, buyer, Action.DOC_VIEW, "转让-001", folder="客户")
    grant = grants.set_grant(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        side=Side.BUYER,
        folder="客户",
        level=Level.VIEW,
        days=7,
    )
    rooms.gate(vault, buyer, Action.DOC_VIEW, "转让-001", folder="客户/名单.csv")
    with pytest.raises(PermissionDeniedError):
        rooms.gate(vault, buyer, Action.DOC_DOWNLOAD, "转让-001", folder="客户")
    with pytest.raises(PermissionDeniedError):  # a sibling folder is not inside the grant
        rooms.gate(vault, buyer, Action.DOC_VIEW, "转让-001", folder="客户资料")
    grants.revoke_grant(vault, actor=BROKER, deal_ref="转让-001", grant_id=grant)
    with pytest.raises(PermissionDeniedError):  # revocation takes effect on the next request
        rooms.gate(vault, buyer, Action.DOC_VIEW, "转让-001", folder="客户")


@pytest.mark.parametrize("days", [0, 367])
def test_grant_length_bounds(vault: Any, room: dict[str, Any], days: int) -> None:
    with pytest.raises(InputError):
        grants.set_grant(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            side=Side.BUYER,
            folder="/",
            level=Level.VIEW,
            days=days,
        )


def test_a_role_must_fit_its_side(vault: Any, room: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        rooms.add_member(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            username="buyer.b",
            side=Side.SELLER,
            role=Role.BUYER,
        )


def test_a_seat_takes_the_accounts_own_role(vault: Any, room: dict[str, Any]) -> None:
    """A buyer's account seated as the seller would download the originals with no NDA: the
    seat's role is the account's platform role, on a side that role fits."""
    with pytest.raises(InputError):
        rooms.add_member(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            username="buyer.b",
            side=Side.SELLER,
            role=Role.SELLER,
        )
    assert rooms.seat(vault, room["stranger"], "转让-001").side is None
    _user(vault, "counsel.a", "counsel")
    with pytest.raises(InputError):
        rooms.add_member(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            username="counsel.a",
            side=Side.SELLER,
            role=Role.SELLER,
        )
    # counsel sits on either side as counsel
    rooms.add_member(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        username="counsel.a",
        side=Side.BUYER,
        role=Role.COUNSEL,
    )


def test_stage_machine_refuses_a_jump(vault: Any, room: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=Stage.CLOSED)


def test_an_ended_deal_takes_no_new_grants_members_or_questions(
    vault: Any, room: dict[str, Any]
) -> None:
    """Closed (or aborted), a room takes nothing new: no grant, no member, no question or
    answer (the seller could still add grants and answers — and upload files — after the end)."""
    from baomi.services.dataroom import qa

    for stage in (Stage.DUE_DILIGENCE, Stage.SIGNED, Stage.CLOSED):
        rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=stage)
    with pytest.raises(PermissionDeniedError):
        grants.set_grant(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            side=Side.BUYER,
            folder="/",
            level=Level.VIEW,
            days=7,
        )
    _user(vault, "seller.b", "seller")
    with pytest.raises(PermissionDeniedError):
        rooms.add_member(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            username="seller.b",
            side=Side.SELLER,
            role=Role.SELLER,
        )
    seller = _seat(vault, room["seller"])
    with pytest.raises(PermissionDeniedError):
        qa.ask(vault, seller, "转让-001", "还有文件吗？")
    # what the end needs still works: the room can be read by its seller
    assert rooms.show(vault, seller, "转让-001").stage is Stage.CLOSED


def test_an_ended_deal_takes_no_new_nda(vault: Any, room: dict[str, Any]) -> None:
    """A broker could publish a new NDA version into a closed room (the form was still on its
    page and the API answered 200): a version nobody may accept any more, asked of members whose
    access has ended."""
    for stage in (Stage.DUE_DILIGENCE, Stage.SIGNED, Stage.CLOSED):
        rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=stage)
    with pytest.raises(PermissionDeniedError, match="保密协议"):
        ndas.publish_nda(
            vault, actor=BROKER, deal_ref="转让-001", discloser="卖方", recipient="买方"
        )


def test_an_ended_deal_takes_no_new_policy(vault: Any, room: dict[str, Any]) -> None:
    """A new de-identification policy remakes every copy at its next use: in a closed room it
    changed the record of what was handed out while the copies await deletion (the API answered
    200). It is refused once the deal has ended, as uploads and grants are."""
    from baomi.engine.protect.policy import DEFAULT_POLICY

    rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=Stage.ABORTED)
    with pytest.raises(PermissionDeniedError, match="去标识化策略"):
        rooms.set_policy(vault, actor=BROKER, deal_ref="转让-001", policy_text=DEFAULT_POLICY)


def test_the_platform_runs_the_room_without_the_recipients_nda(
    vault: Any, room: dict[str, Any]
) -> None:
    broker_user = _user(vault, "broker.x", "broker")
    rooms.add_member(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        username="broker.x",
        side=Side.PLATFORM,
        role=Role.BROKER,
    )
    seat = _seat(vault, broker_user)
    assert rooms.show(vault, seat, "转让-001").stage is Stage.PREPARING  # no NDA, any stage
    assert not [e for e in rooms.rooms_for(vault, broker_user) if e.nda_pending]


def test_a_folder_typed_with_slashes_is_the_folder_and_dot_dot_is_refused(
    vault: Any, room: dict[str, Any]
) -> None:
    """The grant form shows ``/``, so people type ``/客户``: that grant covered nothing (the
    room's folders are ``客户``, ``客户/名单.csv``), and ``../x`` was taken as a folder (QA)."""
    buyer = _seat(vault, room["buyer"])
    ndas.publish_nda(vault, actor=BROKER, deal_ref="转让-001", discloser="卖方", recipient="买方")
    _accept(vault, buyer)
    rooms.set_stage(vault, actor=BROKER, deal_ref="转让-001", stage=Stage.DUE_DILIGENCE)

    def grant(folder: str) -> str:
        return grants.set_grant(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            side=Side.BUYER,
            folder=folder,
            level=Level.VIEW,
            days=7,
        )

    grant(" /客户/ ")
    rooms.gate(vault, buyer, Action.DOC_VIEW, "转让-001", folder="客户/名单.csv")
    with pytest.raises(PermissionDeniedError):
        rooms.gate(vault, buyer, Action.DOC_VIEW, "转让-001", folder="客户资料")
    [shown] = [g.folder for g in grants.list_grants(vault, actor=BROKER, deal_ref="转让-001")]
    assert shown == "客户"
    for bad in ("../x", "客户/../财务", "./客户"):
        with pytest.raises(InputError):
            grant(bad)


def test_a_disabled_account_takes_no_seat_and_refusals_name_roles_as_pages_do(
    vault: Any, room: dict[str, Any]
) -> None:
    """A disabled user was seated without a word (QA), and the refusals named roles and sides
    by their codes (``角色 seller 不适用于 buyer 一方``)."""
    from baomi.services import users

    _user(vault, "buyer.x", "buyer")
    users.disable(vault, actor=ADMIN, username="buyer.x")
    with pytest.raises(InputError, match="已停用"):
        rooms.add_member(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            username="buyer.x",
            side=Side.BUYER,
            role=Role.BUYER,
        )
    with pytest.raises(InputError) as err:
        rooms.add_member(
            vault,
            actor=BROKER,
            deal_ref="转让-001",
            username="buyer.b",
            side=Side.SELLER,
            role=Role.SELLER,
        )
    assert "卖方成员" in str(err.value) and "买方审阅人" in str(err.value)
    assert "seller" not in str(err.value)


def test_an_actor_without_an_account_sees_every_room_only_if_it_runs_rooms(
    vault: Any, room: dict[str, Any]
) -> None:
    """``baomi room list``: the key holder at the command line has no account and no seat; as
    the installation's administrator it sees every room, as :func:`rooms.rooms_for` shows an
    administrator's account — and an actor of another role sees none."""
    [entry] = rooms.rooms_for_actor(vault, Actor("root", Role.ADMIN))
    assert (entry.room.deal_name, entry.side, entry.role, entry.nda_pending) == (
        "转让-001",
        None,
        Role.ADMIN,
        False,
    )
    assert entry == rooms.rooms_for(vault, _user(vault, "root", "admin"))[0]
    assert rooms.rooms_for_actor(vault, Actor("buyer.a", Role.BUYER)) == []


def test_a_side_refusal_names_the_side_and_the_action_in_words(
    vault: Any, room: dict[str, Any]
) -> None:
    user = _user(vault, "counsel.b", "counsel")
    rooms.add_member(
        vault,
        actor=BROKER,
        deal_ref="转让-001",
        username="counsel.b",
        side=Side.BUYER,
        role=Role.COUNSEL,
    )
    counsel = rooms.seat(vault, user, "转让-001")
    with pytest.raises(PermissionDeniedError) as info:
        rooms.gate(vault, counsel, Action.COMPLY_VIEW, "转让-001")
    assert info.value.reason == "买方不能查看合规评估"
    set_language("en")
    try:
        with pytest.raises(PermissionDeniedError) as info:
            rooms.gate(vault, counsel, Action.COMPLY_VIEW, "转让-001")
        assert info.value.reason == "the buyer side may not see the compliance assessment"
    finally:
        set_language(None)
