"""The compliance context's tables: the company's facts, each deal's transfer profile, and (added
by the comply services) provision records, assessments, the checklist, third parties and notices.

Company facts are keyed by the target company's unified social credit code (a room's
``target_uscc``) so that figures that the law counts per company — individuals provided abroad
since 1 January (XB16-7/8), the PI protection officer threshold (PIPL-52) — cumulate across that
company's deals.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
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
