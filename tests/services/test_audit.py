"""The stored audit log: same-transaction events, append-only tables, tamper detection, export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from baomi.errors import InputError
from baomi.services import audit, deals
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow
from tests.vault_support import operator


def _events(vault: Vault) -> int:
    with vault.sessions() as s:
        return s.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()


def _make_events(vault: Vault, n: int) -> None:
    for i in range(n):
        deals.create(vault, actor=operator("alice"), name=f"deal-{i}")


def _drop_append_only(vault: Vault) -> None:
    """What an attacker with database access does first."""
    with vault.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER audit_events_no_{verb}"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))


def _sql(vault: Vault, *statements: str) -> None:
    with vault.engine.begin() as conn:
        for st in statements:
            conn.execute(text(st))


def test_action_and_event_commit_together(vault: Vault) -> None:
    before = _events(vault)
    deals.create(vault, actor=operator("alice"), name="d")
    assert _events(vault) == before + 1
    with pytest.raises(InputError):
        deals.create(vault, actor=operator("alice"), name="d")  # refused: no event, no deal
    assert _events(vault) == before + 1
    with vault.sessions() as s:
        row = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc())).scalars().first()
    assert row is not None and (row.actor, row.action, row.outcome) == (
        "alice",
        "deal.create",
        "success",
    )


def test_audit_tables_refuse_update_and_delete(vault: Vault) -> None:
    with pytest.raises(DBAPIError):
        _sql(vault, "UPDATE audit_events SET actor = 'mallory'")
    with pytest.raises(DBAPIError):
        _sql(vault, "DELETE FROM audit_events")
    assert audit.verify(vault, actor=operator()).ok


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        (["UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"], 3),
        (["DELETE FROM audit_events WHERE seq = 2"], 2),
        (
            # reorder: swap the contents of positions 2 and 3
            [
                "UPDATE audit_events SET seq = -2 WHERE seq = 2",
                "UPDATE audit_events SET seq = 2 WHERE seq = 3",
                "UPDATE audit_events SET seq = 3 WHERE seq = -2",
            ],
            2,
        ),
        (
            # insert: renumber the tail and put a forged event at position 3
            [
                "UPDATE audit_events SET seq = seq + 100 WHERE seq >= 3",
                "UPDATE audit_events SET seq = seq - 99 WHERE seq >= 100",
                "INSERT INTO audit_events (seq, ts, actor, action, object, outcome, details, prev_hash, hash) "
                "SELECT 3, ts, 'mallory', action, object, outcome, details, hash, hash FROM audit_events WHERE seq = 2",
            ],
            3,
        ),
        (["DELETE FROM audit_events WHERE seq = 5"], 5),  # the tail: caught by the head row
    ],
    ids=["modified", "deleted", "reordered", "inserted", "tail-deleted"],
)
def test_verify_names_first_bad_position(vault: Vault, tamper: list[str], first_bad: int) -> None:
    _make_events(vault, 4)
    assert audit.verify(vault, actor=operator()).ok
    _drop_append_only(vault)
    _sql(vault, *tamper)
    report = audit.verify(vault, actor=operator())
    assert not report.ok and report.first_bad == first_bad, report


def test_rewritten_chain_is_caught_by_checkpoints(vault: Vault) -> None:
    vault.settings.checkpoint_every = 3
    _make_events(vault, 5)  # checkpoints at 3 and 6
    _drop_append_only(vault)
    # An attacker rewrites event 5 and recomputes every hash after it (and the head row).
    from baomi.engine.audit_chain import AuditEvent, seal_event

    with vault.engine.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, ts, actor, action, object, outcome, details, prev_hash FROM audit_events ORDER BY seq"
            )
        ).all()
        prev = None
        for r in rows:
            if r.seq < 5:
                prev = conn.execute(
                    text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": r.seq}
                ).scalar()
                continue
            ev = AuditEvent(
                r.seq,
                r.ts,
                "mallory" if r.seq == 5 else r.actor,
                r.action,
                r.object,
                r.outcome,
                prev or "",
                json.loads(r.details),
            )
            sealed = seal_event(ev)
            conn.execute(
                text(
                    "UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": ev.actor, "p": ev.prev_hash, "h": sealed.hash, "s": r.seq},
            )
            prev = sealed.hash
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    report = audit.verify(vault, actor=operator())
    assert not report.ok and report.first_bad == 4 and "checkpoint" in (report.reason or "")


def test_export_json_verifies_offline_and_csv_is_readable(vault: Vault, tmp_path: Path) -> None:
    _make_events(vault, 2)
    assert audit.checkpoint(vault, actor=operator("auditor")) is not None
    out = tmp_path / "audit.json"
    n = audit.export(vault, out, fmt="json", actor=operator("auditor"))
    assert n == 3
    pub = vault.public_key()
    assert audit.verify_export(out, actor=operator(), public_key=pub).ok
    data = json.loads(out.read_text(encoding="utf-8"))
    data["events"][1]["actor"] = "mallory"
    out.write_text(json.dumps(data), encoding="utf-8")
    report = audit.verify_export(out, actor=operator(), public_key=pub)
    assert not report.ok and report.first_bad == 2
    audit.export(vault, tmp_path / "audit.csv", fmt="csv", actor=operator("auditor"))
    with (tmp_path / "audit.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["action"] for r in rows][-1] == "audit.export"
    with pytest.raises(InputError):
        audit.export(vault, tmp_path / "x", fmt="xml", actor=operator("a"))


def test_audit_actions_keep_the_strings_already_stored() -> None:
    """Chains written before the enumeration hold these strings; they must still verify."""
    from baomi.engine.audit_chain import GENESIS, AuditAction, AuditEvent, event_hash

    stored = {
        "keys.init",
        "keys.rotate",
        "deal.create",
        "object.add",
        "deal.show",
        "deal.export",
        "deal.destroy",
        "party.add",
        "party.lookup",
        "audit.export",
        "backup.create",
        "backup.restore",
    }
    assert stored <= {a.value for a in AuditAction}
    typed = AuditEvent(1, "t", "ops", AuditAction.DEAL_CREATE, "deal:x", "success", GENESIS)
    plain = AuditEvent(1, "t", "ops", "deal.create", "deal:x", "success", GENESIS)
    assert event_hash(typed) == event_hash(plain)
