"""Emergency drills: the company's schedule, a drill run as a timed exercise of the plan, gaps
and improvement actions — the JSON API and the page. Drills belong to the company, not to one
deal's room: the acting user is their platform role (``rooms.seat_outside``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError
from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action, allowed
from baomi.services.respond import drills, playbook
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/drills", tags=["drills"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)


class DrillCreate(BaseModel):
    scenario: str = Field(min_length=1, max_length=4000)
    scheduled_for: str = Field(min_length=10, max_length=40)
    participants: str = Field(default="", max_length=2000)
    targets: dict[str, float] = Field(default_factory=dict, max_length=10)


class StepTiming(BaseModel):
    step: str = Field(max_length=32)
    event: str = Field(pattern="^(start|end)$")


class DrillFinish(BaseModel):
    findings: str = Field(default="", max_length=20_000)


class ActionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    owner: str = Field(max_length=40)
    due: str = Field(min_length=10, max_length=10)


class DrillsPublic(BaseModel):
    status: dict[str, Any]
    drills: list[dict[str, Any]]


def _plain(info: drills.DrillInfo) -> dict[str, Any]:
    return asdict(info) | {"gaps": [g.step for g in info.gaps]}


@api.get("", responses={403: {}})
def list_drills(user: CurrentUser, vault: VaultDep) -> DrillsPublic:
    actor = rooms.seat_outside(user)
    return DrillsPublic(
        status=asdict(drills.status(vault, actor=actor)),
        drills=[_plain(d) for d in drills.drills(vault, actor=actor)],
    )


@api.post("", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.DRILL_EDIT)
def schedule_drill(body: DrillCreate, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    info = drills.schedule(
        vault,
        actor=rooms.seat_outside(user),
        scenario=body.scenario,
        scheduled_for=body.scheduled_for,
        participants=body.participants,
        targets=body.targets,
    )
    return _plain(info)


@api.post("/{drill}/timings", responses={400: {}, 403: {}})
@form_action(Action.DRILL_EDIT)
def time_drill_step(
    drill: str, body: StepTiming, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = drills.time_step(
        vault, actor=rooms.seat_outside(user), drill_id=drill, step=body.step, event=body.event
    )
    return _plain(info)


@api.post("/{drill}/finish", responses={400: {}, 403: {}})
@form_action(Action.DRILL_EDIT)
def finish_drill(
    drill: str, body: DrillFinish, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    return _plain(
        drills.finish(vault, actor=rooms.seat_outside(user), drill_id=drill, findings=body.findings)
    )


@api.post("/{drill}/actions", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.DRILL_EDIT)
def add_drill_action(
    drill: str, body: ActionCreate, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    info = drills.add_action(
        vault,
        actor=rooms.seat_outside(user),
        drill_id=drill,
        text=body.text,
        owner=body.owner,
        due=body.due,
    )
    return _plain(info)


# --- pages -------------------------------------------------------------------------------------


def _back(error: str | None = None) -> Response:
    return RedirectResponse(
        "/drills" + (f"?error={quote(error)}" if error else ""), status_code=303
    )


@pages.get("/drills")
def drills_page(request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = rooms.seat_outside(user)
    return render(
        request,
        "drills.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        status=drills.status(vault, actor=actor),
        drills=drills.drills(vault, actor=actor),
        steps=playbook.steps(),
        departments=[(code, playbook.department(code)) for code in playbook.DEPARTMENTS],
        can_edit=allowed(actor, Action.DRILL_EDIT),
        error=request.query_params.get("error"),
    )


@pages.post("/drills")
@form_action(Action.DRILL_EDIT)
def schedule_form(
    user: CurrentUser,
    vault: VaultDep,
    scenario: Annotated[str, Form(max_length=4000)],
    scheduled_for: Annotated[str, Form(max_length=40)],
    participants: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        drills.schedule(
            vault,
            actor=rooms.seat_outside(user),
            scenario=scenario,
            scheduled_for=scheduled_for,
            participants=participants,
        )
    except InputError as exc:
        return _back(str(exc))
    return _back()


@pages.post("/drills/{drill}/timings")
@form_action(Action.DRILL_EDIT)
def timing_form(
    drill: str,
    user: CurrentUser,
    vault: VaultDep,
    step: Annotated[str, Form(max_length=32)],
    event: Annotated[str, Form(max_length=5)],
) -> Response:
    try:
        drills.time_step(
            vault, actor=rooms.seat_outside(user), drill_id=drill, step=step, event=event
        )
    except InputError as exc:
        return _back(str(exc))
    return _back()


@pages.post("/drills/{drill}/finish")
@form_action(Action.DRILL_EDIT)
def finish_form(
    drill: str,
    user: CurrentUser,
    vault: VaultDep,
    findings: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    try:
        drills.finish(vault, actor=rooms.seat_outside(user), drill_id=drill, findings=findings)
    except InputError as exc:
        return _back(str(exc))
    return _back()


@pages.post("/drills/{drill}/actions")
@form_action(Action.DRILL_EDIT)
def action_form(
    drill: str,
    user: CurrentUser,
    vault: VaultDep,
    text: Annotated[str, Form(max_length=2000)],
    owner: Annotated[str, Form(max_length=40)],
    due: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        drills.add_action(
            vault, actor=rooms.seat_outside(user), drill_id=drill, text=text, owner=owner, due=due
        )
    except InputError as exc:
        return _back(str(exc))
    return _back()
