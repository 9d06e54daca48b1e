"""The compliance checklist in a real browser: the seller marks an item done, an overdue item
stands out, and the page is captured (``BAOMI_SCREENSHOTS=DIR`` keeps the picture)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

import pytest

from baomi.services import accounts, deals
from baomi.services.comply import checklist as cl
from baomi.services.comply import vendors as vd
from baomi.services.comply.scope import today
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Actor, Role
from tests.e2e.test_dataroom_browser import PASSWORD, _login
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

ADMIN = Actor("admin", Role.ADMIN)


def _seller(vault: Any) -> None:
    deals.create(vault, actor=ADMIN, name="deal1")
    rooms.open_room(
        vault, actor=ADMIN, deal_ref="deal1", target_name="示例有限公司", target_uscc=VALID_USCC
    )
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="seller", display_name="seller", role="seller"
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    rooms.add_member(
        vault, actor=ADMIN, deal_ref="deal1", username="seller", side=Side.SELLER, role=Role.SELLER
    )
    for key in ("policy.rules", "policy.classification", "technical.encryption"):
        cl.set_item(vault, actor=ADMIN, deal_ref="deal1", item=key, status=cl.Status.DONE)
    cl.set_item(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        item="staff.training",
        status=cl.Status.IN_PROGRESS,
        owner="人事部",
        due=today() - _dt.timedelta(days=2),
    )
    vd.save_vendor(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        data=vd.VendorInput("云存储服务商", vd.Kind.SERVICE_PROVIDER, contract_end=today()),
    )


def test_the_seller_works_through_the_checklist(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _seller(vault)
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    _login(page, live_server, "seller")
    page.goto(f"{live_server}/rooms/deal1/comply/checklist")
    overdue = page.locator("tr.overdue")
    assert overdue.count() == 1 and "逾期" in overdue.inner_text()
    row = page.locator("tr", has_text="对个人信息实行分类管理").first
    assert row.get_attribute("class") == "done"
    first = page.locator("table.checklist").first.locator("tbody tr").nth(2)
    first.locator("select[name=status]").select_option("done")
    first.locator("button", has_text="保存").click()
    page.wait_for_url(f"{live_server}/rooms/deal1/comply/checklist")
    assert (
        page.locator("table.checklist").first.locator("tbody tr").nth(2).get_attribute("class")
        == "done"
    )
    assert page.locator("svg.trend polyline").count() == 1
    shots = Path(os.environ.get("BAOMI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "comply-checklist.png"), full_page=True)
    assert (shots / "comply-checklist.png").stat().st_size > 10_000
    page.goto(f"{live_server}/rooms/deal1/comply/vendors")
    assert "即将到期" in page.inner_text("ul.reminders")
    page.screenshot(path=str(shots / "comply-vendors.png"), full_page=True)
