"""The data room's tables: a room per deal, members, NDAs and acceptances, grants, copies, Q&A.

A room adds to a vault deal (``deals.id``) what the parties of a transfer work with: the target
company, the stage, the recipient's region and the de-identification policy. Documents stay the
vault's encrypted objects; a grant names a folder of them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Room(Base):
    __tablename__ = "rooms"

    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), primary_key=True)
    target_name: Mapped[str] = mapped_column(String(200))
    target_uscc: Mapped[str] = mapped_column(String(18))
    stage: Mapped[str] = mapped_column(String(20))
    recipient_region: Mapped[str] = mapped_column(String(40))
    policy: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class Member(Base):
    """A user's place in one deal: the side they are on and their role there."""

    __tablename__ = "room_members"
    __table_args__ = (UniqueConstraint("deal_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    side: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class Nda(Base):
    """One published version of a room's NDA, the exact text and its SHA-256."""

    __tablename__ = "ndas"
    __table_args__ = (UniqueConstraint("deal_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class NdaAcceptance(Base):
    """A user's acceptance of one NDA version: who, when, from where, and the text's hash."""

    __tablename__ = "nda_acceptances"
    __table_args__ = (UniqueConstraint("nda_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nda_id: Mapped[str] = mapped_column(ForeignKey("ndas.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    accepted_name: Mapped[str] = mapped_column(String(200))
    accepted_at: Mapped[str] = mapped_column(String(40))
    client: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))


class Grant(Base):
    """A side's access to a folder of the room: ``view`` or ``download``, until it expires."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    side: Mapped[str] = mapped_column(String(16))
    folder: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class Copy(Base):
    """A protected copy handed to a user outside the seller's side (a provision, PIPL-23), and
    the user's confirmation that it was deleted once the deal ended (PIPL-21, PIPL-47)."""

    __tablename__ = "room_copies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    object_id: Mapped[str] = mapped_column(ForeignKey("objects.id"))
    package_id: Mapped[str | None] = mapped_column(String(64), default=None)
    individuals: Mapped[int | None] = mapped_column(Integer, default=None)
    #: when it was first downloaded (``None``: only previewed, nothing left with the user)
    provided_at: Mapped[str | None] = mapped_column(String(40), default=None)
    deletion_confirmed_at: Mapped[str | None] = mapped_column(String(40), default=None)


class Question(Base):
    """A question of the due diligence and its answer; both texts sealed with the deal's key
    (they may name customers)."""

    __tablename__ = "room_questions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    asked_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[str] = mapped_column(String(40))
    text_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    attachment_id: Mapped[str | None] = mapped_column(String(32), default=None)
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    answered_at: Mapped[str | None] = mapped_column(String(40), default=None)
    answer_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    answer_attachment_id: Mapped[str | None] = mapped_column(String(32), default=None)
