"""Rooms: the JSON API and the pages. Each handler resolves the user's seat and calls one service;
the services decide every permission."""

from __future__ import annotations

import base64
from contextlib import suppress
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.dataroom import auditlog, documents, qa, rooms
from baomi.services.dataroom.packages import room_protector
from baomi.services.dataroom.rooms import Level, RoomInfo, Side
from baomi.services.dataroom.stages import Stage, label
from baomi.services.dataroom.uploads import Limits
from baomi.services.permissions import Action, Role
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.pages import render
from baomi.web.responses import errors

#: every room endpoint needs a session and names a deal that may not exist
api = APIRouter(prefix="/api/v1/rooms", tags=["rooms"], responses=errors(400, 401, 403))
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
    name: str = Field(min_length=1, max_length=200)


class GrantCreate(BaseModel):
    side: Side
    folder: str = Field(default="/", max_length=200)
    level: Level
    days: int = Field(ge=1, le=366)


class GrantPublic(BaseModel):
    id: str


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
def set_stage(deal: str, body: StageUpdate, user: CurrentUser, vault: VaultDep) -> RoomPublic:
    seat = rooms.seat(vault, user, deal)
    return _public(rooms.set_stage(vault, actor=seat.actor, deal_ref=deal, stage=body.stage))


class PolicyUpdate(BaseModel):
    policy: str = Field(min_length=1, max_length=100_000)


class PolicyPublic(BaseModel):
    sha256: str


@api.put("/{deal}/policy", responses={400: {}, 403: {}})
def set_policy(deal: str, body: PolicyUpdate, user: CurrentUser, vault: VaultDep) -> PolicyPublic:
    seat = rooms.seat(vault, user, deal)
    return PolicyPublic(
        sha256=rooms.set_policy(vault, actor=seat.actor, deal_ref=deal, policy_text=body.policy)
    )


@api.post("/{deal}/members", status_code=204, responses={400: {}, 403: {}})
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


@api.post("/{deal}/nda", responses={400: {}, 403: {}})
def publish_nda(deal: str, body: NdaPublish, user: CurrentUser, vault: VaultDep) -> NdaPublic:
    seat = rooms.seat(vault, user, deal)
    rooms.publish_nda(
        vault,
        actor=seat.actor,
        deal_ref=deal,
        discloser=body.discloser,
        recipient=body.recipient,
        lang=body.lang,
        term_months=body.term_months,
    )
    current = rooms.current_nda(vault, seat, deal)
    assert current is not None
    return NdaPublic(version=current[0], text=current[1], sha256=current[2])


@api.get("/{deal}/nda", responses={403: {}, 404: {}})
def get_nda(deal: str, user: CurrentUser, vault: VaultDep, response: Response) -> NdaPublic | None:
    current = rooms.current_nda(vault, rooms.seat(vault, user, deal), deal)
    if current is None:
        response.status_code = 404
        return None
    return NdaPublic(version=current[0], text=current[1], sha256=current[2])


@api.post("/{deal}/nda/accept", status_code=204, responses={400: {}, 403: {}})
def accept_nda(
    deal: str, body: NdaAccept, request: Request, user: CurrentUser, vault: VaultDep
) -> None:
    rooms.accept_nda(
        vault,
        rooms.seat(vault, user, deal),
        deal,
        text_sha256=body.sha256,
        name=body.name,
        client=_client(request),
    )


@api.post("/{deal}/grants", status_code=201, responses={400: {}, 403: {}})
def set_grant(deal: str, body: GrantCreate, user: CurrentUser, vault: VaultDep) -> GrantPublic:
    seat = rooms.seat(vault, user, deal)
    grant = rooms.set_grant(
        vault,
        actor=seat.actor,
        deal_ref=deal,
        side=body.side,
        folder=body.folder,
        level=body.level,
        days=body.days,
    )
    return GrantPublic(id=grant)


@api.delete("/{deal}/grants/{grant}", status_code=204, responses={400: {}, 403: {}})
def revoke_grant(deal: str, grant: str, user: CurrentUser, vault: VaultDep) -> None:
    seat = rooms.seat(vault, user, deal)
    rooms.revoke_grant(vault, actor=seat.actor, deal_ref=deal, grant_id=grant)


