"""The compliance context's tables: the company's facts, each deal's transfer profile, and (added
by the comply services) provision records, assessments, the checklist, third parties and notices.

Company facts are keyed by the target company's unified social credit code (a room's
``target_uscc``) so that figures that the law counts per company — individuals provided abroad
since 1 January (XB16-7/8), the PI protection officer threshold (PIPL-52) — cumulate across that
company's deals.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Company(Base):
    """Facts about a target company that its deals share and people enter (no PI)."""

    __tablename__ = "comply_companies"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    #: critical information infrastructure operator (XB16-7(1), PIPL-40)
    ciio: Mapped[bool] = mapped_column(Boolean, default=False)
    #: holds data notified or published as important data (XB16-2, NDS-37)
    important_data: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the previous year's turnover in yuan, for the PIPL-66 fine range (None: not entered)
    turnover_yuan: Mapped[int | None] = mapped_column(BigInteger, default=None)
    #: staff, for the full-time officer rule (S35-11.1)
    staff: Mapped[int | None] = mapped_column(Integer, default=None)
    #: whether the main business involves processing PI (S35-11.1)
    pi_business: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(200))


class DealProfile(Base):
    """How a deal transfers the company and to whom: the facts the assessment starts from."""

    __tablename__ = "comply_deal_profiles"

    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), primary_key=True)
    #: one of :class:`baomi.services.comply.profile.TransferType`
    transfer_type: Mapped[str] = mapped_column(String(24))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    #: the recipient's contact as written before migration 0017, in clear: only a row that
    #: migration could not seal (no key reachable then) still holds one, read until the
    #: profile's next write, which seals it and empties this column
    recipient_contact: Mapped[str] = mapped_column(String(200), default="")
    #: the recipient's contact, sealed (AES-256-GCM, field key; the associated data names the
    #: deal): meant to be a company's, but a person's phone can be typed in
    #: (``services/comply/recipient_contact.py``)
    recipient_contact_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: one of :class:`baomi.services.comply.profile.Location`
    recipient_location: Mapped[str] = mapped_column(String(16), default="mainland")
    #: people abroad can query or download the data (XB-DEF: remote access counts as export)
    remote_access_abroad: Mapped[bool] = mapped_column(Boolean, default=False)
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: the exemption claimed for a cross-border provision (XB16-5), if any
    exemption: Mapped[str | None] = mapped_column(String(24), default=None)
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(200))


# --- provision records ---


class ProvisionPeople(Base):
    """The people of one provided data set as keyed hashes of their identifiers (no value):
    what lets the cross-border count take each person once across provisions (XB-CNT). Shared
    by every provision of the same content (``source_sha256``). Not sealed with a deal's key:
    destroying a deal keeps it (NDS-12)."""

    __tablename__ = "comply_provision_people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: SHA-256 of what was provided (the original document, or the protect run's inputs)
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: which installation key hashed the identifiers (a public id of it)
    key_id: Mapped[str] = mapped_column(String(32))
    persons: Mapped[int] = mapped_column(Integer)
    sensitive_persons: Mapped[int] = mapped_column(Integer)
    #: :meth:`baomi.engine.scan.linkage.People.to_bytes`
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[str] = mapped_column(String(40))


class Provision(Base):
    """One provision of PI to another party (NDS-12: kept at least 3 years): when, how many
    people, for what, to whom and where, how baomi learnt of it, who recorded it."""

    __tablename__ = "comply_provisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    #: the time of the provision (UTC, ISO 8601) and its date in China time (the calendar
    #: year the cross-border count runs over starts on 1 January there)
    provided_at: Mapped[str] = mapped_column(String(40))
    provided_on: Mapped[str] = mapped_column(String(10), index=True)
    individuals: Mapped[int] = mapped_column(Integer)
    sensitive_individuals: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text, default="")
    recipient: Mapped[str] = mapped_column(String(200))
    #: the user who received it in the data room ("" otherwise)
    recipient_user: Mapped[str] = mapped_column(String(200), default="")
    #: one of :class:`baomi.services.comply.profile.Location`
    region: Mapped[str] = mapped_column(String(16))
    #: people abroad can reach the data (XB-DEF: an export even from the mainland)
    remote_access: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``dataroom`` | ``protect`` | ``manual``
    source: Mapped[str] = mapped_column(String(16))
    package_id: Mapped[str | None] = mapped_column(String(64), default=None)
    object_id: Mapped[str | None] = mapped_column(String(32), default=None)
    copy_id: Mapped[str | None] = mapped_column(String(32), default=None)
    #: the people provided (``None``: counts only, not deduplicated — a manual entry)
    people_id: Mapped[str | None] = mapped_column(
        ForeignKey("comply_provision_people.id"), default=None
    )
    #: the first day it may be deleted (NDS-12)
    keep_until: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))


# --- assessments (the six-area risk assessment and the PIA) ---


class Assessment(Base):
    """One assessment of a deal: the six-area risk assessment (``kind`` ``risk``) or a PI
    protection impact assessment (``pia``, PIPL-55/56), in versions; a completed PIA is frozen
    (``snapshot_sealed``: what the system filled in, at completion) and kept until
    ``keep_until`` (PIPL-56: at least three years)."""

    __tablename__ = "comply_assessments"
    __table_args__ = (UniqueConstraint("deal_id", "kind", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    #: ``draft`` or ``completed`` (signed)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    completed_at: Mapped[str | None] = mapped_column(String(40), default=None)
    completed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    #: JSON: signatory role → name (the PI protection officer, legal, management)
    signatures: Mapped[str] = mapped_column(Text, default="{}")
    #: the pre-filled answers, facts and risk levels at completion, sealed with the platform's
    #: assessment key (no raw PI: counts, categories, statuses)
    snapshot_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    keep_until: Mapped[str | None] = mapped_column(String(40), default=None)


class AssessmentAnswer(Base):
    """A person's answer to one question (answer and comment sealed with the platform's
    assessment key, so that it outlives the deal's key — PIPL-56)."""

    __tablename__ = "comply_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("comply_assessments.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    answer_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    answered_by: Mapped[str] = mapped_column(String(200))
    answered_at: Mapped[str] = mapped_column(String(40))


