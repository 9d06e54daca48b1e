"""Govern — notifications: the in-app inbox of each user and the reminders already sent (one
per calendar item per day)."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Notification(Base):
    __tablename__ = "govern_notifications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    read_at: Mapped[str | None] = mapped_column(String(40), default=None)


class ReminderSent(Base):
    """A calendar item reminded on a day (the reminder run sends each item once a day)."""

    __tablename__ = "govern_reminders_sent"
    __table_args__ = (UniqueConstraint("item", "day"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``kind:ref`` of the calendar item
    item: Mapped[str] = mapped_column(String(200))
    day: Mapped[str] = mapped_column(String(10))
    recipients: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[str] = mapped_column(String(40))
