"""Training (GB/T 35273 §11.6): my courses, a course's lesson and quiz, the result and the
certificate, the managers' completion dashboard and assignments — the pages under
``/govern/training`` and their JSON twins under ``/api/v1/govern/training``. Company-level: the
acting user is their platform role (``rooms.seat_outside``); the service decides every
permission (``training.take`` for one's own training, ``govern.view`` / ``govern.edit`` to
manage)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import BaseModel, Field

from baomi import clock
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.comply.reports.render import ReportFormat, render_html_fragment
from baomi.services.dataroom import rooms
from baomi.services.govern import departments, exports
from baomi.services.govern import training as svc
from baomi.services.permissions import Action, role_label
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action, refusal_first
from baomi.web.pages import back, render
from baomi.web.responses import errors
from baomi.web.routers.comply_reports import DOWNLOAD_RESPONSES, MEDIA_TYPES, report_download

api = APIRouter(
    prefix="/api/v1/govern/training", tags=["govern"], responses=errors(400, 401, 403, 404)
)
pages = APIRouter(include_in_schema=False)


class QuestionOut(BaseModel):
    text: str
    options: list[str]


class CourseOut(BaseModel):
    id: str
    topic: str
    title: str
    pass_mark: int
    due_days: int
    lesson: list[str]
    questions: list[QuestionOut]


class DutyOut(BaseModel):
    course: str
    title: str
    assigned_on: _dt.date
    due: _dt.date
    last_passed: _dt.date | None
    status: svc.Status


class AttemptBody(BaseModel):
    answers: list[Annotated[int, Field(ge=0, le=20)]] = Field(max_length=svc.MAX_QUESTIONS)


class AssignBody(BaseModel):
    course: str = Field(min_length=1, max_length=64)
    department: str | None = Field(default=None, max_length=32)
    role: str | None = Field(default=None, max_length=32)
    due_days: int | None = Field(default=None, ge=1, le=svc.MAX_DUE_DAYS)


class DashboardRowOut(BaseModel):
    department: str
    course: str
    assigned: int
    done: int
    overdue: int
    rate: float


def _course_out(c: svc.Course) -> CourseOut:
    return CourseOut(
        id=c.id,
        topic=c.topic,
        title=c.title,
        pass_mark=c.pass_mark,
        due_days=c.due_days,
        lesson=list(c.lesson),
        questions=[QuestionOut(text=q.text, options=list(q.option_texts())) for q in c.questions],
    )


def _duty_out(d: svc.Duty, today: _dt.date) -> DutyOut:
    return DutyOut(
        course=d.course,
        title=svc.course(d.course).title,
        assigned_on=d.assigned_on,
        due=d.due,
        last_passed=d.last_passed,
        status=d.status(today),
    )


def _row_out(r: svc.DashboardRow) -> DashboardRowOut:
    return DashboardRowOut(**asdict(r), rate=r.rate)


# --- API ---------------------------------------------------------------------------------------


@api.get("/courses", responses={403: {}})
def list_courses(user: CurrentUser) -> list[CourseOut]:
    """Every course with its lesson and questions (never the answers)."""
    return [_course_out(c) for c in svc.course_list(actor=rooms.seat_outside(user))]


@api.get("/courses/{course}", responses={400: {}, 403: {}})
def get_course(course: str, user: CurrentUser) -> CourseOut:
    return _course_out(svc.show_course(actor=rooms.seat_outside(user), course_id=course))


@api.post("/courses/{course}/attempts", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.TRAINING_TAKE)
def answer_quiz(
    course: str, body: AttemptBody, user: CurrentUser, vault: VaultDep
) -> svc.AttemptInfo:
    """Answer the quiz (one option number per question); scored on the server."""
    return svc.take(
        vault, actor=rooms.seat_outside(user), course_id=course, answers=list(body.answers)
    )


@api.get("/mine", responses={403: {}})
def my_training(user: CurrentUser, vault: VaultDep) -> list[DutyOut]:
    """The courses the signed-in user owes, with their due dates and status."""
    today = clock.today()
    return [_duty_out(d, today) for d in svc.my_duties(vault, actor=rooms.seat_outside(user))]


@api.get("/attempts/{attempt}", responses={400: {}, 403: {}, 404: {}})
def get_attempt(attempt: str, user: CurrentUser, vault: VaultDep) -> svc.AttemptInfo:
    return svc.attempt(vault, actor=rooms.seat_outside(user), attempt_id=attempt)


@api.get(
    "/attempts/{attempt}/certificate",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES | {400: {}, 403: {}},
)
@form_action(Action.TRAINING_TAKE)
def get_certificate(
    attempt: str,
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.PDF,
) -> Response:
    """The certificate of a passed attempt (PDF by default; html, xlsx, json)."""
    report = svc.certificate_report(vault, actor=rooms.seat_outside(user), attempt_id=attempt)
    return report_download(report, fmt)


@api.get("/verify/{code}", responses={400: {}, 403: {}})
def verify_certificate(
    code: Annotated[str, Path(max_length=64)], user: CurrentUser, vault: VaultDep
) -> svc.AttemptInfo:
    """The passed attempt a certificate's verification code belongs to; 400 if none."""
    info = svc.verify(vault, actor=rooms.seat_outside(user), code=code[:64])
    if info is None:
        raise InputError(tr("验证码无效", "the verification code is not valid"))
    return info


