from __future__ import annotations

import datetime as _dt
import sys
import types

import pytest

from baomi.errors import PermissionDeniedError
from baomi.services.comply.reports.model import Tone
from baomi.services.govern import dashboard
from baomi.services.govern.calendar import DueItem
from baomi.services.govern.dashboard import Tile
from baomi.services.permissions import Actor, Role
from baomi.services.respond import incidents, requests
from baomi.services.respond.requests import Kind
from baomi.services.vault import Vault

OP = Actor("op", Role.OPERATOR)
TODAY = _dt.date(2026, 6, 15)


@pytest.fixture
def area(monkeypatch: pytest.MonkeyPatch) -> str:
    module = types.ModuleType("baomi_test_area")

    def items(vault: Vault, today: _dt.date) -> list[DueItem]:
        day = _dt.timedelta(days=1)
        return [
            DueItem("audit", "a1", "整改", today - day, "legal"),
            DueItem("audit", "a2", "整改", today - 3 * day, "legal"),
            DueItem("review", "r1", "复审", today - day),
            DueItem("review", "r2", "复审", today + day, "hr"),
            DueItem("review", "r3", "复审", today - day, "hr", done=True),
        ]

    module.items = items  # type: ignore[attr-defined]
    module.tiles = lambda vault, today: [Tile("training", "培训完成率", "80%")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "baomi_test_area", module)
    return "baomi_test_area"


def test_the_dashboard_counts_what_the_registers_hold(vault: Vault, area: str) -> None:
    board = dashboard.build(vault, TODAY, tiles=(), sources=())
    tiles = {t.key: t for t in board.tiles}
    assert tiles["incidents_open"].value == "0" and tiles["incidents_open"].tone is Tone.GOOD
    assert tiles["requests_due"].value == "0"
    incidents.report(vault, actor=OP, title="名单外泄", individuals=10)
    requests.receive(vault, actor=OP, kind=Kind.ACCESS, contact="a@example.com")
    late = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(days=40)).isoformat()
    requests.receive(vault, actor=OP, kind=Kind.DELETION, contact="b@example.com", received_at=late)
    tiles = {t.key: t for t in dashboard.build(vault, TODAY, tiles=(), sources=()).tiles}
    assert tiles["incidents_open"].value == "1" and tiles["incidents_open"].tone is Tone.BAD
    assert tiles["requests_due"].value == "2" and tiles["requests_due"].tone is Tone.BAD
    assert "1" in tiles["requests_due"].note  # one of them is past its 30 days


def test_overdue_items_by_department_and_the_areas_tiles(vault: Vault, area: str) -> None:
    board = dashboard.build(vault, TODAY, tiles=(f"{area}:tiles",), sources=(f"{area}:items",))
    assert [i.ref for i in board.overdue] == ["a2", "a1", "r1"]
    assert board.overdue_by_department == {"legal": 2, "": 1}
    assert [i.ref for i in board.upcoming] == ["r2"]  # done items are neither
    assert "training" in {t.key for t in board.tiles}


@pytest.mark.parametrize("role", [Role.BUYER, Role.COUNSEL])
def test_the_buyer_side_sees_no_dashboard(vault: Vault, role: Role) -> None:
    with pytest.raises(PermissionDeniedError):
        dashboard.dashboard(vault, actor=Actor("x", role))
