"""Data-subject requests: the public request page (no sign-in; CSRF by the pre-sign-in cookie,
a rate limit per client address) and the staff's register — the JSON API and the pages; one
request's page searches a deal for the requester (linked to the request), hands out the
response package and applies a correction or deletion as new document versions.

The identifier and name typed into the search are used for the search only: never logged,
stored or put in a URL (the audit and the request keep keyed hashes' results — counts and
positions).

Requests belong to the company, not to one deal's room: staff act with their platform role
(``rooms.company_actor``: every deal for the roles that run rooms, else the deals where
the user sits on the seller's or the platform's side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi import clock
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts, deals
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action, Actor, allowed, reaches
from baomi.services.respond import requests, subjects, versions
from baomi.services.respond.requests import Kind, Method, RequestInfo, Status
from baomi.services.respond.subjects import IdKind, PackageFormat
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action, refusal_first
from baomi.web.forms import form_choice
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.routers.auth import _client, _with_pre_csrf
from baomi.web.security import Throttle

#: the public submission (``POST /api/v1/requests``) and the staff's register
#: (``/api/v1/subject-requests``), apart so that no staff path shadows another
api = APIRouter(prefix="/api/v1", tags=["requests"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)

#: public submissions per client address per window, for all processes together (an abuse
#: limit, not a legal rule)
PUBLIC_LIMIT = 5
PUBLIC_WINDOW = 3600.0


def throttle(vault: Vault) -> Throttle:
    """The public page's limiter (one per app: ``app.state.request_throttle``)."""
    return Throttle(vault, "request", limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW)


class PublicRequest(BaseModel):
    kind: Kind
    contact: str = Field(min_length=1, max_length=requests.MAX_CONTACT)
    details: str = Field(default="", max_length=requests.MAX_DETAILS)


class Received(BaseModel):
    reference: str


class StaffIntake(PublicRequest):
    received_at: str | None = Field(default=None, max_length=40)
    #: the deal whose seller the request is for (the user's only one when not given)
    deal: str | None = Field(default=None, max_length=200)


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


class SearchIn(BaseModel):
    deal: str = Field(min_length=1, max_length=200)
    kind: IdKind
    #: the identifier (resident ID, mobile, e-mail): used for the search only, never kept
    value: str = Field(min_length=1, max_length=100)
    #: a name: only the rows where it occurs beside the identifier (name + phone)
    name: str | None = Field(default=None, max_length=50)


class HitOut(BaseModel):
    file: str
    sheet: str | None
    row: int
    column: str | None
    entity: str


class SearchOut(BaseModel):
    entity: str
    documents: int
    per_file: dict[str, int]
    hits: list[HitOut]


class ApplyIn(BaseModel):
    #: a correction's column and corrected value (sealed into the new version only)
    column: str | None = Field(default=None, max_length=200)
    value: str | None = Field(default=None, max_length=1000)


class VersionOut(BaseModel):
    file: str
    original: str
    version: str
    rows: int


class AppliedOut(BaseModel):
    kind: Kind
    versions: list[VersionOut]
    #: documents left as they were: [file, why]
    skipped: list[tuple[str, str]]
    retain_until: str
    rule: str


def _search_out(result: subjects.SearchResult) -> SearchOut:
    return SearchOut(
        entity=result.entity,
        documents=result.documents,
        per_file=result.per_file(),
        hits=[
            HitOut(file=h.file, sheet=h.sheet, row=h.row, column=h.column, entity=h.entity)
            for h in result.hits
        ],
    )


def _applied_out(applied: versions.Applied) -> AppliedOut:
    return AppliedOut(
        kind=applied.kind,
        versions=[
            VersionOut(file=v.file, original=v.original, version=v.version, rows=v.rows)
            for v in applied.versions
        ],
        skipped=list(applied.skipped),
        retain_until=applied.retain_until,
        rule=applied.rule,
    )


def _download(made: subjects.Package) -> Response:
    return Response(
        made.content,
        media_type=made.format.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{made.filename}"',
            "Cache-Control": "no-store",
        },
    )


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
    return [_out(i) for i in requests.register(vault, actor=rooms.company_actor(vault, user))]


@api.post("/subject-requests", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.REQUEST_EDIT)
def intake_request(body: StaffIntake, user: CurrentUser, vault: VaultDep) -> RequestOut:
    info = requests.receive(
        vault,
        actor=rooms.company_actor(vault, user),
        kind=body.kind,
        contact=body.contact,
        details=body.details,
        received_at=body.received_at,
        deal_ref=body.deal or None,
    )
    return _out(info)


@api.get("/subject-requests/{request_id}", responses={403: {}})
def show_request(request_id: str, user: CurrentUser, vault: VaultDep) -> RequestOut:
    return _out(requests.get(vault, actor=rooms.company_actor(vault, user), request_id=request_id))


