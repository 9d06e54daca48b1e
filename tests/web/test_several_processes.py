"""The data room as several processes (``uvicorn --workers N``, or servers behind a load
balancer) over one database and one key: a form answered by one process and its page read from
another shows what the form made once, and the page's signed message; the rate limits per
address (sign-in, the public request page, surveys) count the attempts every process took."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.services import accounts
from baomi.services.govern import surveys
from baomi.web.app import create_app
from baomi.web.routers.requests import PUBLIC_LIMIT
from baomi.web.security import PRE_CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, api_login, make_user
from tests.web.test_admin_users import PAGE, _link
from tests.web.test_govern_surveys import _open as survey_open
from tests.web.test_govern_surveys import _pre as survey_pre
from tests.web.test_requests import _pre as requests_pre


@pytest.fixture
def other(settings: Any) -> Iterator[TestClient]:
    """Another process of the same installation: its own app and its own vault (engine, keys)."""
    with TestClient(create_app(settings)) as c:
        yield c


def _same_browser(vault: Any, *clients: TestClient) -> str:
    """The administrator's session as every client's cookie; the session's CSRF token."""
    token = accounts.login(vault, username="root", password=PASSWORD).token
    for c in clients:
        c.cookies.set(SESSION_COOKIE, token)
    return accounts.csrf_token(vault, token)


def test_a_setup_link_made_by_one_process_is_shown_once_by_another(
    client: TestClient, other: TestClient, vault: Any
) -> None:
    make_user(vault, "root", "admin")
    csrf = _same_browser(vault, client, other)
    form = {"username": "wang.fang", "role": "seller", "csrf_token": csrf}
    made = client.post(PAGE, data=form, follow_redirects=False)
    assert made.status_code == 303
    shown = other.get(made.headers["location"])
    token = _link(shown.text)
    assert other.get(f"/setup/{token}").status_code == 200  # the link that works
    assert 'id="setup-link"' not in other.get(PAGE).text  # once, in any process
    assert 'id="setup-link"' not in client.get(PAGE).text


def test_a_message_signed_by_one_process_is_shown_by_another(
    client: TestClient, other: TestClient, vault: Any
) -> None:
    make_user(vault, "root", "admin")
    make_user(vault, "li.lei", "buyer")
    csrf = _same_browser(vault, client, other)
    done = client.post(PAGE + "/li.lei/disable", data={"csrf_token": csrf}, follow_redirects=False)
    assert "msig=" in done.headers["location"]
    assert "已停用 li.lei" in other.get(done.headers["location"]).text
    forged = done.headers["location"].replace("li.lei", "wang.fang")
    assert "已停用 wang.fang" not in other.get(forged).text  # still only what the service signed


def _alternating(clients: tuple[TestClient, ...], times: int) -> list[TestClient]:
    """``times`` requests' clients, taking turns: one browser whose requests the load balancer
    sends to each process in turn."""
    return [clients[i % len(clients)] for i in range(times)]


def test_the_sign_in_limit_is_one_for_all_processes(
    client: TestClient, other: TestClient, vault: Any
) -> None:
    make_user(vault)
    most = 10  # attempts a minute per address (ASVS 2.2.1)
    codes = [
        api_login(c, password="nope nope nope").status_code
        for c in _alternating((client, other), most + 2)
    ]
    assert codes == [401] * most + [429, 429]


def test_the_public_request_limit_is_one_for_all_processes(
    client: TestClient, other: TestClient, vault: Any
) -> None:
    token = requests_pre(client)
    other.cookies.set(PRE_CSRF_COOKIE, token)
    codes = [
        c.post(
            "/api/v1/requests",
            json={"kind": "access", "contact": f"p{i}@example.com"},
            headers={"X-CSRF-Token": token},
        ).status_code
        for i, c in enumerate(_alternating((client, other), PUBLIC_LIMIT + 2))
    ]
    assert codes == [201] * PUBLIC_LIMIT + [429, 429]


def test_the_survey_limit_is_one_for_all_processes(
    client: TestClient, other: TestClient, vault: Any
) -> None:
    info, scale, _ = survey_open(vault)
    token = survey_pre(client, info.token)
    other.cookies.set(PRE_CSRF_COOKIE, token)
    most = surveys.limit("public_limit")
    codes = [
        c.post(f"/survey/{info.token}", data={"csrf_token": token, scale: "4"}).status_code
        for c in _alternating((client, other), most + 2)
    ]
    assert codes == [200] * most + [429, 429]
