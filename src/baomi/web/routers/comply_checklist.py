"""The compliance checklist of a deal's target company: the JSON API
(``/api/v1/rooms/{deal}/comply/checklist…``) and the page with its forms
(``/rooms/{deal}/comply/checklist``), and the helpers the third-party register's router
(:mod:`baomi.web.routers.comply_vendors`) shares with it.

Every handler finds the user's seat in the deal and calls one service; the services decide the
permission (``comply.view`` to read, ``comply.edit`` to change).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply import checklist as cl
from baomi.services.comply import scope
from baomi.services.comply.reports.checklist import build_checklist_report, percent
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action, Actor, allowed
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action, refusal_first
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/rooms", tags=["checklist"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]
Notes = Annotated[str, Form(max_length=cl.MAX_NOTES)]


def actor_in(vault: Vault, user: UserPublic, deal: str) -> Actor:
    """The user's actor in the deal for its compliance records (the room's gate decides)."""
    return scope.seat_actor(vault, user, deal)


async def read_upload(request: Request, upload: UploadFile) -> tuple[str, bytes]:
    """An uploaded file's name and bytes, read no further than the size limit allows."""
    if int(request.headers.get("content-length") or 0) > scope.MAX_FILE_BYTES + 1024 * 1024:
        raise HTTPException(status_code=413, detail=tr("上传内容过大", "the upload is too large"))
    return upload.filename or "", await upload.read(scope.MAX_FILE_BYTES + 1)


def download(vault: Vault, user: UserPublic, deal: str, file: str) -> Response:
    """A sealed file of the deal's company, decrypted, as an attachment."""
    name, content = scope.read_file(
        vault, actor=actor_in(vault, user, deal), deal_ref=deal, file_id=file
    )
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}},
    400: {},
    403: {},
}


class FilePublic(BaseModel):
    id: str
    name: str
    size: int
    sha256: str
    created_at: str
    created_by: str


# --- checklist API -----------------------------------------------------------------------------


class ItemPublic(BaseModel):
    id: str
    key: str
    area: cl.Area
    title_zh: str
    title_en: str
    rules: list[str]
    clause: str
    status: cl.Status
    owner: str
    due: _dt.date | None
    notes: str
    overdue: bool
    evidence: list[FilePublic]
    updated_at: str
    updated_by: str


class AreaScorePublic(BaseModel):
    area: cl.Area
    done: int
    applicable: int
    items: int
    score: float | None


class TrendPointPublic(BaseModel):
    seq: int
    taken_at: str
    score: float | None


class ChecklistPublic(BaseModel):
    uscc: str
    today: _dt.date
    score: float | None
    areas: list[AreaScorePublic]
    items: list[ItemPublic]
    trend: list[TrendPointPublic]


class ItemCreate(BaseModel):
    area: cl.Area
    title_zh: str = Field(min_length=1, max_length=cl.MAX_TITLE)
    title_en: str = Field(default="", max_length=cl.MAX_TITLE)
    clause: str = Field(default="", max_length=200)
    owner: str = Field(default="", max_length=cl.MAX_OWNER)
    due: _dt.date | None = None
    notes: str = Field(default="", max_length=cl.MAX_NOTES)


class ItemUpdate(BaseModel):
    status: cl.Status | None = None
    owner: str | None = Field(default=None, max_length=cl.MAX_OWNER)
    due: _dt.date | None = None
    clear_due: bool = False
    notes: str | None = Field(default=None, max_length=cl.MAX_NOTES)


def _item(i: cl.Item) -> ItemPublic:
    return ItemPublic(**asdict(i) | {"rules": list(i.rules)})


def _checklist(c: cl.Checklist) -> ChecklistPublic:
    return ChecklistPublic(
        uscc=c.uscc,
        today=c.today,
        score=c.score.overall,
        areas=[AreaScorePublic(**asdict(a), score=a.score) for a in c.score.areas],
        items=[_item(i) for i in c.items],
        trend=[TrendPointPublic(**asdict(p)) for p in c.trend],
    )


@api.get("/{deal}/comply/checklist")
def get_checklist(deal: str, user: CurrentUser, vault: VaultDep) -> ChecklistPublic:
    return _checklist(cl.checklist(vault, actor=actor_in(vault, user, deal), deal_ref=deal))


@api.post("/{deal}/comply/checklist/items", status_code=201)
@form_action(Action.COMPLY_EDIT)
def add_item(deal: str, body: ItemCreate, user: CurrentUser, vault: VaultDep) -> ItemPublic:
    actor = actor_in(vault, user, deal)
    return _item(cl.add_item(vault, actor=actor, deal_ref=deal, **body.model_dump()))


@api.patch("/{deal}/comply/checklist/items/{item}")
@form_action(Action.COMPLY_EDIT)
def set_item(
    deal: str, item: str, body: ItemUpdate, user: CurrentUser, vault: VaultDep
) -> ItemPublic:
    actor = actor_in(vault, user, deal)
    return _item(cl.set_item(vault, actor=actor, deal_ref=deal, item=item, **body.model_dump()))