@api.post("/subject-requests/{request_id}/verifications", responses={400: {}, 403: {}})
@form_action(Action.REQUEST_EDIT)
def verify_request(
    request_id: str, body: VerificationIn, user: CurrentUser, vault: VaultDep
) -> RequestOut:
    info = requests.verify(
        vault,
        actor=rooms.company_actor(vault, user),
        request_id=request_id,
        method=body.method,
        passed=body.passed,
        identifier=body.identifier,
    )
    return _out(info)


@api.post("/subject-requests/{request_id}/status", responses={400: {}, 403: {}})
@form_action(Action.REQUEST_EDIT)
def change_request_status(
    request_id: str, body: StatusIn, user: CurrentUser, vault: VaultDep
) -> RequestOut:
    info = requests.set_status(
        vault,
        actor=rooms.company_actor(vault, user),
        request_id=request_id,
        status=body.status,
        reason=body.reason,
        at=body.at,
    )
    return _out(info)


@api.post("/subject-requests/{request_id}/search", responses=errors(400, 403))
@form_action(Action.SUBJECT_FIND)
def search_for_request(
    request_id: str, body: SearchIn, user: CurrentUser, vault: VaultDep
) -> SearchOut:
    """Search a deal for the requester and link the result to the request."""
    result, _ = subjects.find_for_request(
        vault,
        actor=rooms.company_actor(vault, user),
        request_id=request_id,
        deal_ref=body.deal,
        kind=body.kind,
        query=body.value,
        name=body.name or None,
    )
    return _search_out(result)


@api.get(
    "/subject-requests/{request_id}/package",
    response_class=Response,
    responses={
        200: {"content": {f.media_type.split(";")[0]: {} for f in PackageFormat}},
        **errors(400, 403),
    },
)
@form_action(Action.SUBJECT_FIND)
def request_package(
    request_id: str,
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[PackageFormat, Query(alias="format")] = PackageFormat.JSON,
) -> Response:
    """The response package (JSON, CSV with a BOM, or XLSX) of the linked search."""
    made = subjects.package(
        vault, actor=rooms.company_actor(vault, user), request_id=request_id, fmt=fmt
    )
    return _download(made)


@api.post("/subject-requests/{request_id}/apply", responses=errors(400, 403))
@form_action(Action.SUBJECT_FIND)
def apply_request(request_id: str, body: ApplyIn, user: CurrentUser, vault: VaultDep) -> AppliedOut:
    """Apply a verified correction or deletion: new versions of the documents found."""
    applied = versions.apply(
        vault,
        actor=rooms.company_actor(vault, user),
        request_id=request_id,
        column=body.column,
        value=body.value,
    )
    return _applied_out(applied)


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
    actor = rooms.company_actor(vault, user)
    return render(
        request,
        "requests.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        items=requests.register(vault, actor=actor),
        # the deals a request may be taken in for; "" (none) only for those who see every deal
        deal_choices=([""] if actor.deals is None else [])
        + [d.name for d in deals.list_deals(vault, actor=actor)],
        kinds=_kinds(),
        methods=[(m.value, m.label) for m in Method],
        can_edit=reaches(actor, Action.REQUEST_EDIT),
        error=request.query_params.get("error"),
    )


def _done(request: Request, work: Callable[[], object]) -> Response:
    """Run a register form's ``work`` (reading its fields, then the service) and go back to the
    register with what went wrong; a user who may not perform the form's action hears the
    refusal first (:func:`~baomi.web.form_errors.refusal_first`)."""
    try:
        with refusal_first(request):
            work()
    except (ValueError, InputError) as exc:
        return _back(str(exc))
    return _back()


@pages.post("/requests")
@form_action(Action.REQUEST_EDIT)
def intake_form(
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    kind: Annotated[str, Form(max_length=32)],
    contact: Annotated[str, Form(max_length=requests.MAX_CONTACT)],
    details: Annotated[str, Form(max_length=requests.MAX_DETAILS)] = "",
    received_at: Annotated[str, Form(max_length=40)] = "",
    deal: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _done(
        request,
        lambda: requests.receive(
            vault,
            actor=rooms.company_actor(vault, user),
            kind=form_choice(Kind, kind, tr("请求类型", "Request kind")),
            contact=contact,
            details=details,
            received_at=received_at or None,
            deal_ref=deal or None,
        ),
    )


@pages.post("/requests/{request_id}/verifications")
@form_action(Action.REQUEST_EDIT)
def verify_form(
    request_id: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    method: Annotated[str, Form(max_length=32)],
    result: Annotated[str, Form(max_length=8)] = "passed",
    identifier: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    return _done(
        request,
        lambda: requests.verify(
            vault,
            actor=rooms.company_actor(vault, user),
            request_id=request_id,
            method=form_choice(Method, method, tr("核验方式", "Method")),
            passed=result == "passed",
            identifier=identifier or None,
        ),
    )


@pages.post("/requests/{request_id}/status")
@form_action(Action.REQUEST_EDIT)
def status_form(
    request_id: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    status: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=requests.MAX_REASON)] = "",
) -> Response:
    return _done(
        request,
        lambda: requests.set_status(
            vault,
            actor=rooms.company_actor(vault, user),
            request_id=request_id,
            status=form_choice(Status, status, tr("状态", "Status")),
            reason=reason or None,
        ),
    )


