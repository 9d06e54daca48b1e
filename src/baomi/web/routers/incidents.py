"""A deal's incidents: the register, one incident's clocks and playbook, the notice drafts, and
leak attribution from an uploaded sample — the JSON API and the pages."""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply.reports.render import ReportFormat
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action
from baomi.services.respond import incidents, playbook
from baomi.services.respond.incidents import Clock, IncidentInfo, Source, Status
from baomi.services.respond.notices import (
    Channel,
    NoticeFacts,
    individual_notice,
    regulator_report,
    regulator_report_model,
)
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.forms import form_count
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.routers.comply_reports import DOWNLOAD_RESPONSES, report_download

api = APIRouter(prefix="/api/v1/rooms", tags=["incidents"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)

#: suffixes trace can read a leaked sample from
SAMPLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".docx", ".json", ".jsonl", ".tsv")


class IncidentCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    source: Source = Source.STAFF
    discovered_at: str | None = Field(default=None, max_length=40)
    documents: list[str] = Field(default_factory=list, max_length=1000)
    individuals: int | None = Field(default=None, ge=0, le=10**12)
    sensitive_individuals: int | None = Field(default=None, ge=0, le=10**12)
    ciio: bool = False


class DeadlinePublic(BaseModel):
    clock: Clock
    title: str
    rule: str
    due: str
    immediate: bool
    done_at: str | None
    overdue: bool
    remaining_seconds: float | None


class StepPublic(BaseModel):
    step: str
    title: str
    owner: str
    owner_label: str
    checklist: list[tuple[str, str, bool]]
    started_at: str | None
    done_at: str | None
    done_by: str | None
    seconds: float | None


class IncidentPublic(BaseModel):
    id: str
    title: str
    description: str
    source: Source
    source_label: str
    discovered_at: str
    ciio: bool
    individuals: int
    sensitive_individuals: int
    counted_from: str
    documents: list[str]
    grade: str
    grade_label: str
    status: Status
    status_label: str
    harm_avoided: bool
    attributed_recipient: str | None
    attributed_package: str | None
    attributed_confidence: float | None
    deadlines: list[DeadlinePublic]
    steps: list[StepPublic]


class ClockMark(BaseModel):
    clock: Clock
    at: str | None = Field(default=None, max_length=40)


class StatusChange(BaseModel):
    status: Status
    harm_avoided: bool | None = None
    at: str | None = Field(default=None, max_length=40)


class StepUpdate(BaseModel):
    tick: list[str] = Field(default_factory=list, max_length=50)
    done: bool = False


class NoticeRequest(BaseModel):
    categories: str = Field(min_length=1, max_length=500)
    cause: str = Field(min_length=1, max_length=2000)
    harm: str = Field(min_length=1, max_length=2000)
    measures: str = Field(min_length=1, max_length=2000)
    advice: str = Field(min_length=1, max_length=2000)
    contact: str = Field(min_length=1, max_length=200)
    company: str = Field(min_length=1, max_length=200)
    channel: Channel = Channel.EMAIL

    def facts(self) -> NoticeFacts:
        return NoticeFacts(
            self.categories,
            self.cause,
            self.harm,
            self.measures,
            self.advice,
            self.contact,
            self.company,
        )


class NoticeTexts(BaseModel):
    individuals: str
    regulator: str


def _public(info: IncidentInfo) -> IncidentPublic:
    return IncidentPublic(
        id=info.id,
        title=info.title,
        description=info.description,
        source=info.source,
        source_label=info.source.label,
        discovered_at=info.discovered_at,
        ciio=info.ciio,
        individuals=info.individuals,
        sensitive_individuals=info.sensitive_individuals,
        counted_from=info.counted_from,
        documents=list(info.objects),
        grade=info.grade.value,
        grade_label=info.grade.label,
        status=info.status,
        status_label=info.status.label,
        harm_avoided=info.harm_avoided,
        attributed_recipient=info.attributed_recipient,
        attributed_package=info.attributed_package,
        attributed_confidence=info.attributed_confidence,
        deadlines=[
            DeadlinePublic(
                clock=d.clock,
                title=d.title,
                rule=d.rule,
                due=d.due.isoformat(),
                immediate=d.immediate,
                done_at=d.done_at,
                overdue=d.overdue,
                remaining_seconds=d.remaining,
            )
            for d in incidents.deadlines(info)
        ],
        steps=[
            StepPublic(
                step=s.step,
                title=s.title,
                owner=s.owner,
                owner_label=playbook.department(s.owner),
                checklist=list(s.checklist),
                started_at=s.started_at,
                done_at=s.done_at,
                done_by=s.done_by,
                seconds=s.seconds,
            )
            for s in info.steps
        ],
    )


