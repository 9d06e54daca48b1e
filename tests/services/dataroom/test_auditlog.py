"""The audit page's queries: a deal's events only, each filter, CSV export, the chain status."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from baomi.errors import PermissionDeniedError
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
