"""The service over HTTP: security headers, CSRF, sign-in and sign-out, pages, language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from baomi import clock
from baomi.storage.models import ShownOnceValue
from baomi.web.security import ShownOnce, Throttle
from tests.web.conftest import PASSWORD, api_login, make_user


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "users": 0}
    doc = client.get("/openapi.json").json()
    assert "/api/v1/auth/login" in doc["paths"]
    assert not any(p.startswith("/setup") or p == "/login" for p in doc["paths"])  # pages


def test_every_answer_has_the_security_headers(client: TestClient) -> None:
    for path in ("/api/v1/health", "/login", "/static/baomi.css", "/nowhere"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_login_logout_round_trip_over_the_api(client: TestClient, vault: Any) -> None:
    make_user(vault)
    r = api_login(client)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["username"] == "li.lei" and "password" not in r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/api/v1/auth/me").json()["user"]["role"] == "buyer"
    assert client.post("/api/v1/auth/logout").status_code == 403  # no CSRF token
    out = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_bearer_token_needs_no_csrf(client: TestClient, vault: Any) -> None:
    make_user(vault)
    token = api_login(client).json()["token"]
    client.cookies.clear()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=auth).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=auth).status_code == 204
    assert client.get("/api/v1/auth/me", headers=auth).status_code == 401


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_login_without_the_pre_session_token_is_refused(
    client: TestClient, vault: Any, token: str | None
) -> None:
    make_user(vault)
    client.get("/login")
    headers = {} if token is None else {"X-CSRF-Token": token}
    r = client.post(
        "/api/v1/auth/login", json={"username": "li.lei", "password": PASSWORD}, headers=headers
    )
    assert r.status_code == 403


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, vault: Any) -> None:
    make_user(vault)
    wrong = api_login(client, password="not the password")
    unknown = api_login(client, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_validation_errors_do_not_echo_the_input(client: TestClient) -> None:
    client.get("/login")
    r = client.post(
        "/api/v1/auth/login",
        json={"username": "x" * 100, "password": "secret-110101199001010011"},
        headers={"X-CSRF-Token": client.cookies.get("baomi_csrf") or ""},
    )
    assert r.status_code == 422
    assert "110101199001010011" not in r.text and "x" * 100 not in r.text


def test_login_is_throttled_per_client(client: TestClient, vault: Any) -> None:
    client.app.state.login_throttle = Throttle(vault, "login", limit=3, window=60)  # type: ignore[attr-defined]
    make_user(vault)
    codes = [api_login(client, password="nope nope nope").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_a_value_shown_once_goes_to_its_session_once_and_not_for_long(vault: Any) -> None:
    moment = [clock.now()]

    def held_for(**limits: Any) -> ShownOnce[str]:
        return ShownOnce(vault, "test", encode=str, decode=str, now=lambda: moment[0], **limits)

    held = held_for()
    held.put("session-a", "link-a")
    assert held.take("session-b") is None  # another session's
    assert held.take("session-a") == "link-a"
    assert held.take("session-a") is None  # once
    held.put("session-a", "link-a")
    held.put("session-a", "link-b")  # a newer one replaces it
    assert held.take("session-a") == "link-b" and held.take("session-a") is None
    held.put("session-a", "link-a")
    moment[0] += dt.timedelta(seconds=119)
    assert held.take("session-a") == "link-a"  # read in time
    held.put("session-a", "link-a")
    moment[0] += dt.timedelta(seconds=120)
    assert held.take("session-a") is None  # not read in time: gone
    small = held_for(most=2)
    for name in "abc":
        small.put(f"session-{name}", name)
        moment[0] += dt.timedelta(seconds=1)
    assert _held(vault) == 2 and small.take("session-a") is None  # the oldest went first
    assert small.take("session-c") == "c"
    other_kind = ShownOnce(vault, "other", encode=str, decode=str, now=lambda: moment[0])
    other_kind.put("session-b", "kept apart")
    assert small.take("session-b") == "b" and other_kind.take("session-b") == "kept apart"
    held.put("session-d", "expired meanwhile")
    moment[0] += dt.timedelta(seconds=121)
    held.put("session-e", "e")
    assert _held(vault) == 1  # the expired ones are purged on the way


def _held(vault: Any) -> int:
    with vault.reading() as s:
        return s.scalar(select(func.count()).select_from(ShownOnceValue)) or 0


def test_pages_sign_in_and_out(client: TestClient, vault: Any) -> None:
    make_user(vault)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    page = client.get("/login")
    assert "登录数据室" in page.text
    pre = client.cookies.get("baomi_csrf")
    bad = client.post(
        "/login", data={"username": "li.lei", "password": "wrong!", "csrf_token": pre or ""}
    )
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    ok = client.post(
        "/login",
        data={"username": "li.lei", "password": PASSWORD, "csrf_token": pre or ""},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    home = client.get("/")
    assert "买方审阅人" in home.text
    token = home.text.split('name="csrf_token" value="')[1].split('"')[0]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_setup_page_sets_a_password_once(client: TestClient, vault: Any) -> None:
    from baomi.services import accounts

    link = accounts.bootstrap_admin(vault)
    page = client.get(f"/setup/{link}")
    pre = client.cookies.get("baomi_csrf") or ""
    assert page.status_code == 200
    short = client.post(
        f"/setup/{link}", data={"password": "short", "confirm": "short", "csrf_token": pre}
    )
    assert short.status_code == 400
    form = {"password": PASSWORD, "confirm": PASSWORD, "csrf_token": pre}
    assert client.post(f"/setup/{link}", data=form).status_code == 200
    assert client.post(f"/setup/{link}", data=form).status_code == 403
    assert api_login(client, username="admin").status_code == 200


def test_a_used_or_unknown_setup_link_says_so_at_once(client: TestClient, vault: Any) -> None:
    """QA: a used link showed the password form, and said it was no longer valid only after
    the password was typed twice. The page checks the link when it is shown."""
    from baomi.services import accounts

    link = accounts.bootstrap_admin(vault)
    assert link is not None
    client.get(f"/setup/{link}")
    pre = client.cookies.get("baomi_csrf") or ""
    form = {"password": PASSWORD, "confirm": PASSWORD, "csrf_token": pre}
    assert client.post(f"/setup/{link}", data=form).status_code == 200
    for token in (link, "not-a-link"):
        page = client.get(f"/setup/{token}")
        assert page.status_code == 403
        assert "设置链接无效或已过期" in page.text
        assert 'name="password"' not in page.text  # no form to fill in for nothing
    again = client.post(f"/setup/{link}", data=form)
    assert again.status_code == 403 and 'name="password"' not in again.text


def test_english_switch_is_remembered(client: TestClient) -> None:
    assert "Sign in to the data room" in client.get("/login?lang=en").text
    assert "Sign in to the data room" in client.get("/login").text  # the cookie keeps it
    assert "登录数据室" in client.get("/login?lang=zh").text


def test_totp_enrolment_over_the_api(client: TestClient, vault: Any) -> None:
    import pyotp

    make_user(vault)
    token = api_login(client).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    start = client.post("/api/v1/auth/totp/start", headers=auth).json()
    assert start["uri"].startswith("otpauth://totp/") and start["secret"] in start["uri"]
    bad = client.post("/api/v1/auth/totp/confirm", json={"code": "000000"}, headers=auth)
    assert bad.status_code == 400
    # the client cannot choose the secret: one it sends is ignored, the pending one counts
    chosen = pyotp.random_base32()
    forced = client.post(
        "/api/v1/auth/totp/confirm",
        json={"secret": chosen, "code": pyotp.TOTP(chosen).now()},
        headers=auth,
    )
    assert forced.status_code == 400
    again = client.post("/api/v1/auth/totp/start", headers=auth).json()
    assert again["secret"] == start["secret"]  # kept across the wrong codes
    code = pyotp.TOTP(start["secret"]).now()
    ok = client.post("/api/v1/auth/totp/confirm", json={"code": code}, headers=auth)
    assert ok.status_code == 204
    client.cookies.clear()
    refused = api_login(client)
    assert refused.status_code == 401 and "需要验证码" in refused.json()["detail"]
    assert "两步验证" in client.get("/account", headers=auth).text


def test_a_wrong_code_on_the_account_page_keeps_the_secret(client: TestClient, vault: Any) -> None:
    """The page shows the pending secret from the server, sends no secret in its form, and a
    wrong code comes back with the same secret (the authenticator's entry still works)."""
    import pyotp

    make_user(vault)
    token = api_login(client).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    page = client.get("/account", headers=auth).text
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page)
    assert secret is not None
    assert 'name="secret"' not in page
    csrf = client.get("/api/v1/auth/me", headers=auth).json()["csrf_token"]
    wrong = client.post("/account/totp", data={"code": "000000", "csrf_token": csrf}, headers=auth)
    assert wrong.status_code == 200 and "验证码不正确" in wrong.text
    assert f'<code id="totp-secret">{secret[1]}</code>' in wrong.text
    right = client.post(
        "/account/totp",
        data={"code": pyotp.TOTP(secret[1]).now(), "csrf_token": csrf},
        headers=auth,
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert "已开启" in client.get("/account", headers=auth).text


def test_admin_creates_users_with_a_setup_link(client: TestClient, vault: Any) -> None:
    make_user(vault, "root.a", "admin")
    make_user(vault, "buyer.a", "buyer")
    admin = {"Authorization": f"Bearer {api_login(client, 'root.a').json()['token']}"}
    r = client.post("/api/v1/users", json={"username": "new.one", "role": "counsel"}, headers=admin)
    assert r.status_code == 201, r.text
    link = r.json()["setup_link"]
    assert "/setup/" in link and not r.json()["user"]["has_password"]
    assert {u["username"] for u in client.get("/api/v1/users", headers=admin).json()} >= {"new.one"}
    client.cookies.clear()
    buyer = {"Authorization": f"Bearer {api_login(client, 'buyer.a').json()['token']}"}
    assert (
        client.post(
            "/api/v1/users", json={"username": "x.y", "role": "admin"}, headers=buyer
        ).status_code
        == 403
    )
    assert client.get("/api/v1/users", headers=buyer).status_code == 403
    assert (
        client.post(
            "/api/v1/users", json={"username": "z.z", "role": "king"}, headers=admin
        ).status_code
        == 422
    )


def test_method_not_allowed_lists_every_method_of_the_path(client: TestClient) -> None:
    """RFC 9110 §15.5.6: a 405 names all the target's methods, not those of one route of it."""
    r = client.request("OPTIONS", "/api/v1/rooms")
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}
    r = client.put("/api/v1/rooms/转让-001/documents")
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", "/api/v1/rooms/a%00b", {}),
        ("GET", "/api/v1/rooms/x/audit?actor=a%00b", {}),
        ("POST", "/api/v1/auth/login", {"content": b'{"username": "a\\u0000", "password": "x"}'}),
        ("POST", "/login", {"data": {"username": "a\x00b", "password": "x"}}),
    ],
)
def test_a_nul_character_is_refused_before_any_handler(
    client: TestClient, method: str, url: str, kwargs: dict[str, Any]
) -> None:
    headers = {"content-type": "application/json"} if "content" in kwargs else {}
    r = client.request(method, url, headers=headers, **kwargs)
    assert r.status_code == 400 and "NUL" in r.text
    assert r.headers["x-content-type-options"] == "nosniff"  # still a secured answer


def test_a_page_that_fails_answers_a_page(client: TestClient, vault: Any) -> None:
    """A browser opening a room that does not exist got a raw JSON body; pages answer their
    errors as pages (the API keeps JSON)."""
    make_user(vault)
    auth = {"Authorization": f"Bearer {api_login(client).json()['token']}"}
    page = client.get("/rooms/没有这个交易", headers={**auth, "Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'id="error"' in page.text and "没有这个数据室" in page.text
    api = client.get("/api/v1/rooms/没有这个交易", headers=auth)
    assert api.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_page_answers_a_page(client: TestClient, lang: str) -> None:
    """/govern/calendar (the calendar is on /govern) answered a raw {"detail":"Not Found"}: an
    address outside the API that names nothing answers the error page, in the page's language;
    the API keeps its JSON."""
    page = client.get(f"/govern/calendar?lang={lang}")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'id="error"' in page.text
    assert ("没有这个页面" if lang == "zh" else "There is no such page") in page.text
    api = client.get("/api/v1/govern/nothing-here")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