def _seat(vault: VaultDep, user: CurrentUser, deal: str) -> rooms.Seat:
    """The user's seat in the room, once the room's gate lets them see its incidents (role,
    side: the buyer's side sees none)."""
    return rooms.admitted(vault, user, deal, Action.INCIDENT_VIEW)


def _in_deal(
    vault: VaultDep, user: CurrentUser, deal: str, incident: str
) -> tuple[rooms.Seat, IncidentInfo]:
    seat = _seat(vault, user, deal)
    return seat, incidents.get(vault, actor=seat.actor, incident_id=incident, deal_ref=deal)


@api.get("/{deal}/incidents", responses={403: {}})
def list_incidents(deal: str, user: CurrentUser, vault: VaultDep) -> list[IncidentPublic]:
    seat = _seat(vault, user, deal)
    return [_public(i) for i in incidents.register(vault, actor=seat.actor, deal_ref=deal)]


@api.post("/{deal}/incidents", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.INCIDENT_EDIT)
def report_incident(
    deal: str, body: IncidentCreate, user: CurrentUser, vault: VaultDep
) -> IncidentPublic:
    seat = _seat(vault, user, deal)
    info = incidents.report(
        vault,
        actor=seat.actor,
        title=body.title,
        description=body.description,
        source=body.source,
        discovered_at=body.discovered_at,
        deal_ref=deal,
        objects=body.documents,
        individuals=body.individuals,
        sensitive_individuals=body.sensitive_individuals,
        ciio=body.ciio,
    )
    return _public(info)


@api.get("/{deal}/incidents/{incident}", responses={403: {}})
def show_incident(deal: str, incident: str, user: CurrentUser, vault: VaultDep) -> IncidentPublic:
    return _public(_in_deal(vault, user, deal, incident)[1])


@api.post("/{deal}/incidents/{incident}/clocks", responses={400: {}, 403: {}})
@form_action(Action.INCIDENT_EDIT)
def mark_clock(
    deal: str, incident: str, body: ClockMark, user: CurrentUser, vault: VaultDep
) -> IncidentPublic:
    seat = _seat(vault, user, deal)
    return _public(
        incidents.mark(
            vault,
            actor=seat.actor,
            incident_id=incident,
            deal_ref=deal,
            clock=body.clock,
            at=body.at,
        )
    )


@api.post("/{deal}/incidents/{incident}/status", responses={400: {}, 403: {}})
@form_action(Action.INCIDENT_EDIT)
def change_status(
    deal: str, incident: str, body: StatusChange, user: CurrentUser, vault: VaultDep
) -> IncidentPublic:
    seat = _seat(vault, user, deal)
    info = incidents.set_status(
        vault,
        actor=seat.actor,
        incident_id=incident,
        deal_ref=deal,
        status=body.status,
        harm_avoided=body.harm_avoided,
        at=body.at,
    )
    return _public(info)


@api.post("/{deal}/incidents/{incident}/steps/{step}", responses={400: {}, 403: {}})
@form_action(Action.INCIDENT_EDIT)
def update_step(
    deal: str, incident: str, step: str, body: StepUpdate, user: CurrentUser, vault: VaultDep
) -> IncidentPublic:
    seat = _seat(vault, user, deal)
    info = incidents.step(
        vault,
        actor=seat.actor,
        incident_id=incident,
        deal_ref=deal,
        step_name=step,
        tick=body.tick,
        done=body.done,
    )
    return _public(info)


