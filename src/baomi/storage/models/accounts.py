"""The data room's accounts: users, web sessions and one-time setup links.

Passwords are stored only as argon2id hashes; a TOTP secret only sealed (AES-256-GCM under the
platform's field key). A session or setup token is stored only as its SHA-256: whoever reads the
database cannot replay it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class User(Base):
    """A person who signs in to the data room; ``role`` is the platform role (permissions)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    #: the department code (services/govern/departments.py): RACI, training assignments
    department: Mapped[str | None] = mapped_column(String(32), default=None)
    #: the e-mail address for notifications (staff contact data: sealed with the field key)
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: the secret shown during enrolment, sealed, until a right code turns it on (0018)
    totp_pending_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: the 30-second step of the last one-time code that signed in: a code works once
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(40), default=None)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class WebSession(Base):
    """A signed-in browser or API client; idle and absolute expiry are checked on every use."""

    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[str] = mapped_column(String(40))
    last_seen_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)


class SetupLink(Base):
    """A one-time link that lets a user set a password (the first administrator, new users)."""

    __tablename__ = "setup_links"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[str | None] = mapped_column(String(40), default=None)
