"""Govern: the hub of the company's management pages (training, audits, surveys, reviews,
responsibilities), the calendar of what is due, and their JSON twins. Company-level: the acting
user is their platform role (``rooms.seat_outside``); the services decide every permission."""

from __future__ import annotations

import datetime as _dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from baomi import clock
from baomi.services import accounts
from baomi.services.comply.reports.model import Tone
from baomi.services.dataroom import rooms
from baomi.services.govern import calendar, dashboard, departments
from baomi.services.govern.calendar import DueItem, State
from baomi.services.permissions import Action, allowed
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/govern", tags=["govern"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)

#: The governance pages, linked from the hub: (path after ``/govern``, Chinese, English).
#: Each area adds its own row (the notifications page is everyone's: ``/notifications``).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("", "概览", "Overview"),
    ("training", "培训", "Training"),
    ("audits", "内部审计", "Internal audits"),
    ("raci", "职责分工", "Responsibilities (RACI)"),
    ("surveys", "满意度调查", "Surveys"),
    ("policies", "制度复核", "Policy reviews"),
)


class DueItemOut(BaseModel):
    kind: str
    ref: str
    title: str
    due: _dt.date
    state: State
    days_left: int
    department: str | None
    owner: str | None
    link: str | None
    rule: str | None


def _out(item: DueItem, today: _dt.date) -> DueItemOut:
    return DueItemOut(
        kind=item.kind,
        ref=item.ref,
        title=item.title,
        due=item.due,
        state=item.state(today),
        days_left=item.days_left(today),
        department=item.department,
        owner=item.owner,
        link=item.link,
        rule=item.rule,
    )


class TileOut(BaseModel):
    key: str
    label: str
    value: str
    tone: Tone
    link: str | None
    note: str


class DashboardOut(BaseModel):
    today: _dt.date
    tiles: list[TileOut]
    overdue: list[DueItemOut]
    upcoming: list[DueItemOut]
    overdue_by_department: dict[str, int]


def _dashboard(board: dashboard.Dashboard) -> DashboardOut:
    return DashboardOut(
        today=board.today,
        tiles=[TileOut(**t.__dict__) for t in board.tiles],
        overdue=[_out(i, board.today) for i in board.overdue],
        upcoming=[_out(i, board.today) for i in board.upcoming],
        overdue_by_department=board.overdue_by_department,
    )


@api.get("/dashboard", responses={403: {}})
def get_dashboard(user: CurrentUser, vault: VaultDep) -> DashboardOut:
    """The company's protection status at a glance."""
    return _dashboard(dashboard.dashboard(vault, actor=rooms.seat_outside(user)))


@api.get("/calendar", responses={403: {}})
@form_action(Action.GOVERN_VIEW)
def get_calendar(
    user: CurrentUser,
    vault: VaultDep,
    department: Annotated[str | None, Query(max_length=32)] = None,
) -> list[DueItemOut]:
    """Everything due, by date; ``department`` narrows to one department's items."""
    today = clock.today()
    dept = departments.check(department) if department else None
    items = calendar.calendar(vault, actor=rooms.seat_outside(user), today=today, department=dept)
    return [_out(i, today) for i in items]


@pages.get("/govern")
def hub(request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    board = _dashboard(dashboard.dashboard(vault, actor=rooms.seat_outside(user)))
    return render(
        request,
        "govern/hub.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        sections=SECTIONS,
        board=board,
        departments=[(code, departments.label(code)) for code in departments.DEPARTMENTS],
        state_label=calendar.state_label,
        department_label=departments.label,
    )


def can_govern(user: accounts.UserPublic) -> bool:
    """Whether the start page links to the governance hub."""
    return allowed(rooms.seat_outside(user), Action.GOVERN_VIEW)
