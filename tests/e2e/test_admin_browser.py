"""Administering the data room in a real browser: the administrator creates a user on the users
page and the user sets a password through the link shown once; opens a room from the home page,
seats the user, grants the buyer's side a folder, lists and revokes the grant, removes the
member — whose next request is refused — and disables the user, whose session ends; enables them
again and, once they set up an authenticator and lost it, resets their second factor, after which
the password alone signs them in. Screenshots of each page, Chinese and English, are kept in the
test's temporary folder (``--basetemp`` to keep them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest

from baomi.services import accounts
from baomi.services.permissions import Actor, Role
from tests.e2e.test_dataroom_browser import PASSWORD, _login
from tests.services.dataroom.test_rooms import VALID_USCC

pytestmark = pytest.mark.slow

DEAL = "转让-101"


def _shots(page: Any, folder: Path, name: str) -> None:
    """The page as it is, in Chinese, then in English; the page is left in Chinese."""
    url = page.url.split("?")[0].split("#")[0]
    page.screenshot(path=str(folder / f"{name}.zh.png"), full_page=True)
    page.goto(f"{url}?lang=en")
    page.screenshot(path=str(folder / f"{name}.en.png"), full_page=True)
    page.goto(f"{url}?lang=zh")


def test_admin_creates_a_user_seats_grants_revokes_and_removes(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _, token = accounts.create_user(
        vault,
        actor=Actor("system", Role.ADMIN),
        username="root",
        display_name="管理员",
        role="admin",
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, "root")

    # the users page: create a buyer reviewer; the setup link is shown once
    page.click("#users-link")
    page.wait_for_selector("#users")
    page.fill("#new-user input[name=username]", "buyer.b")
    page.fill("#new-user input[name=display_name]", "买方审阅人乙")
    page.select_option("#new-user select[name=role]", "buyer")
    page.click("#new-user button[type=submit]")
    link = page.locator("#setup-link").input_value()
    assert "/setup/" in link and page.locator("#user-buyer\\.b").count() == 1
    assert "未设置" in page.locator("#user-buyer\\.b").inner_text()
    page.screenshot(path=str(tmp_path / "users-created.zh.png"), full_page=True)
    page.reload()  # the form was answered with a redirect: a reload sends nothing again
    assert page.locator("#setup-link").count() == 0
    _shots(page, tmp_path, "users")

    newcomer = browser.new_page()
    newcomer.goto(link)
    newcomer.fill("#password", PASSWORD)
    newcomer.fill("#confirm", PASSWORD)
    newcomer.click("button[type=submit]")
    assert "密码已设置" in newcomer.inner_text("main")
    page.reload()
    assert "已设置" in page.locator("#user-buyer\\.b").inner_text()

    # a room opened from the home page, the user seated on the buyer's side
    page.goto(f"{live_server}/")
    _shots(page, tmp_path, "home")
    page.fill("#open-room input[name=deal]", DEAL)
    page.fill("#open-room input[name=target_name]", "示例科技有限公司")
    page.fill("#open-room input[name=target_uscc]", VALID_USCC)
    page.click("#open-room button[type=submit]")
    page.wait_for_selector("#manage")
    member_form = page.locator("form[action$='/manage/member']")
    member_form.locator("input[name=username]").fill("buyer.b")
    member_form.locator("select[name=side]").select_option("buyer")
    member_form.locator("select[name=role]").select_option("buyer")
    member_form.locator("button").click()
    row = page.locator("#member-buyer\\.b")
    assert "买方" in row.inner_text() and "未接受" in row.inner_text()

    grant_form = page.locator("form[action$='/manage/grant']")
    grant_form.locator("select[name=side]").select_option("buyer")
    grant_form.locator("input[name=folder]").fill("/财务")
    grant_form.locator("select[name=level]").select_option("download")
    grant_form.locator("button").click()
    grant = page.locator("#grants tbody tr").first
    assert "财务" in grant.inner_text() and "有效至" in grant.inner_text()
    assert "root" in grant.inner_text()
    _shots(page, tmp_path, "room-manage")

    # what cannot be taken back is asked first (static/confirm.js): cancelled, nothing changes
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    grant.locator("button", has_text="撤销").click()
    assert "有效至" in page.locator("#grants tbody tr").first.inner_text()
    assert asked == ["撤销对 财务 的授权？该方立即无法访问。"]
    page.on("dialog", lambda d: answer(d, True))  # from here on, yes
    grant.locator("button", has_text="撤销").click()
    grant = page.locator("#grants tbody tr").first
    assert "已撤销" in grant.inner_text() and grant.locator("button").count() == 0

    # the member removed: gone from the list, refused at once
    buyer = browser.new_page()
    _login(buyer, live_server, "buyer.b")
    page.locator("#member-buyer\\.b button", has_text="移出").click()
    assert "已将 buyer.b 移出数据室" in page.inner_text("#manage")
    assert page.locator("#member-buyer\\.b").count() == 0
    page.screenshot(path=str(tmp_path / "room-removed.zh.png"), full_page=True)
    refused = buyer.goto(f"{live_server}/rooms/{DEAL}")
    # no longer a member: the room answers as a missing deal, so its name cannot be probed
    assert refused is not None and refused.status == 404

    # disabled: the user's open session ends at once
    page.goto(f"{live_server}/admin/users")
    page.locator("#user-buyer\\.b button", has_text="停用").click()
    assert "已停用" in page.locator("#user-buyer\\.b").inner_text()
    _shots(page, tmp_path, "users-disabled")
    buyer.goto(f"{live_server}/")
    assert buyer.url == f"{live_server}/login"
    assert asked[-2:] == [
        "将 buyer.b 移出数据室？其访问立即结束。",
        "停用 buyer.b？其所有会话将立即结束。",
    ]

    # enabled again, with a notice; the user sets up an authenticator on /account
    page.locator("#user-buyer\\.b button", has_text="启用").click()
    assert page.locator("p.ok[role=status]").inner_text() == "已启用 buyer.b"
    _login(buyer, live_server, "buyer.b")  # the link above was the one shown: no other made
    buyer.goto(f"{live_server}/account")
    secret = buyer.locator("#totp-secret").inner_text()
    buyer.fill("#code", pyotp.TOTP(secret).now())
    buyer.click("form[action='/account/totp'] button[type=submit]")
    assert "已开启" in buyer.inner_text("main")

    # the authenticator is lost: the administrator resets the second factor
    page.goto(f"{live_server}/admin/users")
    row = page.locator("#user-buyer\\.b")
    assert "开启" in row.inner_text()
    _shots(page, tmp_path, "users-totp")
    row.locator("button", has_text="重置两步验证").click()
    assert asked[-1].startswith("重置 buyer.b 的两步验证？")
    notice = page.locator("p.ok[role=status]").inner_text()
    assert notice.startswith("已重置 buyer.b 的两步验证")
    assert page.locator("#user-buyer\\.b button", has_text="重置两步验证").count() == 0
    page.screenshot(path=str(tmp_path / "users-totp-reset.zh.png"), full_page=True)
    buyer.goto(f"{live_server}/account")
    assert buyer.url == f"{live_server}/login"  # the session signed in before has ended
    _login(buyer, live_server, "buyer.b")  # the password alone
    buyer.goto(f"{live_server}/account")
    assert buyer.locator("#totp-secret").count() == 1  # a new authenticator can be set up
