"""The optional second factor (TOTP, RFC 6238): a new secret, its ``otpauth://`` URI, and turning
it on once the user proves their authenticator holds it. The secret is stored only sealed (the
platform's field key); :func:`baomi.services.accounts.login` asks for the code."""

from __future__ import annotations

import binascii

import pyotp

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts, audit
from baomi.services.accounts import UserPublic
from baomi.services.vault import Vault


def enable_totp(vault: Vault, *, username: str, secret: str, code: str) -> UserPublic:
    """Turn on the second factor once the user proves the authenticator holds ``secret``."""
    try:
        right = pyotp.TOTP(secret).verify(code, valid_window=1)
    except (ValueError, binascii.Error):  # not a base32 secret
        right = False
    if not right:
        raise InputError(tr("验证码不正确", "the code is not right"))
    with vault.transaction() as session:
        user = accounts._user(session, username)
        if user is None:
            raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
        user.totp_sealed = crypto.seal(
            vault.platform_key("fields"), secret.encode("ascii"), accounts._totp_aad(user.id)
        )
        audit.record(
            session, vault, actor=accounts._as(user), action=AuditAction.USER_TOTP, obj=user.id
        )
        return accounts._public(user)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="baomi")
