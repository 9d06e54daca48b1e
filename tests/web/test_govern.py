"""The governance hub over HTTP: the company's side sees it and its calendar, the buyer's side
does not; an administrator puts users in departments."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.web.test_documents_api import _ready


def test_hub_and_calendar_for_the_company_side_only(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    assert client.get("/api/v1/govern/calendar", headers=seller).status_code == 200
    assert client.get("/api/v1/govern/calendar", headers=buyer).status_code == 403
    bad = client.get("/api/v1/govern/calendar?department=sales", headers=seller)
    assert bad.status_code == 400
    board = client.get("/api/v1/govern/dashboard", headers=seller)
    assert board.status_code == 200
    assert {"incidents_open", "requests_due"} <= {t["key"] for t in board.json()["tiles"]}
    assert client.get("/api/v1/govern/dashboard", headers=buyer).status_code == 403
    page = client.get("/govern", headers=seller)
    assert page.status_code == 200 and "个人信息保护管理" in page.text
    assert 'id="tiles"' in page.text and 'id="departments"' in page.text
    assert client.get("/govern", headers=buyer).status_code == 403
    assert 'href="/govern"' in client.get("/", headers=seller).text
    assert 'href="/govern"' not in client.get("/", headers=buyer).text
