"""Govern — customer satisfaction surveys: the staff's builder, results (with SVG charts),
exports and improvement actions (``/govern/surveys…``, ``/api/v1/govern/surveys…``), and the
public side: the survey form at ``/survey/{token}`` (no sign-in; CSRF by the pre-sign-in cookie;
a rate limit per client address; strict input) and the published aggregate-only summary at
``/survey/{token}/summary``. The services decide every permission."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.comply.reports.render import render_html_fragment
from baomi.services.dataroom import rooms
from baomi.services.govern import departments, exports, surveys
from baomi.services.govern.surveys import Kind
from baomi.services.permissions import Action, allowed
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.forms import form_switch
from baomi.web.pages import back as _back
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.routers.auth import _client, _with_pre_csrf
from baomi.web.security import Throttle

api = APIRouter(prefix="/api/v1/govern/surveys", tags=["govern"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)

#: the form field of question ``id`` on the public page
FIELD = "q_"


def throttle(vault: Vault) -> Throttle:
    """The public survey page's limiter (one per app: ``app.state.survey_throttle``), for all
    processes together."""
    return Throttle(
        vault,
        "survey",
        limit=surveys.limit("public_limit"),
        window=float(surveys.limit("public_window_seconds")),
    )


class SurveyCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    intro: str = Field(default="", max_length=2000)


class QuestionCreate(BaseModel):
    kind: Kind
    text: str = Field(min_length=1, max_length=500)
    options: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=10
    )
    required: bool = False


class StatusIn(BaseModel):
    status: Literal["open", "closed"]


class PublishIn(BaseModel):
    published: bool


class ActionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    department: str = Field(max_length=32)
    due: str = Field(min_length=10, max_length=10)


def _plain(info: surveys.SurveyInfo) -> dict[str, Any]:
    return asdict(info) | {"link": f"/survey/{info.token}"}


# --- the staff API -------------------------------------------------------------------------------


@api.get("", responses={403: {}})
def list_surveys(user: CurrentUser, vault: VaultDep) -> list[dict[str, Any]]:
    return [_plain(s) for s in surveys.surveys(vault, actor=rooms.seat_outside(user))]


@api.post("", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def create_survey(body: SurveyCreate, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    info = surveys.create(vault, actor=rooms.seat_outside(user), title=body.title, intro=body.intro)
    return _plain(info)


@api.get(
    "/export",
    responses={200: {"content": {exports.MEDIA["csv"]: {}, exports.MEDIA["xlsx"]: {}}}},
    response_class=Response,
)
@form_action(Action.GOVERN_VIEW)
def export_surveys(
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Every survey (state, responses, actions) as CSV (UTF-8 with a BOM) or XLSX."""
    table = surveys.surveys_table(vault, actor=rooms.seat_outside(user))
    return Response(
        exports.export("surveys", table, fmt),
        media_type=exports.MEDIA[fmt],
        headers={"content-disposition": f"attachment; filename=surveys.{fmt}"},
    )


