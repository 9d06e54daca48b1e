"""The response context's tables: incidents, their playbook steps (and, later, drills and
data-subject requests).

An incident's title and description may name customers, so both are sealed with the platform's
field key; the counts, grade and times are plain (they are what the clocks and reports read).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id"), index=True, default=None)
    title_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    description_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(40))
    discovered_at: Mapped[str] = mapped_column(String(40))
    #: the operator runs critical information infrastructure (1-hour clock, INC-4)
    ciio: Mapped[bool] = mapped_column(Boolean, default=False)
    individuals: Mapped[int] = mapped_column(BigInteger, default=0)
    sensitive_individuals: Mapped[int] = mapped_column(BigInteger, default=0)
    #: ``inventory`` (computed from the linked documents) or ``manual``
    counted_from: Mapped[str] = mapped_column(String(16), default="manual")
    #: the linked documents (object ids, JSON list)
    objects: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: remedial measures effectively avoid harm: individuals need not be notified (PIPL-57)
    harm_avoided: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_notified_at: Mapped[str | None] = mapped_column(String(40), default=None)
    individuals_notified_at: Mapped[str | None] = mapped_column(String(40), default=None)
    provincial_reported_at: Mapped[str | None] = mapped_column(String(40), default=None)
    handling_ended_at: Mapped[str | None] = mapped_column(String(40), default=None)
    summary_reported_at: Mapped[str | None] = mapped_column(String(40), default=None)
    attributed_recipient: Mapped[str | None] = mapped_column(String(200), default=None)
    attributed_package: Mapped[str | None] = mapped_column(String(64), default=None)
    attributed_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    #: the title and description were masked before they were sealed (migration 0019: rows
    #: stored before that carry False until ``baomi incident remask`` masks and re-seals them)
    masked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class IncidentStep(Base):
    """One step of the emergency plan for one incident: owner, checklist, timestamps."""

    __tablename__ = "incident_steps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(40))
    #: checklist items ticked (JSON list of item keys)
    ticked: Mapped[str] = mapped_column(Text, default="[]")
    started_at: Mapped[str | None] = mapped_column(String(40), default=None)
    done_at: Mapped[str | None] = mapped_column(String(40), default=None)
    done_by: Mapped[str | None] = mapped_column(String(200), default=None)
    #: seconds a restore took (the restore step's measured recovery time)
    seconds: Mapped[float | None] = mapped_column(Float, default=None)


class Drill(Base):
    """An emergency drill: a scenario run as a timed exercise of the plan (S35-10.1)."""

    __tablename__ = "drills"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario: Mapped[str] = mapped_column(Text)
    participants: Mapped[str] = mapped_column(Text, default="")
    scheduled_for: Mapped[str] = mapped_column(String(40))
    #: target minutes per playbook step (JSON object)
    targets: Mapped[str] = mapped_column(Text, default="{}")
    started_at: Mapped[str | None] = mapped_column(String(40), default=None)
    #: per step: {"start": ts, "end": ts} (JSON object)
    timings: Mapped[str] = mapped_column(Text, default="{}")
    ended_at: Mapped[str | None] = mapped_column(String(40), default=None)
    findings: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class DrillAction(Base):
    """An improvement action from a drill: what, who (department), by when, done."""

    __tablename__ = "drill_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    drill_id: Mapped[str] = mapped_column(ForeignKey("drills.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(40))
    due: Mapped[str] = mapped_column(String(10))
    done_at: Mapped[str | None] = mapped_column(String(40), default=None)


# --- data-subject requests ---


class SubjectRequest(Base):
    """A data-subject request (PIPL 44-50): its kind, the requester's contact (sealed with the
    platform's field key), when it arrived and when the answer is due (S35-8.7)."""

    __tablename__ = "subject_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the reference number the requester is given (no personal value in it)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id"), index=True, default=None)
    kind: Mapped[str] = mapped_column(String(32))
    #: ``staff`` (taken by staff) or ``public`` (the public request page)
    channel: Mapped[str] = mapped_column(String(16))
    contact_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    details_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: the reasons of a refusal (PIPL-50), sealed: they may name the requester
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    answered_at: Mapped[str | None] = mapped_column(String(40), default=None)
    closed_at: Mapped[str | None] = mapped_column(String(40), default=None)
    #: the last search for the requester's data (entity, where, hits per file and positions),
    #: sealed: document names may name people
    search_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    searched_at: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class SubjectVerification(Base):
    """One identity-verification step of a request: how, the result, by whom, when. No
    identifier value is stored — at most a keyed hash of the one checked."""

    __tablename__ = "subject_verifications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    passed: Mapped[bool] = mapped_column(Boolean)
    #: HMAC-SHA256 (platform index key) of the canonical identifier checked, first 16 hex
    id_hash: Mapped[str | None] = mapped_column(String(16), default=None)
    checked_by: Mapped[str] = mapped_column(String(200))
    checked_at: Mapped[str] = mapped_column(String(40))


class SubjectIndex(Base):
    """One document's person index: every identifier occurrence as (sheet, row, column, entity,
    keyed hash), sealed with the deal's data key — so it is shredded with the deal's documents.
    Built on the first search of the deal (``baomi subject find --deal``)."""

    __tablename__ = "subject_index"

    object_id: Mapped[str] = mapped_column(ForeignKey("objects.id"), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    entries: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[str] = mapped_column(String(40))