@api.post("/{deal}/incidents/{incident}/notices", responses={400: {}, 403: {}})
@form_action(Action.INCIDENT_VIEW)
def draft_notices(
    deal: str, incident: str, body: NoticeRequest, user: CurrentUser, vault: VaultDep
) -> NoticeTexts:
    _, info = _in_deal(vault, user, deal, incident)
    return NoticeTexts(
        individuals=individual_notice(info, body.facts(), body.channel),
        regulator=regulator_report(info, body.facts()),
    )


@api.post(
    "/{deal}/incidents/{incident}/report",
    responses={**DOWNLOAD_RESPONSES, 400: {}, 403: {}},
    response_class=Response,
)
@form_action(Action.INCIDENT_VIEW)
def regulator_report_file(
    deal: str,
    incident: str,
    body: NoticeRequest,
    user: CurrentUser,
    vault: VaultDep,
    format: Annotated[ReportFormat, Query()] = ReportFormat.PDF,
) -> Response:
    """The report to the regulator (INC-7's contents) as a file: PDF by default, or HTML, XLSX,
    JSON — built from the register and the facts entered, never from customer records."""
    _, info = _in_deal(vault, user, deal, incident)
    return report_download(regulator_report_model(info, body.facts()), format)


async def _attribute(
    request: Request,
    vault: VaultDep,
    user: CurrentUser,
    deal: str,
    incident: str,
    sample: UploadFile,
) -> IncidentInfo:
    seat = _seat(vault, user, deal)
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    suffix = Path(sample.filename or "").suffix.lower()
    if suffix not in SAMPLE_SUFFIXES:
        raise InputError(
            tr(
                f"样本须为 {'、'.join(SAMPLE_SUFFIXES)} 文件",
                f"a sample is one of {SAMPLE_SUFFIXES}",
            )
        )
    data = await sample.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status_code=413, detail=tr("上传内容过大", "the upload is too large"))
    with tempfile.TemporaryDirectory(prefix="baomi-sample-") as tmp:
        path = Path(tmp) / f"sample{suffix}"
        path.write_bytes(data)
        return await run_in_threadpool(
            lambda: incidents.attribute(
                vault, actor=seat.actor, incident_id=incident, deal_ref=deal, sample=path
            )
        )


@api.post("/{deal}/incidents/{incident}/attribution", responses={400: {}, 403: {}, 413: {}})
@form_action(Action.INCIDENT_EDIT)
async def attribute_sample(
    deal: str,
    incident: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    sample: Annotated[UploadFile, File()],
) -> IncidentPublic:
    return _public(await _attribute(request, vault, user, deal, incident, sample))


# --- pages -------------------------------------------------------------------------------------


def _back(deal: str, incident: str | None = None, error: str | None = None) -> Response:
    where = f"/rooms/{quote(deal)}/incidents" + (f"/{quote(incident)}" if incident else "")
    return RedirectResponse(where + (f"?error={quote(error)}" if error else ""), status_code=303)


@pages.get("/rooms/{deal}/incidents")
def incidents_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    seat = _seat(vault, user, deal)
    found = [_public(i) for i in incidents.register(vault, actor=seat.actor, deal_ref=deal)]
    return render(
        request,
        "incidents.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        incidents=found,
        can_edit=rooms.can(seat, Action.INCIDENT_EDIT),
        sources=[(s.value, s.label) for s in Source],
        error=request.query_params.get("error"),
    )


@pages.post("/rooms/{deal}/incidents")
def report_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    title: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=20_000)] = "",
    source: Annotated[str, Form(max_length=40)] = "staff",
    discovered_at: Annotated[str, Form(max_length=40)] = "",
    individuals: Annotated[str, Form(max_length=20)] = "",
    ciio: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    seat = _seat(vault, user, deal)
    try:
        info = incidents.report(
            vault,
            actor=seat.actor,
            title=title,
            description=description,
            source=Source(source) if source in Source.__members__.values() else Source.STAFF,
            discovered_at=discovered_at or None,
            deal_ref=deal,
            individuals=form_count(individuals, tr("影响人数", "individuals affected")),
            ciio=bool(ciio),
        )
    except InputError as exc:
        return _back(deal, error=str(exc))
    return _back(deal, info.id)


