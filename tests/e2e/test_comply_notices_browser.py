"""Customer notices in a real browser: the seller previews the SMS of a separate-consent request
(with its segment count), exports the mail-merge list, imports the gateway's status file and
sees the campaign move; a screenshot of the page is kept for a person to look at."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest

from baomi.demo import generate_demo
from baomi.services import accounts, deals
from baomi.services.comply import profile
from baomi.services.comply.profile import TransferType
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Actor, Role
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
ADMIN = Actor("admin", Role.ADMIN)
#: Where the page's screenshot is kept (``BAOMI_SCREENSHOTS`` or the test's folder).
SHOTS = "BAOMI_SCREENSHOTS"


def _deal(vault: Any, tmp_path: Path) -> None:
    deals.create(vault, actor=ADMIN, name="deal1")
    rooms.open_room(
        vault, actor=ADMIN, deal_ref="deal1", target_name="示例有限公司", target_uscc=VALID_USCC
    )
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="seller", display_name="seller", role=Role.SELLER.value
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    rooms.add_member(
        vault, actor=ADMIN, deal_ref="deal1", username="seller", side=Side.SELLER, role=Role.SELLER
    )
    profile.set_profile(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        transfer_type=TransferType.ASSET_SALE,
        recipient_name="承接科技有限公司",
        recipient_contact="400-800-1234",
        purpose="继续提供售后服务",
    )
    generate_demo(tmp_path / "seller", rows=30)
    deals.add(vault, actor=ADMIN, deal_ref="deal1", paths=[tmp_path / "seller" / "客户名单.csv"])


def test_seller_previews_exports_and_tracks_the_notices(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("#username", "seller")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/rooms/deal1/comply/notices")
    page.select_option("select[name=channel]", "sms")
    page.click("#choose button")
    page.wait_for_selector("#segments")
    assert "张三" in page.locator("#text").inner_text()
    assert "PIPL-23" in page.locator("#preview").inner_text()

    with page.expect_download() as info:
        page.select_option("select[name=format]", "csv")
        page.click("#export button")
    merged = tmp_path / "merge.csv"
    info.value.save_as(str(merged))
    with merged.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30

    status = tmp_path / "回执.csv"
    lines = ["notice_id,channel,status,timestamp"]
    lines += [f"{r['notice_id']},sms,delivered,2026-12-01 10:00" for r in rows[:20]]
    lines += [f"{r['notice_id']},sms,consented,2026-12-02 09:00" for r in rows[:12]]
    lines += [f"{r['notice_id']},sms,refused-consent,2026-12-02 09:30" for r in rows[12:15]]
    status.write_text("\n".join(lines) + "\n", encoding="gbk")
    page.set_input_files("#import input[type=file]", str(status))
    page.click("#import button")
    page.wait_for_selector("#message")
    campaign = page.locator("#campaign").inner_text()
    assert "20" in page.locator("#channels").inner_text() and "15" in campaign
    shots = Path(os.environ.get(SHOTS) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "comply-notices.png"), full_page=True)
