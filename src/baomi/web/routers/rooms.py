"""Rooms: the JSON API and the pages. Each handler resolves the user's seat and calls one service;
the services decide every permission."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import (
    APIRouter,
    Form,
    Request,
    Response,
)
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.engine.entities import ENTITIES
from baomi.errors import InputError, NotFoundError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts, deals
from baomi.services.comply.provisions import region_of
from baomi.services.dataroom import copies, documents, grants, members, qa, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.rooms import SIDE_LABELS, Level, RoomInfo, Side
from baomi.services.dataroom.stages import ENDED, Stage, label
from baomi.services.permissions import ROLE_LABELS, Action, Role
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

#: every room endpoint needs a session and names a deal that may not exist
api = APIRouter(prefix="/api/v1/rooms", tags=["rooms"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)


class RoomCreate(BaseModel):
    deal: str = Field(min_length=1, max_length=200)
    target_name: str = Field(min_length=1, max_length=200)
    target_uscc: str = Field(min_length=18, max_length=18)
    recipient_region: str = Field(default="CN", max_length=40)


class RoomPublic(BaseModel):
    deal_id: str
    deal_name: str
    target_name: str
    target_uscc: str
    stage: Stage
    recipient_region: str


class RoomEntryPublic(BaseModel):
    room: RoomPublic
    side: Side | None
    role: Role
    nda_pending: bool


class StageUpdate(BaseModel):
    stage: Stage


class MemberCreate(BaseModel):
    username: str = Field(max_length=64)
    side: Side
    role: Role


class NdaPublish(BaseModel):
    discloser: str = Field(min_length=1, max_length=200)
    recipient: str = Field(min_length=1, max_length=200)
    lang: str = Field(default="zh", pattern="^(zh|en)$")
    term_months: int = Field(default=24, ge=1, le=120)


class NdaPublic(BaseModel):
    version: int
    text: str
    sha256: str


class NdaAccept(BaseModel):
    sha256: str = Field(min_length=64, max_length=64)
    name: str = Field(min_length=1, max_length=ndas.MAX_SIGNER)


class GrantCreate(BaseModel):
    side: Side
    folder: str = Field(default="/", max_length=200)
    level: Level
    days: int = Field(ge=1, le=366)


class GrantPublic(BaseModel):
    id: str


class GrantListed(BaseModel):
    id: str
    side: Side
    folder: str
    level: Level
    created_at: str
    created_by: str
    expires_at: str
    revoked_at: str | None
    #: neither revoked nor expired
    live: bool


class MemberPublic(BaseModel):
    username: str
    display_name: str
    side: Side
    role: Role
    #: when the member accepted the current NDA (null: not accepted, or no NDA yet)
    nda_accepted_at: str | None
    #: the member's side must accept the NDA before seeing anything
    nda_required: bool
    disabled: bool
    added_at: str
    added_by: str


class MemberRemoved(BaseModel):
    username: str
    #: copies the member downloaded and has not confirmed deleted (they stay on the copies list)
    copies_outstanding: int


def _public(info: RoomInfo) -> RoomPublic:
    return RoomPublic(
        deal_id=info.deal_id,
        deal_name=info.deal_name,
        target_name=info.target_name,
        target_uscc=info.target_uscc,
        stage=info.stage,
        recipient_region=info.recipient_region,
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


@api.get("")
def list_rooms(user: CurrentUser, vault: VaultDep) -> list[RoomEntryPublic]:
    return [
        RoomEntryPublic(room=_public(e.room), side=e.side, role=e.role, nda_pending=e.nda_pending)
        for e in rooms.rooms_for(vault, user)
    ]


@api.post("", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.ROOM_OPEN)
def open_room(body: RoomCreate, user: CurrentUser, vault: VaultDep) -> RoomPublic:
    return _public(
        rooms.open_deal_room(
            vault,
            actor=rooms.seat_outside(user),
            deal_name=body.deal,
            target_name=body.target_name,
            target_uscc=body.target_uscc,
            recipient_region=body.recipient_region,
        )
    )


@api.get("/{deal}", responses={400: {}, 403: {}})
def show_room(deal: str, user: CurrentUser, vault: VaultDep) -> RoomPublic:
    return _public(rooms.show(vault, rooms.seat(vault, user, deal), deal))


@api.post("/{deal}/stage", responses={400: {}, 403: {}})
@form_action(Action.ROOM_STAGE)
def set_stage(deal: str, body: StageUpdate, user: CurrentUser, vault: VaultDep) -> RoomPublic:
    seat = rooms.seat(vault, user, deal)
    return _public(rooms.set_stage(vault, actor=seat.actor, deal_ref=deal, stage=body.stage))


class PolicyUpdate(BaseModel):
    policy: str = Field(min_length=1, max_length=100_000)


class PolicyPublic(BaseModel):
    sha256: str


@api.put("/{deal}/policy", responses={400: {}, 403: {}})
@form_action(Action.ROOM_POLICY)
def set_policy(deal: str, body: PolicyUpdate, user: CurrentUser, vault: VaultDep) -> PolicyPublic:
    seat = rooms.seat(vault, user, deal)
    return PolicyPublic(
        sha256=rooms.set_policy(vault, actor=seat.actor, deal_ref=deal, policy_text=body.policy)
    )


@api.post("/{deal}/members", status_code=204, responses={400: {}, 403: {}})
@form_action(Action.MEMBER_ADD)
def add_member(deal: str, body: MemberCreate, user: CurrentUser, vault: VaultDep) -> None:
    seat = rooms.seat(vault, user, deal)
    rooms.add_member(
        vault,
        actor=seat.actor,
        deal_ref=deal,
        username=body.username,
        side=body.side,
        role=body.role,
    )


@api.get("/{deal}/members", responses={400: {}, 403: {}})
def list_members(deal: str, user: CurrentUser, vault: VaultDep) -> list[MemberPublic]:
    seat = rooms.seat(vault, user, deal)
    return [
        MemberPublic(**asdict(m))
        for m in members.list_members(vault, actor=seat.actor, deal_ref=deal)
    ]


@api.delete("/{deal}/members/{username}", responses={400: {}, 403: {}})
def remove_member(deal: str, username: str, user: CurrentUser, vault: VaultDep) -> MemberRemoved:
    """Take a member's seat away: their next request is refused."""
    seat = rooms.seat(vault, user, deal)
    removed = members.remove_member(vault, actor=seat.actor, deal_ref=deal, username=username)
    return MemberRemoved(**asdict(removed))


