"""Policy reviews over HTTP: create from a file or pasted text, a new version, a review, the
download checked by its SHA-256, the export; the buyer's side sees none of it."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from tests.web.test_documents_api import _ready

API = "/api/v1/govern/policies"


def test_create_version_review_download_export(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    made = client.post(
        API,
        data={"title": "数据安全管理制度", "department": "technology", "next_review": "2020-01-01"},
        files={"file": ("制度.txt", "第一版".encode(), "text/plain")},
        headers=seller,
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert made.json()["overdue"] is True
    assert (
        client.post(
            API, data={"title": "x", "department": "legal", "text": "x"}, headers=buyer
        ).status_code
        == 403
    )
    missing = client.post(API, data={"department": "legal", "text": "x"}, headers=seller)
    assert missing.status_code == 400  # no title
    bad = client.post(
        API,
        data={"title": "x", "department": "legal"},
        files={"file": ("a.exe", b"MZ", "application/octet-stream")},
        headers=seller,
    )
    assert bad.status_code == 400
    v2 = client.post(
        f"{API}/{pid}/versions", data={"text": "第二版", "note": "修订"}, headers=seller
    )
    assert v2.status_code == 201 and [v["version"] for v in v2.json()["versions"]] == [1, 2]
    got = client.get(f"{API}/{pid}/file", headers=seller)
    assert got.status_code == 200 and got.content == "第二版".encode()
    assert got.headers["x-content-sha256"] == hashlib.sha256(got.content).hexdigest()
    assert client.get(f"{API}/{pid}/file?version=1", headers=seller).content == "第一版".encode()
    reviewed = client.post(f"{API}/{pid}/reviews", json={"outcome": "仍适用"}, headers=seller)
    assert reviewed.status_code == 201 and reviewed.json()["overdue"] is False
    cal = client.get("/api/v1/govern/calendar", headers=seller).json()
    assert any(i["kind"] == "review" and i["ref"] == pid for i in cal)
    csv = client.get(f"{API}/export?format=csv", headers=seller)
    assert csv.status_code == 200 and "数据安全管理制度" in csv.content.decode("utf-8-sig")
    assert client.get(f"{API}/export?format=xlsx", headers=seller).content[:2] == b"PK"
    page = client.get("/govern/policies", headers=seller)
    assert page.status_code == 200 and "数据安全管理制度" in page.text
    assert client.get(f"/govern/policies/{pid}", headers=seller).status_code == 200
    assert client.get("/govern/policies", headers=buyer).status_code == 403
    hub = client.get("/govern", headers=seller)
    assert 'href="/govern/policies"' in hub.text and 'href="/govern/surveys"' in hub.text


def test_overdue_stands_out_on_the_list(client: TestClient, vault: Any) -> None:
    _, _, seller = _ready(client, vault)
    client.post(
        API,
        data={
            "title": "隐私政策",
            "department": "legal",
            "text": "正文",
            "next_review": "2020-01-01",
        },
        headers=seller,
    )
    page = client.get("/govern/policies", headers=seller)
    assert 'class="overdue"' in page.text and "已逾期" in page.text


def test_a_review_interval_that_is_not_a_number_is_refused_not_dropped(
    client: TestClient, vault: Any
) -> None:
    """ "九十" or "90天" in the policy form's review interval was silently replaced by the default
    365 days: the policy was made with an interval nobody chose."""
    from baomi.services import accounts

    _, _, seller = _ready(client, vault)
    token = seller["Authorization"].removeprefix("Bearer ")
    client.cookies.set("baomi_session", token)
    csrf = accounts.csrf_token(vault, token)
    for typed in ("九十", "90天"):
        r = client.post(
            "/govern/policies",
            data={
                "csrf_token": csrf,
                "title": "数据安全管理制度",
                "department": "legal",
                "text": "正文",
                "interval_days": typed,
            },
        )
        assert r.status_code == 200 and "复核周期（天）须为非负整数" in r.text, typed
    assert client.get(API, headers=seller).json() == []
    ok = client.post(
        "/govern/policies",
        data={
            "csrf_token": csrf,
            "title": "制度",
            "department": "legal",
            "text": "正文",
            "interval_days": "９０",
        },
    )
    assert ok.status_code == 200
    assert [p["interval_days"] for p in client.get(API, headers=seller).json()] == [90]
