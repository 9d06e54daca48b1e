"""Notifications: each signed-in user's own in-app inbox (``/notifications``, the bell in the
header) and its JSON twin (``/api/v1/notifications``). The service decides: every role may read
and mark its own notifications, no one another's."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from baomi.errors import InputError
from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.govern import notify
from baomi.services.permissions import Action
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(
    prefix="/api/v1/notifications", tags=["notifications"], responses=errors(400, 401, 403)
)
pages = APIRouter(include_in_schema=False)


@api.get("", responses={403: {}})
@form_action(Action.NOTIFICATION_READ)
def list_notifications(
    user: CurrentUser, vault: VaultDep, unread: Annotated[bool, Query()] = False
) -> list[dict[str, Any]]:
    """The caller's own notifications, newest first (``unread=true``: unread ones only)."""
    found = notify.inbox(vault, actor=rooms.seat_outside(user), unread_only=unread)
    return [asdict(n) for n in found]


@api.post("/{notification}/read", responses={400: {}, 403: {}})
def read_one(notification: str, user: CurrentUser, vault: VaultDep) -> dict[str, int]:
    n = notify.mark_read(vault, actor=rooms.seat_outside(user), notification_id=notification)
    return {"marked": n}


@api.post("/read", responses={403: {}})
def read_all(user: CurrentUser, vault: VaultDep) -> dict[str, int]:
    return {"marked": notify.mark_read(vault, actor=rooms.seat_outside(user))}


@pages.get("/notifications")
def notifications_page(
    request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        "notifications.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        items=notify.inbox(vault, actor=rooms.seat_outside(user)),
        error=request.query_params.get("error"),
    )


@pages.post("/notifications/read")
def read_form(user: CurrentUser, vault: VaultDep) -> Response:
    notify.mark_read(vault, actor=rooms.seat_outside(user))
    return RedirectResponse("/notifications", status_code=303)


@pages.post("/notifications/{notification}/read")
def read_one_form(notification: str, user: CurrentUser, vault: VaultDep) -> Response:
    # already gone or not the caller's: the list shows what there is
    with suppress(InputError):
        notify.mark_read(vault, actor=rooms.seat_outside(user), notification_id=notification)
    return RedirectResponse("/notifications", status_code=303)