@api.post("/{deal}/nda", responses={400: {}, 403: {}})
@form_action(Action.NDA_PUBLISH)
def publish_nda(deal: str, body: NdaPublish, user: CurrentUser, vault: VaultDep) -> NdaPublic:
    seat = rooms.seat(vault, user, deal)
    ndas.publish_nda(
        vault,
        actor=seat.actor,
        deal_ref=deal,
        discloser=body.discloser,
        recipient=body.recipient,
        lang=body.lang,
        term_months=body.term_months,
    )
    current = ndas.current_nda(vault, seat, deal)
    assert current is not None
    return NdaPublic(version=current[0], text=current[1], sha256=current[2])


@api.get("/{deal}/nda", responses={403: {}, 404: {}})
def get_nda(deal: str, user: CurrentUser, vault: VaultDep, response: Response) -> NdaPublic | None:
    current = ndas.current_nda(vault, rooms.seat(vault, user, deal), deal)
    if current is None:
        response.status_code = 404
        return None
    return NdaPublic(version=current[0], text=current[1], sha256=current[2])


@api.post("/{deal}/nda/accept", status_code=204, responses={400: {}, 403: {}})
@form_action(Action.NDA_ACCEPT)
def accept_nda(
    deal: str, body: NdaAccept, request: Request, user: CurrentUser, vault: VaultDep
) -> None:
    ndas.accept_nda(
        vault,
        rooms.seat(vault, user, deal),
        deal,
        text_sha256=body.sha256,
        name=body.name,
        client=_client(request),
    )


