"""Data-subject requests: the public request page (no sign-in; CSRF by the pre-sign-in cookie,
a rate limit per client address) and the staff's register — the JSON API and the pages.

Requests belong to the company, not to one deal's room: staff act with their platform role
(``rooms.seat_outside``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action, allowed
from baomi.services.respond import requests
from baomi.services.respond.requests import Kind, Method, RequestInfo, Status
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.routers.auth import _client, _with_pre_csrf
from baomi.web.security import LoginThrottle

#: the public submission (``POST /api/v1/requests``) and the staff's register
#: (``/api/v1/subject-requests``), apart so that no staff path shadows another
api = APIRouter(prefix="/api/v1", tags=["requests"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)

#: public submissions per client address per window (an abuse limit, not a legal rule)
PUBLIC_LIMIT = 5
PUBLIC_WINDOW = 3600.0


def throttle() -> LoginThrottle:
    """The public page's limiter (one per app: ``app.state.request_throttle``)."""
    return LoginThrottle(limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW)


class PublicRequest(BaseModel):
    kind: Kind
    contact: str = Field(min_length=1, max_length=requests.MAX_CONTACT)
    details: str = Field(default="", max_length=requests.MAX_DETAILS)


class Received(BaseModel):
    reference: str


class StaffIntake(PublicRequest):
    received_at: str | None = Field(default=None, max_length=40)


class VerificationIn(BaseModel):
    method: Method
    passed: bool
    identifier: str | None = Field(default=None, max_length=64)


class StatusIn(BaseModel):
    status: Status
    reason: str | None = Field(default=None, max_length=requests.MAX_REASON)
    at: str | None = Field(default=None, max_length=40)


class VerificationOut(BaseModel):
    method: Method
    passed: bool
    checked_by: str
    checked_at: str


class RequestOut(BaseModel):
    id: str
    reference: str
    kind: Kind
    kind_label: str
    channel: str
    contact: str
    details: str
    received_at: str
    due_at: str
    status: Status
    status_label: str
    reason: str | None
    answered_at: str | None
    closed_at: str | None
    overdue: bool
    remaining_seconds: float | None
    rule: str
    verifications: list[VerificationOut]
    #: the linked search's hits per file (``baomi subject find --request``), if any
    search_per_file: dict[str, int] | None = None


def _out(info: RequestInfo) -> RequestOut:
    return RequestOut(
        id=info.id,
        reference=info.reference,
        kind=info.kind,
        kind_label=info.kind.label,
        channel=info.channel.value,
        contact=info.contact,
        details=info.details,
        received_at=info.received_at,
        due_at=info.due_at,
        status=info.status,
        status_label=info.status.label,
        reason=info.reason,
        answered_at=info.answered_at,
        closed_at=info.closed_at,
        overdue=info.overdue,
        remaining_seconds=info.remaining,
        rule=info.rule,
        verifications=[
            VerificationOut(
                method=v.method, passed=v.passed, checked_by=v.checked_by, checked_at=v.checked_at
            )
            for v in info.verifications
        ],
        search_per_file=dict(info.search["per_file"]) if info.search else None,
    )


def _limit(request: Request) -> None:
    if not request.app.state.request_throttle.allow(_client(request)):
        raise HTTPException(
            status_code=429,
            detail=tr("提交过于频繁，请稍后再试", "too many requests; try again later"),
        )


# --- the public API --------------------------------------------------------------------------


@api.post("/requests", status_code=201, responses=errors(400, 403, 429))
def submit_request(body: PublicRequest, request: Request, vault: VaultDep) -> Received:
    """A data-subject request from the public (no sign-in): only the reference comes back."""
    _limit(request)
    return Received(
        reference=requests.submit(vault, kind=body.kind, contact=body.contact, details=body.details)
    )


# --- the staff API ---------------------------------------------------------------------------


@api.get("/subject-requests", responses={403: {}})
def list_requests(user: CurrentUser, vault: VaultDep) -> list[RequestOut]:
    return [_out(i) for i in requests.register(vault, actor=rooms.seat_outside(user))]


@api.post("/subject-requests", status_code=201, responses={400: {}, 403: {}})
def intake_request(body: StaffIntake, user: CurrentUser, vault: VaultDep) -> RequestOut:
    info = requests.receive(
        vault,
        actor=rooms.seat_outside(user),
        kind=body.kind,
        contact=body.contact,
        details=body.details,
        received_at=body.received_at,
    )
    return _out(info)


