"""protect, detokenize and trace as use cases: authorized first, one audit event each with no
personal value, a refusal recorded and nothing written; the three audit sinks."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from baomi.engine.audit_chain import AuditAction
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions
from baomi.engine.protect.policy import load_policy_text
from baomi.engine.protect.tokens import DetokenizeResult
from baomi.errors import IntegrityError, PermissionDeniedError
from baomi.services import protect
from baomi.services.audit import VaultAuditSink
from baomi.services.audit_sink import (
    AuditEntry,
    AuditSink,
    FileAuditSink,
    ListAuditSink,
)
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow
from tests.engine.protect.test_package import customers, write_csv
from tests.vault_support import operator

KEYS = KeyProvider(b"services-protect-key-0123456789")
POLICY = load_policy_text(
    "entities:\n  CN_MOBILE: {operator: tokenize}\n  CN_RESIDENT_ID: {operator: mask}\n"
    "  PERSON_NAME: {operator: mask}\n  BANK_CARD: {operator: mask}\n"
)


@pytest.fixture
def seller(tmp_path: Path) -> Path:
    rows = customers(30)
    write_csv(tmp_path / "seller" / "客户.csv", rows)
    return tmp_path / "seller"


def _options(tmp_path: Path, recipient: str = "买方A") -> ProtectOptions:
    return ProtectOptions(
        recipient=recipient,
        vault_path=tmp_path / "t.vault",
        manifests_dir=tmp_path / "manifests",
    )


def _package(seller: Path, tmp_path: Path, sink: AuditSink, actor: Actor | None = None) -> Path:
    protect.protect(
        [seller],
        POLICY,
        tmp_path / "pkg",
        actor=actor or operator(),
        sink=sink,
        keys=KEYS,
        options=_options(tmp_path),
    )
    return tmp_path / "pkg"


def _detokenize(tmp_path: Path, actor: Actor, sink: ListAuditSink) -> DetokenizeResult:
    """Restore ``pkg/客户.csv`` into ``restored.csv`` with the vault ``t.vault``."""
    return protect.detokenize(
        tmp_path / "pkg" / "客户.csv",
        tmp_path / "restored.csv",
        vault_path=tmp_path / "t.vault",
        keys=KEYS,
        actor=actor,
        sink=sink,
    )


def _raw_values(seller: Path) -> list[str]:
    frame = pl.read_csv(seller / "客户.csv", infer_schema=False)
    return [v for c in ("身份证号", "手机号", "姓名") for v in frame[c].to_list()]


def test_protect_detokenize_trace_each_record_one_event_without_a_value(
    seller: Path, tmp_path: Path
) -> None:
    sink = ListAuditSink()
    pkg = _package(seller, tmp_path, sink)
    restored = _detokenize(tmp_path, operator(), sink)
    assert restored.restored == 45 and restored.unknown == 0  # 30 columns, 15 in notes
    result = protect.trace(pkg / "客户.csv", tmp_path / "manifests", actor=operator(), sink=sink)
    assert result.recipient == "买方A"
    assert [e.event.action for e in sink.events] == [
        AuditAction.PROTECT_RUN,
        AuditAction.PROTECT_DETOKENIZE,
        AuditAction.PROTECT_TRACE,
    ]
    run, detok, trace = (e.event for e in sink.events)
    assert run.details["recipient"] == "买方A" and run.details["files"] == 1
    assert run.details["unconfirmed"] == 0  # what --verify reported apart, a count
    assert detok.details["tokens"] == 45
    assert trace.details["recipient"] == "买方A"
    text = json.dumps([e.event.body() for e in sink.events], ensure_ascii=False)
    assert not any(v in text for v in _raw_values(seller))
    assert "客户.csv" not in text  # the seller's file names may be personal: hashes only


@pytest.mark.parametrize("role", [Role.BUYER, Role.AUDITOR])
def test_a_refused_protect_writes_no_package(seller: Path, tmp_path: Path, role: Role) -> None:
    sink = ListAuditSink()
    with pytest.raises(PermissionDeniedError):
        _package(seller, tmp_path, sink, Actor("m", role))
    assert not (tmp_path / "pkg").exists() and not (tmp_path / "manifests").exists()
    [event] = [e.event for e in sink.events]
    assert (event.action, event.outcome) == (AuditAction.ACCESS_DENIED, "denied")
    assert event.details == {"action": "protect.run", "role": role.value}


def test_detokenize_is_refused_to_a_seller_and_trace_to_a_buyer(
    seller: Path, tmp_path: Path
) -> None:
    sink = ListAuditSink()
    pkg = _package(seller, tmp_path, sink)
    out = tmp_path / "restored.csv"
    with pytest.raises(PermissionDeniedError):
        _detokenize(tmp_path, Actor("s", Role.SELLER), sink)
    assert not out.exists()
    with pytest.raises(PermissionDeniedError):
        protect.trace(
            pkg / "客户.csv", tmp_path / "manifests", actor=Actor("b", Role.BUYER), sink=sink
        )
    assert [e.event.outcome for e in sink.events] == ["success", "denied", "denied"]


def test_a_failed_action_records_nothing(tmp_path: Path) -> None:
    sink = ListAuditSink()
    with pytest.raises(Exception):  # noqa: B017 - whatever the engine raises
        _detokenize(tmp_path, operator(), sink)  # no package, no vault
    assert sink.events == []


def test_the_file_sink_is_a_hash_chain(tmp_path: Path) -> None:
    sink = FileAuditSink(tmp_path / "logs" / "audit.jsonl")
    for i in range(3):
        sink.record(AuditEntry(operator(), AuditAction.PROTECT_RUN, f"package:{i}"))
    events = sink.events()
    assert [e.event.seq for e in events] == [1, 2, 3] and sink.verify().ok
    assert (sink.path.stat().st_mode & 0o777) == 0o600
    lines = sink.path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"package:1"', '"package:9"')
    sink.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = sink.verify()
    assert not report.ok and report.first_bad == 2
    sink.path.write_text("\n".join([*lines[:2], "{broken"]) + "\n", encoding="utf-8")
    with pytest.raises(IntegrityError):
        sink.record(AuditEntry(operator(), AuditAction.PROTECT_RUN, "package:x"))


def test_with_a_vault_the_event_joins_its_chain(vault: Vault, seller: Path, tmp_path: Path) -> None:
    _package(seller, tmp_path, VaultAuditSink(vault), operator("王经理"))
    with vault.reading() as s:
        last = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc())).scalars().first()
        assert last is not None
        assert (last.actor, last.action, last.outcome) == ("王经理", "protect.run", "success")


def test_the_file_sink_loses_no_event_to_concurrent_writers(tmp_path: Path) -> None:
    """Each append holds an exclusive lock on the file: no position is taken twice."""
    from concurrent.futures import ThreadPoolExecutor

    sink = FileAuditSink(tmp_path / "audit.jsonl")

    def write(i: int) -> None:
        sink.record(AuditEntry(operator(f"w{i}"), AuditAction.PROTECT_TRACE, f"records:{i}"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(40)))
    assert sink.verify().ok and [e.event.seq for e in sink.events()] == list(range(1, 41))