class AssessmentEvidence(Base):
    """An evidence file for a question: content sealed with the deal's data key (shredded with
    the deal); name (identifiers masked), size and SHA-256 kept with the assessment."""

    __tablename__ = "comply_evidence"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("comply_assessments.id"), index=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[str] = mapped_column(String(40))


class PiaRisk(Base):
    """A risk the PIA lists: its title (sealed like answers), impact and likelihood; the level
    comes from the rule book's matrix (S393-D3) when it is read."""

    __tablename__ = "comply_pia_risks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("comply_assessments.id"), index=True)
    title_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    impact: Mapped[str] = mapped_column(String(16))
    likelihood: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))


# --- notices ---


class NoticeExport(Base):
    """One mail-merge export of a deal's customer list (PIPL-22/23 notices): counts, no PI."""

    __tablename__ = "comply_notice_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    #: the deal document the list was read from
    object_id: Mapped[str] = mapped_column(ForeignKey("objects.id"))
    #: one of :class:`baomi.services.comply.notices.texts.NoticeKind`
    kind: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(4))
    #: customers exported (one notice each)
    notices: Mapped[int] = mapped_column(Integer)
    #: rows without a usable contact, and repeated customers, left out
    skipped: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class Notice(Base):
    """One customer's notice, keyed by its random id (not derived from PI). The contacts are
    kept only as keyed hashes under the deal's key (destroying the deal unlinks them)."""

    __tablename__ = "comply_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    export_id: Mapped[str] = mapped_column(ForeignKey("comply_notice_exports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: PIPL-23 / PIPL-39: the provision needs this customer's separate consent
    consent_required: Mapped[bool] = mapped_column(Boolean)
    #: the channels this customer can be reached by, comma-separated (letter, sms, email)
    channels: Mapped[str] = mapped_column(String(32))
    mobile_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    address_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[str] = mapped_column(String(40))


class NoticeImport(Base):
    """One sending-status file imported back from a mailing house or SMS gateway (counts)."""

    __tablename__ = "comply_notice_imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    recorded: Mapped[int] = mapped_column(Integer)
    unknown: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[str] = mapped_column(String(40))
    imported_by: Mapped[str] = mapped_column(String(200))


