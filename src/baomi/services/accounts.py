"""Accounts of the data room: users, passwords, one-time setup links, sessions, second factor.

- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended
  parameter set). A login for an unknown user verifies against a dummy hash, so the response
  takes as long as for a known user (OWASP ASVS 2.2, timing).
- After ``login_max_failures`` wrong passwords in a row an account is locked for
  ``lockout_minutes``; the lock is reported as a failed login, never as "locked" to the caller
  before the password is known to be right, so a lock does not reveal that the user exists.
- A session token is 32 random bytes given to the client once; the database holds its SHA-256.
  Each use checks the idle and the absolute expiry (ASVS 3.3). The CSRF token of a session is an
  HMAC of the session token under a key derived from the platform's index key: nothing to store,
  nothing a database reader can forge.
- Every sign-in, failure, lock, sign-out and setup is an audit-chain event in the same
  transaction; an unknown user name is recorded only as a keyed hash (it may be someone's phone).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.govern import departments
from baomi.services.permissions import Action, Actor, Role, recipient_only
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Member, SetupLink, User, WebSession

log = logging.getLogger(__name__)

#: Platform roles a user may hold; what each may do is the permission table's business.
ROLES = tuple(r.value for r in Role)
#: Who records what the service does on its own (first administrator, expired sessions).
SYSTEM = Actor("system", Role.ADMIN)
MIN_PASSWORD = 12  # ASVS 2.1.1: at least 12 characters
MAX_PASSWORD = 128  # ASVS 2.1.2: at least 64 allowed; longer is refused before hashing
SETUP_LINK_HOURS = 24
SEEN_EVERY_SECONDS = 60  # last_seen_at is written at most once a minute per session
_USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
#: an e-mail address for notifications (RFC 5321 lengths; no spaces, one @, a dot in the domain)
_EMAIL = re.compile(r"[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,251}\.[^@\s<>,;\".]{2,63}")


@dataclass(frozen=True)
class UserPublic:
    """A user as the pages and the API show it: no hash, no secret."""

    id: str
    username: str
    display_name: str
    role: str
    has_password: bool
    totp: bool
    disabled: bool
    department: str | None = None
    #: an e-mail address for notifications is on file (the address itself is sealed)
    has_email: bool = False
    #: until when failed sign-ins lock the account (``None``: no lock in force)
    locked_until: str | None = None
    #: the sides of the rooms the user is seated in (``Actor.seats``: the company's own records
    #: are not for an account seated on the buyer's side only)
    seats: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SignedIn:
    """A new session: the token goes to the client once and is never stored in clear."""

    token: str
    user: UserPublic
    expires_at: str


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _ts(value: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(value)


def _later(minutes: float) -> str:
    return (_dt.datetime.now(_dt.UTC) + _dt.timedelta(minutes=minutes)).isoformat()


def _public(user: User) -> UserPublic:
    session = object_session(user)
    seats = (
        frozenset(session.execute(select(Member.side).where(Member.user_id == user.id)).scalars())
        if session is not None
        else frozenset()
    )
    return UserPublic(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.password_hash is not None,
        user.totp_sealed is not None,
        user.disabled,
        user.department,
        user.email_sealed is not None,
        _lock_in_force(user),
        seats,
    )


def _lock_in_force(user: User) -> str | None:
    """``user.locked_until`` while it lies ahead, else ``None``."""
    until = user.locked_until
    return until if until is not None and _ts(until) > _dt.datetime.now(_dt.UTC) else None


def _denied() -> PermissionDeniedError:
    return PermissionDeniedError(tr("用户名或密码错误", "wrong user name or password"))


def _code_denied(missing: bool) -> PermissionDeniedError:
    """After the right password only (see :func:`_check_and_open`)."""
    if missing:
        return PermissionDeniedError(
            tr(
                "需要验证码：请输入验证器应用中的 6 位动态码",
                "a code is needed: type the 6-digit code from your authenticator app",
            )
        )
    return PermissionDeniedError(
        tr("验证码不正确或已用过", "the code is not right or was used already")
    )


def check_username(username: str) -> str:
    """The canonical user name (lower case); :class:`InputError` for anything but ``a-z0-9._-``."""
    name = username.strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= _USERNAME_CHARS:
        raise InputError(
            tr(
                "用户名须为 2–64 个字符，只含小写字母、数字和 . _ -",
                "a user name has 2–64 characters: lower-case letters, digits and . _ -",
            )
        )
    return name


def check_password(password: str, *, username: str = "") -> None:
    """ASVS 2.1: 12–128 characters, not the user name, not one repeated character."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(
            tr(
                f"密码须为 {MIN_PASSWORD}–{MAX_PASSWORD} 个字符",
                f"a password has {MIN_PASSWORD}–{MAX_PASSWORD} characters",
            )
        )
    if len(set(password)) < 4 or (username and username.lower() in password.lower()):
        raise InputError(
            tr(
                "密码太容易猜到（重复字符或包含用户名）",
                "the password is too easy to guess (repeated characters or the user name)",
            )
        )


