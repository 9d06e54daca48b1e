"""The compliance overview in a real browser: the seller follows the room's link, sets the
transfer type and the company's facts with the forms, and reads obligations, package statuses,
duties and the exposure estimate; the page is captured (``BAOMI_SCREENSHOTS`` keeps the PNGs)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from baomi.services import accounts, deals
from baomi.services.dataroom import documents, rooms
from baomi.services.dataroom.packages import records_dir
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Actor, Role
from tests.services.comply.rules_support import pseudonymised_package
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
ADMIN = Actor("admin", Role.ADMIN)

#: the scan inventory of a large generated customer list (counts only)
INVENTORY = {
    "summary": {
        "estimated_individuals": 1_200_000,
        "individuals_with_sensitive": 150_000,
        "rows": 1_200_000,
        "entities": {"CN_MOBILE": 1_200_000, "BANK_CARD": 150_000, "PERSON_NAME": 1_200_000},
        "sensitive_categories": {"医疗健康": 3_000},
    }
}


def _deal(vault: Any, tmp: Path) -> None:
    deal = deals.create(vault, actor=ADMIN, name="合规演示")
    rooms.open_room(
        vault, actor=ADMIN, deal_ref=deal.id, target_name="示例有限公司", target_uscc=VALID_USCC
    )
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="seller", display_name="seller", role="seller"
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    rooms.add_member(
        vault, actor=ADMIN, deal_ref=deal.id, username="seller", side=Side.SELLER, role=Role.SELLER
    )
    documents.upload(
        vault,
        rooms.Seat(ADMIN, None),
        deal.id,
        [("客户名单.csv", "手机号\n13900000001\n".encode())],
        folder="客户",
        scanner=lambda _: INVENTORY,
    )
    pseudonymised_package(tmp, records_dir(vault, deal.id))


def test_the_seller_assesses_the_deal(
    browser: Any, live_server: str, vault: Any, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    shots = Path(os.environ.get("BAOMI_SCREENSHOTS") or tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("#username", "seller")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/rooms/合规演示")
    page.click("#comply-link")
    assert page.locator("#o-set-transfer-type").is_visible()
    page.select_option("select[name=transfer_type]", "merger")
    page.fill("input[name=recipient_name]", "承接科技有限公司")
    page.fill("input[name=recipient_contact]", "010-00000000")
    page.click("#profile button[type=submit]")
    page.fill("input[name=turnover_yuan]", "2000000000")
    page.fill("input[name=staff]", "260")
    page.check("input[name=pi_business]")
    page.click("#company button[type=submit]")
    page.wait_for_selector("#o-notify-recipient")
    assert page.locator("#d-officer .applies").is_visible()
    assert "去标识化" in page.inner_text("#packages")
    assert "100,000,000" in page.inner_text("#exposure")
    page.screenshot(path=str(shots / "comply-overview.png"), full_page=True)
    page.goto(f"{live_server}/rooms/合规演示/comply?lang=en")
    assert "Exposure (estimate)" in page.inner_text("#exposure")
    page.screenshot(path=str(shots / "comply-overview-en.png"), full_page=True)