class NoticeEvent(Base):
    """A sending status of one notice on one channel, as the sender reported it."""

    __tablename__ = "comply_notice_events"
    __table_args__ = (UniqueConstraint("notice_id", "channel", "status", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("comply_notices.id"), index=True)
    import_id: Mapped[str] = mapped_column(ForeignKey("comply_notice_imports.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    #: sent, delivered, bounced, refused_consent, consented
    status: Mapped[str] = mapped_column(String(24))
    #: when the sender says it happened (ISO 8601)
    at: Mapped[str] = mapped_column(String(40))


# --- checklist and third parties ---
#
# The checklist and the third-party register belong to the target company (its USCC): the
# measures they record are the company's, whichever deal is looking at them. Files people attach
# (evidence, NDAs, contracts, return-or-delete confirmations) are sealed in ``comply_files``.


class ChecklistItem(Base):
    """One item of a company's compliance checklist (a default item, or one people added)."""

    __tablename__ = "comply_checklist_items"
    __table_args__ = (UniqueConstraint("uscc", "key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    #: the default item's key (``policy.rules``) or ``custom.<id>``
    key: Mapped[str] = mapped_column(String(80))
    #: one of :class:`baomi.services.comply.checklist.Area`
    area: Mapped[str] = mapped_column(String(16))
    title_zh: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400))
    #: rule ids, comma-separated (``PIPL-51,S35-7.1``)
    rules: Mapped[str] = mapped_column(String(200), default="")
    clause: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer)
    #: one of :class:`baomi.services.comply.checklist.Status`
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    owner: Mapped[str] = mapped_column(String(200), default="")
    #: ISO date (YYYY-MM-DD) or None
    due: Mapped[str | None] = mapped_column(String(10), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(200))


class ChecklistSnapshot(Base):
    """The checklist's score at one moment (taken whenever an item changes) for its trend."""

    __tablename__ = "comply_checklist_snapshots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    #: 1, 2, … per company, in the order taken (taken under the audit chain's lock)
    seq: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[str] = mapped_column(String(40))
    #: the overall score in basis points (0–10000), None when no item is applicable
    score_bp: Mapped[int | None] = mapped_column(Integer, default=None)
    done: Mapped[int] = mapped_column(Integer)
    applicable: Mapped[int] = mapped_column(Integer)
    #: per area: ``{"policy": [done, applicable], …}`` as JSON
    areas: Mapped[str] = mapped_column(Text)


class Vendor(Base):
    """A third party of the company: a service provider, an adviser, the buyer (PIPL-21)."""

    __tablename__ = "comply_vendors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    #: the contact (may name a person): sealed with the comply file key
    contact_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: the deal whose buyer this party is (optional)
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id"), default=None)
    #: keys of the selection criteria met, comma-separated
    criteria: Mapped[str] = mapped_column(String(400), default="")
    nda_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    nda_date: Mapped[str | None] = mapped_column(String(10), default=None)
    #: keys of the PIPL-21 contract contents present, comma-separated
    contract: Mapped[str] = mapped_column(String(400), default="")
    #: 1 (worst) … 5 (best), None until rated
    quality: Mapped[int | None] = mapped_column(Integer, default=None)
    security: Mapped[int | None] = mapped_column(Integer, default=None)
    contract_start: Mapped[str | None] = mapped_column(String(10), default=None)
    contract_end: Mapped[str | None] = mapped_column(String(10), default=None)
    #: set when the party is closed, with the return-or-delete confirmation (PIPL-21)
    closed_at: Mapped[str | None] = mapped_column(String(40), default=None)
    returned_or_deleted: Mapped[str | None] = mapped_column(String(16), default=None)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    confirmed_on: Mapped[str | None] = mapped_column(String(10), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(200))


class ComplyFile(Base):
    """A file attached to a checklist item or a third party, sealed (AES-256-GCM) in the row so
    that it is backed up with the database and never lies in clear on disk."""

    __tablename__ = "comply_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    #: ``item:<id>``, ``vendor:<id>:nda``, ``vendor:<id>:contract``, ``vendor:<id>:return``
    owner: Mapped[str] = mapped_column(String(80), index=True)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
