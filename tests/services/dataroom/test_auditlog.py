"""The audit page's queries: a deal's events only, each filter, CSV export, the chain status."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import deals
from baomi.services.dataroom import auditlog, documents, grants, rooms
from baomi.services.dataroom.auditlog import AuditFilter
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.permissions import Actor, Role
from tests.services.dataroom.test_documents import BROKER, DEAL, _csv, room
from tests.services.dataroom.test_rooms import VALID_USCC
from tests.vault_support import database_url, key_file, settings, vault

__all__ = ["database_url", "key_file", "room", "settings", "vault"]


def test_only_this_deals_events_and_each_filter(vault: Any, room: dict[str, rooms.Seat]) -> None:
    deals.create(vault, actor=Actor("ops", Role.OPERATOR), name="other")
    rooms.open_room(
        vault, actor=BROKER, deal_ref="other", target_name="别的公司", target_uscc=VALID_USCC
    )
    (doc,) = documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(3))])
    grants.set_grant(
        vault, actor=BROKER, deal_ref=DEAL, side=Side.BUYER, folder="/", level=Level.VIEW, days=1
    )
    seller = room["seller.a"]
    everything = auditlog.deal_events(vault, seller, DEAL)
    actions = {e.action for e in everything}
    assert {"room.open", "member.add", "nda.accept", "object.add", "grant.set"} <= actions
    other_id = rooms.deal_id(vault, "other")
    assert all(other_id not in e.object for e in everything)
    assert [e.seq for e in everything] == sorted((e.seq for e in everything), reverse=True)
    assert {
        e.actor for e in auditlog.deal_events(vault, seller, DEAL, AuditFilter(user="buyer.a"))
    } == {"buyer.a"}
    assert {
        e.action for e in auditlog.deal_events(vault, seller, DEAL, AuditFilter(action="grant.set"))
    } == {"grant.set"}
    by_doc = auditlog.deal_events(vault, seller, DEAL, AuditFilter(document=doc.id))
    assert [e.object for e in by_doc] == [f"object:{doc.id}"]
    last = everything[0].ts
    assert auditlog.deal_events(vault, seller, DEAL, AuditFilter(since=last))[0].ts == last
    assert auditlog.deal_events(vault, seller, DEAL, AuditFilter(until="2000-01-01")) == []
    rows = list(csv.reader(io.StringIO(auditlog.to_csv(everything))))
    assert rows[0] == list(auditlog.COLUMNS) and len(rows) == len(everything) + 1
    assert auditlog.chain_status(vault, seller, DEAL).ok


def test_buyers_do_not_read_the_log(vault: Any, room: dict[str, rooms.Seat]) -> None:
    with pytest.raises(PermissionDeniedError):
        auditlog.deal_events(vault, room["buyer.a"], DEAL)


def test_filters_read_days_and_times_in_china_time(
    vault: Any, room: dict[str, rooms.Seat], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log stores UTC, the pages show Beijing time: an auditor's ``since=2026-12-06``
    missed an upload made at 06:24 on the 6th in Beijing (22:24 UTC on the 5th), and
    ``until=2026-12-05`` left out the whole of that day. A day is now China's, ``until``
    includes its day, and what cannot be read is an error instead of an empty list."""
    from baomi.services import audit

    monkeypatch.setattr(audit, "now", lambda: "2026-12-05T22:24:18.500000+00:00")
    (doc,) = documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(3))])
    monkeypatch.undo()
    seller = room["seller.a"]

    def found(**typed: str) -> bool:
        filt = auditlog.filter_from(**typed, document=doc.id)
        return any(
            e.action == "object.add" for e in auditlog.deal_events(vault, seller, DEAL, filt)
        )

    assert found(since="2026-12-06") and found(until="2026-12-06")
    assert not found(until="2026-12-05") and not found(since="2026-12-07")
    assert found(since="2026-12-06 06:24") and not found(since="2026-12-06 06:25")
    assert found(since="2026-12-05T22:00:00Z") and found(since="2026-12-6", until="2026-12-6")
    # an action names its family, any case; a document its id's first characters
    assert auditlog.filter_from(action="NDA").action == "nda"
    family = auditlog.deal_events(vault, seller, DEAL, auditlog.filter_from(action="NDA"))
    assert family and {e.action for e in family} <= {"nda.accept", "nda.publish"}
    by_prefix = auditlog.deal_events(vault, seller, DEAL, auditlog.filter_from(document=doc.id[:6]))
    assert [e.object for e in by_prefix] == [f"object:{doc.id}"]
    for bad in (
        {"since": "2026-13-45"},
        {"since": "yesterday"},
        {"since": "2026-12-07", "until": "2026-12-05"},
        {"action": "nda%"},
        {"document": "ab"},
    ):
        with pytest.raises(InputError):
            auditlog.filter_from(**bad)


