"""The users page ``/admin/users`` and its API twins: the administrator lists users, creates one
(the setup link shown once), issues a new link, disables, enables, unlocks and resets a lost
second factor — every form with the session's CSRF token, answered with a redirect and a signed
message, Chinese first with the English switch, no address shown."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from baomi.errors import PermissionDeniedError
from baomi.services import accounts, totp
from baomi.storage.models import AuditEventRow
from baomi.web.security import SESSION_COOKIE
from tests.vault_support import later_code
from tests.web.conftest import ADMIN, PASSWORD, make_user

PAGE = "/admin/users"


def _signed_in(client: TestClient, vault: Any, username: str) -> str:
    """``username``'s session as the browser's cookie; the session's CSRF token."""
    token = accounts.login(vault, username=username, password=PASSWORD).token
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)
    return accounts.csrf_token(vault, token)


def _bearer(vault: Any, username: str) -> dict[str, str]:
    token = accounts.login(vault, username=username, password=PASSWORD).token
    return {"Authorization": f"Bearer {token}"}


def _link(html: str) -> str:
    """The setup token the page shows in its one-time link box."""
    found = re.search(r'id="setup-link" readonly value="[^"]*/setup/([^"]+)"', html)
    assert found is not None, "no setup link shown"
    return found.group(1)


@pytest.fixture
def admin(client: TestClient, vault: Any) -> str:
    make_user(vault, "root", "admin")
    return _signed_in(client, vault, "root")


def test_the_page_lists_users_chinese_first_and_in_english(
    client: TestClient, vault: Any, admin: str
) -> None:
    make_user(vault, "li.lei", "buyer")
    accounts.set_email(vault, actor=ADMIN, username="li.lei", email="li.lei@example.com")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "用户管理" in page.text and "新建用户" in page.text
    row = page.text.split('id="user-li.lei"')[1].split("</tr>")[0]
    assert "买方审阅人" in row and "已设置" in row and "正常" in row
    assert "example.com" not in page.text  # the address is sealed and never shown
    assert 'action="/admin/users/root/disable"' not in page.text  # not one's own account
    english = client.get(PAGE + "?lang=en")
    assert "New user" in english.text and "buyer reviewer" in english.text
    client.get("/?lang=zh")


def test_only_the_administrator_reaches_the_page_and_its_link(
    client: TestClient, vault: Any, admin: str
) -> None:
    assert 'href="/admin/users"' in client.get("/").text
    make_user(vault, "broker.a", "broker")
    _signed_in(client, vault, "broker.a")
    assert 'href="/admin/users"' not in client.get("/").text
    refused = client.get(PAGE, headers={"Accept": "text/html"})
    assert refused.status_code == 403 and 'id="users"' not in refused.text
    client.cookies.clear()
    assert client.get(PAGE, follow_redirects=False).headers["location"] == "/login"


def test_creating_a_user_shows_the_setup_link_once(
    client: TestClient, vault: Any, admin: str
) -> None:
    form = {"username": "Wang.Fang", "display_name": "王芳", "role": "seller", "department": ""}
    assert client.post(PAGE, data=form).status_code == 403  # no CSRF token
    made = client.post(PAGE, data={**form, "csrf_token": admin})
    assert made.status_code == 200 and "只显示这一次" in made.text
    token = _link(made.text)
    assert 'id="setup-link"' not in client.get(PAGE).text  # once
    row = client.get(PAGE).text.split('id="user-wang.fang"')[1].split("</tr>")[0]
    assert "未设置" in row and "卖方成员" in row
    assert client.get(f"/setup/{token}").status_code == 200
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    assert accounts.login(vault, username="wang.fang", password=PASSWORD).user.role == "seller"
    again = client.post(PAGE, data={**form, "csrf_token": admin}, follow_redirects=False)
    assert again.status_code == 303 and "error=" in again.headers["location"]
    assert "wang.fang" in client.get(again.headers["location"]).text  # the reason, on the page


def test_a_new_setup_link_voids_the_one_before(client: TestClient, vault: Any, admin: str) -> None:
    _, first = accounts.create_user(
        vault, actor=ADMIN, username="li.lei", display_name="Li Lei", role="buyer"
    )
    shown = client.post(PAGE + "/li.lei/setup-link", data={"csrf_token": admin})
    second = _link(shown.text)
    assert second != first
    with pytest.raises(PermissionDeniedError):
        accounts.complete_setup(vault, token=first, password=PASSWORD)
    accounts.complete_setup(vault, token=second, password=PASSWORD)


