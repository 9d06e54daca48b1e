"""Users (administrators only, as the permission table says): the JSON API and the users page
``/admin/users`` over the same services — list, create with a one-time setup link, a new link,
disable and enable, unlock, reset a lost second factor (TOTP).

The API answers a setup link in the JSON that made it. The page's forms answer with a redirect
back to the page (POST-redirect-GET), so that reloading the page never sends a form again; a
setup link a form made waits server-side, sealed in the database, for that session's next
read of the page from any process of the data room (:class:`baomi.web.security.ShownOnce`),
shown once and never put in a URL (browser history, logs). Every other form comes back with a signed message: what was done, or why not."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts, users
from baomi.services.accounts import UserPublic
from baomi.services.dataroom import rooms
from baomi.services.govern.departments import DEPARTMENTS
from baomi.services.permissions import ROLE_LABELS, Action, Role
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.security import ShownOnce

api = APIRouter(prefix="/api/v1/users", tags=["users"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    role: Role
    department: str | None = Field(default=None, max_length=32)


class DepartmentSet(BaseModel):
    department: str | None = Field(default=None, max_length=32)


class EmailSet(BaseModel):
    email: str | None = Field(default=None, max_length=254)


class UserPublicOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    has_password: bool
    totp: bool
    disabled: bool
    department: str | None = None
    has_email: bool = False
    #: until when failed sign-ins lock the account (null: no lock in force)
    locked_until: str | None = None


class UserCreated(BaseModel):
    user: UserPublicOut
    setup_link: str


@api.get("", responses={403: {}})
def list_users(user: CurrentUser, vault: VaultDep) -> list[UserPublicOut]:
    found = accounts.list_users(vault, actor=rooms.seat_outside(user))
    return [UserPublicOut(**asdict(u)) for u in found]


@api.post("", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.USER_CREATE)
def create_user(
    body: UserCreate, request: Request, user: CurrentUser, vault: VaultDep
) -> UserCreated:
    created, token = accounts.create_user(
        vault,
        actor=rooms.seat_outside(user),
        username=body.username,
        display_name=body.display_name,
        role=body.role.value,
        department=body.department,
    )
    link = str(request.url_for("setup_page", token=token))
    return UserCreated(user=UserPublicOut(**asdict(created)), setup_link=link)


@api.put("/{username}/department", responses={400: {}, 403: {}})
@form_action(Action.USER_DEPARTMENT)
def set_department(
    username: str, body: DepartmentSet, user: CurrentUser, vault: VaultDep
) -> UserPublicOut:
    """Put a user in a department (services/govern/departments.py), or in none."""
    changed = accounts.set_department(
        vault, actor=rooms.seat_outside(user), username=username, department=body.department
    )
    return UserPublicOut(**asdict(changed))


@api.put("/{username}/email", responses={400: {}, 403: {}})
@form_action(Action.USER_CREATE)
def set_email(username: str, body: EmailSet, user: CurrentUser, vault: VaultDep) -> UserPublicOut:
    """Set (or remove) the address a user's notifications go to (stored sealed)."""
    changed = accounts.set_email(
        vault, actor=rooms.seat_outside(user), username=username, email=body.email
    )
    return UserPublicOut(**asdict(changed))


def _out(found: UserPublic) -> UserPublicOut:
    return UserPublicOut(**asdict(found))


@api.post("/{username}/setup-link", responses={400: {}, 403: {}})
def new_setup_link(
    username: str, request: Request, user: CurrentUser, vault: VaultDep
) -> UserCreated:
    """A new one-time setup link (24 h); the user's earlier unused links stop working."""
    found, token = users.new_setup_link(vault, actor=rooms.seat_outside(user), username=username)
    link = str(request.url_for("setup_page", token=token))
    return UserCreated(user=_out(found), setup_link=link)


@api.post("/{username}/disable", responses={400: {}, 403: {}})
def disable(username: str, user: CurrentUser, vault: VaultDep) -> UserPublicOut:
    """Disable a user: their sessions end now and they cannot sign in."""
    return _out(users.disable(vault, actor=rooms.seat_outside(user), username=username))


@api.post("/{username}/enable", responses={400: {}, 403: {}})
def enable(username: str, user: CurrentUser, vault: VaultDep) -> UserPublicOut:
    return _out(users.enable(vault, actor=rooms.seat_outside(user), username=username))


@api.post("/{username}/unlock", responses={400: {}, 403: {}})
def unlock(username: str, user: CurrentUser, vault: VaultDep) -> UserPublicOut:
    """Lift the lock that failed sign-ins put on the account."""
    return _out(users.unlock(vault, actor=rooms.seat_outside(user), username=username))


