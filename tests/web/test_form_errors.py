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


@pytest.mark.parametrize(
    ("path", "data", "said"),
    [
        (
            "/govern/audits",
            {
                "scope": "范围",
                "frequency_months": "每年",
                "planned_for": "2027-01-15",
                "auditors": "甲",
            },
            "频率（月）须为数字",
        ),
        (
            "/govern/audits",
            {
                "scope": "范围",
                "frequency_months": "12",
                "planned_for": "2027-01-15",
                "auditors": "甲",
                "individuals": "1" * 20,
            },
            "处理个人信息的人数最多 13 个字符",
        ),
        ("/govern/surveys", {"title": "问卷", "intro": "长" * 2001}, "说明最多 2000 个字符"),
        (
            "/govern/policies",
            {"title": "制度", "department": "legal", "text": "正文", "next_review": "2027-01-150"},
            "首次复核日期最多 10 个字符",
        ),
    ],
)
def test_a_governance_form_names_the_field_it_refuses(
    home: Home, path: str, data: dict[str, str], said: str
) -> None:
    """The governance forms' fields had no names: "表单有误：某一项须为数字" left the user to
    guess which of the audit plan's five fields was wrong."""
    csrf = home.browser("broker")
    r = home.client.post(path, data={"csrf_token": csrf, **data})
    assert r.status_code == 422 and _is_page(r)
    assert said in r.text and "某一项" not in r.text


def test_a_governance_form_refuses_a_role_before_naming_any_field(home: Home) -> None:
    """The buyer's reviewer, who may not plan audits, learnt which fields the plan needs."""
    csrf = home.browser("buyer")
    r = home.client.post("/govern/audits", data={"csrf_token": csrf, "frequency_months": "x"})
    assert r.status_code == 403 and _is_page(r)
    assert "表单有误" not in r.text and "频率" not in r.text
