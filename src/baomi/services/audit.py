"""The audit log: append in the caller's transaction, checkpoint, verify, export.

:func:`record` is called by every service inside the transaction of the action it records, so an
action and its event commit together or not at all. Appends lock the single ``audit_head`` row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers),
so two writers never take the same position and no event is lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NoReturn, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from baomi.engine import crypto
from baomi.engine.audit_chain import (
    AuditAction,
    AuditEvent,
    ChainReport,
    Checkpoint,
    SealedEvent,
    make_checkpoint,
    seal_event,
    verify_chain,
)
from baomi.errors import InputError, IntegrityError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit_sink
from baomi.services.permissions import Action, Actor, authorize, sees
from baomi.services.vault import Vault, now
from baomi.storage.blobs import write_atomic
from baomi.storage.models import AuditCheckpoint, AuditEventRow, AuditHead, Deal

EXPORT_FIELDS = (
    "seq",
    "ts",
    "actor",
    "action",
    "object",
    "outcome",
    "details",
    "prev_hash",
    "hash",
)


def record(
    session: Session,
    vault: Vault,
    *,
    actor: Actor,
    action: AuditAction,
    obj: str,
    outcome: str = "success",
    details: Mapping[str, Any] | None = None,
    checkpoint: bool = False,
) -> SealedEvent:
    """Append one event in ``session``'s transaction; sign a checkpoint every N events, or now
    when ``checkpoint`` (destructions, backups)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    event = AuditEvent(
        seq=head.seq + 1,
        ts=now(),
        actor=actor.name,
        action=action.value,
        object=obj,
        outcome=outcome,
        prev_hash=head.hash,
        details=dict(details or {}),
    )
    sealed = seal_event(event)
    session.add(
        AuditEventRow(
            seq=event.seq,
            ts=event.ts,
            actor=event.actor,
            action=event.action,
            object=obj,
            outcome=outcome,
            details=json.dumps(event.details, sort_keys=True, ensure_ascii=False),
            prev_hash=event.prev_hash,
            hash=sealed.hash,
        )
    )
    head.seq, head.hash = event.seq, sealed.hash
    if checkpoint or event.seq % vault.settings.checkpoint_every == 0:
        _add_checkpoint(session, vault, event.seq, sealed.hash)
    session.flush()
    return sealed


def record_now(
    vault: Vault,
    *,
    actor: Actor,
    action: AuditAction,
    obj: str,
    outcome: str = "success",
    details: Mapping[str, Any] | None = None,
) -> SealedEvent:
    """Record an event in a transaction of its own (a read, or a refused action)."""
    with vault.transaction() as session:
        return record(
            session, vault, actor=actor, action=action, obj=obj, outcome=outcome, details=details
        )


def require(
    vault: Vault, actor: Actor, action: Action, *, obj: str, resource: str | None = None
) -> None:
    """:func:`~baomi.services.permissions.authorize`, recording a refusal in the chain: an
    ``access.denied`` event with outcome ``denied`` (its own transaction; nothing else is done),
    then :class:`PermissionDeniedError` is raised again."""
    audit_sink.require(VaultAuditSink(vault), actor, action, obj=obj, resource=resource)


def refuse_unseen(
    vault: Vault, actor: Actor, action: Action, *, obj: str, reason: str, missing: NotFoundError
) -> NoReturn:
    """Answer an id ``actor`` may not see exactly as one that does not exist — ``missing``, the
    record's own "no such …" (404), no name — so ids cannot be probed; the refusal is recorded
    (``access.denied``, its real ``reason``) as the room's are. ``obj`` is ``kind:id``, or
    ``kind:-`` for an id that names nothing (what was typed is not recorded)."""
    record_now(
        vault,
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        obj=obj,
        outcome="denied",
        details={"action": action.value, "role": actor.role.value, "reason": reason},
    )
    raise missing


class DealRecord(Protocol):
    """A record of a deal (an incident, a data-subject request): its id and its deal's."""

    @property
    def id(self) -> str: ...

    @property
    def deal_id(self) -> str | None: ...


def require_seen(
    vault: Vault,
    actor: Actor,
    action: Action,
    *,
    kind: str,
    lookup: Callable[[Session], DealRecord | None],
    deal_ref: str | None = None,
    missing: NotFoundError,
) -> str:
    """The id of the record ``lookup`` finds, once ``actor`` may ``action`` it: the role first
    (an unknown id tells a refused role nothing), then the record — found, of the deal
    ``deal_ref`` names when it is asked for under one (a room's address), and within the actor's
    deals (:func:`~baomi.services.permissions.sees`). Anything else answers exactly as an id
    that names nothing (``missing``, 404): to a scoped actor as a recorded refusal
    (:func:`refuse_unseen`); an unscoped one, who sees every deal, is just told it is missing."""
    authorize(actor, action)
    with vault.reading() as session:
        found = lookup(session)
        deal = None if found is None or found.deal_id is None else session.get(Deal, found.deal_id)
    here = deal_ref is None or (deal is not None and deal_ref in (deal.id, deal.name))
    if found is not None and here and sees(actor, found.deal_id):
        return found.id
    if actor.deals is None:
        raise missing
    refuse_unseen(
        vault,
        actor,
        action,
        obj=f"{kind}:{found.id if found is not None else '-'}",
        reason=(
            f"no such {kind}"
            if found is None
            else "not in the actor's deals"
            if not sees(actor, found.deal_id)
            else "not in the deal asked for"
        ),
        missing=missing,
    )


