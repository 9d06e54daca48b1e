"""Questions and copies over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.services.dataroom.test_documents import _csv
from tests.web.test_documents_api import _ready


def test_questions_and_copies(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
    r = client.post(
        "/api/v1/rooms/转让-001/questions", json={"text": "客户名单是否完整？"}, headers=buyer
    )
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    assert (
        client.post(
            "/api/v1/rooms/转让-001/questions", json={"text": "?"}, headers=seller
        ).status_code
        == 403
    )
    ok = client.post(
        f"/api/v1/rooms/转让-001/questions/{qid}/answer", json={"text": "完整"}, headers=seller
    )
    assert ok.status_code == 204
    (q,) = client.get("/api/v1/rooms/转让-001/questions", headers=buyer).json()
    assert q["answer"] == "完整" and q["answered_by"] == "seller.a"

    doc = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("a.csv", _csv(3), "text/csv"))],
        headers=seller,
    ).json()[0]
    client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "/", "level": "download", "days": 7},
        headers=broker,
    )
    assert (
        client.get(
            f"/api/v1/rooms/转让-001/documents/{doc['id']}/download", headers=buyer
        ).status_code
        == 200
    )
    (copy,) = client.get("/api/v1/rooms/转让-001/copies", headers=seller).json()
    assert copy["holder"] == "buyer.a" and copy["individuals"] == 3
    assert client.get("/api/v1/rooms/转让-001/copies", headers=buyer).status_code == 403
    client.post("/api/v1/rooms/转让-001/stage", json={"stage": "aborted"}, headers=broker)
    assert client.get("/api/v1/rooms/转让-001/documents", headers=buyer).status_code == 403
    mine = client.get("/api/v1/rooms/转让-001/copies/mine", headers=buyer).json()
    done = client.post(
        "/api/v1/rooms/转让-001/copies/confirm-deleted",
        json={"copies": [mine[0]["id"]]},
        headers=buyer,
    )
    assert done.json() == {"confirmed": 1}
    assert client.get("/api/v1/rooms/转让-001/copies?outstanding=true", headers=seller).json() == []
