"""Govern: internal audits (PIPL-54) — each audit with its scope, frequency and auditors, its
findings, their remediation actions and follow-up notes — and the responsibilities (RACI) table.

Nothing here is personal data: scopes, findings and actions describe the company's measures;
auditors are names of the audit leads or institutions (as the audit measures name them).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class GovernAudit(Base):
    """One internal audit: planned for a date, repeated every ``frequency_months``."""

    __tablename__ = "govern_audits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(Text)
    frequency_months: Mapped[int] = mapped_column(Integer)
    #: ISO date the audit is planned for
    planned_for: Mapped[str] = mapped_column(String(10), index=True)
    #: the auditors (leads or institutions), JSON list of names
    auditors: Mapped[str] = mapped_column(Text, default="[]")
    completed_at: Mapped[str | None] = mapped_column(String(40), default=None)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class GovernAuditFinding(Base):
    """A finding of an audit, with its severity; closed when verified after remediation."""

    __tablename__ = "govern_audit_findings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("govern_audits.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    #: low | medium | high | critical
    severity: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[str | None] = mapped_column(String(40), default=None)
    closed_by: Mapped[str | None] = mapped_column(String(200), default=None)


class GovernAuditAction(Base):
    """A remediation action for a finding: what, which department, by when, done by whom."""

    __tablename__ = "govern_audit_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("govern_audit_findings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(32))
    due: Mapped[str] = mapped_column(String(10))
    done_at: Mapped[str | None] = mapped_column(String(40), default=None)
    done_by: Mapped[str | None] = mapped_column(String(200), default=None)


class GovernAuditNote(Base):
    """A follow-up note on a finding (what was checked, what remains)."""

    __tablename__ = "govern_audit_notes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("govern_audit_findings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(200))


class GovernRaci(Base):
    """One cell of the responsibilities table as edited (the shipped default is data until the
    first edit): an activity, a department and its letter (R, A, C or I)."""

    __tablename__ = "govern_raci"

    activity: Mapped[str] = mapped_column(String(40), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    letter: Mapped[str] = mapped_column(String(1))