@api.post("/{deal}/grants", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GRANT_SET)
def set_grant(deal: str, body: GrantCreate, user: CurrentUser, vault: VaultDep) -> GrantPublic:
    seat = rooms.seat(vault, user, deal)
    grant = grants.set_grant(
        vault,
        actor=seat.actor,
        deal_ref=deal,
        side=body.side,
        folder=body.folder,
        level=body.level,
        days=body.days,
    )
    return GrantPublic(id=grant)


@api.get("/{deal}/grants", responses={400: {}, 403: {}})
def list_grants(deal: str, user: CurrentUser, vault: VaultDep) -> list[GrantListed]:
    """The room's grants, the newest first, live and ended."""
    seat = rooms.seat(vault, user, deal)
    return [
        GrantListed(**asdict(g), live=g.live)
        for g in grants.list_grants(vault, actor=seat.actor, deal_ref=deal)
    ]


@api.delete("/{deal}/grants/{grant}", status_code=204, responses={400: {}, 403: {}})
def revoke_grant(deal: str, grant: str, user: CurrentUser, vault: VaultDep) -> None:
    seat = rooms.seat(vault, user, deal)
    grants.revoke_grant(vault, actor=seat.actor, deal_ref=deal, grant_id=grant)


# --- pages -------------------------------------------------------------------------------------


_SIDE_LABELS = SIDE_LABELS
#: The roles a room seats (the command-line operator and the administrator sit in none), named
#: as the users page names them.
_ROLE_LABELS = {
    r: ROLE_LABELS[r.value]
    for r in (Role.SELLER, Role.BUYER, Role.COUNSEL, Role.AUDITOR, Role.BROKER)
}