def _user(session: Session, username: str) -> User | None:
    return session.execute(
        select(User).where(User.username == username.strip().lower())
    ).scalar_one_or_none()


def list_users(vault: Vault, *, actor: Actor) -> list[UserPublic]:
    audit.require(vault, actor, Action.USER_CREATE, obj="user")
    with vault.reading() as session:
        return [_public(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def count_users(vault: Vault) -> int:
    with vault.reading() as session:
        return int(session.execute(select(func.count()).select_from(User)).scalar_one())


def _as(user: User) -> Actor:
    """A user as the audit log and the permission table see them."""
    return Actor(user.username, Role(user.role))


def create_user(
    vault: Vault,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    department: str | None = None,
) -> tuple[UserPublic, str]:
    """A new user without a password, and the one-time setup link token that sets it."""
    audit.require(vault, actor, Action.USER_CREATE, obj="user")
    name = check_username(username)
    if role not in ROLES:
        raise InputError(tr(f"未知角色 {role}", f"unknown role {role}"))
    dept = departments.check(department) if department else None
    display = display_name.strip() or name
    with vault.transaction() as session:
        if _user(session, name) is not None:
            raise InputError(tr(f"用户 {name} 已存在", f"user {name} exists already"))
        user = User(
            id=new_id(),
            username=name,
            display_name=display[:200],
            role=role,
            department=dept,
            failed_logins=0,
            disabled=False,
            created_at=now(),
            created_by=actor.name,
        )
        session.add(user)
        session.flush()
        token = _new_setup_link(session, user)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.USER_CREATE,
            obj=user.id,
            details={"role": role},
        )
        return _public(user), token


def set_department(
    vault: Vault, *, actor: Actor, username: str, department: str | None
) -> UserPublic:
    """Put ``username`` in a department (``None``: in none)."""
    audit.require(vault, actor, Action.USER_DEPARTMENT, obj="user")
    dept = departments.check(department) if department else None
    with vault.transaction() as session:
        user = _user(session, check_username(username))
        if user is None:
            raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
        user.department = dept
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.USER_DEPARTMENT,
            obj=user.id,
            details={"department": dept},
        )
        return _public(user)


def _email_aad(user_id: str) -> bytes:
    return crypto.aad("email", user=user_id)


def check_email(email: str) -> str:
    """``email`` if it looks like an address (trimmed), else a clear error."""
    value = email.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise InputError(tr("电子邮箱格式无效", "not an e-mail address"))
    return value


def set_email(vault: Vault, *, actor: Actor, username: str, email: str | None) -> UserPublic:
    """Set (or with ``None`` remove) the address ``username``'s notifications go to. Staff
    contact data is personal information: it is stored sealed with the platform's field key,
    and the audit log records only that it was set or removed."""
    audit.require(vault, actor, Action.USER_CREATE, obj="user")
    address = check_email(email) if email else None
    with vault.transaction() as session:
        user = _user(session, check_username(username))
        if user is None:
            raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
        user.email_sealed = (
            crypto.seal(vault.platform_key("fields"), address.encode(), _email_aad(user.id))
            if address
            else None
        )
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.USER_EMAIL,
            obj=user.id,
            details={"email": "set" if address else "removed"},
        )
        return _public(user)


