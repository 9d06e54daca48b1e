"""The room's management forms (stage, members, NDA, grants): page twins of the rooms API.
Each handler calls one service; a refusal or a bad value comes back to the room page as a
message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Response
from fastapi.responses import RedirectResponse

from baomi.errors import InputError, PermissionDeniedError
from baomi.services.dataroom import grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Role
from baomi.web.deps import CurrentUser, VaultDep

pages = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]


def _done(deal: str, work: Callable[[], object]) -> Response:
    try:
        work()
    except (InputError, PermissionDeniedError, ValueError) as exc:
        return RedirectResponse(f"/rooms/{quote(deal)}?error={quote(str(exc))}#manage", 303)
    return RedirectResponse(f"/rooms/{quote(deal)}#manage", 303)


@pages.post("/rooms/{deal}/manage/stage")
def stage_form(deal: str, user: CurrentUser, vault: VaultDep, stage: Short) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal, lambda: rooms.set_stage(vault, actor=seat.actor, deal_ref=deal, stage=Stage(stage))
    )


@pages.post("/rooms/{deal}/manage/member")
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
    )


@pages.post("/rooms/{deal}/manage/nda")
def nda_form(
    deal: str, user: CurrentUser, vault: VaultDep, discloser: Short, recipient: Short
) -> Response:
    seat = rooms.seat(vault, user, deal)
    return _done(
        deal,
        lambda: ndas.publish_nda(
            vault, actor=seat.actor, deal_ref=deal, discloser=discloser, recipient=recipient
        ),
    )


@pages.post("/rooms/{deal}/manage/grant")
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
    )
