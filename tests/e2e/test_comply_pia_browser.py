"""The PIA page in a real browser: the seller sees the questionnaire pre-filled from the scanned
customer list, answers a question, lists a risk and sees it in the matrix; a screenshot of the
page is taken (``BAOMI_SCREENSHOTS=DIR`` keeps it for a person to look at)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from baomi.demo import generate_demo
from baomi.engine.scan import scan_paths
from baomi.services import accounts, deals
from baomi.services.comply import pia
from baomi.services.comply.pia import Impact, Likelihood
from baomi.services.comply.profile import Location, TransferType, set_profile
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Actor, Role
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
ADMIN = Actor("admin", Role.ADMIN)


def _deal(vault: Any, tmp_path: Path) -> None:
    deals.create(vault, actor=ADMIN, name="deal1")
    rooms.open_room(
        vault, actor=ADMIN, deal_ref="deal1", target_name="示例有限公司", target_uscc=VALID_USCC
    )
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="seller", display_name="卖方", role="seller"
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    rooms.add_member(
        vault, actor=ADMIN, deal_ref="deal1", username="seller", side=Side.SELLER, role=Role.SELLER
    )
    generate_demo(tmp_path / "seller", rows=60)
    deals.add(vault, actor=ADMIN, deal_ref="deal1", paths=[tmp_path / "seller" / "客户名单.csv"])
    set_profile(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        transfer_type=TransferType.EQUITY,
        recipient_name="买方投资有限公司",
        recipient_location=Location.MAINLAND,
        purpose="股权转让前的尽职调查",
    )
    pia.add_risk(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        title="尽调期间买方人员复制数据",
        impact=Impact.HIGH,
        likelihood=Likelihood.MEDIUM,
    )


def test_the_pia_page_prefilled_answered_and_with_a_risk(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("#username", "seller")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/rooms/deal1")
    page.click("#comply-link")  # the room links the compliance hub, the hub its parts
    page.click("nav.sections >> text=个人信息保护影响评估")
    page.wait_for_url(f"{live_server}/rooms/deal1/comply/pia")
    individuals = page.locator("#pia\\.individuals").inner_text()
    # the scan's people: the 60 customers, and a parcel's receiver a remark names with a phone
    scanned = scan_paths([tmp_path / "seller" / "客户名单.csv"]).inventory
    assert "系统填写" in individuals
    assert f"{scanned.summary.estimated_individuals} 人" in individuals
    assert "买方投资有限公司" in page.locator("#pia\\.recipient").inner_text()

    form = page.locator("#pia\\.necessity form")
    form.locator("textarea").fill("仅提供去标识化的客户名单样本，字段限于尽调所需")
    form.locator("button").click()
    page.wait_for_selector("#pia\\.necessity .answer")
    assert "去标识化" in page.locator("#pia\\.necessity .answer").inner_text()

    page.fill("#add-risk input[name=title]", "重标识攻击")
    page.select_option("#add-risk select[name=impact]", "severe")
    page.select_option("#add-risk select[name=likelihood]", "high")
    page.click("#add-risk button")
    page.wait_for_selector("#risk-table")
    table = page.locator("#risk-table").inner_text()
    assert "重标识攻击" in table and "不可接受" in table
    assert "×1" in page.locator("#matrix").inner_text()

    keep = Path(os.environ.get("BAOMI_SCREENSHOTS", tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    shot = keep / "comply-pia.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.click("text=风险评估（六个方面）")
    page.wait_for_url(f"{live_server}/rooms/deal1/comply/risk")
    assert "正常" in page.locator("#fact-audit_chain").inner_text()
    page.screenshot(path=str(keep / "comply-risk.png"), full_page=True)