@dataclass(frozen=True)
class VaultAuditSink:
    """The vault's audit chain as an :class:`~baomi.services.audit_sink.AuditSink`; each event
    in a transaction of its own."""

    vault: Vault

    def record(self, entry: audit_sink.AuditEntry) -> SealedEvent:
        return record_now(self.vault, **{f.name: getattr(entry, f.name) for f in fields(entry)})


def _add_checkpoint(session: Session, vault: Vault, seq: int, head_hash: str) -> Checkpoint:
    cp = make_checkpoint(vault.platform_key("signing"), seq, head_hash, now())
    session.add(
        AuditCheckpoint(seq=cp.seq, hash=cp.hash, ts=cp.ts, signature=crypto.b64(cp.signature))
    )
    return cp


def checkpoint(vault: Vault, *, actor: Actor) -> Checkpoint | None:
    """Sign a checkpoint at the current head now (``None`` if the head already has one)."""
    require(vault, actor, Action.AUDIT_CHECKPOINT, obj="audit")
    with vault.transaction() as session:
        head = session.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one()
        if head.seq == 0 or session.get(AuditCheckpoint, head.seq) is not None:
            return None
        return _add_checkpoint(session, vault, head.seq, head.hash)


def _row_to_sealed(row: AuditEventRow) -> SealedEvent:
    return SealedEvent(
        AuditEvent(
            seq=row.seq,
            ts=row.ts,
            actor=row.actor,
            action=row.action,
            object=row.object,
            outcome=row.outcome,
            prev_hash=row.prev_hash,
            details=json.loads(row.details),
        ),
        row.hash,
    )


def _iter_events(session: Session) -> Iterator[SealedEvent]:
    for row in session.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars():
        yield _row_to_sealed(row)


def _checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).scalars()
    return [Checkpoint(r.seq, r.hash, r.ts, crypto.unb64(r.signature)) for r in rows]


def verify(vault: Vault, *, actor: Actor) -> ChainReport:
    """Verify the stored chain against its signed checkpoints and the head row."""
    require(vault, actor, Action.AUDIT_VERIFY, obj="audit")
    public_key = vault.public_key()
    with vault.reading() as session:
        report = verify_chain(_iter_events(session), _checkpoints(session), public_key)
        if not report.ok:
            return report
        head = session.get(AuditHead, 1)
        count = session.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()
        if (
            head is None
            or head.seq != count
            or (
                count
                and not crypto.constant_time_equal(
                    head.hash,
                    session.execute(
                        select(AuditEventRow.hash).where(AuditEventRow.seq == count)
                    ).scalar_one(),
                )
            )
        ):
            return ChainReport(
                False,
                report.events,
                report.checkpoints,
                count + 1,
                "events at the end of the log are missing",
            )
    return report


def export(vault: Vault, out: Path, *, fmt: str, actor: Actor) -> int:
    """Write the log with its checkpoints and public key (JSON) or the events (CSV); audited."""
    require(vault, actor, Action.AUDIT_EXPORT, obj="audit")
    if fmt not in ("json", "csv"):
        raise InputError(tr("格式须为 json 或 csv", "format must be json or csv"))
    with vault.transaction() as session:
        events = list(_iter_events(session))
        cps = _checkpoints(session)
        if fmt == "json":
            payload: dict[str, Any] = {
                "format": "baomi-audit-export/1",
                "public_key": crypto.b64(vault.public_key()),
                "events": [{**s.event.body(), "hash": s.hash} for s in events],
                "checkpoints": [{**cp.body(), "signature": crypto.b64(cp.signature)} for cp in cps],
            }
            data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        else:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for s in events:
                row = {**s.event.body(), "hash": s.hash}
                row["details"] = json.dumps(row["details"], sort_keys=True, ensure_ascii=False)
                writer.writerow(row)
            data = buf.getvalue().encode("utf-8-sig")
        write_atomic(out, data, 0o600)
        record(
            session,
            vault,
            actor=actor,
            action=AuditAction.AUDIT_EXPORT,
            obj=fmt,
            details={"events": len(events)},
        )
    return len(events)


def verify_export(path: Path, *, actor: Actor, public_key: bytes | None = None) -> ChainReport:
    """Verify an exported JSON copy with the public key alone (no database trusted).

    ``public_key`` should come from a trusted place (the vault's ``signing.pub``); without it the
    key embedded in the export is used, which proves only internal consistency. Nothing is
    recorded (there may be no vault at hand).
    """
    authorize(actor, Action.AUDIT_VERIFY)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        events = [
            SealedEvent(AuditEvent(**{f.name: e[f.name] for f in fields(AuditEvent)}), e["hash"])
            for e in payload["events"]
        ]
        cps = [
            Checkpoint(c["seq"], c["hash"], c["ts"], crypto.unb64(c["signature"]))
            for c in payload["checkpoints"]
        ]
        key = public_key if public_key is not None else crypto.unb64(payload["public_key"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(
            tr(
                f"审计导出文件无法读取：{type(exc).__name__}",
                f"unreadable audit export: {type(exc).__name__}",
            )
        ) from None
    return verify_chain(events, cps, key)
