"""The signed-in start page."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.dataroom.stages import label
from baomi.services.permissions import ROLE_LABELS, Action, allowed, reaches
from baomi.web.deps import OptionalUser, TokenDep, VaultDep
from baomi.web.pages import render
from baomi.web.routers.govern import can_govern

pages = APIRouter(include_in_schema=False)


@pages.get("/")
def home(request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    role = tr(*ROLE_LABELS.get(user.role, (user.role, user.role)))
    entries = [
        {"room": e.room, "stage_label": label(e.room.stage), "nda_pending": e.nda_pending}
        for e in rooms.rooms_for(vault, user)
    ]
    actor = rooms.seat_outside(user)
    company = rooms.company_actor(vault, user)
    return render(
        request,
        "home.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        role_label=role,
        entries=entries,
        # the company's registers: the table asked with the user's seller-side scope, so a
        # counsel seated on the buyer's side only is not shown what it cannot use
        can_drills=reaches(company, Action.DRILL_VIEW),
        can_requests=reaches(company, Action.REQUEST_VIEW),
        can_govern=can_govern(user),
        can_users=allowed(actor, Action.USER_CREATE),
        can_open=allowed(actor, Action.ROOM_OPEN),
        error=request.query_params.get("error"),
    )
