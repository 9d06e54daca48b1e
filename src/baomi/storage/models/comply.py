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
    recipient_contact: Mapped[str] = mapped_column(String(200), default="")
    #: one of :class:`baomi.services.comply.profile.Location`
    recipient_location: Mapped[str] = mapped_column(String(16), default="mainland")
    #: people abroad can query or download the data (XB-DEF: remote access counts as export)
    remote_access_abroad: Mapped[bool] = mapped_column(Boolean, default=False)
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: the exemption claimed for a cross-border provision (XB16-5), if any
    exemption: Mapped[str | None] = mapped_column(String(24), default=None)
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(200))


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
