"""The audit page of a room: the deal's events, filtered, exported, and the chain's status.

A deal's events are those whose object is the deal, or whose details name it (documents,
grants, downloads). Nothing here writes; reading the log is itself allowed by the role table
(``audit.view``) and the room's gate.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from baomi.engine.audit_chain import ChainReport
from baomi.services import audit
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Seat
from baomi.services.permissions import Action
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow

MAX_ROWS = 5_000
COLUMNS = ("seq", "ts", "actor", "action", "object", "outcome", "details")


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None
    action: str | None = None
    document: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class EventRow:
    seq: int
    ts: str
    actor: str
    action: str
    object: str
    outcome: str
    details: dict[str, Any]


def deal_events(
    vault: Vault, seat: Seat, deal_ref: str, filt: AuditFilter | None = None
) -> list[EventRow]:
    """The deal's events, newest first, at most :data:`MAX_ROWS`."""
    rooms.gate(vault, seat, Action.AUDIT_VIEW, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    f = filt or AuditFilter()
    query = select(AuditEventRow).where(
        or_(
            AuditEventRow.object == f"deal:{deal_id}",
            AuditEventRow.details.contains(json.dumps({"deal": deal_id})[1:-1]),
        )
    )
    if f.user:
        query = query.where(AuditEventRow.actor == f.user)
    if f.action:
        query = query.where(AuditEventRow.action == f.action)
    if f.document:
        query = query.where(AuditEventRow.object == f"object:{f.document}")
    if f.since:
        query = query.where(AuditEventRow.ts >= f.since)
    if f.until:
        query = query.where(AuditEventRow.ts <= f.until)
    query = query.order_by(AuditEventRow.seq.desc()).limit(MAX_ROWS)
    with vault.reading() as session:
        return [
            EventRow(r.seq, r.ts, r.actor, r.action, r.object, r.outcome, json.loads(r.details))
            for r in session.execute(query).scalars()
        ]


def to_csv(events: list[EventRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow(
            (
                e.seq,
                e.ts,
                e.actor,
                e.action,
                e.object,
                e.outcome,
                json.dumps(e.details, ensure_ascii=False),
            )
        )
    return out.getvalue()


def chain_status(vault: Vault, seat: Seat, deal_ref: str) -> ChainReport:
    """Whether the whole chain verifies (hashes, signed checkpoints, head)."""
    rooms.gate(vault, seat, Action.AUDIT_VIEW, deal_ref)
    return audit.verify(vault, actor=seat.actor)
