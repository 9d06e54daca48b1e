"""Protect, detokenize and trace as use cases: the acting user, a permission check, an audit event.

Each function authorizes the actor first (a refusal is recorded in ``sink`` and raised), calls the
engine, then records one event in ``sink`` (see ``audit_sink.py``: the vault's chain, or a
hash-chained file when no vault is configured). The engine writes files, not rows, so the event
follows the completed output; an action that fails records nothing. A run made for a deal's
recipient (:func:`protect_for_deal`, ``baomi protect --deal``) is also a provision record.

Events hold no personal value: counts, hashes, the package id and the recipient's name. File
names of the seller's data can be personal, so inputs are identified by their SHA-256; the
output folder, vault and trace-records paths are the operator's own arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from baomi.engine.audit_chain import AuditAction
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.options import Progress, ProtectOptions, ProtectResult
from baomi.engine.protect.package import DocumentSource, protect_paths
from baomi.engine.protect.policy import Policy
from baomi.engine.protect.tokens import DetokenizeResult, TokenVault, detokenize_file
from baomi.engine.protect.trace import TraceResult
from baomi.engine.protect.trace import trace as trace_records
from baomi.engine.scan.linkage import people_in
from baomi.engine.scan.model import Partition, ScanContext
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services.audit import VaultAuditSink
from baomi.services.audit_sink import AuditEntry, AuditSink, require
from baomi.services.comply import people, provisions
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault

T = TypeVar("T")


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _audited(
    sink: AuditSink,
    actor: Actor,
    action: Action,
    obj: str,
    work: Callable[[], T],
    describe: Callable[[T], Mapping[str, Any]],
) -> T:
    """Authorize, do the work, record its event (the audit action named as the permission)."""
    require(sink, actor, action, obj=obj)
    result = work()
    sink.record(AuditEntry(actor, AuditAction(action.value), obj, details=describe(result)))
    return result


def protect(
    paths: Sequence[Path],
    policy: Policy,
    out_dir: Path,
    *,
    actor: Actor,
    sink: AuditSink,
    keys: KeyProvider | None = None,
    options: ProtectOptions | None = None,
    progress: Progress | None = None,
    documents: Sequence[DocumentSource] = (),
) -> ProtectResult:
    """Write a de-identified package of ``paths`` (and ``documents``: database tables) into
    ``out_dir``; audited (``protect.run``: package id, recipient, number of files, policy and
    manifest hashes)."""

    def describe(result: ProtectResult) -> dict[str, Any]:
        return {
            "package": result.manifest.package_id,
            "recipient": result.manifest.recipient,
            "files": len(result.manifest.files),
            "policy_sha256": policy.sha256,
            "manifest_sha256": _sha256(result.out_dir / "manifest.json"),
            "verified": bool(options and options.verify),
            # values only the prose model read, counted by --verify and not failing it
            "unconfirmed": result.manifest.verify.unconfirmed,
        }

    return _audited(
        sink,
        actor,
        Action.PROTECT_RUN,
        f"package:{out_dir}",
        lambda: protect_paths(
            paths,
            policy,
            out_dir,
            keys=keys,
            options=options,
            progress=progress,
            documents=documents,
        ),
        describe,
    )


def detokenize(
    file: Path,
    out: Path,
    *,
    vault_path: Path,
    keys: KeyProvider,
    actor: Actor,
    sink: AuditSink,
) -> DetokenizeResult:
    """Restore the tokens of ``file`` into ``out`` from the token vault; audited
    (``protect.detokenize``: the input's hash, the output path, the counts, no value)."""

    def work() -> DetokenizeResult:
        store = TokenVault.open(
            vault_path, keys.key("vault", "tokens"), keys.key("token", "tokens")
        )
        return detokenize_file(file, out, store)

    return _audited(
        sink,
        actor,
        Action.PROTECT_DETOKENIZE,
        f"vault:{vault_path}",
        work,
        lambda r: {
            "file_sha256": _sha256(file),
            "out": str(out),
            "tokens": r.restored,
            "unknown_tokens": r.unknown,
        },
    )


def trace(leaked: Path, manifests: Path, *, actor: Actor, sink: AuditSink) -> TraceResult:
    """Name the recipient of a leaked file from the trace records; audited (``protect.trace``:
    the leaked file's hash, the recipient named or ``None``, every recipient named, whether
    another source was seen, the confidence)."""
    return _audited(
        sink,
        actor,
        Action.PROTECT_TRACE,
        f"records:{manifests}",
        lambda: trace_records(leaked, manifests),
        lambda r: {
            "leaked_sha256": _sha256(leaked),
            "recipient": r.recipient,
            "package": r.package_id,
            # merged leaks name every source (issue 16)
            "recipients": list(r.recipients),
            "other_sources": r.other_sources,
            "confidence": r.confidence,
            "cells": r.cells,
        },
    )


def protect_for_deal(
    paths: Sequence[Path],
    policy: Policy,
    out_dir: Path,
    *,
    actor: Actor,
    vault: Vault,
    deal_ref: str,
    keys: KeyProvider | None = None,
    options: ProtectOptions | None = None,
    progress: Progress | None = None,
    linker: people.Linker = people_in,
    documents: Sequence[DocumentSource] = (),
    tables: Callable[[ScanContext], Iterable[Partition]] | None = None,
) -> tuple[ProtectResult, provisions.ProvisionRecord]:
    """:func:`protect` for the deal's recipient (``options.recipient``), recorded as a provision
    of the deal (NDS-12) with the people of ``paths`` as keyed hashes; the protect event goes to
    the vault's audit chain. Refused before any work unless ``actor`` may record it.

    A database's tables are ``documents`` (what is protected) and ``tables`` (their
    partitions as the scan reads them, for the people: :func:`people.people_of_tables`)."""
    if options is None or not options.recipient:
        raise InputError(
            tr("记录为交易的提供需要 --recipient", "recording a provision needs --recipient")
        )
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_EDIT, deal_id)
    provided = (
        people.people_of_tables(vault, tables)
        if tables is not None
        else people.people_of_paths(vault, paths, linker)
    )
    result = protect(
        paths,
        policy,
        out_dir,
        actor=actor,
        sink=VaultAuditSink(vault),
        keys=keys,
        options=options,
        progress=progress,
        documents=documents,
    )
    record = provisions.record_protect_run(
        vault,
        actor=actor,
        deal_ref=deal_id,
        recipient=options.recipient,
        package_id=result.manifest.package_id,
        people_id=provided.id,
    )
    return result, record
