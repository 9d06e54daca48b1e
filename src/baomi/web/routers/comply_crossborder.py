"""Provision records (NDS-12) and the cross-border route (CAC Order 16): the JSON API and the
pages (the list with the form for a provision made outside baomi, and the assessment)."""

from __future__ import annotations

import datetime as _dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts
from baomi.services.comply import crossborder, crossborder_report, provisions, scope
from baomi.services.comply.profile import Location
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/rooms", tags=["compliance"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)

MAX_COUNT = 2_000_000_000


class ProvisionPublic(BaseModel):
    id: str
    deal_id: str
    provided_at: str
    provided_on: str
    individuals: int
    sensitive_individuals: int
    purpose: str
    recipient: str
    recipient_user: str
    region: Location
    remote_access: bool
    abroad: bool
    source: provisions.Source
    package_id: str | None
    deduplicated: bool
    keep_until: str
    recorded_at: str
    recorded_by: str


class ProvisionCreate(BaseModel):
    recipient: str = Field(min_length=1, max_length=200)
    region: Location
    individuals: int = Field(ge=0, le=MAX_COUNT)
    sensitive: int = Field(default=0, ge=0, le=MAX_COUNT)
    purpose: str = Field(default="", max_length=provisions.MAX_TEXT)
    date: _dt.date | None = None
    remote_access: bool = False


class PointPublic(BaseModel):
    text: str
    rule_id: str
    label: str
    note: str


class RoutePublic(BaseModel):
    outcome: crossborder.Outcome
    abroad: bool
    individuals: int
    sensitive_individuals: int
    reasons: list[PointPublic]
    duties: list[PointPublic]


class CrossBorderPublic(BaseModel):
    deal: str
    uscc: str
    year: int
    location: Location
    remote_access: bool
    ciio: bool
    important_data: bool
    exemption: str | None
    individuals: int
    sensitive_individuals: int
    not_deduplicated: int
    deduplicated: bool
    deals: list[str]
    provisions: list[ProvisionPublic]
    route: RoutePublic
    planned_individuals: int
    planned_sensitive: int
    what_if: RoutePublic


def _actor(vault: Vault, user: accounts.UserPublic, deal: str) -> Actor:
    """The user's actor for this deal: their role in its room, else their platform role."""
    return scope.seat_actor(vault, user, deal)


Year = Annotated[int | None, Query(ge=2021, le=2100)]


@api.get("/{deal}/comply/provisions", responses={403: {}})
def list_provisions(deal: str, user: CurrentUser, vault: VaultDep) -> list[ProvisionPublic]:
    found = provisions.provisions(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    return [ProvisionPublic(**p.to_json()) for p in found]


@api.post("/{deal}/comply/provisions", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.COMPLY_EDIT)
def add_provision(
    deal: str, body: ProvisionCreate, user: CurrentUser, vault: VaultDep
) -> ProvisionPublic:
    p = provisions.add_manual(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        recipient=body.recipient,
        region=body.region,
        individuals=body.individuals,
        sensitive=body.sensitive,
        purpose=body.purpose,
        provided_on=body.date,
        remote_access=body.remote_access,
    )
    return ProvisionPublic(**p.to_json())


@api.get("/{deal}/comply/crossborder", responses={403: {}})
@form_action(Action.COMPLY_VIEW)
def get_crossborder(
    deal: str, user: CurrentUser, vault: VaultDep, year: Year = None
) -> CrossBorderPublic:
    cb = crossborder.assess(vault, actor=_actor(vault, user, deal), deal_ref=deal, year=year)
    return CrossBorderPublic(**crossborder_report.to_json(cb))


# --- pages -------------------------------------------------------------------------------------


@pages.get("/rooms/{deal}/comply/provisions")
def provisions_page(
    deal: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    error: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    found = provisions.provisions(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    return render(
        request,
        "comply/provisions.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        table=crossborder_report.provision_table(found),
        records=found,
        regions=[(loc.value, loc.label) for loc in Location],
        today=provisions.today_in_china().isoformat(),
        error=error,
    )


Short = Annotated[str, Form(max_length=200)]
Count = Annotated[int, Form(ge=0, le=MAX_COUNT)]


@pages.post("/rooms/{deal}/comply/provisions")
def provisions_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    recipient: Short,
    region: Short,
    individuals: Count,
    sensitive: Annotated[int, Form(ge=0, le=MAX_COUNT)] = 0,
    purpose: Annotated[str, Form(max_length=provisions.MAX_TEXT)] = "",
    date: Annotated[str, Form(max_length=10)] = "",
    remote_access: Annotated[bool, Form()] = False,
) -> Response:
    back = f"/rooms/{quote(deal)}/comply/provisions"
    try:
        provisions.add_manual(
            vault,
            actor=_actor(vault, user, deal),
            deal_ref=deal,
            recipient=recipient,
            region=Location(region),
            individuals=individuals,
            sensitive=sensitive,
            purpose=purpose,
            provided_on=_dt.date.fromisoformat(date) if date else None,
            remote_access=remote_access,
        )
    except (InputError, PermissionDeniedError, ValueError) as exc:
        return RedirectResponse(f"{back}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(back, status_code=303)


@pages.get("/rooms/{deal}/comply/crossborder")
def crossborder_page(
    deal: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    year: Year = None,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    cb = crossborder.assess(vault, actor=_actor(vault, user, deal), deal_ref=deal, year=year)
    return render(
        request,
        "comply/crossborder.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        report=crossborder_report.build(cb),
    )