def test_every_audit_action_and_outcome_has_a_label_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from baomi.engine.audit_chain import AuditAction

    assert set(auditlog.ACTION_LABELS) == set(AuditAction)
    for zh, en in [*auditlog.ACTION_LABELS.values(), *auditlog.OUTCOME_LABELS.values()]:
        assert zh and en and zh != en
        assert not any("\u4e00" <= c <= "\u9fff" for c in en), en
    monkeypatch.setenv("BAOMI_LANG", "zh")
    assert auditlog.action_label("nda.accept") == "接受保密协议"
    monkeypatch.setenv("BAOMI_LANG", "en")
    assert auditlog.action_label("nda.accept") == "NDA accepted"
    assert auditlog.outcome_label("denied") == "denied"
    assert auditlog.action_label("some.future") == "some.future"


def test_the_log_holds_what_became_of_the_deals_grants_and_incidents(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    """The room's audit page showed a grant being given but not its revocation, and an
    incident being reported but none of what followed (duties done, plan steps, status up to
    closed): those events name their grant or incident, not the deal. They are the deal's
    events too — as are its data-subject requests' — and another deal's stay out."""
    from baomi.services.respond import incidents
    from baomi.services.respond import requests as subject_requests

    deals.create(vault, actor=Actor("ops", Role.OPERATOR), name="other")
    rooms.open_room(
        vault, actor=BROKER, deal_ref="other", target_name="别的公司", target_uscc=VALID_USCC
    )
    given = grants.set_grant(
        vault, actor=BROKER, deal_ref=DEAL, side=Side.BUYER, folder="/", level=Level.VIEW, days=1
    )
    grants.revoke_grant(vault, actor=BROKER, deal_ref=DEAL, grant_id=given)
    seller = room["seller.a"]
    incident = incidents.report(vault, actor=seller.actor, title="邮件误发", deal_ref=DEAL)
    incidents.mark(
        vault, actor=seller.actor, incident_id=incident.id, clock=incidents.Clock.REGULATOR
    )
    incidents.set_status(
        vault, actor=seller.actor, incident_id=incident.id, status=incidents.Status.HANDLED
    )
    elsewhere = incidents.report(vault, actor=BROKER, title="别处", deal_ref="other")
    incidents.set_status(
        vault, actor=BROKER, incident_id=elsewhere.id, status=incidents.Status.HANDLED
    )
    asked = subject_requests.receive(
        vault, actor=BROKER, kind=subject_requests.Kind.ACCESS, contact="a@b.cn", deal_ref=DEAL
    )
    subject_requests.set_status(
        vault,
        actor=BROKER,
        request_id=asked.id,
        status=subject_requests.Status.REFUSED,
        reason="无法核实身份",
    )
    events = auditlog.deal_events(vault, seller, DEAL)
    seen = {(e.action, e.object) for e in events}
    assert ("grant.revoke", f"grant:{given}") in seen
    updates = [e for e in events if e.object == f"incident:{incident.id}"]
    assert [e.action for e in updates] == ["incident.update", "incident.update", "incident.report"]
    assert ("request.update", f"request:{asked.id}") in seen
    assert all(e.object != f"incident:{elsewhere.id}" for e in events)
