"""Internal audits (PIPL-54) and the responsibilities (RACI) table: the JSON API under
``/api/v1/govern/audits`` and ``/api/v1/govern/raci``, the pages ``/govern/audits``,
``/govern/audits/{id}`` and ``/govern/raci``, the audit report (HTML/PDF/XLSX/JSON) and the
CSV/XLSX downloads of the findings and the RACI table. Company-level: the acting user is their
platform role (``rooms.seat_outside``); the services decide every permission."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi import clock
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply.reports.render import ReportFormat
from baomi.services.comply.rulebook import rules
from baomi.services.dataroom import rooms
from baomi.services.govern import audits, calendar, departments, exports, raci
from baomi.services.govern.exports import ListFormat
from baomi.services.permissions import Action, Actor, allowed
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.forms import form_count
from baomi.web.pages import back as _back
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.routers.comply_reports import DOWNLOAD_RESPONSES, report_download

api = APIRouter(prefix="/api/v1/govern", tags=["govern"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media.split(";")[0]: {} for media in exports.MEDIA_TYPES.values()}},
}


class AuditPlan(BaseModel):
    scope: str = Field(min_length=1, max_length=4000)
    frequency_months: int = Field(ge=1, le=120)
    planned_for: str = Field(min_length=10, max_length=10)
    auditors: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1, max_length=20)
    #: persons whose PI the company processes (AUD-FREQ caps the frequency above its threshold)
    individuals: int | None = Field(default=None, ge=0, le=10**12)


class AuditComplete(BaseModel):
    conclusion: str = Field(default="", max_length=20_000)


class FindingCreate(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    severity: audits.Severity
    detail: str = Field(default="", max_length=20_000)


class ActionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    department: str = Field(max_length=32)
    due: str = Field(min_length=10, max_length=10)


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class RaciSet(BaseModel):
    #: department code → R, A, C, I or "" (no part)
    cells: dict[Annotated[str, Field(max_length=32)], Annotated[str, Field(max_length=1)]] = Field(
        min_length=1, max_length=10
    )


class RaciRowOut(BaseModel):
    activity: str
    title: str
    cells: dict[str, str]
    accountable: str
    edited: bool


class RaciOut(BaseModel):
    rows: list[RaciRowOut]
    departments: dict[str, str]
    #: each department's overdue calendar items, counted
    overdue: dict[str, int]


def _actor(user: UserPublic) -> Actor:
    return rooms.seat_outside(user)


def _plain(info: Any) -> dict[str, Any]:
    data: dict[str, Any] = asdict(info)
    return data


def _download(name: str, data: bytes, media: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _list(kind: str, table: Any, fmt: ListFormat) -> Response:
    return _download(
        f"{kind}.{fmt.value}", exports.export(kind, table, fmt), exports.MEDIA_TYPES[fmt]
    )


# --- audits API --------------------------------------------------------------------------------


@api.get("/audits", responses={403: {}})
def list_audits(user: CurrentUser, vault: VaultDep) -> list[dict[str, Any]]:
    return [_plain(a) for a in audits.audits(vault, actor=_actor(user))]


@api.post("/audits", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def plan_audit(body: AuditPlan, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    info = audits.plan(
        vault,
        actor=_actor(user),
        scope=body.scope,
        frequency_months=body.frequency_months,
        planned_for=body.planned_for,
        auditors=body.auditors,
        individuals=body.individuals,
    )
    return _plain(info)


@api.get("/audits/findings/export", response_class=Response, responses=LIST_RESPONSES | {403: {}})
@form_action(Action.GOVERN_VIEW)
def export_findings(
    user: CurrentUser, vault: VaultDep, format: ListFormat = ListFormat.CSV
) -> Response:
    """Every audit's findings as CSV (UTF-8 with BOM) or XLSX."""
    return _list("audit-findings", audits.findings_table(vault, actor=_actor(user)), format)


