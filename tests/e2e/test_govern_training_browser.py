"""Training in a real browser: a seller in HR signs in, opens the course assigned to the
department from the governance hub, reads the lesson, answers the quiz and sees the
certificate with its verification code; the course then shows as done."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from baomi.services import accounts
from baomi.services.govern import training
from baomi.services.permissions import Actor, Role
from tests.e2e.test_dataroom_browser import _login
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.slow

ADMIN = Actor("admin", Role.ADMIN)


def test_seller_completes_a_quiz_and_sees_the_certificate(
    vault: Any, live_server: str, browser: Any, tmp_path: Path
) -> None:
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="seller", display_name="王芳", role="seller", department="hr"
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    training.assign(vault, actor=ADMIN, course_id="awareness", department="hr")
    page = browser.new_page()
    _login(page, live_server, "seller")
    page.goto(f"{live_server}/govern")
    page.click("nav.links >> text=培训")
    row = page.locator("#my-courses tbody tr", has_text="个人信息保护意识入门")
    assert "待完成" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#quiz")
    for n, q in enumerate(training.course("awareness").questions):
        page.check(f"input[name=q{n}][value='{q.answer}']")
    page.click("#quiz button[type=submit]")
    page.wait_for_selector("#certificate")
    assert "已通过" in page.inner_text("#result")
    certificate = page.inner_text("#certificate")
    assert "个人信息保护培训证书" in certificate and "王芳" in certificate
    (attempt,) = training.my_attempts(vault, actor=Actor("seller", Role.SELLER))
    assert attempt.code and attempt.code in certificate
    shots = os.environ.get("BAOMI_SCREENSHOTS") or str(tmp_path)
    page.screenshot(path=str(Path(shots) / "training-certificate.png"), full_page=True)
    page.goto(f"{live_server}/govern/training")
    row = page.locator("#my-courses tbody tr", has_text="个人信息保护意识入门")
    assert "已完成" in row.inner_text()
