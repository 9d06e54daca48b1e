"""The optional second factor (TOTP, RFC 6238): enrolment and turning it on.

Enrolment keeps its secret on the server. :func:`start_totp` makes a secret once and keeps it
sealed (the platform's field key) in the user's row as the *pending* secret; showing the page
again shows the same one. :func:`enable_totp` checks a code against that pending secret only —
a client never sends a secret — and a wrong code leaves it as it was, so the entry already added
to the authenticator keeps working. A right code moves it to ``totp_sealed``, which
:func:`baomi.services.accounts.login` asks a code for, and counts as used
(``totp_last_step``): it does not sign in as well. A user whose factor is on cannot start
again: a session alone does not replace a factor (an administrator resets a lost one)."""

from __future__ import annotations

import pyotp
from sqlalchemy.orm import Session

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts, audit
from baomi.services.accounts import UserPublic
from baomi.services.vault import Vault
from baomi.storage.models import User


def _pending_aad(user_id: str) -> bytes:
    # not the factor's own associated data: a pending secret cannot pass for a turned-on one
    return crypto.aad("totp-pending", user=user_id)


def _account(session: Session, username: str) -> User:
    user = accounts._user(session, username)
    if user is None:
        raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
    if user.totp_sealed is not None:
        raise InputError(tr("两步验证已开启", "two-step verification is on already"))
    return user


def start_totp(vault: Vault, *, username: str) -> str:
    """The pending secret of ``username``'s enrolment, made (and sealed) the first time."""
    key = vault.platform_key("fields")
    with vault.reading() as session:
        user = _account(session, username)
        if user.totp_pending_sealed is not None:
            return crypto.open_sealed(key, user.totp_pending_sealed, _pending_aad(user.id)).decode(
                "ascii"
            )
    with vault.transaction() as session:
        user = _account(session, username)
        if user.totp_pending_sealed is None:  # not made by a request meanwhile
            user.totp_pending_sealed = crypto.seal(
                key, pyotp.random_base32().encode("ascii"), _pending_aad(user.id)
            )
        sealed = user.totp_pending_sealed
        return crypto.open_sealed(key, sealed, _pending_aad(user.id)).decode("ascii")


def enable_totp(vault: Vault, *, username: str, code: str) -> UserPublic:
    """Turn on the second factor once ``code`` proves the authenticator holds the pending secret;
    :class:`InputError` (the pending secret kept) for a wrong code or no enrolment started."""
    key = vault.platform_key("fields")
    with vault.transaction() as session:
        user = _account(session, username)
        if user.totp_pending_sealed is None:
            raise InputError(tr("请先在账号页面添加密钥", "add the key on the account page first"))
        secret = crypto.open_sealed(key, user.totp_pending_sealed, _pending_aad(user.id))
        step = accounts._totp_step(secret.decode("ascii"), code)
        if step is None:
            raise InputError(tr("验证码不正确", "the code is not right"))
        user.totp_sealed = crypto.seal(key, secret, accounts._totp_aad(user.id))
        user.totp_pending_sealed = None
        user.totp_last_step = step  # used: it cannot sign in too, nor an earlier step's code
        audit.record(
            session, vault, actor=accounts._as(user), action=AuditAction.USER_TOTP, obj=user.id
        )
        return accounts._public(user)


def totp_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="baomi")