@api.post("/{username}/reset-totp", responses={400: {}, 403: {}})
def reset_totp(username: str, user: CurrentUser, vault: VaultDep) -> UserPublicOut:
    """Clear a user's second factor (a lost authenticator): their sessions end; they sign in
    with the password and can set up a new authenticator. Not one's own."""
    return _out(users.reset_totp(vault, actor=rooms.seat_outside(user), username=username))


# --- the users page ----------------------------------------------------------------------------

PAGE = "/admin/users"
Short = Annotated[str, Form(max_length=200)]
#: a user's name and the setup link token just issued for them
Made = tuple[str, str]


def _encoded(made: Made) -> str:
    return json.dumps(list(made))


def _decoded(text: str) -> Made:
    username, token = json.loads(text)
    return str(username), str(token)


def held_links(vault: Vault) -> ShownOnce[Made]:
    """Where the page's forms leave the setup link they made for the page to show once."""
    return ShownOnce(vault, "setup_link", encode=_encoded, decode=_decoded)


def _setup_links(request: Request) -> ShownOnce[Made]:
    held: ShownOnce[Made] = request.app.state.setup_links
    return held


def _page(request: Request, vault: VaultDep, user: UserPublic, token: str) -> Response:
    """The page, with the setup link a form of this session just issued (shown this once)."""
    listed = accounts.list_users(vault, actor=rooms.seat_outside(user))
    made = _setup_links(request).take(token)
    return render(
        request,
        "users.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        users=listed,
        roles=[(r.value, tr(*ROLE_LABELS[r.value])) for r in Role],
        role_labels={code: tr(*names) for code, names in ROLE_LABELS.items()},
        departments=[(code, tr(*names)) for code, names in DEPARTMENTS.items()],
        department_labels={code: tr(*names) for code, names in DEPARTMENTS.items()},
        made=made and (made[0], str(request.url_for("setup_page", token=made[1]))),
        error=request.query_params.get("error"),
        notice=request.query_params.get("notice"),
    )


def _back(work: Callable[[], object], notice: Callable[[], str] | None = None) -> Response:
    """Do ``work`` and go back to the page, with the refusal or bad value as its error, or
    ``notice`` as what was done (signed on the way: ``SignedMessages``)."""
    try:
        work()
    except (InputError, PermissionDeniedError) as exc:
        return RedirectResponse(f"{PAGE}?error={quote(str(exc))}", 303)
    return RedirectResponse(f"{PAGE}?notice={quote(notice())}" if notice else PAGE, 303)


def _issued(
    request: Request, token: str | None, issue: Callable[[], tuple[UserPublic, str]]
) -> Response:
    """Issue a setup link with ``issue`` and go back to the page, which shows it once to this
    session (POST-redirect-GET: a reload reads the page, it does not issue another link), or
    with the refusal."""

    def work() -> None:
        user, link = issue()
        if token is not None:  # always, with the session CurrentUser found
            _setup_links(request).put(token, (user.username, link))

    return _back(work)


def _changed(
    username: str,
    user: UserPublic,
    vault: VaultDep,
    use: Callable[..., UserPublic],
    action: Action,
) -> Response:
    """One of the row's buttons: ``use`` on ``username``, back with what was done or why not."""
    done: list[UserPublic] = []
    return _back(
        lambda: done.append(use(vault, actor=rooms.seat_outside(user), username=username)),
        lambda: users.said(action, done[0].username),
    )


@pages.get(PAGE)
def users_page(request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    return _page(request, vault, user, token)


@pages.post(PAGE)
def create_form(
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    token: TokenDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=32)],
    display_name: Short = "",
    department: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    return _issued(
        request,
        token,
        lambda: accounts.create_user(
            vault,
            actor=rooms.seat_outside(user),
            username=username,
            display_name=display_name,
            role=role,
            department=department or None,
        ),
    )


@pages.post(PAGE + "/{username}/setup-link")
def setup_link_form(
    username: str, request: Request, user: CurrentUser, vault: VaultDep, token: TokenDep
) -> Response:
    return _issued(
        request,
        token,
        lambda: users.new_setup_link(vault, actor=rooms.seat_outside(user), username=username),
    )


@pages.post(PAGE + "/{username}/disable")
def disable_form(username: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _changed(username, user, vault, users.disable, Action.USER_DISABLE)


@pages.post(PAGE + "/{username}/enable")
def enable_form(username: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _changed(username, user, vault, users.enable, Action.USER_ENABLE)


@pages.post(PAGE + "/{username}/unlock")
def unlock_form(username: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _changed(username, user, vault, users.unlock, Action.USER_UNLOCK)


@pages.post(PAGE + "/{username}/reset-totp")
def reset_totp_form(username: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _changed(username, user, vault, users.reset_totp, Action.USER_RESET_TOTP)
