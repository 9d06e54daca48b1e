"""Govern — policy documents under periodic review: the list (overdue first to the eye), a
policy's versions (upload a file or paste the text), reviews, downloads and the CSV/XLSX
export (``/govern/policies…``, ``/api/v1/govern/policies…``). The services decide every
permission."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.govern import departments, exports, policies
from baomi.services.permissions import Action, allowed
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.forms import form_count
from baomi.web.pages import back as _back
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/govern/policies", tags=["govern"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)

#: the file name a pasted text is kept under
TEXT_NAME = "policy.txt"


class ReviewIn(BaseModel):
    outcome: str = Field(default="", max_length=4000)
    reviewed_on: str | None = Field(default=None, min_length=10, max_length=10)
    interval_days: int | None = Field(default=None, ge=1, le=100_000)


def _plain(info: policies.PolicyInfo) -> dict[str, Any]:
    return asdict(info)


async def _content(request: Request, upload: UploadFile | None, text: str) -> tuple[str, bytes]:
    """The uploaded file (read no further than the limit allows) or the pasted text."""
    most = int(policies.config()["max_file_bytes"])
    if int(request.headers.get("content-length") or 0) > most + 1024 * 1024:
        raise HTTPException(status_code=413, detail=tr("上传内容过大", "the upload is too large"))
    if upload is not None and upload.filename:
        return upload.filename, await upload.read(most + 1)
    return TEXT_NAME, text.encode("utf-8")


# --- the API -------------------------------------------------------------------------------------


@api.get("", responses={403: {}})
def list_policies(user: CurrentUser, vault: VaultDep) -> list[dict[str, Any]]:
    return [_plain(p) for p in policies.policies(vault, actor=rooms.seat_outside(user))]


@api.get(
    "/export",
    responses={200: {"content": {exports.MEDIA["csv"]: {}, exports.MEDIA["xlsx"]: {}}}},
    response_class=Response,
)
@form_action(Action.GOVERN_VIEW)
def export_policies(
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Every policy as CSV (UTF-8 with a BOM) or XLSX."""
    table = policies.table(vault, actor=rooms.seat_outside(user))
    return Response(
        exports.export("policies", table, fmt),
        media_type=exports.MEDIA[fmt],
        headers={"content-disposition": f"attachment; filename=policies.{fmt}"},
    )


@api.post("", status_code=201, responses=errors(400, 401, 403, 413))
@form_action(Action.GOVERN_EDIT)
async def create_policy(
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form(max_length=200)] = "",
    department: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=200_000)] = "",
    interval_days: Annotated[int | None, Form(ge=1, le=100_000)] = None,
    next_review: Annotated[str | None, Form(max_length=10)] = None,
    owner: Annotated[str | None, Form(max_length=64)] = None,
) -> dict[str, Any]:
    """A policy with its first version: a file, or the pasted text (``title`` and
    ``department`` are required; checked by the service after the permission)."""
    name, data = await _content(request, file, text)
    info = policies.create(
        vault,
        actor=rooms.seat_outside(user),
        title=title,
        department=department,
        filename=name,
        data=data,
        interval_days=interval_days,
        next_review=next_review or None,
        owner=owner or None,
    )
    return _plain(info)


