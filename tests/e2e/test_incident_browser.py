"""An incident in a real browser: the seller registers a leak of a million customers' data, the
page grades it "relatively major" and the deadline clocks count live; marking the provincial
report done takes it off the overdue list."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dataroom_browser import _login, _people

pytestmark = pytest.mark.slow


def test_seller_registers_an_incident_and_sees_the_clocks(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _people(vault)
    page = browser.new_page()
    _login(page, live_server, "seller")
    page.goto(f"{live_server}/rooms/deal1")
    page.click("text=安全事件")
    found = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(hours=5)).isoformat(timespec="seconds")
    page.fill("input[name=title]", "客户名单在网盘公开")
    page.fill("input[name=discovered_at]", found)
    page.fill("input[name=individuals]", "1000000")
    page.click("#report button[type=submit]")
    page.wait_for_selector("#deadlines")
    assert "较大" in page.inner_text("#grade")
    # clocks.js fills the clocks in: wait for the text, not for a fixed time
    page.wait_for_function(
        "() => [...document.querySelectorAll('.clock')].every(e => e.textContent.includes(':'))"
    )
    provincial = page.locator("#deadlines tbody tr", has_text="省级")
    assert "overdue" in (provincial.get_attribute("class") or "")
    shots = os.environ.get("BAOMI_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "incident.png"), full_page=True)
    provincial.locator("button").click()
    page.wait_for_selector("#deadlines")
    provincial = page.locator("#deadlines tbody tr", has_text="省级")
    assert "done" in (provincial.get_attribute("class") or "")
    # the notices: drafted under the form, the regulator report downloaded as a PDF
    for name, value in {
        "company": "示例科技有限公司",
        "contact": "400-000-0000",
        "categories": "姓名、手机号",
        "cause": "网盘链接公开",
        "harm": "诈骗电话",
        "measures": "关闭链接",
        "advice": "警惕来电",
    }.items():
        page.fill(f"#notices [name={name}]", value)
    page.click("#notices button:not([formaction])")
    page.wait_for_selector("#draft-regulator")
    assert "示例科技有限公司" in page.inner_text("#draft-individuals")
    if shots:
        page.screenshot(path=str(Path(shots) / "incident-notices.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#notices button[formaction]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