@api.post(
    "/{deal}/comply/checklist/items/{item}/evidence",
    status_code=201,
    responses=errors(400, 401, 403, 413),
)
@form_action(Action.COMPLY_EDIT)
async def add_evidence(
    deal: str,
    item: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile, File()],
) -> FilePublic:
    name, content = await read_upload(request, file)
    actor = actor_in(vault, user, deal)
    got = cl.add_evidence(vault, actor=actor, deal_ref=deal, item=item, name=name, content=content)
    return FilePublic(**asdict(got))


@api.get("/{deal}/comply/checklist/files/{file}", response_class=Response, responses=FILE_RESPONSES)
def checklist_file(deal: str, file: str, user: CurrentUser, vault: VaultDep) -> Response:
    return download(vault, user, deal, file)


# --- pages -------------------------------------------------------------------------------------


def _page_base(deal: str, area: str) -> str:
    return f"/rooms/{quote(deal)}/comply/{area}"


def _back(deal: str, area: str, error: str | None = None) -> Response:
    suffix = f"?error={quote(error)}" if error else ""
    return RedirectResponse(_page_base(deal, area) + suffix, status_code=303)


def form_done(request: Request, deal: str, area: str, work: Any) -> Response:
    """Run a form's ``work`` (reading its fields, then the service) and go back to the page with
    what went wrong; a user who may not perform the form's action hears the refusal, not what
    is wrong with a field (:func:`~baomi.web.form_errors.refusal_first`)."""
    try:
        with refusal_first(request):
            work()
    except (InputError, PermissionDeniedError, ValueError) as exc:
        return _back(deal, area, str(exc))
    return _back(deal, area)


def page(
    request: Request,
    vault: Vault,
    user: UserPublic | None,
    token: str | None,
    deal: str,
    template: str,
    build: Any,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    context: dict[str, Any] = {
        "user": user,
        "csrf": accounts.csrf_token(vault, token),
        "deal": deal,
        "error": request.query_params.get("error"),
    }
    try:
        actor = actor_in(vault, user, deal)
        context["can_edit"] = allowed(actor, Action.COMPLY_EDIT, rooms.deal_id(vault, deal))
        context |= build(actor)
    except PermissionDeniedError as exc:
        return render(request, template, status_code=403, denied=exc.reason, **context)
    return render(request, template, **context)


def trend_marks(
    values: tuple[float, ...], width: int = 600, height: int = 120
) -> list[tuple[float, float]]:
    """SVG coordinates of percentages 0–100 for the page's small trend line (a single point
    stands in the middle)."""
    if len(values) == 1:
        return [(width / 2, round(height - values[0] / 100 * height, 1))]
    step = width / max(len(values) - 1, 1)
    return [(round(i * step, 1), round(height - v / 100 * height, 1)) for i, v in enumerate(values)]


@pages.get("/rooms/{deal}/comply/checklist")
def checklist_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    def build(actor: Actor) -> dict[str, Any]:
        view = cl.checklist(vault, actor=actor, deal_ref=deal)
        report = build_checklist_report(view)
        chart = report.sections[0].charts[0]
        marks = trend_marks(chart.values)
        areas = [
            {
                "title": a.title,
                "score": percent(next(s for s in view.score.areas if s.area is a.area).score),
                "items": view.area_items(a.area),
            }
            for a in cl.defaults().areas
        ]
        return {
            "view": view,
            "report": report,
            "areas": areas,
            "chart": chart,
            "marks": marks,
            "points": " ".join(f"{x},{y}" for x, y in marks),
            "statuses": [(s.value, s.label) for s in cl.Status],
            "area_choices": [(a.area.value, a.title) for a in cl.defaults().areas],
        }

    return page(request, vault, user, token, deal, "comply/checklist.html", build)


@pages.post("/rooms/{deal}/comply/checklist/items/{item}")
@form_action(Action.COMPLY_EDIT)
def set_item_form(
    deal: str,
    item: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    status: Short,
    owner: Annotated[str, Form(max_length=cl.MAX_OWNER)] = "",
    due: Annotated[str, Form(max_length=10)] = "",
    notes: Notes = "",
) -> Response:
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "checklist",
        lambda: cl.set_item(
            vault,
            actor=actor,
            deal_ref=deal,
            item=item,
            status=cl.Status(status),
            owner=owner,
            due=scope.parse_date(due, tr("截止日期", "due")),
            clear_due=not due.strip(),
            notes=notes,
        ),
    )


@pages.post("/rooms/{deal}/comply/checklist/items/{item}/evidence")
@form_action(Action.COMPLY_EDIT)
async def evidence_form(
    deal: str,
    item: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    name, content = await read_upload(request, file)
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "checklist",
        lambda: cl.add_evidence(
            vault, actor=actor, deal_ref=deal, item=item, name=name, content=content
        ),
    )


@pages.post("/rooms/{deal}/comply/checklist/items")
@form_action(Action.COMPLY_EDIT)
def add_item_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    area: Short,
    title_zh: Annotated[str, Form(max_length=cl.MAX_TITLE)],
    title_en: Annotated[str, Form(max_length=cl.MAX_TITLE)] = "",
    owner: Annotated[str, Form(max_length=cl.MAX_OWNER)] = "",
    due: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "checklist",
        lambda: cl.add_item(
            vault,
            actor=actor,
            deal_ref=deal,
            area=cl.Area(area),
            title_zh=title_zh,
            title_en=title_en,
            owner=owner,
            due=scope.parse_date(due, tr("截止日期", "due")),
        ),
    )
