"""The data room in a real browser: the seller uploads the customer list and sees its inventory;
a buyer without the NDA is refused, accepts it, sees only protected data, downloads a copy that
``trace`` attributes to that buyer; the audit chain holds every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from baomi.demo import generate_demo
from baomi.engine.protect.trace import trace
from baomi.services import accounts, deals
from baomi.services.dataroom import grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.packages import records_dir
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Actor, Role
from baomi.storage.models import AuditEventRow
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
ADMIN = Actor("admin", Role.ADMIN)


def _people(vault: Any) -> None:
    deals.create(vault, actor=ADMIN, name="deal1")
    rooms.open_room(
        vault, actor=ADMIN, deal_ref="deal1", target_name="示例有限公司", target_uscc=VALID_USCC
    )
    for name, side, role in (
        ("seller", Side.SELLER, Role.SELLER),
        ("buyer", Side.BUYER, Role.BUYER),
    ):
        _, token = accounts.create_user(
            vault, actor=ADMIN, username=name, display_name=name, role=role.value
        )
        accounts.complete_setup(vault, token=token, password=PASSWORD)
        rooms.add_member(vault, actor=ADMIN, deal_ref="deal1", username=name, side=side, role=role)
    ndas.publish_nda(vault, actor=ADMIN, deal_ref="deal1", discloser="卖方", recipient="买方")
    rooms.set_stage(vault, actor=ADMIN, deal_ref="deal1", stage=Stage.DUE_DILIGENCE)
    grants.set_grant(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        side=Side.BUYER,
        folder="/",
        level=Level.DOWNLOAD,
        days=7,
    )


def _login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_seller_uploads_buyer_accepts_nda_and_downloads_a_traceable_copy(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _people(vault)
    generate_demo(tmp_path / "seller", rows=60)
    customers = tmp_path / "seller" / "客户名单.csv"

    seller = browser.new_page()
    _login(seller, live_server, "seller")
    seller.goto(f"{live_server}/rooms/deal1")
    seller.set_input_files("#files", str(customers))
    seller.click("form.upload button")
    seller.wait_for_selector("#documents")
    row = seller.locator("#documents tbody tr").first
    assert "客户名单.csv" in row.inner_text() and "居民身份证号" in row.inner_text()
    assert row.locator(".tag.sensitive[title=CN_RESIDENT_ID]").count() == 1  # sensitive PI marked

    context = browser.new_context(accept_downloads=True)
    buyer = context.new_page()
    _login(buyer, live_server, "buyer")
    response = buyer.goto(f"{live_server}/rooms/deal1")
    assert response.status == 403 and buyer.locator("pre.nda").is_visible()
    assert buyer.locator("#documents").count() == 0
    buyer.fill("#name", "买方代表")
    buyer.click("form[action$='/nda'] button")
    buyer.wait_for_selector("#documents")
    link = buyer.locator("#documents a.download").first
    assert "去标识化" in link.inner_text()
    with buyer.expect_download() as info:
        link.click()
    leaked = tmp_path / "leak.csv"
    info.value.save_as(leaked)
    original = customers.read_bytes()
    assert leaked.read_bytes() != original

    deal_id = rooms.deal_id(vault, "deal1")
    assert trace(leaked, records_dir(vault, deal_id)).recipient == "buyer"
    with vault.reading() as s:
        actions = [r.action for r in s.execute(select(AuditEventRow)).scalars()]
    for step in ("auth.login", "object.add", "access.denied", "nda.accept", "doc.download"):
        assert step in actions

    seller.goto(f"{live_server}/rooms/deal1/audit")
    assert "哈希链校验通过" in seller.locator("#chain").inner_text()
    log = seller.locator("#events").inner_text()
    for step in ("object.add", "access.denied", "nda.accept", "doc.download"):
        assert step in log
    seller.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