# --- one request's page: search, response package, correction and deletion -------------------


def _detail_back(request_id: str, *, error: str | None = None, note: str | None = None) -> Response:
    query = f"?error={quote(error)}" if error else (f"?note={quote(note)}" if note else "")
    return RedirectResponse(f"/requests/{quote(request_id, safe='')}{query}", status_code=303)


def _deals_for(vault: Any, actor: Actor) -> list[deals.DealInfo]:
    """The active deals ``actor`` may search for a requester."""
    if not allowed(actor, Action.SUBJECT_FIND) or not allowed(actor, Action.DEAL_LIST):
        return []
    return [
        d
        for d in deals.list_deals(vault, actor=actor)
        if d.status == "active" and allowed(actor, Action.SUBJECT_FIND, d.id)
    ]


@pages.get("/requests/{request_id}")
def request_detail_page(
    request_id: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.company_actor(vault, user)
    try:
        info = requests.get(vault, actor=actor, request_id=request_id)
    except InputError as exc:
        return _back(str(exc))
    return render(
        request,
        "subject_request.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        r=info,
        deals=_deals_for(vault, actor),
        id_kinds=[
            (IdKind.MOBILE.value, tr("手机或电话号码", "mobile or phone number")),
            (
                IdKind.ID.value,
                tr(
                    "证件号码（身份证、港澳台身份证、护照）",
                    "ID (resident, HK/Macao/Taiwan card, passport)",
                ),
            ),
            (IdKind.EMAIL.value, tr("电子邮箱", "e-mail")),
        ],
        formats=[f.value for f in PackageFormat],
        can_find=allowed(actor, Action.SUBJECT_FIND),
        can_edit=allowed(actor, Action.REQUEST_EDIT),
        can_apply=info.kind in (Kind.DELETION, Kind.CORRECTION),
        error=request.query_params.get("error"),
        note=request.query_params.get("note"),
    )


@pages.post("/requests/{request_id}/search")
def search_form(
    request_id: str,
    user: CurrentUser,
    vault: VaultDep,
    deal: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=32)],
    value: Annotated[str, Form(max_length=100)],
    name: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    try:
        result, _ = subjects.find_for_request(
            vault,
            actor=rooms.company_actor(vault, user),
            request_id=request_id,
            deal_ref=deal,
            kind=IdKind(kind),
            query=value,
            name=name or None,
        )
    except (ValueError, InputError) as exc:
        message = str(exc) if isinstance(exc, InputError) else tr("请选择类型", "choose a kind")
        return _detail_back(request_id, error=message)
    return _detail_back(
        request_id,
        note=tr(
            f"在 {result.documents} 个文件中找到 {len(result.hits)} 处，已关联到请求",
            f"{len(result.hits)} occurrences in {result.documents} files, linked to the request",
        ),
    )


@pages.get("/requests/{request_id}/package")
def package_download(
    request_id: str,
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "json",
) -> Response:
    try:
        made = subjects.package(
            vault,
            actor=rooms.company_actor(vault, user),
            request_id=request_id,
            fmt=PackageFormat(fmt),
        )
    except (ValueError, InputError) as exc:
        message = str(exc) if isinstance(exc, InputError) else tr("格式无效", "unknown format")
        return _detail_back(request_id, error=message)
    return _download(made)


@pages.post("/requests/{request_id}/apply")
def apply_form(
    request_id: str,
    user: CurrentUser,
    vault: VaultDep,
    column: Annotated[str, Form(max_length=200)] = "",
    value: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        applied = versions.apply(
            vault,
            actor=rooms.company_actor(vault, user),
            request_id=request_id,
            column=column or None,
            value=value or None,
        )
    except InputError as exc:
        return _detail_back(request_id, error=str(exc))
    skipped = "；".join(f"{f}：{why}" for f, why in applied.skipped)
    return _detail_back(
        request_id,
        note=tr(
            f"已生成 {len(applied.versions)} 个新版本；原版本保留至 {clock.day(applied.retain_until)}"
            + (f"；未处理：{skipped}" if skipped else ""),
            f"{len(applied.versions)} new versions; originals kept until "
            f"{clock.day(applied.retain_until)}" + (f"; not changed: {skipped}" if skipped else ""),
        ),
    )