def contacts(vault: Vault, usernames: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The e-mail address of each of ``usernames`` that has one and is not disabled (no
    permission check: for the notification service, which sends to them and shows no address)."""
    if not usernames:
        return {}
    key = vault.platform_key("fields")
    with vault.reading() as session:
        rows = session.execute(
            select(User).where(User.username.in_(list(usernames)), User.disabled.is_(False))
        ).scalars()
        return {
            u.username: crypto.open_sealed(key, u.email_sealed, _email_aad(u.id)).decode()
            for u in rows
            if u.email_sealed is not None
        }


def is_active(vault: Vault, username: str) -> bool:
    """Whether ``username`` is a user who is not disabled (no permission check: whether a
    reminder can reach them)."""
    with vault.reading() as session:
        found = session.execute(
            select(User.id).where(User.username == username, User.disabled.is_(False))
        ).first()
    return found is not None


def members_of(vault: Vault, department: str) -> list[str]:
    """The usernames (not disabled) in ``department`` (no permission check: for reminders),
    less accounts seated only on the buyer's side: the company's reminders are not theirs
    (``permissions.COMPANY_ONLY``)."""
    with vault.reading() as session:
        users = session.execute(
            select(User)
            .where(User.department == department, User.disabled.is_(False))
            .order_by(User.username)
        ).scalars()
        return [
            u.username
            for u in users
            if not recipient_only(Actor(u.username, Role(u.role), seats=_public(u).seats))
        ]


def _new_setup_link(session: Session, user: User) -> str:
    """A fresh link for ``user``; earlier unused links of the user stop working."""
    session.execute(
        update(SetupLink)
        .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None))
        .values(used_at=now())
    )
    token = secrets.token_urlsafe(32)
    session.add(
        SetupLink(
            token_sha256=_sha256(token),
            user_id=user.id,
            created_at=now(),
            expires_at=_later(SETUP_LINK_HOURS * 60),
        )
    )
    return token


def bootstrap_admin(vault: Vault, *, username: str = "admin") -> str | None:
    """On a home with no administrator who has a password: a one-time setup link token for one.

    Called when the service starts: the first start creates the administrator; later starts
    issue a new link while nobody has used one (the old links stop working). ``None`` once an
    administrator has set a password.
    """
    with vault.transaction() as session:
        admins = session.execute(select(User).where(User.role == "admin")).scalars().all()
        if any(a.password_hash is not None for a in admins):
            return None
        if admins:
            user = admins[0]
        else:
            user = User(
                id=new_id(),
                username=check_username(username),
                display_name=tr("管理员", "Administrator"),
                role="admin",
                failed_logins=0,
                disabled=False,
                created_at=now(),
                created_by="system",
            )
            session.add(user)
            session.flush()
            audit.record(
                session,
                vault,
                actor=SYSTEM,
                action=AuditAction.USER_CREATE,
                obj=user.id,
                details={"role": "admin"},
            )
        return _new_setup_link(session, user)


def set_password(vault: Vault, *, actor: Actor, username: str, password: str) -> UserPublic:
    """An administrator sets a user's password (the demo's accounts at each start)."""
    audit.require(vault, actor, Action.USER_CREATE, obj="user")
    with vault.transaction() as session:
        user = _user(session, username)
        if user is None:
            raise InputError(tr(f"没有用户 {username}", f"no user {username}"))
        check_password(password, username=user.username)
        user.password_hash = _hasher().hash(password)
        user.failed_logins, user.locked_until = 0, None
        audit.record(session, vault, actor=actor, action=AuditAction.USER_SETUP, obj=user.id)
        return _public(user)


def setup_link_user(vault: Vault, token: str) -> str | None:
    """The user name a live (unused, unexpired) setup link is for, shown on its page so that
    the person knows which account they set; ``None`` for any other token."""
    with vault.reading() as session:
        link = _live_link(session, token)
        user = None if link is None else session.get(User, link.user_id)
        return None if user is None else user.username


def _live_link(session: Session, token: str) -> SetupLink | None:
    """The setup link ``token`` names, if it is unused and within its time."""
    link = session.get(SetupLink, _sha256(token))
    if link is None or link.used_at is not None:
        return None
    return link if _ts(link.expires_at) >= _dt.datetime.now(_dt.UTC) else None


def complete_setup(vault: Vault, *, token: str, password: str) -> UserPublic:
    """Set the password of the user a setup link names; the link works once, within its time."""
    with vault.transaction() as session:
        link = _live_link(session, token)
        if link is None:
            raise PermissionDeniedError(
                tr("设置链接无效或已过期", "the setup link is invalid or has expired")
            )
        user = session.get(User, link.user_id)
        assert user is not None
        check_password(password, username=user.username)
        stamp = now()
        # a reset (a password there before) may be because the account is in other hands:
        # the sessions signed in with the old password end with it
        ended = 0
        if user.password_hash is not None:
            for row in session.execute(
                select(WebSession).where(
                    WebSession.user_id == user.id, WebSession.revoked_at.is_(None)
                )
            ).scalars():
                row.revoked_at, ended = stamp, ended + 1
        user.password_hash = _hasher().hash(password)
        user.failed_logins, user.locked_until = 0, None
        link.used_at = stamp
        audit.record(
            session,
            vault,
            actor=_as(user),
            action=AuditAction.USER_SETUP,
            obj=user.id,
            details={"sessions_ended": ended} if ended else None,
        )
        return _public(user)


def login(
    vault: Vault, *, username: str, password: str, totp: str | None = None, client: str = ""
) -> SignedIn:
    """A new session, or :class:`PermissionDeniedError` with one message for every failure."""
    password = password[: MAX_PASSWORD + 1]
    signed: SignedIn | PermissionDeniedError | None = None
    with vault.reading() as session:
        user = _user(session, username)
        stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    # argon2 (~0.1 s, 64 MiB) outside the write transaction: on SQLite that is BEGIN IMMEDIATE,
    # and every other writer would queue behind each login's hash
    ok = _verify(stored, password)
    with vault.transaction() as session:  # a failure is recorded (and counted) before it is raised
        user = _user(session, username)
        if user is not None and user.password_hash and user.password_hash != stored:
            ok = _verify(user.password_hash, password)  # changed meanwhile: check the new one
        if user is None or user.password_hash is None:
            audit.record(
                session,
                vault,
                actor=Actor(_anonymous(vault, username), Role.BUYER),
                action=AuditAction.AUTH_LOGIN,
                obj="-",
                outcome="failure",
                details={"reason": "unknown user", "client": client},
            )
        else:
            signed = _check_and_open(vault, session, user, ok, totp, client)
    if not isinstance(signed, SignedIn):
        raise signed or _denied()
    return signed


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_and_open(
    vault: Vault, session: Session, user: User, ok: bool, totp: str | None, client: str
) -> SignedIn | PermissionDeniedError:
    """The rest of a login once the password was checked: lock, second factor, new session.

    Only after the right password does the answer say more than :func:`_denied`: that a code
    is needed, or that the code is wrong. Whoever lacks the password learns nothing from it (a
    wrong password gets the one answer, TOTP on or not, and an unknown user too); whoever has
    it is told what is still missing, as any two-step sign-in does. A wrong code counts towards
    the lockout like a wrong password (guessing codes is bounded); a missing one does not (it
    is the first step of a sign-in, not a guess)."""
    settings = vault.settings
    assert user.password_hash is not None
    locked = _lock_in_force(user) is not None
    second: bool = True
    step: int | None = None
    missing = False
    if ok and user.totp_sealed is not None:
        missing = not (totp or "").strip()
        step = None if missing else _totp_step(_totp_secret(vault, user), totp)
        # a code works once: not again, nor an earlier step's after a later one signed in
        second = step is not None and (user.totp_last_step is None or step > user.totp_last_step)
    if not ok or not second or locked or user.disabled:
        reason = (
            "disabled"
            if user.disabled
            else "locked"
            if locked
            else ("second factor missing" if missing else "second factor")
            if ok
            else "password"
        )
        if not (ok and missing) and not locked:
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = _later(settings.lockout_minutes)
                user.failed_logins = 0
                reason += "; locked"
        _login_event(session, vault, user, "failure", {"reason": reason, "client": client})
        if ok and not user.disabled and _lock_in_force(user) is None:
            return _code_denied(missing)
        return _denied()
    user.failed_logins, user.locked_until = 0, None
    if step is not None:
        user.totp_last_step = step
    token = secrets.token_urlsafe(32)
    stamp = now()
    expires = _later(settings.session_absolute_minutes)
    session.add(
        WebSession(
            token_sha256=_sha256(token),
            user_id=user.id,
            created_at=stamp,
            last_seen_at=stamp,
            expires_at=expires,
        )
    )
    _login_event(session, vault, user, "success", {"client": client})
    return SignedIn(token, _public(user), expires)


def _login_event(
    session: Session, vault: Vault, user: User, outcome: str, details: dict[str, str]
) -> None:
    audit.record(
        session,
        vault,
        actor=_as(user),
        action=AuditAction.AUTH_LOGIN,
        obj=user.id,
        outcome=outcome,
        details=details,
    )


def _anonymous(vault: Vault, username: str) -> str:
    """An unknown user name as it may be recorded: a keyed hash (it may be a person's phone)."""
    digest = crypto.keyed_hash(vault.platform_key("index"), username.strip().lower())
    return f"unknown:{digest[:16]}"


def _session_needs_write(vault: Vault, row: WebSession) -> bool:
    """Whether checking this session changes it: it expires now, or ``last_seen_at`` is due."""
    moment = _dt.datetime.now(_dt.UTC)
    seen = _ts(row.last_seen_at)
    return (
        moment - seen > _dt.timedelta(minutes=vault.settings.session_idle_minutes)
        or _ts(row.expires_at) <= moment
        or (moment - seen).total_seconds() >= SEEN_EVERY_SECONDS
    )


def session_user(vault: Vault, token: str | None) -> UserPublic | None:
    """The user a session token signs in, or ``None`` (unknown, revoked, idle or expired)."""
    if not token:
        return None
    with vault.reading() as session:  # the usual case writes nothing: no write lock per request
        row = session.get(WebSession, _sha256(token))
        if row is None or row.revoked_at is not None:
            return None
        if not _session_needs_write(vault, row):
            user = session.get(User, row.user_id)
            return None if user is None or user.disabled else _public(user)
    settings = vault.settings
    with vault.transaction() as session:
        row = session.get(WebSession, _sha256(token))
        if row is None or row.revoked_at is not None:
            return None
        moment = _dt.datetime.now(_dt.UTC)
        idle = moment - _ts(row.last_seen_at) > _dt.timedelta(minutes=settings.session_idle_minutes)
        if idle or _ts(row.expires_at) <= moment:
            row.revoked_at = now()
            audit.record(
                session,
                vault,
                actor=SYSTEM,
                action=AuditAction.AUTH_EXPIRE,
                obj=row.user_id,
                details={"reason": "idle" if idle else "absolute"},
            )
            return None
        user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        if (moment - _ts(row.last_seen_at)).total_seconds() >= SEEN_EVERY_SECONDS:
            row.last_seen_at = moment.isoformat()
        return _public(user)


def logout(vault: Vault, token: str | None) -> None:
    """End a session (nothing happens for an unknown one)."""
    if not token:
        return
    with vault.transaction() as session:
        row = session.get(WebSession, _sha256(token))
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = now()
        user = session.get(User, row.user_id)
        audit.record(
            session,
            vault,
            actor=_as(user) if user is not None else SYSTEM,
            action=AuditAction.AUTH_LOGOUT,
            obj=row.user_id,
        )


def csrf_token(vault: Vault, session_token: str) -> str:
    """The CSRF token bound to a session (an HMAC of the session token; not stored)."""
    key = crypto.hkdf(vault.platform_key("index"), "baomi web csrf")
    return crypto.keyed_hash(key, session_token)


def message_key(vault: Vault) -> bytes:
    """The key that signs the messages a page shows from its address (``?notice=``…,
    ``web/security.SignedMessages``): derived from the platform's keys, so every process of
    one installation signs and verifies alike (not stored, never logged)."""
    return crypto.hkdf(vault.platform_key("index"), "baomi web messages")


def check_csrf(vault: Vault, session_token: str, presented: str | None) -> bool:
    return presented is not None and crypto.constant_time_equal(
        csrf_token(vault, session_token), presented
    )


def _totp_step(secret: str, code: str | None) -> int | None:
    """The 30-second step (this one, the one before or after: clocks drift) whose code
    ``code`` is, or ``None``."""
    code = unicodedata.normalize("NFKC", code or "").strip()  # full-width digits as typed
    if not code.isascii() or not code.isdigit():  # compare_digest refuses non-ASCII text
        return None
    gen = pyotp.TOTP(secret)
    current = gen.timecode(_dt.datetime.now(_dt.UTC))
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(gen.generate_otp(step), code):
            return step
    return None


def _totp_aad(user_id: str) -> bytes:
    return crypto.aad("totp", user=user_id)


def _totp_secret(vault: Vault, user: User) -> str:
    assert user.totp_sealed is not None
    sealed = crypto.open_sealed(vault.platform_key("fields"), user.totp_sealed, _totp_aad(user.id))
    return sealed.decode("ascii")