CHANNEL_LABELS = {
    Channel.PHONE: ("电话", "phone"),
    Channel.SMS: ("短信", "SMS"),
    Channel.IM: ("即时通信", "instant messaging"),
    Channel.EMAIL: ("电子邮件", "e-mail"),
    Channel.ANNOUNCEMENT: ("公告", "public announcement"),
}

NoticeForm = Annotated[NoticeRequest, Form()]


def _incident_view(
    request: Request,
    deal: str,
    incident: str,
    user: UserPublic,
    vault: Vault,
    token: str,
    *,
    facts: NoticeRequest | None = None,
    drafts: NoticeTexts | None = None,
) -> Response:
    seat, info = _in_deal(vault, user, deal, incident)
    return render(
        request,
        "incident.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        i=_public(info),
        now=_dt.datetime.now(_dt.UTC).isoformat(),
        can_edit=rooms.can(seat, Action.INCIDENT_EDIT),
        error=request.query_params.get("error"),
        facts=facts.model_dump()
        if facts
        else dict.fromkeys(NoticeRequest.model_fields, "") | {"channel": Channel.EMAIL.value},
        channels=[(c.value, tr(*CHANNEL_LABELS[c])) for c in Channel],
        drafts=drafts,
    )


@pages.get("/rooms/{deal}/incidents/{incident}")
def incident_page(
    deal: str,
    incident: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    return _incident_view(request, deal, incident, user, vault, token)


@pages.post("/rooms/{deal}/incidents/{incident}/notices")
def notices_form(
    deal: str,
    incident: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    token: TokenDep,
    form: NoticeForm,
) -> Response:
    """The drafts, shown under the form that made them (nothing is stored)."""
    drafts = draft_notices(deal, incident, form, user, vault)
    return _incident_view(
        request, deal, incident, user, vault, token or "", facts=form, drafts=drafts
    )


@pages.post("/rooms/{deal}/incidents/{incident}/report")
def regulator_report_form(
    deal: str, incident: str, user: CurrentUser, vault: VaultDep, form: NoticeForm
) -> Response:
    return regulator_report_file(deal, incident, form, user, vault, ReportFormat.PDF)


@pages.post("/rooms/{deal}/incidents/{incident}/clocks")
def clock_form(
    deal: str,
    incident: str,
    user: CurrentUser,
    vault: VaultDep,
    clock: Annotated[str, Form(max_length=20)],
) -> Response:
    seat = _seat(vault, user, deal)
    try:
        incidents.mark(
            vault, actor=seat.actor, incident_id=incident, deal_ref=deal, clock=Clock(clock)
        )
    except (InputError, ValueError) as exc:
        return _back(deal, incident, str(exc))
    return _back(deal, incident)


@pages.post("/rooms/{deal}/incidents/{incident}/steps/{step}")
def step_form(
    deal: str,
    incident: str,
    step: str,
    user: CurrentUser,
    vault: VaultDep,
    tick: Annotated[list[str] | None, Form(max_length=50)] = None,
    done: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    seat = _seat(vault, user, deal)
    try:
        incidents.step(
            vault,
            actor=seat.actor,
            incident_id=incident,
            deal_ref=deal,
            step_name=step,
            tick=tick or [],
            done=bool(done),
        )
    except InputError as exc:
        return _back(deal, incident, str(exc))
    return _back(deal, incident)


@pages.post("/rooms/{deal}/incidents/{incident}/status")
def status_form(
    deal: str,
    incident: str,
    user: CurrentUser,
    vault: VaultDep,
    status: Annotated[str, Form(max_length=20)],
    harm_avoided: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    seat = _seat(vault, user, deal)
    try:
        incidents.set_status(
            vault,
            actor=seat.actor,
            incident_id=incident,
            deal_ref=deal,
            status=Status(status),
            harm_avoided=bool(harm_avoided) or None,
        )
    except (InputError, ValueError) as exc:
        return _back(deal, incident, str(exc))
    return _back(deal, incident)


@pages.post("/rooms/{deal}/incidents/{incident}/attribution")
async def attribution_form(
    deal: str,
    incident: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    sample: Annotated[UploadFile, File()],
) -> Response:
    try:
        await _attribute(request, vault, user, deal, incident, sample)
    except InputError as exc:
        return _back(deal, incident, str(exc))
    return _back(deal, incident)
