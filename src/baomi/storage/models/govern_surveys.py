"""Govern — customer satisfaction surveys about information protection: the survey and its
questions, the anonymous responses (no personal information is asked; free text is stored with
any identifier masked), and the improvement actions taken from the results."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Survey(Base):
    __tablename__ = "govern_surveys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    #: the public link's secret part (``/survey/{token}``)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: ``draft`` | ``open`` | ``closed``
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: the aggregate results are on a public page
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[str | None] = mapped_column(String(40), default=None)
    closed_at: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class SurveyQuestion(Base):
    __tablename__ = "govern_survey_questions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("govern_surveys.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: ``scale`` (1-5) | ``choice`` (one of the options) | ``text``
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(500))
    #: the options of a choice question (JSON list)
    options: Mapped[str] = mapped_column(Text, default="[]")
    required: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyResponse(Base):
    """One anonymous response: no account, no address, no contact."""

    __tablename__ = "govern_survey_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("govern_surveys.id"), index=True)
    #: question id → answer (an int 1-5, an option, or masked free text; JSON object)
    answers: Mapped[str] = mapped_column(Text)
    #: identifiers masked in the free text
    masked: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[str] = mapped_column(String(40))


class SurveyAction(Base):
    """An improvement action from the results: owning department and due date (a calendar
    item)."""

    __tablename__ = "govern_survey_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[str] = mapped_column(ForeignKey("govern_surveys.id"), index=True)
    text: Mapped[str] = mapped_column(String(2000))
    department: Mapped[str] = mapped_column(String(32))
    due: Mapped[str] = mapped_column(String(10))
    done_at: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