def test_disable_ends_sessions_and_enable_lets_the_user_back(
    client: TestClient, vault: Any, admin: str
) -> None:
    make_user(vault, "li.lei", "buyer")
    theirs = _bearer(vault, "li.lei")
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 200
    assert client.post(PAGE + "/li.lei/disable").status_code == 403  # no CSRF token
    done = client.post(PAGE + "/li.lei/disable", data={"csrf_token": admin}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(PAGE + "?notice=")
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 401
    row = client.get(PAGE).text.split('id="user-li.lei"')[1].split("</tr>")[0]
    assert "已停用" in row and "/li.lei/enable" in row and "/li.lei/setup-link" not in row
    client.post(PAGE + "/li.lei/enable", data={"csrf_token": admin})
    assert client.get("/api/v1/auth/me", headers=theirs).status_code == 401  # stays ended
    assert client.get("/api/v1/auth/me", headers=_bearer(vault, "li.lei")).status_code == 200


def test_unlock_from_the_page(client: TestClient, vault: Any, admin: str) -> None:
    make_user(vault, "li.lei", "buyer")
    for _ in range(vault.settings.login_max_failures):
        with pytest.raises(PermissionDeniedError):
            accounts.login(vault, username="li.lei", password="wrong password!")
    row = client.get(PAGE).text.split('id="user-li.lei"')[1].split("</tr>")[0]
    assert "锁定至" in row and "/li.lei/unlock" in row
    client.post(PAGE + "/li.lei/unlock", data={"csrf_token": admin})
    assert "锁定至" not in client.get(PAGE).text.split('id="user-li.lei"')[1].split("</tr>")[0]
    assert accounts.login(vault, username="li.lei", password=PASSWORD).user.username == "li.lei"
    refused = client.post(
        PAGE + "/li.lei/unlock", data={"csrf_token": admin}, follow_redirects=False
    )
    assert "error=" in refused.headers["location"]  # not locked any more


def test_the_api_twins(client: TestClient, vault: Any) -> None:
    make_user(vault, "root", "admin")
    make_user(vault, "li.lei", "buyer")
    root = _bearer(vault, "root")
    base = "/api/v1/users/li.lei"
    link = client.post(base + "/setup-link", headers=root)
    assert link.status_code == 200 and "/setup/" in link.json()["setup_link"]
    assert link.json()["user"]["has_password"] is True
    off = client.post(base + "/disable", headers=root).json()
    assert off["disabled"] is True and off["locked_until"] is None
    assert client.post(base + "/enable", headers=root).json()["disabled"] is False
    assert client.post(base + "/unlock", headers=root).status_code == 400  # not locked
    self_off = client.post("/api/v1/users/root/disable", headers=root)
    assert self_off.status_code == 400 and "自己" in self_off.json()["detail"]
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=root).json()}
    assert listed["li.lei"]["locked_until"] is None and not listed["li.lei"]["disabled"]
    buyer = _bearer(vault, "li.lei")
    assert client.post("/api/v1/users/root/disable", headers=buyer).status_code == 403


def test_a_message_in_a_crafted_link_is_not_shown_one_from_a_form_is(
    client: TestClient, vault: Any, admin: str
) -> None:
    """Every refusal comes back to its page as ``?error=TEXT``, and the page showed whatever
    text the address held: a crafted link put an attacker's words in the red alert of the
    signed-in pages (QA). Only messages this service signed in its redirect are shown now."""
    bait = "安全升级：请将您的密码发送至 security@evil.example"
    for page in (PAGE, "/"):
        shown = client.get(page, params={"error": bait, "notice": bait, "msig": "0" * 32})
        assert shown.status_code == 200 and "evil.example" not in shown.text
    make_user(vault, "li.lei", "buyer")
    # a real refusal: unlocking someone not locked comes back with its message, signed
    answer = client.post(
        f"{PAGE}/li.lei/unlock", data={"csrf_token": admin}, follow_redirects=False
    )
    assert answer.status_code == 303 and "msig=" in answer.headers["location"]
    assert "未被锁定" in client.get(answer.headers["location"]).text
    # the signature covers the text: another message under it is dropped
    forged = answer.headers["location"].replace("error=", "error=%E6%81%B6")
    assert "未被锁定" not in client.get(forged).text


def test_the_setup_page_names_the_account_its_link_is_for(client: TestClient, vault: Any) -> None:
    """A setup link made for one account replaced another's without a word, and the page did
    not say whose password it sets (QA): it names the account while the link is live."""
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="li.lei", display_name="Li Lei", role="buyer"
    )
    page = client.get(f"/setup/{token}")
    assert 'id="setup-account"' in page.text and "li.lei" in page.text
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    used = client.get(f"/setup/{token}")
    assert 'id="setup-account"' not in used.text and "li.lei" not in used.text
    assert 'id="setup-account"' not in client.get("/setup/not-a-token").text


