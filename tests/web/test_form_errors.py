"""A page's form that does not validate answers a page, not the API's 422 JSON: the refusal
first for a role that may not act at all, then each field and its limit in words."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.services import accounts
from baomi.services.permissions import Actor, Role
from tests.web.test_comply_checklist import DEAL, PAGE, Home, home

__all__ = ["home"]

ROOM = f"/rooms/{DEAL}"


def _is_page(r: Any) -> bool:
    return r.headers["content-type"].startswith("text/html") and "<html" in r.text


@pytest.mark.parametrize(
    ("days", "said"),
    [("0", "有效天数须不小于 1"), ("abc", "有效天数须为数字"), ("400", "有效天数须不大于 366")],
)
def test_a_grant_with_bad_days_answers_a_page_saying_the_limit(
    home: Home, days: str, said: str
) -> None:
    csrf = home.browser("seller")
    r = home.client.post(
        f"{ROOM}/manage/grant",
        data={"csrf_token": csrf, "side": "buyer", "folder": "/", "level": "view", "days": days},
    )
    assert r.status_code == 422 and _is_page(r)
    assert said in r.text and days not in r.text.split("<main")[1].split("</main>")[0]


def test_the_form_error_is_english_on_request(home: Home) -> None:
    csrf = home.browser("seller")
    r = home.client.post(
        f"{ROOM}/manage/grant?lang=en",
        data={"csrf_token": csrf, "side": "buyer", "folder": "/", "level": "view", "days": "0"},
    )
    assert r.status_code == 422 and "days valid must be at least 1" in r.text


@pytest.mark.parametrize(
    ("who", "path", "data", "said"),
    [
        ("auditor", f"{PAGE}/vendors", {"name": "x" * 500}, "无权修改合规评估"),
        ("auditor", f"{PAGE}/vendors/v1/end", {}, "无权修改合规评估"),
        ("auditor", "/drills", {}, "无权安排或记录应急演练"),
        ("auditor", f"{PAGE}/profile", {}, "无权修改合规评估"),
        ("buyer.counsel", f"{PAGE}/profile", {}, "买方不能修改合规评估"),
        ("buyer", f"{ROOM}/manage/grant", {"days": "0"}, "无权授予文件夹权限"),
    ],
)
def test_a_refused_role_gets_the_refusal_before_any_field(
    home: Home, who: str, path: str, data: dict[str, str], said: str
) -> None:
    csrf = home.browser(who)
    r = home.client.post(path, data={"csrf_token": csrf, **data})
    assert r.status_code == 403 and _is_page(r), r.text[:300]
    assert said in r.text
    assert "表单有误" not in r.text and "必填" not in r.text


def test_a_setup_password_over_the_limit_says_the_limit(client: TestClient, vault: Any) -> None:
    _, token = accounts.create_user(
        vault, actor=Actor("t", Role.ADMIN), username="wang", display_name="Wang", role="buyer"
    )
    client.get(f"/setup/{token}")
    r = client.post(
        f"/setup/{token}",
        data={
            "csrf_token": client.cookies.get("baomi_csrf") or "",
            "password": "p" * 200,
            "confirm": "p" * 200,
        },
    )
    assert r.status_code == 422 and _is_page(r)
    assert f"密码最多 {accounts.MAX_PASSWORD} 个字符" in r.text
