"""Governance — training (GB/T 35273 §11.6): which course is assigned to which department or
role, and every quiz attempt with its score and, when passed, its certificate's verification
code. The courses themselves are data (``services/govern/courses/*.yaml``), named here by id.

Nothing here is customer PI: a username, a course id, the chosen answers' numbers and a score.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class TrainingAssignment(Base):
    """A course assigned to everyone of a department or of a role (or both: either matches),
    due ``due_days`` after ``assigned_on``."""

    __tablename__ = "training_assignments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(32), default=None)
    role: Mapped[str | None] = mapped_column(String(32), default=None)
    due_days: Mapped[int] = mapped_column(Integer)
    #: ISO date
    assigned_on: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class TrainingAttempt(Base):
    """One answered quiz: the answers' numbers (JSON list), the score and the pass mark it was
    held to; ``code`` is the certificate's verification code when it passed."""

    __tablename__ = "training_attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    answers: Mapped[str] = mapped_column(Text)
    correct: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    #: percent, rounded down
    score: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