def _setup_link_events(vault: Any) -> int:
    with vault.reading() as s:
        return len(
            s.execute(select(AuditEventRow).where(AuditEventRow.action == "user.setup_link")).all()
        )


def test_reloading_the_page_that_showed_a_link_makes_no_new_one(
    client: TestClient, vault: Any, admin: str
) -> None:
    """The form's answer was the page with the link: reloading it sent the form again, which
    made another link and voided the one shown (QA). The form is answered with a redirect now
    (POST-redirect-GET) and the page shows the link once, to the session that asked for it; a
    reload reads the page again and issues nothing."""
    make_user(vault, "li.lei", "buyer")
    answer = client.post(
        PAGE + "/li.lei/setup-link", data={"csrf_token": admin}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == PAGE
    shown = client.get(answer.headers["location"])
    token = _link(shown.text)
    assert token not in answer.headers["location"]
    reloaded = client.get(PAGE)  # what the browser's reload does after a redirect
    assert 'id="setup-link"' not in reloaded.text
    assert _setup_link_events(vault) == 1
    # another administrator's session never sees it
    make_user(vault, "root2", "admin")
    _signed_in(client, vault, "root2")
    assert 'id="setup-link"' not in client.get(PAGE).text
    accounts.complete_setup(vault, token=token, password=PASSWORD + " new")  # the shown one works
    assert accounts.login(vault, username="li.lei", password=PASSWORD + " new") is not None


def test_creating_a_user_answers_with_a_redirect_and_the_link_once(
    client: TestClient, vault: Any, admin: str
) -> None:
    form = {"username": "wang.fang", "role": "seller", "csrf_token": admin}
    answer = client.post(PAGE, data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == PAGE
    token = _link(client.get(PAGE).text)
    assert 'id="setup-link"' not in client.get(PAGE).text
    accounts.complete_setup(vault, token=token, password=PASSWORD)


def _message(client: TestClient, answer: Any) -> str:
    """The message the page shows after the form's redirect ``answer``."""
    assert answer.status_code == 303 and "msig=" in answer.headers["location"]
    page = client.get(answer.headers["location"]).text
    found = re.search(r'<p class="(ok|error)" role="(?:status|alert)">([^<]*)</p>', page)
    assert found is not None, "no message on the page"
    return f"{found.group(1)}: {found.group(2)}"


def test_each_action_says_it_was_done_and_a_repeat_says_why_not(
    client: TestClient, vault: Any, admin: str
) -> None:
    """Disable, enable and unlock went back to the page without a word, and repeating one on a
    user already in that state did nothing, silently (QA)."""
    make_user(vault, "alice", "buyer")
    for _ in range(vault.settings.login_max_failures):
        with pytest.raises(PermissionDeniedError):
            accounts.login(vault, username="alice", password="wrong password!")

    def act(what: str, lang: str = "zh") -> str:
        answer = client.post(
            f"{PAGE}/alice/{what}?lang={lang}", data={"csrf_token": admin}, follow_redirects=False
        )
        return _message(client, answer)

    assert act("unlock") == "ok: 已解锁 alice"
    assert act("unlock") == "error: 用户 alice 未被锁定"
    assert act("disable") == "ok: 已停用 alice"
    assert act("disable") == "error: 用户 alice 已停用"
    assert act("enable", "en") == "ok: alice enabled"
    assert act("enable", "en") == "error: user alice is not disabled"
    client.get("/?lang=zh")


def _second_factor(vault: Any, username: str) -> str:
    secret = totp.start_totp(vault, username=username)
    totp.enable_totp(vault, username=username, code=pyotp.TOTP(secret).now())
    return secret


def _browser_login(client: TestClient, username: str, code: str = "") -> Any:
    """Sign in on ``/login`` as a browser does; the form's answer (303 to ``/`` when in)."""
    client.cookies.clear()
    client.get("/login")
    form = {"username": username, "password": PASSWORD, "totp": code}
    form["csrf_token"] = client.cookies.get("baomi_csrf") or ""
    return client.post("/login", data=form, follow_redirects=False)


def _row(client: TestClient, username: str) -> str:
    return client.get(PAGE).text.split(f'id="user-{username}"')[1].split("</tr>")[0]


def test_a_lost_authenticator_is_reset_on_the_page_and_a_new_one_set_up(
    client: TestClient, vault: Any, admin: str
) -> None:
    """A user who lost their authenticator could not sign in and nothing on the page could
    help (QA): the administrator resets the second factor, the user's sessions end, the user
    signs in with the password alone and sets up a new authenticator on ``/account``."""
    make_user(vault, "li.lei", "buyer")
    lost = _second_factor(vault, "li.lei")
    _second_factor(vault, "root")
    theirs = accounts.login(
        vault, username="li.lei", password=PASSWORD, totp=later_code(lost)
    ).token
    row = _row(client, "li.lei")
    assert "开启" in row and f'action="{PAGE}/li.lei/reset-totp"' in row
    assert "重置两步验证" in row and "data-confirm=" in row  # asked first
    assert "/root/reset-totp" not in client.get(PAGE).text  # not one's own
    assert "Reset two-step" in client.get(PAGE + "?lang=en").text
    client.get("/?lang=zh")
    assert client.post(PAGE + "/li.lei/reset-totp").status_code == 403  # no CSRF token

    answer = client.post(
        PAGE + "/li.lei/reset-totp", data={"csrf_token": admin}, follow_redirects=False
    )
    assert _message(client, answer).startswith("ok: 已重置 li.lei 的两步验证")
    assert accounts.session_user(vault, theirs) is None  # signed in with the lost one: ended
    row = _row(client, "li.lei")
    assert "关闭" in row and "reset-totp" not in row
    again = client.post(
        PAGE + "/li.lei/reset-totp", data={"csrf_token": admin}, follow_redirects=False
    )
    assert _message(client, again) == "error: 用户 li.lei 未开启两步验证，无需重置"

    # the user: the password alone signs in, and /account sets up a new authenticator
    assert _browser_login(client, "li.lei").headers["location"] == "/"
    found = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', client.get("/account").text)
    assert found is not None, "no new authenticator offered"
    new = found.group(1)
    csrf = accounts.csrf_token(vault, client.cookies.get(SESSION_COOKIE) or "")
    form = {"csrf_token": csrf, "code": pyotp.TOTP(new).now()}
    assert client.post("/account/totp", data=form).status_code == 200
    assert _browser_login(client, "li.lei").status_code != 303  # the code is asked again
    assert _browser_login(client, "li.lei", pyotp.TOTP(lost).now()).status_code != 303
    assert _browser_login(client, "li.lei", later_code(new)).status_code == 303


def test_the_reset_totp_api_twin(client: TestClient, vault: Any) -> None:
    make_user(vault, "root", "admin")
    make_user(vault, "li.lei", "buyer")
    root = _bearer(vault, "root")
    _second_factor(vault, "root")
    _second_factor(vault, "li.lei")
    done = client.post("/api/v1/users/li.lei/reset-totp", headers=root)
    assert done.status_code == 200 and done.json()["totp"] is False
    again = client.post("/api/v1/users/li.lei/reset-totp", headers=root)
    assert again.status_code == 400 and "未开启两步验证" in again.json()["detail"]
    own = client.post("/api/v1/users/root/reset-totp", headers=root)
    assert own.status_code == 400 and "自己" in own.json()["detail"]
    buyer = _bearer(vault, "li.lei")  # the password alone, now
    assert client.post("/api/v1/users/root/reset-totp", headers=buyer).status_code == 403


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_signed_in_browser_can_use_a_setup_link_and_the_public_request_page(
    client: TestClient, vault: Any
) -> None:
    """An administrator who opened a new user's setup link in their own browser (to try it),
    or staff trying the public request page, were refused on sending the form with the raw JSON
    {"detail": "CSRF 令牌缺失或不正确，请刷新页面"} — and reloading did not help: the page
    carried the pre-sign-in token while the browser's session cookie made the check ask for the
    session's. Such a page now carries the session's token, and a page form refused for its
    token answers the error page in words, not JSON."""
    make_user(vault, "root", role="admin")
    _, link = accounts.create_user(
        vault, actor=ADMIN, username="new.one", display_name="新人", role="buyer"
    )
    _signed_in(client, vault, "root")
    page = client.get(f"/setup/{link}")
    done = client.post(
        f"/setup/{link}",
        data={"csrf_token": _form_token(page.text), "password": PASSWORD, "confirm": PASSWORD},
    )
    assert done.status_code == 200 and "密码已设置" in done.text
    asked = client.post(
        "/request",
        data={
            "csrf_token": _form_token(client.get("/request").text),
            "kind": "access",
            "contact": "13812345678",
        },
    )
    assert asked.status_code == 200 and "DSR-" in asked.text
    forged = client.post(
        "/request",
        data={"csrf_token": "forged", "kind": "access", "contact": "13812345678"},
        headers={"Accept": "text/html"},
    )
    assert forged.status_code == 403 and forged.headers["content-type"].startswith("text/html")
    assert "CSRF" in forged.text and '{"detail"' not in forged.text