@api.get("/{policy}", responses={403: {}})
def show_policy(policy: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(policies.get(vault, actor=rooms.seat_outside(user), policy_id=policy))


@api.post("/{policy}/versions", status_code=201, responses=errors(400, 401, 403, 413))
@form_action(Action.GOVERN_EDIT)
async def add_version(
    policy: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form(max_length=200_000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> dict[str, Any]:
    name, data = await _content(request, file, text)
    info = policies.add_version(
        vault, actor=rooms.seat_outside(user), policy_id=policy, filename=name, data=data, note=note
    )
    return _plain(info)


@api.post("/{policy}/reviews", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def review_policy(
    policy: str, body: ReviewIn, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = policies.review(
        vault,
        actor=rooms.seat_outside(user),
        policy_id=policy,
        outcome=body.outcome,
        reviewed_on=body.reviewed_on,
        interval_days=body.interval_days,
    )
    return _plain(info)


@api.get(
    "/{policy}/file",
    responses={200: {"content": {"application/octet-stream": {}}}, 400: {}, 403: {}},
    response_class=Response,
)
@form_action(Action.GOVERN_VIEW)
def download(
    policy: str,
    user: CurrentUser,
    vault: VaultDep,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """A version's file (the current one by default), its SHA-256 checked."""
    info, data = policies.content(
        vault, actor=rooms.seat_outside(user), policy_id=policy, version=version
    )
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(info.filename)}",
            "x-content-sha256": info.sha256,
        },
    )


# --- pages ---------------------------------------------------------------------------------------


def _context(user: Any) -> dict[str, Any]:
    return {
        "departments": [(code, departments.label(code)) for code in departments.DEPARTMENTS],
        "department_label": departments.label,
        "can_edit": allowed(rooms.seat_outside(user), Action.GOVERN_EDIT),
        "default_interval": policies.config()["default_interval_days"],
    }


@pages.get("/govern/policies")
def policies_page(
    request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        "govern/policies.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        policies=policies.policies(vault, actor=rooms.seat_outside(user)),
        error=request.query_params.get("error"),
        notice=request.query_params.get("notice"),
        **_context(user),
    )


@pages.post("/govern/policies")
@form_action(Action.GOVERN_EDIT)
async def create_form(
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    title: Annotated[str, Form(max_length=200)],
    department: Annotated[str, Form(max_length=32)],
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form(max_length=200_000)] = "",
    interval_days: Annotated[str, Form(max_length=6)] = "",
    next_review: Annotated[str, Form(max_length=10)] = "",
    owner: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        name, data = await _content(request, file, text)
        info = policies.create(
            vault,
            actor=rooms.seat_outside(user),
            title=title,
            department=department,
            filename=name,
            data=data,
            interval_days=form_count(interval_days, tr("复核周期（天）", "review interval (days)")),
            next_review=next_review or None,
            owner=owner or None,
        )
    except InputError as exc:
        return _back("/govern/policies", str(exc))
    return _back(f"/govern/policies/{info.id}", notice=tr("已新建制度", "Policy created"))


@pages.get("/govern/policies/{policy}")
def policy_page(
    policy: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        "govern/policy.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        policy=policies.get(vault, actor=rooms.seat_outside(user), policy_id=policy),
        error=request.query_params.get("error"),
        notice=request.query_params.get("notice"),
        **_context(user),
    )


@pages.post("/govern/policies/{policy}/versions")
@form_action(Action.GOVERN_EDIT)
async def version_form(
    policy: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form(max_length=200_000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        name, data = await _content(request, file, text)
        info = policies.add_version(
            vault,
            actor=rooms.seat_outside(user),
            policy_id=policy,
            filename=name,
            data=data,
            note=note,
        )
    except InputError as exc:
        return _back(f"/govern/policies/{policy}", str(exc))
    number = info.current.version if info.current else 1
    return _back(
        f"/govern/policies/{policy}",
        notice=tr(f"已添加第 {number} 版", f"Version {number} added"),
    )


@pages.post("/govern/policies/{policy}/reviews")
@form_action(Action.GOVERN_EDIT)
def review_form(
    policy: str,
    user: CurrentUser,
    vault: VaultDep,
    outcome: Annotated[str, Form(max_length=4000)] = "",
    reviewed_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        info = policies.review(
            vault,
            actor=rooms.seat_outside(user),
            policy_id=policy,
            outcome=outcome,
            reviewed_on=reviewed_on or None,
        )
    except InputError as exc:
        return _back(f"/govern/policies/{policy}", str(exc))
    return _back(
        f"/govern/policies/{policy}",
        notice=tr(
            f"已记录复核，下次复核 {info.next_review}",
            f"Review recorded; the next is due {info.next_review}",
        ),
    )