@api.get("/subject-requests/{request_id}", responses={403: {}})
def show_request(request_id: str, user: CurrentUser, vault: VaultDep) -> RequestOut:
    return _out(requests.get(vault, actor=rooms.seat_outside(user), request_id=request_id))


@api.post("/subject-requests/{request_id}/verifications", responses={400: {}, 403: {}})
def verify_request(
    request_id: str, body: VerificationIn, user: CurrentUser, vault: VaultDep
) -> RequestOut:
    info = requests.verify(
        vault,
        actor=rooms.seat_outside(user),
        request_id=request_id,
        method=body.method,
        passed=body.passed,
        identifier=body.identifier,
    )
    return _out(info)


@api.post("/subject-requests/{request_id}/status", responses={400: {}, 403: {}})
def change_request_status(
    request_id: str, body: StatusIn, user: CurrentUser, vault: VaultDep
) -> RequestOut:
    info = requests.set_status(
        vault,
        actor=rooms.seat_outside(user),
        request_id=request_id,
        status=body.status,
        reason=body.reason,
        at=body.at,
    )
    return _out(info)


# --- the public page -------------------------------------------------------------------------


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, k.label) for k in Kind]


@pages.get("/request")
def request_page(request: Request) -> Response:
    return _with_pre_csrf(request, "request.html", kinds=_kinds())


@pages.post("/request")
def request_form(
    request: Request,
    vault: VaultDep,
    kind: Annotated[str, Form(max_length=32)],
    contact: Annotated[str, Form(max_length=requests.MAX_CONTACT)],
    details: Annotated[str, Form(max_length=requests.MAX_DETAILS)] = "",
) -> Response:
    _limit(request)
    try:
        chosen = Kind(kind)
        reference = requests.submit(vault, kind=chosen, contact=contact, details=details)
    except (ValueError, InputError) as exc:
        message = str(exc) if isinstance(exc, InputError) else tr("请选择请求类型", "choose a kind")
        return _with_pre_csrf(
            request, "request.html", status_code=400, kinds=_kinds(), error=message
        )
    return _with_pre_csrf(request, "request_done.html", reference=reference)


# --- the staff page --------------------------------------------------------------------------


def _back(error: str | None = None) -> Response:
    return RedirectResponse(
        "/requests" + (f"?error={quote(error)}" if error else ""), status_code=303
    )


@pages.get("/requests")
def requests_page(
    request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.seat_outside(user)
    return render(
        request,
        "requests.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        items=requests.register(vault, actor=actor),
        kinds=_kinds(),
        methods=[(m.value, m.label) for m in Method],
        can_edit=allowed(actor, Action.REQUEST_EDIT),
        error=request.query_params.get("error"),
    )


@pages.post("/requests")
def intake_form(
    user: CurrentUser,
    vault: VaultDep,
    kind: Annotated[str, Form(max_length=32)],
    contact: Annotated[str, Form(max_length=requests.MAX_CONTACT)],
    details: Annotated[str, Form(max_length=requests.MAX_DETAILS)] = "",
    received_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        requests.receive(
            vault,
            actor=rooms.seat_outside(user),
            kind=Kind(kind),
            contact=contact,
            details=details,
            received_at=received_at or None,
        )
    except (ValueError, InputError) as exc:
        return _back(str(exc))
    return _back()


@pages.post("/requests/{request_id}/verifications")
def verify_form(
    request_id: str,
    user: CurrentUser,
    vault: VaultDep,
    method: Annotated[str, Form(max_length=32)],
    result: Annotated[str, Form(max_length=8)] = "passed",
    identifier: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        requests.verify(
            vault,
            actor=rooms.seat_outside(user),
            request_id=request_id,
            method=Method(method),
            passed=result == "passed",
            identifier=identifier or None,
        )
    except (ValueError, InputError) as exc:
        return _back(str(exc))
    return _back()


@pages.post("/requests/{request_id}/status")
def status_form(
    request_id: str,
    user: CurrentUser,
    vault: VaultDep,
    status: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=requests.MAX_REASON)] = "",
) -> Response:
    try:
        requests.set_status(
            vault,
            actor=rooms.seat_outside(user),
            request_id=request_id,
            status=Status(status),
            reason=reason or None,
        )
    except (ValueError, InputError) as exc:
        return _back(str(exc))
    return _back()