@pages.get("/rooms/{deal}")
def room_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    csrf = accounts.csrf_token(vault, token)
    seat = rooms.seat(vault, user, deal)
    try:
        info = rooms.show(vault, seat, deal)
    except NotFoundError:
        raise  # not the room's locked page: that would name the deal
    except PermissionDeniedError as exc:
        if seat.side in rooms.RECIPIENT_SIDES and rooms.ended(vault, deal):
            # the deal is over: what is left is the copies to delete (PIPL-21, PIPL-47)
            return _ended_page(request, vault, user, csrf, seat, deal)
        try:
            nda = ndas.current_nda(vault, seat, deal)
        except PermissionDeniedError:
            nda = None
        return render(
            request,
            "room_locked.html",
            status_code=403,
            user=user,
            csrf=csrf,
            deal=deal,
            reason=exc.reason,
            nda=nda,
            error=request.query_params.get("error"),
            max_signer=ndas.MAX_SIGNER,
        )
    listed = documents.documents(vault, seat, deal)
    can_download = rooms.can(seat, Action.DOC_DOWNLOAD)
    if can_download and seat.side in rooms.RECIPIENT_SIDES:
        # a link only where the side's grant is a download grant (a view grant would refuse)
        ok = rooms.granted_filter(vault, seat, deal, Action.DOC_DOWNLOAD)
        downloadable = {d.id for d in listed if ok(d.folder)}
    else:
        downloadable = {d.id for d in listed} if can_download else set()
    # an ended deal takes nothing new (rooms.ENDED_REFUSES) and its stage is final: its page
    # offers none of those forms, and shows who still holds copies to delete (PIPL-21, PIPL-47)
    ended = info.stage in ENDED
    held = copies.copies(vault, seat, deal) if rooms.can(seat, Action.COPY_LIST) else None
    names = {o.id: o.name or "" for o in deals.objects(vault, info.deal_id)} if held else {}
    return render(
        request,
        "room.html",
        user=user,
        csrf=csrf,
        room=info,
        stage_label=label(info.stage),
        region_label=region_of(info.recipient_region).label,
        documents=listed,
        ended=ended,
        can_upload=not ended and rooms.can(seat, Action.DOC_UPLOAD),
        downloadable=downloadable,
        can_audit=rooms.can(seat, Action.AUDIT_VIEW),
        can_comply=rooms.can(seat, Action.COMPLY_VIEW),
        can_incidents=rooms.can(seat, Action.INCIDENT_VIEW),
        questions=qa.questions(vault, seat, deal),
        can_ask=not ended and rooms.can(seat, Action.QA_ASK),
        can_answer=not ended and rooms.can(seat, Action.QA_ANSWER),
        can_manage=rooms.can(seat, Action.ROOM_STAGE),
        can_change=not ended and rooms.can(seat, Action.ROOM_STAGE),
        can_grant=not ended and rooms.can(seat, Action.GRANT_SET),
        members=(
            members.list_members(vault, actor=seat.actor, deal_ref=deal)
            if rooms.can(seat, Action.MEMBER_LIST)
            else None
        ),
        can_remove=rooms.can(seat, Action.MEMBER_REMOVE),
        grants=(
            grants.list_grants(vault, actor=seat.actor, deal_ref=deal)
            if rooms.can(seat, Action.GRANT_LIST)
            else None
        ),
        can_revoke=not ended and rooms.can(seat, Action.GRANT_REVOKE),
        held=None if held is None else [(c, names.get(c.object_id, "")) for c in held],
        side_labels={s.value: tr(*_SIDE_LABELS[s]) for s in Side},
        role_labels={r.value: tr(*_ROLE_LABELS[r]) for r in _ROLE_LABELS},
        notice=request.query_params.get("notice"),
        manage_error=request.query_params.get("manage_error"),
        stages=[(s.value, label(s)) for s in Stage],
        ending=[s.value for s in ENDED],
        sides=[(s.value, tr(*_SIDE_LABELS[s])) for s in Side],
        roles=[(r.value, tr(*_ROLE_LABELS[r])) for r in Role if r in _ROLE_LABELS],
        entity_labels={name: tr(e.label_zh, e.label_en) for name, e in ENTITIES.items()},
        sensitive={name for name, e in ENTITIES.items() if e.sensitive},
        error=request.query_params.get("error"),
        note=request.query_params.get("note"),
    )


@pages.post("/rooms/{deal}/nda")
def accept_nda_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    sha256: Annotated[str, Form(max_length=64)],
    # longer than the service's limit, so that its message (not a generic 422) is shown
    name: Annotated[str, Form(max_length=2000)],
) -> Response:
    try:
        ndas.accept_nda(
            vault,
            rooms.seat(vault, user, deal),
            deal,
            text_sha256=sha256,
            name=name,
            client=_client(request),
        )
    except InputError as exc:  # the room page shows the NDA again, with the reason
        return RedirectResponse(f"/rooms/{quote(deal)}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/rooms/{quote(deal)}", status_code=303)


def _ended_page(
    request: Request, vault: Any, user: Any, csrf: str, seat: rooms.Seat, deal: str
) -> Response:
    """The room of an ended deal as its recipient sees it: their copies, to confirm deleted."""
    mine = copies.my_copies(vault, seat, deal)
    names = {o.id: o.name or "" for o in deals.objects(vault, rooms.deal_id(vault, deal))}
    return render(
        request,
        "room_ended.html",
        user=user,
        csrf=csrf,
        deal=deal,
        copies=[(c, names.get(c.object_id, "")) for c in mine],
        error=request.query_params.get("error"),
    )


@pages.post("/rooms/{deal}/copies/confirm")
def confirm_copies_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    deleted: Annotated[list[str], Form(default_factory=list, max_length=64)],
) -> Response:
    where = f"/rooms/{quote(deal)}"
    try:
        copies.confirm_deleted(vault, rooms.seat(vault, user, deal), deal, deleted)
    except InputError as exc:
        return RedirectResponse(f"{where}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(where, status_code=303)