@api.get("/assignments", responses={403: {}})
def list_assignments(user: CurrentUser, vault: VaultDep) -> list[svc.AssignmentInfo]:
    return svc.assignments(vault, actor=rooms.seat_outside(user))


@api.post("/assignments", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def create_assignment(body: AssignBody, user: CurrentUser, vault: VaultDep) -> svc.AssignmentInfo:
    """Assign a course to a department and/or a role (either matches)."""
    return svc.assign(
        vault,
        actor=rooms.seat_outside(user),
        course_id=body.course,
        department=body.department,
        role=body.role,
        due_days=body.due_days,
    )


@api.delete("/assignments/{assignment}", status_code=204, responses={400: {}, 403: {}})
def delete_assignment(assignment: str, user: CurrentUser, vault: VaultDep) -> Response:
    svc.unassign(vault, actor=rooms.seat_outside(user), assignment_id=assignment)
    return Response(status_code=204)


@api.get("/dashboard", responses={403: {}})
def get_dashboard(user: CurrentUser, vault: VaultDep) -> list[DashboardRowOut]:
    """Per department and course: assigned, done, overdue, completion rate."""
    return [_row_out(r) for r in svc.dashboard(vault, actor=rooms.seat_outside(user))]


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, MEDIA_TYPES[ReportFormat.XLSX]: {}}},
    400: {},
    403: {},
}


def _export(vault: Any, user: accounts.UserPublic, fmt: str) -> Response:
    today = clock.today()
    rows = svc.dashboard(vault, actor=rooms.seat_outside(user), today=today)
    if fmt == "csv":
        name = f"training-{today.isoformat()}.csv"
        return Response(
            svc.dashboard_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )
    return report_download(svc.dashboard_report(rows, today=today), ReportFormat.XLSX)


