from __future__ import annotations

import datetime as _dt

from baomi.services.govern import dashboard
from baomi.services.govern.demo import ensure_demo_governance
from baomi.services.vault import Vault

TODAY = _dt.date(2026, 6, 15)


def test_the_demo_fills_every_tile_once(vault: Vault) -> None:
    assert ensure_demo_governance(vault, TODAY)
    assert not ensure_demo_governance(vault, TODAY)  # seeded once
    board = dashboard.build(vault, TODAY)
    tiles = {t.key: t for t in board.tiles}
    assert tiles["audit_findings_open"].value == "1"
    assert tiles["reviews"].note.endswith(("1 项即将复核", "1 due soon"))
    assert "audit" in {i.kind for i in board.overdue}  # planned a week ago, not completed
    assert {i.kind for i in board.upcoming} >= {"audit-action", "review"}
