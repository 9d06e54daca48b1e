"""The vault's tables: deals, encrypted objects, parties, the audit chain, certificates.

Secrets never appear in a column in clear: document names, inventories and personal fields are
sealed (AES-256-GCM, ``nonce || ciphertext || tag``); personal fields have an HMAC beside them for
exact-match lookup.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baomi.storage.models.base import Base


class Deal(Base):
    """A named container of encrypted objects; its data key lives in the key store file."""

    __tablename__ = "deals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    destroyed_at: Mapped[str | None] = mapped_column(String(40), default=None)


class StoredObject(Base):
    """One encrypted document: metadata here, the sealed content in the blob store."""

    __tablename__ = "objects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"), index=True)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    inventory_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_sha256: Mapped[str] = mapped_column(String(64))
    key_version: Mapped[int] = mapped_column(Integer)
    #: ``stored`` (the current version), ``superseded`` (replaced by a new version, kept sealed
    #: until ``retain_until``), ``shredded`` (its blob destroyed) or ``destroyed`` (the deal)
    status: Mapped[str] = mapped_column(String(16), default="stored")
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200))
    #: the object this version replaces (a correction or deletion, ``subject apply``)
    supersedes: Mapped[str | None] = mapped_column(String(32), default=None)
    #: a superseded version is shredded once this instant has come
    retain_until: Mapped[str | None] = mapped_column(String(40), default=None)


class Party(Base):
    """A seller, buyer or other client of the platform; personal fields sealed field by field."""

    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id"), index=True, default=None)
    role: Mapped[str] = mapped_column(String(32))
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    id_number_hmac: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    phone_hmac: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    bank_account_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    bank_account_hmac: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    created_at: Mapped[str] = mapped_column(String(40))


class AuditEventRow(Base):
    """An append-only, hash-chained audit event (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row: the chain's last position and hash; locked by every append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """An Ed25519-signed statement of the chain's hash at a position."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(128))


class Certificate(Base):
    """A signed destruction certificate (the JSON document as issued)."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("deal_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id"))
    issued_at: Mapped[str] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(Text)
