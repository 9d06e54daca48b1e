"""The audit hash chain: modified, deleted, inserted and reordered events and checkpoints."""

from __future__ import annotations

import dataclasses

from baomi.engine import crypto
from baomi.engine.audit_chain import (
    GENESIS,
    AuditEvent,
    SealedEvent,
    canonical,
    make_checkpoint,
    seal_event,
    verify_chain,
)


def _chain(n: int) -> list[SealedEvent]:
    out: list[SealedEvent] = []
    prev = GENESIS
    for i in range(1, n + 1):
        s = seal_event(
            AuditEvent(
                i,
                f"2026-01-01T00:00:{i:02d}",
                "alice",
                "deal.create",
                f"deal:{i}",
                "success",
                prev,
                {"n": i},
            )
        )
        out.append(s)
        prev = s.hash
    return out


def _reseal(events: list[SealedEvent]) -> list[SealedEvent]:
    """What an attacker with database access does: renumber and recompute every hash."""
    out: list[SealedEvent] = []
    prev = GENESIS
    for i, s in enumerate(events, start=1):
        out.append(seal_event(dataclasses.replace(s.event, seq=i, prev_hash=prev)))
        prev = out[-1].hash
    return out


def test_canonical_form_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": "保密"}) == '{"a":"保密","b":1}'.encode()


def test_intact_chain_verifies() -> None:
    report = verify_chain(_chain(5))
    assert report.ok and report.events == 5 and report.first_bad is None


def test_modified_event_named() -> None:
    events = _chain(5)
    events[2] = SealedEvent(dataclasses.replace(events[2].event, actor="mallory"), events[2].hash)
    assert verify_chain(events).first_bad == 3


def test_deleted_event_named() -> None:
    events = _chain(5)
    del events[1]
    assert verify_chain(events).first_bad == 2


def test_inserted_event_named() -> None:
    events = _chain(5)
    fake = seal_event(AuditEvent(3, "t", "m", "x", "o", "success", events[1].hash))
    events.insert(2, fake)
    report = verify_chain(events)
    assert not report.ok and report.first_bad == 4


def test_reordered_events_named() -> None:
    events = _chain(5)
    events[1], events[2] = events[2], events[1]
    assert verify_chain(events).first_bad == 2


def test_rewritten_chain_caught_by_signed_checkpoint() -> None:
    priv = crypto.generate_signing_key()
    pub = crypto.public_key_of(priv)
    events = _chain(6)
    cps = [
        make_checkpoint(priv, 3, events[2].hash, "t3"),
        make_checkpoint(priv, 6, events[5].hash, "t6"),
    ]
    assert verify_chain(events, cps, pub).ok
    tampered = list(events)
    tampered[4] = SealedEvent(
        dataclasses.replace(events[4].event, outcome="failure"), events[4].hash
    )
    rewritten = _reseal(tampered)
    assert verify_chain(rewritten).ok  # self-consistent without checkpoints
    report = verify_chain(rewritten, cps, pub)
    assert not report.ok and report.first_bad == 4  # after the last good checkpoint (3)


def test_forged_checkpoint_and_missing_tail() -> None:
    priv = crypto.generate_signing_key()
    events = _chain(4)
    forged = make_checkpoint(crypto.generate_signing_key(), 4, events[3].hash, "t")
    assert not verify_chain(events, [forged], crypto.public_key_of(priv)).ok
    cp = make_checkpoint(priv, 4, events[3].hash, "t")
    report = verify_chain(events[:2], [cp], crypto.public_key_of(priv))
    assert not report.ok and report.first_bad == 3