# --- pages -------------------------------------------------------------------------------------


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
    except PermissionDeniedError as exc:
        try:
            nda = rooms.current_nda(vault, seat, deal)
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
        )
    return render(
        request,
        "room.html",
        user=user,
        csrf=csrf,
        room=info,
        stage_label=label(info.stage),
        documents=documents.documents(vault, seat, deal),
        can_upload=rooms.can(seat, Action.DOC_UPLOAD),
        can_audit=rooms.can(seat, Action.AUDIT_VIEW),
        questions=qa.questions(vault, seat, deal),
        can_ask=rooms.can(seat, Action.QA_ASK),
        can_answer=rooms.can(seat, Action.QA_ANSWER),
        can_manage=rooms.can(seat, Action.ROOM_STAGE),
        can_grant=rooms.can(seat, Action.GRANT_SET),
        stages=[(s.value, label(s)) for s in Stage],
        sides=[s.value for s in Side],
        roles=[r.value for r in Role if r is not Role.OPERATOR],
        error=request.query_params.get("error"),
    )


@pages.post("/rooms/{deal}/nda")
def accept_nda_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    sha256: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    with suppress(InputError):  # the room page then shows the NDA again
        rooms.accept_nda(
            vault,
            rooms.seat(vault, user, deal),
            deal,
            text_sha256=sha256,
            name=name,
            client=_client(request),
        )
    return RedirectResponse(f"/rooms/{deal}", status_code=303)


# --- documents ---------------------------------------------------------------------------------


class DocumentPublic(BaseModel):
    id: str
    name: str
    folder: str
    size: int
    created_at: str
    entities: dict[str, int]
    individuals: int | None
    sensitive_individuals: int | None
    protected: bool


def _doc(e: documents.DocumentEntry) -> DocumentPublic:
    return DocumentPublic(**asdict(e))


def _limits(request: Request) -> Limits:
    mb = request.app.state.settings.max_upload_mb
    return Limits(max_file_bytes=mb * 1024 * 1024, max_total_bytes=mb * 1024 * 1024)


async def _read_files(request: Request, files: list[UploadFile]) -> list[tuple[str, bytes]]:
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    if int(request.headers.get("content-length") or 0) > limit + 1024 * 1024:
        raise HTTPException(status_code=413, detail=tr("上传内容过大", "the upload is too large"))
    return [(f.filename or "", await f.read(limit + 1)) for f in files]


@api.get("/{deal}/documents", responses={403: {}})
def list_documents(deal: str, user: CurrentUser, vault: VaultDep) -> list[DocumentPublic]:
    return [_doc(e) for e in documents.documents(vault, rooms.seat(vault, user, deal), deal)]


@api.post("/{deal}/documents", status_code=201, responses={400: {}, 403: {}, 413: {}})
async def upload_documents(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    files: Annotated[list[UploadFile], File()],
    folder: Annotated[str, Form(max_length=200)] = "",
) -> list[DocumentPublic]:
    payload = await _read_files(request, files)
    added = await run_in_threadpool(
        documents.upload,
        vault,
        rooms.seat(vault, user, deal),
        deal,
        payload,
        folder=folder,
        limits=_limits(request),
    )
    return [_doc(e) for e in added]


@api.get(
    "/{deal}/documents/{document}/download",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, 400: {}, 403: {}},
)
def download_document(
    deal: str, document: str, request: Request, user: CurrentUser, vault: VaultDep
) -> Response:
    seat = rooms.seat(vault, user, deal)
    got = documents.download(
        vault,
        seat,
        deal,
        document,
        protect=room_protector(vault, rooms.deal_id(vault, deal)),
        client=_client(request),
    )
    disposition = f"attachment; filename*=UTF-8''{quote(got.name)}"
    return Response(
        got.content,
        media_type="application/octet-stream",
        headers={"content-disposition": disposition},
    )


