"""What the administrator does to other people's accounts (the users page, ``/api/v1/users``):
a new one-time setup link, disabling and enabling again, lifting a lock after failed sign-ins,
clearing the second factor (TOTP) of a user who lost their authenticator.

Creating and listing users stay in :mod:`baomi.services.accounts`, beside the sign-in they
serve. Each use case here asks the permission table first and records its event in the
transaction of the change. Disabling ends the user's sessions in that same transaction (so
enabling them later does not bring an old session back) and voids their unused setup links;
nobody disables their own account, so an administrator cannot lock the installation out.
Resetting the second factor ends the user's sessions too: whoever signed in with the lost
authenticator is signed out. Nobody resets their own second factor: a session alone does not
strip its account of a factor (a stolen session would leave the account weaker); another
administrator does it, or the key holder with ``baomi user reset-totp`` (docs/dataroom.md).

A use case asked for what is already so (disabling a disabled user, enabling an enabled one,
unlocking one not locked, resetting a second factor that is not set) is refused with the
reason, and nothing is recorded; :func:`said` is what the administrator is told once one was
done.
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

#: what the administrator is told once each use case was done to a user (Chinese, English)
_SAID: dict[Action, tuple[str, str]] = {
    Action.USER_DISABLE: ("已停用 {}", "{} disabled"),
    Action.USER_ENABLE: ("已启用 {}", "{} enabled"),
    Action.USER_UNLOCK: ("已解锁 {}", "{} unlocked"),
    Action.USER_RESET_TOTP: (
        "已重置 {} 的两步验证，其会话均已结束；下次凭密码登录后可重新绑定验证器",
        "{}'s two-step verification reset and their sessions ended: they sign in with the "
        "password and can set up a new authenticator",
    ),
}


def said(action: Action, username: str) -> str:
    """The line that tells the administrator ``action`` was done to ``username`` (the page's
    notice, the command's output)."""
    chinese, english = _SAID[action]
    return tr(chinese.format(username), english.format(username))


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


def _end_sessions(
    session: Session, vault: Vault, *, actor: Actor, action: AuditAction, user: User, stamp: str
) -> None:
    """End every live session of ``user`` at ``stamp`` and record ``action`` (the change that
    ends them) with how many there were."""
    live = session.execute(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
    ).scalars()
    ended = 0
    for row in live:
        row.revoked_at = stamp
        ended += 1
    audit.record(
        session, vault, actor=actor, action=action, obj=user.id, details={"sessions_ended": ended}
    )


def disable(vault: Vault, *, actor: Actor, username: str) -> UserPublic:
    """Disable ``username``: every session of theirs ends now, their unused setup links stop
    working, and they cannot sign in until enabled. Refused for a disabled user."""
    audit.require(vault, actor, Action.USER_DISABLE, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if user.username == actor.name:
            raise InputError(tr("不能停用自己的账号", "you cannot disable your own account"))
        if user.disabled:
            raise InputError(
                tr(f"用户 {user.username} 已停用", f"user {user.username} is already disabled")
            )
        stamp = now()
        session.execute(
            update(SetupLink)
            .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
            .values(used_at=stamp)
        )
        user.disabled = True
        _end_sessions(
            session, vault, actor=actor, action=AuditAction.USER_DISABLE, user=user, stamp=stamp
        )
        return accounts._public(user)


def enable(vault: Vault, *, actor: Actor, username: str) -> UserPublic:
    """Let a disabled user sign in again (with their password, or a new setup link); their
    old sessions stay ended. Refused for a user who is not disabled."""
    audit.require(vault, actor, Action.USER_ENABLE, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if not user.disabled:
            raise InputError(
                tr(f"用户 {user.username} 未停用", f"user {user.username} is not disabled")
            )
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


def reset_totp(vault: Vault, *, actor: Actor, username: str) -> UserPublic:
    """Clear the second factor (TOTP) of ``username``, who lost their authenticator: the sealed
    secret and the step of the last code that signed in are removed and every session of theirs
    ends now. They sign in with their password alone and can set up a new authenticator on
    ``/account``. Refused for a user without a second factor, and for one's own account (see the
    module's docstring)."""
    audit.require(vault, actor, Action.USER_RESET_TOTP, obj="user")
    with vault.transaction() as session:
        user = _existing(session, username)
        if user.username == actor.name:
            raise InputError(
                tr(
                    "不能重置自己的两步验证：请另一位管理员或持有密钥的操作人"
                    "（baomi user reset-totp）重置",
                    "you cannot reset your own two-step verification: another administrator "
                    "or the key holder (baomi user reset-totp) does it",
                )
            )
        if user.totp_sealed is None:
            raise InputError(
                tr(
                    f"用户 {user.username} 未开启两步验证，无需重置",
                    f"user {user.username} has no two-step verification to reset",
                )
            )
        user.totp_sealed, user.totp_last_step = None, None
        user.totp_pending_sealed = None
        _end_sessions(
            session, vault, actor=actor, action=AuditAction.USER_RESET_TOTP, user=user, stamp=now()
        )
        return accounts._public(user)
