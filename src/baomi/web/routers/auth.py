"""Sign-in, sign-out and password setup: the JSON API and the pages over the same services."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts, totp
from baomi.services.accounts import SignedIn, UserPublic
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.pages import render
from baomi.web.responses import errors
from baomi.web.security import PRE_CSRF_COOKIE, SESSION_COOKIE, Throttle

api = APIRouter(prefix="/api/v1/auth", tags=["auth"])
pages = APIRouter(include_in_schema=False)

#: sign-in attempts per client address per window (OWASP ASVS 2.2.1), for all processes together
LOGIN_LIMIT = 10
LOGIN_WINDOW = 60.0


def throttle(vault: Vault) -> Throttle:
    """The sign-in limiter (one per app: ``app.state.login_throttle``)."""
    return Throttle(vault, "login", limit=LOGIN_LIMIT, window=LOGIN_WINDOW)


class LoginRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=accounts.MAX_PASSWORD)
    totp: str | None = Field(default=None, max_length=10)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    totp: bool


class SessionOut(BaseModel):
    token: str
    csrf_token: str
    expires_at: str
    user: UserOut


class MeOut(BaseModel):
    user: UserOut
    csrf_token: str | None


def _user_out(user: UserPublic) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        totp=user.totp,
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _sign_in(request: Request, username: str, password: str, totp: str | None) -> SignedIn:
    if not request.app.state.login_throttle.allow(_client(request)):
        raise HTTPException(
            status_code=429,
            detail=tr("登录尝试过多，请稍后再试", "too many sign-in attempts; wait a minute"),
        )
    try:
        return accounts.login(
            request.app.state.vault,
            username=username,
            password=password,
            totp=totp or None,
            client=_client(request),
        )
    except PermissionDeniedError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from None


def _set_session_cookie(request: Request, response: Response, signed: SignedIn) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


@api.post("/login", responses=errors(400, 401, 429))
def api_login(body: LoginRequest, request: Request, response: Response) -> SessionOut:
    signed = _sign_in(request, body.username, body.password, body.totp)
    _set_session_cookie(request, response, signed)
    return SessionOut(
        token=signed.token,
        csrf_token=accounts.csrf_token(request.app.state.vault, signed.token),
        expires_at=signed.expires_at,
        user=_user_out(signed.user),
    )


@api.post("/logout", status_code=204)
def api_logout(vault: VaultDep, token: TokenDep, response: Response) -> None:
    accounts.logout(vault, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@api.get("/me", responses=errors(401))
def api_me(user: CurrentUser, vault: VaultDep, token: TokenDep) -> MeOut:
    return MeOut(
        user=_user_out(user), csrf_token=accounts.csrf_token(vault, token) if token else None
    )


# --- pages -----------------------------------------------------------------------------------


def _with_pre_csrf(
    request: Request, template: str, status_code: int = 200, **context: object
) -> Response:
    pre = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
    # a form anyone may send (a setup link, the public request page, a survey): sent from a
    # browser signed in here, it is checked against the session's token, so it carries that one
    session = request.cookies.get(SESSION_COOKIE)
    vault = request.app.state.vault
    shown = (
        accounts.csrf_token(vault, session)
        if session and accounts.session_user(vault, session) is not None
        else pre
    )
    response = render(request, template, status_code=status_code, pre_csrf=shown, **context)
    response.set_cookie(
        PRE_CSRF_COOKIE, pre, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@pages.get("/login")
def login_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return _with_pre_csrf(request, "login.html")


@pages.post("/login")
def login_form(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD)],
    totp: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        signed = _sign_in(request, username, password, totp)
    except HTTPException as exc:
        return _with_pre_csrf(
            request, "login.html", status_code=exc.status_code, error=exc.detail, username=username
        )
    response = RedirectResponse("/", status_code=303)
    _set_session_cookie(request, response, signed)
    return response


@pages.post("/logout")
def logout_form(vault: VaultDep, token: TokenDep) -> Response:
    accounts.logout(vault, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _invalid_link(request: Request, token: str) -> Response:
    """The page of a setup link that is used, expired or unknown: the message, no form."""
    message = tr("设置链接无效或已过期", "the setup link is invalid or has expired")
    return _with_pre_csrf(
        request, "setup.html", status_code=403, token=token, error=message, invalid=True
    )


@pages.get("/setup/{token}")
def setup_page(request: Request, vault: VaultDep, token: str) -> Response:
    account = accounts.setup_link_user(vault, token)
    if account is None:  # said at once, not after the password was typed twice
        return _invalid_link(request, token)
    return _with_pre_csrf(request, "setup.html", token=token, account=account)


@pages.post("/setup/{token}")
def setup_form(
    request: Request,
    vault: VaultDep,
    token: str,
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD)],
    confirm: Annotated[str, Form(max_length=accounts.MAX_PASSWORD)],
) -> Response:
    try:
        if password != confirm:
            raise InputError(tr("两次输入的密码不一致", "the two passwords differ"))
        accounts.complete_setup(vault, token=token, password=password)
    except PermissionDeniedError:
        return _invalid_link(request, token)
    except InputError as exc:
        return _with_pre_csrf(
            request,
            "setup.html",
            status_code=400,
            token=token,
            error=str(exc),
            account=accounts.setup_link_user(vault, token),
        )
    return _with_pre_csrf(request, "setup.html", token=token, done=True)


# --- second factor (TOTP, RFC 6238) ------------------------------------------------------------


class TotpStart(BaseModel):
    secret: str
    uri: str


class TotpConfirm(BaseModel):
    """The code only: the secret it is checked against is the one the server keeps."""

    code: str = Field(min_length=6, max_length=8)


@api.post("/totp/start", responses=errors(400, 401))
def totp_start(user: CurrentUser, vault: VaultDep) -> TotpStart:
    """The pending secret for the authenticator app (the same one until it is confirmed)."""
    secret = totp.start_totp(vault, username=user.username)
    return TotpStart(secret=secret, uri=totp.totp_uri(secret, user.username))


@api.post("/totp/confirm", status_code=204, responses=errors(400, 401))
def totp_confirm(body: TotpConfirm, user: CurrentUser, vault: VaultDep) -> None:
    totp.enable_totp(vault, username=user.username, code=body.code)


@pages.get("/account")
def account_page(
    request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    secret = None if user.totp else totp.start_totp(vault, username=user.username)
    return render(
        request,
        "account.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        secret=secret,
        uri=totp.totp_uri(secret, user.username) if secret else None,
        error=request.query_params.get("error"),
    )


@pages.post("/account/totp")
def account_totp(
    user: CurrentUser, vault: VaultDep, code: Annotated[str, Form(max_length=8)]
) -> Response:
    try:
        totp.enable_totp(vault, username=user.username, code=code)
    except InputError as exc:
        return RedirectResponse(f"/account?error={quote(str(exc))}", status_code=303)
    return RedirectResponse("/account", status_code=303)