@pages.post("/rooms/{deal}/upload")
async def upload_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    files: Annotated[list[UploadFile], File()],
    folder: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    payload = await _read_files(request, files)
    try:
        await run_in_threadpool(
            documents.upload,
            vault,
            rooms.seat(vault, user, deal),
            deal,
            payload,
            folder=folder,
            limits=_limits(request),
        )
    except InputError as exc:
        return RedirectResponse(f"/rooms/{quote(deal)}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/rooms/{quote(deal)}", status_code=303)


# --- audit -------------------------------------------------------------------------------------


class EventPublic(BaseModel):
    seq: int
    ts: str
    actor: str
    action: str
    object: str
    outcome: str
    details: dict[str, Any]


class ChainPublic(BaseModel):
    ok: bool
    events: int
    checkpoints: int
    first_bad: int | None
    reason: str | None


class AuditPublic(BaseModel):
    chain: ChainPublic
    events: list[EventPublic]


FilterArg = Annotated[str | None, Query(max_length=200)]


def _filter(
    actor: FilterArg = None,
    action: FilterArg = None,
    document: FilterArg = None,
    since: FilterArg = None,
    until: FilterArg = None,
) -> auditlog.AuditFilter:
    """The audit filters from the query string (one dependency for the page, API and CSV)."""
    return auditlog.AuditFilter(
        actor or None, action or None, document or None, since or None, until or None
    )


AuditQuery = Annotated[auditlog.AuditFilter, Depends(_filter)]


@api.get("/{deal}/audit", responses={403: {}})
def room_audit(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    filt: AuditQuery,
) -> AuditPublic:
    seat = rooms.seat(vault, user, deal)
    events = auditlog.deal_events(vault, seat, deal, filt)
    chain = auditlog.chain_status(vault, seat, deal)
    return AuditPublic(
        chain=ChainPublic(**asdict(chain)), events=[EventPublic(**asdict(e)) for e in events]
    )


@api.get(
    "/{deal}/audit.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 403: {}},
)
def room_audit_csv(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    filt: AuditQuery,
) -> Response:
    seat = rooms.seat(vault, user, deal)
    events = auditlog.deal_events(vault, seat, deal, filt)
    return Response(
        "\ufeff" + auditlog.to_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": "attachment; filename=audit.csv"},
    )


@pages.get("/rooms/{deal}/audit")
def audit_page(
    deal: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    filt: AuditQuery,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    seat = rooms.seat(vault, user, deal)
    events = auditlog.deal_events(vault, seat, deal, filt)
    return render(
        request,
        "audit.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        events=events,
        chain=auditlog.chain_status(vault, seat, deal),
        filt=filt,
        query=request.url.query,
    )


# --- previews ----------------------------------------------------------------------------------


class PreviewPublic(BaseModel):
    name: str
    kind: str
    page: int
    pages: int | None
    columns: list[str]
    rows: list[list[str]]
    lines: list[str]
    image_png_base64: str | None
    protected: bool


def _preview(
    deal: str, document: str, page: int, user: UserPublic, vault: Vault
) -> documents.Preview:
    return documents.preview(
        vault,
        rooms.seat(vault, user, deal),
        deal,
        document,
        protect=room_protector(vault, rooms.deal_id(vault, deal)),
        page=page,
    )


@api.get("/{deal}/documents/{document}/preview", responses={400: {}, 403: {}})
def preview_document(
    deal: str,
    document: str,
    user: CurrentUser,
    vault: VaultDep,
    page: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> PreviewPublic:
    shown = _preview(deal, document, page, user, vault)
    data = asdict(shown)
    png = data.pop("image_png")
    return PreviewPublic(**data, image_png_base64=base64.b64encode(png).decode() if png else None)


@pages.get("/rooms/{deal}/documents/{document}")
def preview_page(
    deal: str,
    document: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    page: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    shown = _preview(deal, document, page, user, vault)
    image = base64.b64encode(shown.image_png).decode() if shown.image_png else None
    return render(
        request,
        "preview.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        document=document,
        doc=shown,
        image=image,
        previous=page - 1 if page > 0 else None,
        following=page + 1 if shown.pages is None or page + 1 < shown.pages else None,
    )
