"""A room's audit page: filtered events, CSV export, the chain's status."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    Query,
    Request,
    Response,
)
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from baomi.errors import InputError
from baomi.services import accounts
from baomi.services.dataroom import auditlog, rooms
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.pages import render
from baomi.web.responses import errors

#: every room endpoint needs a session and names a deal that may not exist
api = APIRouter(prefix="/api/v1/rooms", tags=["audit"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)


# --- audit -------------------------------------------------------------------------------------


class EventPublic(BaseModel):
    seq: int
    ts: str
    actor: str
    action: str
    object: str
    outcome: str
    details: dict[str, Any]


class ChainPublic(BaseModel):
    ok: bool
    events: int
    checkpoints: int
    first_bad: int | None
    reason: str | None


class AuditPublic(BaseModel):
    chain: ChainPublic
    events: list[EventPublic]


FilterArg = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True)
class Typed:
    """The audit filters as typed in the query string (one dependency for the page, API and
    CSV); :func:`auditlog.filter_from` reads them."""

    actor: str | None = None
    action: str | None = None
    document: str | None = None
    since: str | None = None
    until: str | None = None

    def read(self) -> auditlog.AuditFilter:
        return auditlog.filter_from(self.actor, self.action, self.document, self.since, self.until)


def _typed(
    actor: FilterArg = None,
    action: FilterArg = None,
    document: FilterArg = None,
    since: FilterArg = None,
    until: FilterArg = None,
) -> Typed:
    return Typed(actor, action, document, since, until)


AuditQuery = Annotated[Typed, Depends(_typed)]


@api.get("/{deal}/audit", responses={403: {}})
def room_audit(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    filt: AuditQuery,
) -> AuditPublic:
    seat = rooms.seat(vault, user, deal)
    events = auditlog.deal_events(vault, seat, deal, filt.read())
    chain = auditlog.chain_status(vault, seat, deal)
    return AuditPublic(
        chain=ChainPublic(**asdict(chain)), events=[EventPublic(**asdict(e)) for e in events]
    )


@api.get(
    "/{deal}/audit.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 403: {}},
)
def room_audit_csv(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    filt: AuditQuery,
) -> Response:
    seat = rooms.seat(vault, user, deal)
    events = auditlog.deal_events(vault, seat, deal, filt.read())
    return Response(
        "\ufeff" + auditlog.to_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": "attachment; filename=audit.csv"},
    )


@pages.get("/rooms/{deal}/audit")
def audit_page(
    deal: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    filt: AuditQuery,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    seat = rooms.seat(vault, user, deal)
    error: str | None = None
    try:
        read = filt.read()
    except InputError as exc:  # said above the form: no list that reads as "nothing happened"
        error, read = str(exc), None
    events = auditlog.deal_events(vault, seat, deal, read) if read is not None else []
    return render(
        request,
        "audit.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        events=events,
        chain=auditlog.chain_status(vault, seat, deal),
        filt=filt,
        error=error,
        query=request.url.query,
        action_label=auditlog.action_label,
        outcome_label=auditlog.outcome_label,
        object_label=auditlog.object_label,
        deal_id=rooms.deal_id(vault, deal),
        limit=auditlog.MAX_ROWS,
    )
