"""Notifications over HTTP: the bell counts the unread, the page and the API mark them read,
no one reads another's; an administrator sets a user's e-mail address."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from baomi.services.govern import notify
from tests.web.conftest import make_user
from tests.web.test_documents_api import _ready
from tests.web.test_rooms_api import _as


def test_bell_page_and_api(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    notify.notify(vault, usernames=["seller.a"], title="制度复核到期", link="/govern")
    notify.notify(vault, usernames=["seller.a"], title="问卷措施逾期")
    page = client.get("/govern", headers=seller)
    assert 'id="unread">2<' in page.text
    listed = client.get("/api/v1/notifications?unread=true", headers=seller).json()
    assert [n["title"] for n in listed] == ["问卷措施逾期", "制度复核到期"]
    assert client.get("/api/v1/notifications", headers=buyer).json() == []
    other = client.post(f"/api/v1/notifications/{listed[0]['id']}/read", headers=buyer)
    assert other.status_code == 400  # not the buyer's
    one = client.post(f"/api/v1/notifications/{listed[0]['id']}/read", headers=seller)
    assert one.json() == {"marked": 1}
    shown = client.get("/notifications", headers=seller)
    assert shown.status_code == 200 and "制度复核到期" in shown.text
    assert client.post("/api/v1/notifications/read", headers=seller).json() == {"marked": 1}
    assert 'id="unread"' not in client.get("/notifications", headers=seller).text


def test_admin_sets_an_email_address(client: TestClient, vault: Any) -> None:
    _, _, seller = _ready(client, vault)
    make_user(vault, "root.admin", "admin")
    admin = _as(client, "root.admin")
    url = "/api/v1/users/seller.a/email"
    assert client.put(url, json={"email": "s@example.com"}, headers=seller).status_code == 403
    assert client.put(url, json={"email": "nope"}, headers=admin).status_code == 400
    done = client.put(url, json={"email": "s@example.com"}, headers=admin)
    assert done.status_code == 200 and done.json()["has_email"] is True
    assert "s@example.com" not in done.text