@api.get("/{survey}", responses={403: {}})
def show_survey(survey: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(surveys.get(vault, actor=rooms.seat_outside(user), survey_id=survey))


@api.post("/{survey}/questions", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def add_question(
    survey: str, body: QuestionCreate, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = surveys.add_question(
        vault,
        actor=rooms.seat_outside(user),
        survey_id=survey,
        kind=body.kind,
        text=body.text,
        options=body.options,
        required=body.required,
    )
    return _plain(info)


@api.post("/{survey}/status", responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def set_status(survey: str, body: StatusIn, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    info = surveys.set_status(
        vault, actor=rooms.seat_outside(user), survey_id=survey, status=body.status
    )
    return _plain(info)


@api.post("/{survey}/publish", responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def publish(survey: str, body: PublishIn, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    info = surveys.set_published(
        vault, actor=rooms.seat_outside(user), survey_id=survey, published=body.published
    )
    return _plain(info)


@api.get("/{survey}/results", responses={403: {}})
def survey_results(survey: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return asdict(surveys.results(vault, actor=rooms.seat_outside(user), survey_id=survey))


@api.get(
    "/{survey}/responses",
    responses={200: {"content": {exports.MEDIA["csv"]: {}, exports.MEDIA["xlsx"]: {}}}},
    response_class=Response,
)
@form_action(Action.GOVERN_VIEW)
def export_responses(
    survey: str,
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """Every response (free text masked) as CSV (UTF-8 with a BOM) or XLSX."""
    table = surveys.responses_table(vault, actor=rooms.seat_outside(user), survey_id=survey)
    return Response(
        exports.export("survey-responses", table, fmt),
        media_type=exports.MEDIA[fmt],
        headers={"content-disposition": f"attachment; filename=survey-responses.{fmt}"},
    )


@api.post("/{survey}/actions", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.GOVERN_EDIT)
def add_action(
    survey: str, body: ActionCreate, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = surveys.add_action(
        vault,
        actor=rooms.seat_outside(user),
        survey_id=survey,
        text=body.text,
        department=body.department,
        due=body.due,
    )
    return _plain(info)


@api.post("/actions/{action}/done", responses={400: {}, 403: {}})
def complete_action(action: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return _plain(surveys.complete_action(vault, actor=rooms.seat_outside(user), action_id=action))


# --- the staff pages -----------------------------------------------------------------------------


@pages.get("/govern/surveys")
def surveys_page(
    request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.seat_outside(user)
    return render(
        request,
        "govern/surveys.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        surveys=surveys.surveys(vault, actor=actor),
        can_edit=allowed(actor, Action.GOVERN_EDIT),
        error=request.query_params.get("error"),
        notice=request.query_params.get("notice"),
    )


@pages.post("/govern/surveys")
@form_action(Action.GOVERN_EDIT)
def create_form(
    user: CurrentUser,
    vault: VaultDep,
    title: Annotated[str, Form(max_length=200)],
    intro: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        info = surveys.create(vault, actor=rooms.seat_outside(user), title=title, intro=intro)
    except InputError as exc:
        return _back("/govern/surveys", str(exc))
    return _back(f"/govern/surveys/{info.id}", notice=tr("已新建问卷", "Survey created"))


@pages.get("/govern/surveys/{survey}")
def survey_page(
    survey: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.seat_outside(user)
    info = surveys.get(vault, actor=actor, survey_id=survey)
    result = surveys.results(vault, actor=actor, survey_id=survey)
    return render(
        request,
        "govern/survey.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        survey=info,
        kinds=[(k.value, k.label) for k in Kind],
        departments=[(code, departments.label(code)) for code in departments.DEPARTMENTS],
        department_label=departments.label,
        report=Markup(render_html_fragment(surveys.report(result))),
        can_edit=allowed(actor, Action.GOVERN_EDIT),
        error=request.query_params.get("error"),
        notice=request.query_params.get("notice"),
    )


@pages.post("/govern/surveys/{survey}/questions")
@form_action(Action.GOVERN_EDIT)
def question_form(
    survey: str,
    user: CurrentUser,
    vault: VaultDep,
    kind: Annotated[str, Form(max_length=16)],
    text: Annotated[str, Form(max_length=500)],
    options: Annotated[str, Form(max_length=1200)] = "",
    required: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    try:
        surveys.add_question(
            vault,
            actor=rooms.seat_outside(user),
            survey_id=survey,
            kind=kind,
            text=text,
            options=options.splitlines(),
            required=bool(required),
        )
    except InputError as exc:
        return _back(f"/govern/surveys/{survey}", str(exc))
    return _back(f"/govern/surveys/{survey}", notice=tr("已添加题目", "Question added"))


@pages.post("/govern/surveys/{survey}/status")
@form_action(Action.GOVERN_EDIT)
def status_form(
    survey: str, user: CurrentUser, vault: VaultDep, status: Annotated[str, Form(max_length=16)]
) -> Response:
    try:
        info = surveys.set_status(
            vault, actor=rooms.seat_outside(user), survey_id=survey, status=status
        )
    except InputError as exc:
        return _back(f"/govern/surveys/{survey}", str(exc))
    return _back(
        f"/govern/surveys/{survey}",
        notice=tr(f"问卷状态：{info.status.label}", f"The survey is now {info.status.label}"),
    )


@pages.post("/govern/surveys/{survey}/publish")
@form_action(Action.GOVERN_EDIT)
def publish_form(
    survey: str,
    user: CurrentUser,
    vault: VaultDep,
    published: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    try:
        # the form's two values (anything else unpublished the summary silently)
        wanted = form_switch(published, tr("公开汇总结果", "publish the summary"))
    except InputError as exc:
        return _back(f"/govern/surveys/{survey}", str(exc))
    surveys.set_published(vault, actor=rooms.seat_outside(user), survey_id=survey, published=wanted)
    return _back(
        f"/govern/surveys/{survey}",
        notice=(
            tr("已公开汇总结果", "The aggregate summary is published")
            if wanted
            else tr("已取消公开汇总结果", "The aggregate summary is withdrawn")
        ),
    )


@pages.post("/govern/surveys/{survey}/actions")
@form_action(Action.GOVERN_EDIT)
def action_form(
    survey: str,
    user: CurrentUser,
    vault: VaultDep,
    text: Annotated[str, Form(max_length=2000)],
    department: Annotated[str, Form(max_length=32)],
    due: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        surveys.add_action(
            vault,
            actor=rooms.seat_outside(user),
            survey_id=survey,
            text=text,
            department=department,
            due=due,
        )
    except InputError as exc:
        return _back(f"/govern/surveys/{survey}", str(exc))
    return _back(f"/govern/surveys/{survey}", notice=tr("已添加改进措施", "Action added"))


@pages.post("/govern/surveys/{survey}/actions/{action}/done")
@form_action(Action.GOVERN_EDIT)
def action_done_form(survey: str, action: str, user: CurrentUser, vault: VaultDep) -> Response:
    try:
        surveys.complete_action(vault, actor=rooms.seat_outside(user), action_id=action)
    except InputError as exc:
        return _back(f"/govern/surveys/{survey}", str(exc))
    return _back(f"/govern/surveys/{survey}", notice=tr("改进措施已完成", "Action done"))


# --- the public pages ----------------------------------------------------------------------------


def _form(vault: VaultDep, token: str) -> surveys.PublicSurvey:
    try:
        return surveys.public_form(vault, token=token)
    except LookupError:
        raise HTTPException(status_code=404, detail=tr("没有该问卷", "no such survey")) from None


@pages.get("/survey/{token}")
def public_page(token: str, request: Request, vault: VaultDep) -> Response:
    form = _form(vault, token)
    return _with_pre_csrf(request, "govern/survey_public.html", form=form, token=token, field=FIELD)


@pages.post("/survey/{token}")
async def public_submit(token: str, request: Request, vault: VaultDep) -> Response:
    """An anonymous response. Only ``csrf_token`` and one ``q_<question id>`` field per question
    are accepted: any other field, a repeated one, an unknown question, an answer out of range
    or too long is a 400 and nothing is stored."""
    if not await run_in_threadpool(request.app.state.survey_throttle.allow, _client(request)):
        raise HTTPException(
            status_code=429,
            detail=tr("提交过于频繁，请稍后再试", "too many submissions; try again later"),
        )
    form = _form(vault, token)
    most = surveys.limit("max_text_chars")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":  # the page's form; never a file
        await request.close()  # any file the CSRF check parsed is closed, not left to GC
        raise HTTPException(status_code=400, detail=tr("表单格式无效", "not a form submission"))
    data = await request.form(max_fields=surveys.limit("max_questions") + 2)
    answers: dict[str, str] = {}
    error = None
    for name, value in data.multi_items():
        if name == "csrf_token":
            continue
        if (
            not name.startswith(FIELD)
            or not isinstance(value, str)
            or name[len(FIELD) :] in answers
        ):
            error = tr("表单含有未知字段", "the form has an unknown field")
            break
        if len(value) > most:
            error = tr(f"回答过长（最多 {most} 字）", f"an answer is too long (at most {most})")
            break
        answers[name[len(FIELD) :]] = value
    if error is None and not form.open:
        raise HTTPException(status_code=410, detail=tr("问卷已关闭", "the survey is closed"))
    if error is None:
        try:
            surveys.submit(vault, token=token, answers=answers)
        except InputError as exc:
            error = str(exc)
    if error is not None:
        return _with_pre_csrf(
            request,
            "govern/survey_public.html",
            status_code=400,
            form=form,
            token=token,
            field=FIELD,
            error=error,
        )
    return _with_pre_csrf(request, "govern/survey_thanks.html", form=form)


@pages.get("/survey/{token}/summary")
def public_summary(token: str, request: Request, vault: VaultDep) -> Response:
    try:
        shown = surveys.published_summary(vault, token=token)
        form = surveys.public_form(vault, token=token)
    except LookupError:
        raise HTTPException(status_code=404, detail=tr("没有该问卷", "no such survey")) from None
    report = Markup(render_html_fragment(surveys.report(shown, public=True))) if shown else None
    return render(
        request,
        "govern/survey_summary.html",
        form=form,
        report=report,
        least=surveys.limit("min_published_responses"),
    )
