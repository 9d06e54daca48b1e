"""Dependencies as named aliases: the vault, the signed-in user, the session token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.vault import Vault
from baomi.web.security import SESSION_COOKIE


def get_vault(request: Request) -> Vault:
    vault: Vault = request.app.state.vault
    return vault


def session_token(request: Request) -> str | None:
    """The session token from the cookie, or from ``Authorization: Bearer`` (API clients)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def optional_user(request: Request) -> UserPublic | None:
    return accounts.session_user(get_vault(request), session_token(request))


def current_user(request: Request) -> UserPublic:
    user = optional_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail=tr("请先登录", "sign in first"))
    return user


VaultDep = Annotated[Vault, Depends(get_vault)]
TokenDep = Annotated[str | None, Depends(session_token)]
CurrentUser = Annotated[UserPublic, Depends(current_user)]
OptionalUser = Annotated[UserPublic | None, Depends(optional_user)]
