"""Govern — policy documents under periodic review: the policy (owner department, review
interval, next review date), its versions (the text or file sealed with the platform's field
key, with its SHA-256) and the reviews done."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Policy(Base):
    __tablename__ = "govern_policies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(32))
    #: the person responsible, if one is (a username)
    owner: Mapped[str | None] = mapped_column(String(64), default=None)
    interval_days: Mapped[int] = mapped_column(Integer)
    next_review: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class PolicyVersion(Base):
    __tablename__ = "govern_policy_versions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("govern_policies.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))


class PolicyReview(Base):
    __tablename__ = "govern_policy_reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("govern_policies.id"), index=True)
    reviewed_on: Mapped[str] = mapped_column(String(10))
    #: the version current when reviewed
    version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(Text, default="")
    next_review: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
