"""What the administrator does to other people's accounts (the users page, ``/api/v1/users``):
a new one-time setup link, disabling and enabling again, lifting a lock after failed sign-ins.

Creating and listing users stay in :mod:`baomi.services.accounts`, beside the sign-in they
serve. Each use case here asks the permission table first and records its event in the
transaction of the change. Disabling ends the user's sessions in that same transaction (so
enabling them later does not bring an old session back) and voids their unused setup links;
nobody disables their own account, so an administrator cannot lock the installation out.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts, audit
from baomi.services.accounts import UserPublic
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, now
from baomi.storage.models import SetupLink, User, WebSession


def _existing(session: Session, username: str) -> User:
    user = accounts._user(session, accounts.check_username(username))
    if user is None:
        raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
    return user


def new_setup_link(vault: Vault, *, actor: Actor, username: str) -> tuple[UserPublic, str]:
    """A new one-time setup link token for ``username`` (a forgotten password, a link that ran
    out); the user's earlier unused links stop working. A password already set keeps working
    until the link is used. Refused for a disabled user: enable them first."""
    audit.require(vault, actor, Action.USER_SETUP_LINK, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if user.disabled:
            raise InputError(
                tr(
                    f"用户 {user.username} 已停用，请先启用",
                    f"user {user.username} is disabled: enable them first",
                )
            )
        token = accounts._new_setup_link(session, user)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.USER_SETUP_LINK,
            obj=user.id,
            details={"had_password": user.password_hash is not None},
        )
        return accounts._public(user), token


def disable(vault: Vault, *, actor: Actor, username: str) -> UserPublic:
    """Disable ``username``: every session of theirs ends now, their unused setup links stop
    working, and they cannot sign in until enabled. Disabling a disabled user changes nothing."""
    audit.require(vault, actor, Action.USER_DISABLE, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if user.username == actor.name:
            raise InputError(tr("不能停用自己的账号", "you cannot disable your own account"))
        if user.disabled:
            return accounts._public(user)
        stamp = now()
        live = session.execute(
            select(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
        ).scalars()
        ended = 0
        for row in live:
            row.revoked_at = stamp
            ended += 1
        session.execute(
            update(SetupLink)
            .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
            .values(used_at=stamp)
        )
        user.disabled = True
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.USER_DISABLE,
            obj=user.id,
            details={"sessions_ended": ended},
        )
        return accounts._public(user)


def enable(vault: Vault, *, actor: Actor, username: str) -> UserPublic:
    """Let a disabled user sign in again (with their password, or a new setup link); their
    old sessions stay ended. Enabling an enabled user changes nothing."""
    audit.require(vault, actor, Action.USER_ENABLE, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if user.disabled:
            user.disabled = False
            audit.record(session, vault, actor=actor, action=AuditAction.USER_ENABLE, obj=user.id)
        return accounts._public(user)


def unlock(vault: Vault, *, actor: Actor, username: str) -> UserPublic:
    """Lift the lock that ``BAOMI_LOGIN_MAX_FAILURES`` wrong passwords put on ``username``
    before ``BAOMI_LOCKOUT_MINUTES`` run out, and start their count of failures afresh."""
    audit.require(vault, actor, Action.USER_UNLOCK, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if accounts._lock_in_force(user) is None:
            raise InputError(
                tr(f"用户 {user.username} 未被锁定", f"user {user.username} is not locked")
            )
        user.locked_until, user.failed_logins = None, 0
        audit.record(session, vault, actor=actor, action=AuditAction.USER_UNLOCK, obj=user.id)
        return accounts._public(user)
