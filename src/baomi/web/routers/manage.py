"""The room's management forms (opening a room, stage, members, NDA, grants): page twins of the
rooms API. Each handler calls one service; a refusal or a bad value comes back to the page as a
message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Response
from fastapi.responses import RedirectResponse

from baomi.errors import InputError, PermissionDeniedError
from baomi.services.dataroom import grants, members, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Action, Role
from baomi.web.deps import CurrentUser, VaultDep
from baomi.web.form_errors import form_action

pages = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]
T = TypeVar("T")


def _done(deal: str, work: Callable[[], T], notice: Callable[[T], str] | None = None) -> Response:
    """Do ``work`` and go back to the room's management section, with the refusal
    (``manage_error``, shown there, not above the documents) or what ``notice`` makes of the
    result (``notice``) as the message."""
    try:
        result = work()
    except (InputError, PermissionDeniedError, ValueError) as exc:
        where = f"/rooms/{quote(deal)}?manage_error={quote(str(exc))}#manage"
        return RedirectResponse(where, 303)
    said = f"?notice={quote(notice(result))}" if notice is not None else ""
    return RedirectResponse(f"/rooms/{quote(deal)}{said}#manage", 303)


@pages.post("/rooms")
def open_form(
    user: CurrentUser,
    vault: VaultDep,
    deal: Short,
    target_name: Short,
    target_uscc: Annotated[str, Form(max_length=18)],
    recipient_region: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Open the room of a deal (created too if there is none by that name) from the home page."""
    try:
        rooms.open_deal_room(
            vault,
            actor=rooms.seat_outside(user),
            deal_name=deal.strip(),
            target_name=target_name,
            target_uscc=target_uscc,
            recipient_region=recipient_region,
        )
    except (InputError, PermissionDeniedError) as exc:
        return RedirectResponse(f"/?error={quote(str(exc))}#open-room", 303)
    return RedirectResponse(f"/rooms/{quote(deal.strip())}", 303)


@pages.post("/rooms/{deal}/manage/stage")
@form_action(Action.ROOM_STAGE)
def stage_form(deal: str, user: CurrentUser, vault: VaultDep, stage: Short) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: rooms.set_stage(vault, actor=seat.actor, deal_ref=deal, stage=Stage(stage)),
        rooms.stage_notice,
    )


@pages.post("/rooms/{deal}/manage/member")
@form_action(Action.MEMBER_ADD)
def member_form(
    deal: str, user: CurrentUser, vault: VaultDep, username: Short, side: Short, role: Short
) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: rooms.add_member(
            vault,
            actor=seat.actor,
            deal_ref=deal,
            username=username,
            side=Side(side),
            role=Role(role),
        ),
        lambda _: rooms.seated_notice(username, Side(side), Role(role)),
    )


@pages.post("/rooms/{deal}/manage/nda")
@form_action(Action.NDA_PUBLISH)
def nda_form(
    deal: str, user: CurrentUser, vault: VaultDep, discloser: Short, recipient: Short
) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: ndas.publish_nda(
            vault, actor=seat.actor, deal_ref=deal, discloser=discloser, recipient=recipient
        ),
        lambda _: ndas.published_notice(vault, deal),
    )


@pages.post("/rooms/{deal}/manage/grant")
@form_action(Action.GRANT_SET)
def grant_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    side: Short,
    folder: Short,
    level: Short,
    days: Annotated[int, Form(ge=1, le=366)],
) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: grants.set_grant(
            vault,
            actor=seat.actor,
            deal_ref=deal,
            side=Side(side),
            folder=folder or "/",
            level=Level(level),
            days=days,
        ),
        lambda grant_id: grants.granted_notice(
            vault, actor=seat.actor, deal_ref=deal, grant_id=grant_id
        ),
    )


@pages.post("/rooms/{deal}/manage/member/{username}/remove")
def remove_member_form(deal: str, username: str, user: CurrentUser, vault: VaultDep) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: members.remove_member(vault, actor=seat.actor, deal_ref=deal, username=username),
        members.Removed.summary,
    )


@pages.post("/rooms/{deal}/manage/grant/{grant}/revoke")
def revoke_grant_form(deal: str, grant: str, user: CurrentUser, vault: VaultDep) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: grants.revoke_grant(vault, actor=seat.actor, deal_ref=deal, grant_id=grant),
        lambda _: grants.revoked_notice(vault, grant_id=grant),
    )
