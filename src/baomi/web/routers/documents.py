"""A room's documents: upload, list, download, previews — the JSON API and the page twins."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import (
    APIRouter,
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
from pydantic import BaseModel

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.dataroom import documents, rooms
from baomi.services.dataroom.packages import room_protector
from baomi.services.dataroom.uploads import Limits
from baomi.services.permissions import Action
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

#: every room endpoint needs a session and names a deal that may not exist
api = APIRouter(prefix="/api/v1/rooms", tags=["documents"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


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
@form_action(Action.DOC_UPLOAD)
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
    responses={200: {"content": {"application/octet-stream": {}}}, 400: {}, 403: {}, 404: {}},
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
    # a browser sends one empty part (a text, not a file) when no file was chosen
    files: Annotated[list[UploadFile | str] | None, File()] = None,
    folder: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    chosen = [f for f in files or [] if not isinstance(f, str) and f.filename]
    payload = await _read_files(request, chosen)
    try:
        seat = rooms.seat(vault, user, deal)
        if not payload:  # the refusal of a role that may not upload comes first
            await run_in_threadpool(rooms.gate, vault, seat, Action.DOC_UPLOAD, deal)
            raise InputError(tr("请选择要上传的文件", "choose the files to upload"))
        added = await run_in_threadpool(
            documents.upload,
            vault,
            seat,
            deal,
            payload,
            folder=folder,
            limits=_limits(request),
        )
    except InputError as exc:
        return RedirectResponse(f"/rooms/{quote(deal)}?error={quote(str(exc))}", status_code=303)
    names = tr("、", ", ").join(e.name for e in added)
    note = tr(
        f"已上传并扫描 {len(added)} 个文件：{names}",
        f"Uploaded and scanned {len(added)} file{'s' if len(added) != 1 else ''}: {names}",
    )
    return RedirectResponse(f"/rooms/{quote(deal)}?note={quote(note)}", status_code=303)


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
    more: bool


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


@api.get("/{deal}/documents/{document}/preview", responses={400: {}, 403: {}, 404: {}})
@form_action(Action.DOC_VIEW)
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
    # no lower bound here: the service says "no such page" in words for a page before the first
    page: Annotated[int, Query(ge=-100_000, le=100_000)] = 0,
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
        following=page + 1 if shown.more else None,
    )
