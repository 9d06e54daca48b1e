"""The data room's accounts: users, web sessions, one-time setup links, what a page shows
once to a session (a new setup link) between a form and the page it redirects to, and the
attempts the rate limits per client address counted.

Passwords are stored only as argon2id hashes; a TOTP secret only sealed (AES-256-GCM under the
platform's field key). A session or setup token is stored only as its SHA-256: whoever reads the
database cannot replay it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
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


class ShownOnceValue(Base):
    """What a form made that its page shows once to the session that sent it (0020): sealed with
    the platform's field key (bound to its kind and session), keyed by a keyed hash of the
    session's token, deleted when read or once ``expires_at`` (UTC, ISO 8601 with microseconds,
    so that the text sorts as the time) has passed (``services/shown_once.py``). In the database
    rather than a process's memory: every process of the data room reads what another made."""

    __tablename__ = "shown_once"

    #: what the value is (``setup_link``): a session holds one of each kind
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[str] = mapped_column(String(40), index=True)


class ThrottleBucket(Base):
    """The attempts one client address made at one rate-limited door (sign-in, the public
    request page, a survey) in the last window (0021), so that every process of the data room
    counts every process's attempts (``services/throttle.py``). The address is kept only as a
    keyed hash; the row is deleted once ``expires_at`` (the newest attempt plus the window,
    UTC, ISO 8601 with microseconds) has passed."""

    __tablename__ = "throttle_buckets"

    #: the door (``login``, ``request``, ``survey``): each has its own limit and window
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: a keyed hash of the client's address, never the address
    client_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the times of the attempts let through within the window, oldest first, space-separated
    hits: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[str] = mapped_column(String(40), index=True)