@api.get("/dashboard/export", response_class=Response, responses=EXPORT_RESPONSES)
@form_action(Action.GOVERN_VIEW)
def export_dashboard(
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """The dashboard as CSV (UTF-8 with BOM) or XLSX."""
    return _export(vault, user, fmt)


def _assignments_export(vault: Any, user: accounts.UserPublic, fmt: str) -> Response:
    rows = svc.assignments(vault, actor=rooms.seat_outside(user))
    name = f"training-assignments-{clock.today().isoformat()}.{fmt}"
    return Response(
        exports.export("training-assignments", svc.assignments_table(rows), fmt),
        media_type=exports.MEDIA[fmt],
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@api.get("/exports/assignments", response_class=Response, responses=EXPORT_RESPONSES)
@form_action(Action.GOVERN_VIEW)
def export_assignments(
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """The assignments as CSV (UTF-8 with BOM) or XLSX."""
    return _assignments_export(vault, user, fmt)


# --- pages -------------------------------------------------------------------------------------


def _back(
    path: str = "/govern/training", error: str | None = None, *, notice: str | None = None
) -> Response:
    return back(path, error, notice=notice)


@pages.get("/govern/training")
def training_page(
    request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.seat_outside(user)
    today = clock.today()
    can_view, can_edit = svc.can_manage(actor)
    return render(
        request,
        "govern/training.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        today=today,
        duties=[_duty_out(d, today) for d in svc.my_duties(vault, actor=actor)],
        attempts=svc.my_attempts(vault, actor=actor),
        courses=svc.course_list(actor=actor),
        course_title=lambda cid: svc.course(cid).title,
        status_label=svc.status_label,
        can_view=can_view,
        can_edit=can_edit,
        dashboard=svc.dashboard(vault, actor=actor, today=today) if can_view else [],
        assignments=svc.assignments(vault, actor=actor) if can_view else [],
        department_name=svc.department_name,
        departments=[(code, departments.label(code)) for code in departments.DEPARTMENTS],
        roles=[(code, role_label(code)) for code in svc.ASSIGNABLE_ROLES],
        role_label=role_label,
        rule=svc.rule().label(),
        months=svc.renewal_months(),
        error=request.query_params.get("error"),
        notice=request.query_params.get("notice"),
    )


@pages.post("/govern/training/assignments")
@form_action(Action.GOVERN_EDIT)
async def assign_form(request: Request, user: CurrentUser, vault: VaultDep) -> Response:
    form = await request.form()
    days = str(form.get("due_days") or "").strip()
    try:
        svc.assign(
            vault,
            actor=rooms.seat_outside(user),
            course_id=str(form.get("course") or "")[:64],
            department=str(form.get("department") or "")[:32] or None,
            role=str(form.get("role") or "")[:32] or None,
            due_days=int(days) if days.isdigit() and len(days) < 5 else None,
        )
    except InputError as exc:
        return _back(error=str(exc))
    return _back(notice=tr("已分配课程", "Course assigned"))


@pages.post("/govern/training/assignments/{assignment}/remove")
@form_action(Action.GOVERN_EDIT)
def unassign_form(assignment: str, user: CurrentUser, vault: VaultDep) -> Response:
    try:
        svc.unassign(vault, actor=rooms.seat_outside(user), assignment_id=assignment)
    except InputError as exc:
        return _back(error=str(exc))
    return _back(notice=tr("已取消分配", "Assignment removed"))


@pages.get("/govern/training/exports/assignments.{fmt}")
def export_assignments_page(fmt: str, user: CurrentUser, vault: VaultDep) -> Response:
    if fmt not in ("csv", "xlsx"):
        return _back(error="csv | xlsx")
    return _assignments_export(vault, user, fmt)


@pages.get("/govern/training/exports/dashboard.{fmt}")
def export_page(fmt: str, user: CurrentUser, vault: VaultDep) -> Response:
    if fmt not in ("csv", "xlsx"):
        return _back(error="csv | xlsx")
    return _export(vault, user, fmt)


@pages.get("/govern/training/attempts/{attempt}")
def result_page(
    attempt: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.seat_outside(user)
    info = svc.attempt(vault, actor=actor, attempt_id=attempt)
    spec = svc.course(info.course)
    certificate = None
    if info.passed:
        report = svc.certificate_report(vault, actor=actor, attempt_id=attempt)
        certificate = Markup(render_html_fragment(report))  # autoescaped by its template
    return render(
        request,
        "govern/training_result.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        attempt=info,
        course=spec,
        certificate=certificate,
    )


@pages.get("/govern/training/verify/{code}")
def verify_page(
    code: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    info = svc.verify(vault, actor=rooms.seat_outside(user), code=code[:64])
    return render(
        request,
        "govern/training_verify.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        code=code[:64],
        attempt=info,
        course_title=(svc.course(info.course).title if info else ""),
    )


@pages.get("/govern/training/{course}")
def course_page(
    course: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        spec = svc.show_course(actor=rooms.seat_outside(user), course_id=course[:64])
    except InputError as exc:
        return _back(error=str(exc))
    return render(
        request,
        "govern/training_course.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        course=spec,
        error=request.query_params.get("error"),
    )


@pages.post("/govern/training/{course}")
@form_action(Action.TRAINING_TAKE)
async def quiz_form(course: str, request: Request, user: CurrentUser, vault: VaultDep) -> Response:
    form = await request.form()
    try:
        with refusal_first(request):  # one who may not take training hears that first
            spec = svc.course(course[:64])
            answers = []
            for n in range(len(spec.questions)):
                value = str(form.get(f"q{n}") or "")
                if not value.isdigit() or len(value) > 2:
                    total = len(spec.questions)
                    raise InputError(
                        tr(f"请回答全部 {total} 道题", f"answer all {total} questions")
                    )
                answers.append(int(value))
            actor = rooms.seat_outside(user)
            info = svc.take(vault, actor=actor, course_id=spec.id, answers=answers)
    except InputError as exc:
        return _back(f"/govern/training/{quote(course[:64])}", str(exc))
    return _back(f"/govern/training/attempts/{info.id}")
