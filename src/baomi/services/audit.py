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
from collections.abc import Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

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
from baomi.errors import InputError, IntegrityError
from baomi.i18n import tr
from baomi.services import audit_sink
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, now
from baomi.storage.blobs import write_atomic
from baomi.storage.models import AuditCheckpoint, AuditEventRow, AuditHead

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
    audit_sink.require(audit_sink.VaultAuditSink(vault), actor, action, obj=obj, resource=resource)


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
