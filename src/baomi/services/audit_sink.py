"""Where a use case's audit events go: the vault's chain, or a hash-chained file without one.

:class:`AuditSink` is what a service that may run without a vault (``protect``, ``detokenize``,
``trace``) records through. Three sinks:

* :class:`VaultAuditSink` — the vault's audit chain (``services/audit.py``), in a transaction of
  its own: these use cases write files, not rows, so there is no other state change to share a
  transaction with.
* :class:`FileAuditSink` — without a vault: a JSON Lines file, one event per line, each line the
  event's canonical body and its hash, chained exactly as the vault's chain
  (``engine/audit_chain.py``), appended under an exclusive ``flock`` and fsynced. No signed
  checkpoints (the signing key lives in a vault's key store): an edited, inserted or deleted line
  breaks the chain, a truncated tail does not.
* :class:`ListAuditSink` — in memory, for tests.

:func:`require` is :func:`~baomi.services.permissions.authorize` for a sink: a refusal is
recorded (``access.denied``, outcome ``denied``) and raised again.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from baomi.engine.audit_chain import (
    GENESIS,
    AuditAction,
    AuditEvent,
    ChainReport,
    SealedEvent,
    seal_event,
    verify_chain,
)
from baomi.errors import InputError, IntegrityError, PermissionDeniedError, StorageError
from baomi.i18n import tr
from baomi.services.permissions import Action, Actor, authorize

if TYPE_CHECKING:
    from baomi.services.vault import Vault


@dataclass(frozen=True)
class AuditEntry:
    """What a use case asks a sink to record; the sink adds position, time and chain links."""

    actor: Actor
    action: AuditAction
    obj: str
    outcome: str = "success"
    details: Mapping[str, Any] = field(default_factory=dict)


class AuditSink(Protocol):
    """Appends one audit event; returns it sealed (with its hash)."""

    def record(self, entry: AuditEntry) -> SealedEvent: ...


def require(
    sink: AuditSink, actor: Actor, action: Action, *, obj: str, resource: str | None = None
) -> None:
    """Authorize ``actor`` for ``action``; a refusal is recorded in ``sink`` and raised again."""
    try:
        authorize(actor, action, resource)
    except PermissionDeniedError:
        sink.record(
            AuditEntry(
                actor,
                AuditAction.ACCESS_DENIED,
                obj,
                "denied",
                {"action": action.value, "role": actor.role.value},
            )
        )
        raise


@dataclass(frozen=True)
class VaultAuditSink:
    """The vault's audit chain; each event in a transaction of its own."""

    vault: Vault

    def record(self, entry: AuditEntry) -> SealedEvent:
        from baomi.services import audit

        return audit.record_now(
            self.vault, **{f.name: getattr(entry, f.name) for f in fields(entry)}
        )


class _LocalChain:
    """A chain kept by this process (a list, a file): seals the next event after the last."""

    def record(self, entry: AuditEntry) -> SealedEvent:
        def after(last: SealedEvent | None) -> SealedEvent:
            return seal_event(
                AuditEvent(
                    seq=last.event.seq + 1 if last else 1,
                    ts=_dt.datetime.now(_dt.UTC).isoformat(),
                    actor=entry.actor.name,
                    action=entry.action.value,
                    object=entry.obj,
                    outcome=entry.outcome,
                    prev_hash=last.hash if last else GENESIS,
                    details=dict(entry.details),
                )
            )

        return self._append(after)

    def _append(self, after: Callable[[SealedEvent | None], SealedEvent]) -> SealedEvent:
        raise NotImplementedError


@dataclass
class ListAuditSink(_LocalChain):
    """Events kept in a list (a test double)."""

    events: list[SealedEvent] = field(default_factory=list)

    def _append(self, after: Callable[[SealedEvent | None], SealedEvent]) -> SealedEvent:
        sealed = after(self.events[-1] if self.events else None)
        self.events.append(sealed)
        return sealed


def _parse(line: str) -> SealedEvent:
    data = json.loads(line)
    return SealedEvent(
        AuditEvent(**{f.name: data[f.name] for f in fields(AuditEvent)}), data["hash"]
    )


@dataclass(frozen=True)
class FileAuditSink(_LocalChain):
    """A hash-chained JSON Lines file (see the module docstring)."""

    path: Path

    def _append(self, after: Callable[[SealedEvent | None], SealedEvent]) -> SealedEvent:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "r+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed
                last = next((ln for ln in reversed(fh.readlines()) if ln.strip()), None)
                fh.seek(0, os.SEEK_END)
                sealed = after(self._event(last) if last else None)
                body = {**sealed.event.body(), "hash": sealed.hash}
                fh.write(json.dumps(body, ensure_ascii=False, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise StorageError(
                f"{self.path}: "
                + tr("无法写入审计日志", "cannot write the audit log")
                + f" ({exc.strerror})"
            ) from None
        return sealed

    def _event(self, line: str) -> SealedEvent:
        try:
            return _parse(line)
        except (ValueError, KeyError, TypeError):
            raise IntegrityError(
                f"{self.path}: "
                + tr(
                    "审计日志最后一行已损坏，不再追加",
                    "the audit log's last line is damaged; nothing appended",
                )
            ) from None

    def events(self) -> list[SealedEvent]:
        """Every event in the file, in order."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [self._event(line) for line in lines if line.strip()]

    def verify(self) -> ChainReport:
        """Positions, links and hashes of the file's chain (no checkpoints: no signing key)."""
        return verify_chain(self.events())


def verify_file(path: Path, *, actor: Actor) -> ChainReport:
    """Verify the hash-chained file kept without a vault (``baomi audit verify --log``)."""
    authorize(actor, Action.AUDIT_VERIFY)
    if not path.is_file():
        raise InputError(f"{path}: " + tr("审计文件不存在", "no such audit file"))
    return FileAuditSink(path).verify()