@api.get("/audits/{audit}", responses={400: {}, 403: {}})
def get_audit(audit: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(audits.show(vault, actor=_actor(user), audit_id=audit))


@api.get(
    "/audits/{audit}/report", response_class=Response, responses=DOWNLOAD_RESPONSES | {400: {}}
)
@form_action(Action.GOVERN_VIEW)
def audit_report(
    audit: str, user: CurrentUser, vault: VaultDep, format: ReportFormat = ReportFormat.PDF
) -> Response:
    """The audit report as a file (HTML, PDF, XLSX or JSON)."""
    return report_download(audits.report(vault, actor=_actor(user), audit_id=audit), format)


@api.post("/audits/{audit}/complete", responses={400: {}, 403: {}})
@form_action(Action.GOVERN_AUDIT_RECORD)
def complete_audit(
    audit: str, body: AuditComplete, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = audits.complete(vault, actor=_actor(user), audit_id=audit, conclusion=body.conclusion)
    return _plain(info)


@api.post("/audits/{audit}/findings", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_AUDIT_RECORD)
def record_finding(
    audit: str, body: FindingCreate, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = audits.record_finding(
        vault,
        actor=_actor(user),
        audit_id=audit,
        title=body.title,
        severity_=body.severity.value,
        detail=body.detail,
    )
    return _plain(info)


@api.post("/audits/findings/{finding}/actions", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def add_action(
    finding: str, body: ActionCreate, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = audits.add_action(
        vault,
        actor=_actor(user),
        finding_id=finding,
        text=body.text,
        department=body.department,
        due=body.due,
    )
    return _plain(info)


@api.post("/audits/actions/{action}/done", responses={400: {}, 403: {}})
def complete_action(action: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(audits.complete_action(vault, actor=_actor(user), action_id=action))


@api.post("/audits/findings/{finding}/notes", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_AUDIT_RECORD)
def add_note(finding: str, body: NoteCreate, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(audits.add_note(vault, actor=_actor(user), finding_id=finding, text=body.text))


@api.post("/audits/findings/{finding}/close", responses={400: {}, 403: {}})
def close_finding(finding: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(audits.close_finding(vault, actor=_actor(user), finding_id=finding))


# --- RACI API ----------------------------------------------------------------------------------


def _raci_out(row: raci.RaciRow) -> RaciRowOut:
    return RaciRowOut(
        activity=row.activity,
        title=row.title,
        cells={d: letter.value for d, letter in row.cells.items()},
        accountable=row.accountable,
        edited=row.edited,
    )


@api.get("/raci", responses={403: {}})
def get_raci(user: CurrentUser, vault: VaultDep) -> RaciOut:
    """The table (one row per activity) and each department's overdue items, counted."""
    actor = _actor(user)
    rows = raci.matrix(vault, actor=actor)
    late = raci.overdue(vault, actor=actor)
    return RaciOut(
        rows=[_raci_out(r) for r in rows],
        departments={code: departments.label(code) for code in departments.DEPARTMENTS},
        overdue={code: len(items) for code, items in late.items()},
    )


@api.get("/raci/export", response_class=Response, responses=LIST_RESPONSES | {403: {}})
@form_action(Action.GOVERN_VIEW)
def export_raci(
    user: CurrentUser, vault: VaultDep, format: ListFormat = ListFormat.CSV
) -> Response:
    return _list("raci", raci.table(vault, actor=_actor(user)), format)


@api.put("/raci/activities/{activity}", responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def set_raci(activity: str, body: RaciSet, user: CurrentUser, vault: VaultDep) -> RaciRowOut:
    """Change some departments' letters in one activity's row (exactly one A remains)."""
    row = raci.set_row(vault, actor=_actor(user), activity_id=activity, cells=body.cells)
    return _raci_out(row)


# --- pages -------------------------------------------------------------------------------------


def _page_context(request: Request, user: UserPublic, vault: Any, token: str) -> dict[str, Any]:
    actor = _actor(user)
    return {
        "user": user,
        "csrf": accounts.csrf_token(vault, token),
        "error": request.query_params.get("error"),
        "notice": request.query_params.get("notice"),
        "can_edit": allowed(actor, Action.GOVERN_EDIT),
        "can_record": allowed(actor, Action.GOVERN_AUDIT_RECORD),
        "severities": list(audits.Severity),
        "departments": [(code, departments.label(code)) for code in departments.DEPARTMENTS],
        "department_label": departments.label,
    }


@pages.get("/govern/audits")
def audits_page(request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    rule = rules()["AUD-INDEP"]
    freq = rules()["AUD-FREQ"]
    return render(
        request,
        "govern/audits.html",
        audits=audits.audits(vault, actor=_actor(user)),
        limit=int(rule.param("max_consecutive")),
        rule=rule.label(),
        freq={
            "individuals": int(freq.param("individuals")),
            "every_years": int(freq.param("every_years")),
            "rule": freq.label(),
        },
        today=clock.today().isoformat(),
        **_page_context(request, user, vault, token),
    )


@pages.get("/govern/audits/{audit}")
def audit_page(
    audit: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        "govern/audit.html",
        audit=audits.show(vault, actor=_actor(user), audit_id=audit),
        formats=[f.value for f in ReportFormat],
        **_page_context(request, user, vault, token),
    )


@pages.post("/govern/audits")
@form_action(Action.GOVERN_EDIT)
def plan_form(
    user: CurrentUser,
    vault: VaultDep,
    scope: Annotated[str, Form(max_length=4000)],
    frequency_months: Annotated[int, Form(ge=1, le=120)],
    planned_for: Annotated[str, Form(max_length=10)],
    auditors: Annotated[str, Form(max_length=4000)],
    individuals: Annotated[str, Form(max_length=13)] = "",
) -> Response:
    try:
        count = form_count(individuals, tr("人数", "individuals"))
        audits.plan(
            vault,
            actor=_actor(user),
            scope=scope,
            frequency_months=frequency_months,
            planned_for=planned_for,
            auditors=auditors.replace("，", ",").split(","),
            individuals=count,
        )
    except InputError as exc:
        return _back("/govern/audits", str(exc))
    return _back("/govern/audits", notice=tr("已计划审计", "Audit planned"))


def _on_audit(audit: str, fn: Any, done: tuple[str, str]) -> Response:
    """Do ``fn`` and go back to the audit's page, with its refusal or ``done`` (zh, en)."""
    path = f"/govern/audits/{quote(audit)}"
    try:
        fn()
    except InputError as exc:
        return _back(path, str(exc))
    return _back(path, notice=tr(*done))


@pages.post("/govern/audits/{audit}/complete")
@form_action(Action.GOVERN_AUDIT_RECORD)
def complete_form(
    audit: str,
    user: CurrentUser,
    vault: VaultDep,
    conclusion: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    return _on_audit(
        audit,
        lambda: audits.complete(vault, actor=_actor(user), audit_id=audit, conclusion=conclusion),
        ("已完成审计", "Audit completed"),
    )


@pages.post("/govern/audits/{audit}/findings")
@form_action(Action.GOVERN_AUDIT_RECORD)
def finding_form(
    audit: str,
    user: CurrentUser,
    vault: VaultDep,
    title: Annotated[str, Form(max_length=500)],
    severity: Annotated[str, Form(max_length=16)],
    detail: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    return _on_audit(
        audit,
        lambda: audits.record_finding(
            vault,
            actor=_actor(user),
            audit_id=audit,
            title=title,
            severity_=severity,
            detail=detail,
        ),
        ("已记录发现", "Finding recorded"),
    )


@pages.post("/govern/audits/{audit}/findings/{finding}/actions")
@form_action(Action.GOVERN_EDIT)
def action_form(
    audit: str,
    finding: str,
    user: CurrentUser,
    vault: VaultDep,
    text: Annotated[str, Form(max_length=2000)],
    department: Annotated[str, Form(max_length=32)],
    due: Annotated[str, Form(max_length=10)],
) -> Response:
    return _on_audit(
        audit,
        lambda: audits.add_action(
            vault,
            actor=_actor(user),
            finding_id=finding,
            text=text,
            department=department,
            due=due,
        ),
        ("已添加整改措施", "Remediation action added"),
    )


@pages.post("/govern/audits/{audit}/actions/{action}/done")
@form_action(Action.GOVERN_EDIT)
def action_done_form(audit: str, action: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _on_audit(
        audit,
        lambda: audits.complete_action(vault, actor=_actor(user), action_id=action),
        ("整改措施已完成", "Action done"),
    )


@pages.post("/govern/audits/{audit}/findings/{finding}/notes")
@form_action(Action.GOVERN_AUDIT_RECORD)
def note_form(
    audit: str,
    finding: str,
    user: CurrentUser,
    vault: VaultDep,
    text: Annotated[str, Form(max_length=4000)],
) -> Response:
    return _on_audit(
        audit,
        lambda: audits.add_note(vault, actor=_actor(user), finding_id=finding, text=text),
        ("已添加跟进记录", "Note added"),
    )


@pages.post("/govern/audits/{audit}/findings/{finding}/close")
@form_action(Action.GOVERN_AUDIT_RECORD)
def close_form(audit: str, finding: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _on_audit(
        audit,
        lambda: audits.close_finding(vault, actor=_actor(user), finding_id=finding),
        ("发现已关闭", "Finding closed"),
    )


@pages.get("/govern/raci")
def raci_page(
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    department: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = _actor(user)
    today = clock.today()
    late = raci.overdue(vault, actor=actor, today=today)
    chosen = departments.check(department) if department else None
    return render(
        request,
        "govern/raci.html",
        rows=raci.matrix(vault, actor=actor),
        letters=[letter.value for letter in raci.Letter],
        overdue=late,
        chosen=chosen,
        state_label=calendar.state_label,
        today=today,
        **_page_context(request, user, vault, token),
    )


@pages.post("/govern/raci")
@form_action(Action.GOVERN_EDIT)
def raci_form(
    user: CurrentUser,
    vault: VaultDep,
    activity: Annotated[str, Form(max_length=40)],
    department: Annotated[list[str], Form(max_length=10)],
    letter: Annotated[list[str], Form(max_length=10)],
) -> Response:
    """One activity's row from the table's form: parallel lists of departments and letters."""
    try:
        if len(department) != len(letter):
            raise InputError(tr("表单不完整", "incomplete form"))
        cells = dict(zip(department, (v[:1] for v in letter), strict=True))
        raci.set_row(vault, actor=_actor(user), activity_id=activity, cells=cells)
    except InputError as exc:
        return _back("/govern/raci", str(exc))
    return _back("/govern/raci", notice=tr("已保存职责分工", "RACI row saved"))
