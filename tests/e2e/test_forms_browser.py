"""What was typed survives a form's refusal, in a real browser: a refusal comes back as a
redirect to the form's page (POST-redirect-GET), drawn anew, and ``static/forms.js`` puts back
into the same form what it sent (no password, file or hidden field); a page without an error
gets nothing back, and nothing is left in the tab's storage."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Actor, Role
from tests.e2e.test_dataroom_browser import PASSWORD, _login, _people
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

ADMIN = Actor("system", Role.ADMIN)
DESCRIPTION = "销售部员工将含客户手机号的表格误发给外部合作方，已要求对方删除。\n第二行。"


def _broker(vault: Any) -> None:
    """A broker account, "broker", with the tests' password."""
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="broker", display_name="经纪", role="broker"
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)


def test_a_refused_incident_report_keeps_its_title_and_description(
    vault: Any, live_server: str, browser: Any
) -> None:
    """A time typed in words ("昨天下午") was refused and the form came back empty: the
    description had to be written again."""
    _people(vault)
    page = browser.new_page()
    _login(page, live_server, "seller")
    page.goto(f"{live_server}/rooms/deal1/incidents")
    page.fill("#report input[name=title]", "员工邮件误发客户名单")
    page.fill("#report textarea[name=description]", DESCRIPTION)
    page.select_option("#report select[name=source]", "customer")
    page.fill("#report input[name=discovered_at]", "昨天下午")
    page.fill("#report input[name=individuals]", "120")
    page.check("#report input[name=ciio]")
    page.click("#report button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "YYYY-MM-DD" in page.inner_text("[role=alert]")
    # the page's script puts the values back once the page is parsed: wait for it, not the alert
    expect(page.locator("#report input[name=title]")).to_have_value("员工邮件误发客户名单")
    assert page.input_value("#report textarea[name=description]") == DESCRIPTION
    assert page.input_value("#report select[name=source]") == "customer"
    assert page.input_value("#report input[name=discovered_at]") == "昨天下午"
    assert page.input_value("#report input[name=individuals]") == "120"
    assert page.is_checked("#report input[name=ciio]")
    assert page.evaluate("window.sessionStorage.getItem('baomi.typed')") is None

    page.fill("#report input[name=discovered_at]", "")
    page.click("#report button[type=submit]")
    page.wait_for_selector("#deadlines")
    assert "员工邮件误发客户名单" in page.inner_text("h1")
    page.goto(f"{live_server}/rooms/deal1/incidents")  # a page with no error: an empty form
    assert page.input_value("#report input[name=title]") == ""


def test_a_refused_room_keeps_the_deal_and_company(
    vault: Any, live_server: str, browser: Any
) -> None:
    """A mistyped unified social credit code emptied all four fields of "开设数据室"."""
    _broker(vault)
    page = browser.new_page()
    _login(page, live_server, "broker")
    page.fill("#open-room input[name=deal]", "转让-202")
    page.fill("#open-room input[name=target_name]", "示例科技有限公司")
    page.fill("#open-room input[name=target_uscc]", VALID_USCC[:-1] + "0")
    page.fill("#open-room input[name=recipient_region]", "HK")
    page.click("#open-room button[type=submit]")
    page.wait_for_selector("#open-room [role=alert]")
    expect(page.locator("#open-room input[name=deal]")).to_have_value("转让-202")
    assert page.input_value("#open-room input[name=target_name]") == "示例科技有限公司"
    assert page.input_value("#open-room input[name=recipient_region]") == "HK"
    page.fill("#open-room input[name=target_uscc]", VALID_USCC)
    page.click("#open-room button[type=submit]")
    page.wait_for_url(f"{live_server}/rooms/*")


def test_the_public_request_page_keeps_what_was_typed_when_refused(
    live_server: str, browser: Any
) -> None:
    """The public page answers a refusal with itself (no redirect): the requester's kind and
    text were gone when the contact was not an e-mail address or a phone number."""
    page = browser.new_page()
    page.goto(f"{live_server}/request")
    page.select_option("#kind", "deletion")
    page.fill("#contact", "张三")
    page.fill("#details", "请删除我在贵公司的会员资料。")
    page.click("form[action='/request'] button[type=submit]")
    page.wait_for_selector("[role=alert]")
    expect(page.locator("#kind")).to_have_value("deletion")
    assert page.input_value("#contact") == "张三"
    assert page.input_value("#details") == "请删除我在贵公司的会员资料。"
    page.fill("#contact", "13812345678")
    page.click("form[action='/request'] button[type=submit]")
    page.wait_for_selector("text=DSR-")


def test_ending_the_deal_is_asked_first(vault: Any, live_server: str, browser: Any) -> None:
    """Removing a member, revoking a grant and disabling a user asked first, but choosing
    "已终止" and pressing "更改阶段" ended the deal at once — the buyer's access gone, no way
    back. An ending stage is asked first; a stage that can be changed again is not."""
    _people(vault)
    _broker(vault)
    rooms.add_member(
        vault,
        actor=ADMIN,
        deal_ref="deal1",
        username="broker",
        side=Side.PLATFORM,
        role=Role.BROKER,
    )
    page = browser.new_page()
    _login(page, live_server, "broker")
    page.goto(f"{live_server}/rooms/deal1")
    asked: list[str] = []
    say_yes = [False]

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept() if say_yes[0] else dialog.dismiss()

    page.on("dialog", answer)
    page.select_option("select[name=stage]", "aborted")
    page.click("form[action$='/manage/stage'] button")
    assert asked and "不能撤销" in asked[0]
    page.reload()
    assert page.input_value("select[name=stage]") == "due_diligence"  # not sent
    say_yes[0] = True
    page.select_option("select[name=stage]", "signed")
    page.click("form[action$='/manage/stage'] button")
    page.wait_for_load_state()
    assert len(asked) == 1  # signing is not asked
    page.select_option("select[name=stage]", "aborted")
    page.click("form[action$='/manage/stage'] button")
    page.wait_for_selector("#ended")
    assert len(asked) == 2
