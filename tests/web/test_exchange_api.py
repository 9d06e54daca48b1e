"""Questions and copies over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from baomi.storage.models import AuditEventRow
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


def _ended_with_a_copy(
    client: TestClient, vault: Any, *stages: str
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Broker, buyer and seller of 转让-001, moved to ``stages`` (signed, then closed, unless
    told) after the buyer downloaded 名单.csv (generated rows)."""
    broker, buyer, seller = _ready(client, vault)
    doc = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(3), "text/csv"))],
        headers=seller,
    ).json()[0]
    client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "/", "level": "download", "days": 7},
        headers=broker,
    )
    client.get(f"/api/v1/rooms/转让-001/documents/{doc['id']}/download", headers=buyer)
    for stage in stages or ("signed", "closed"):
        client.post("/api/v1/rooms/转让-001/stage", json={"stage": stage}, headers=broker)
    return broker, buyer, seller


def test_after_the_end_the_buyer_confirms_deletion_on_the_room_page(
    client: TestClient, vault: Any
) -> None:
    """Closed, the room page answered the buyer 403 and offered the NDA again (accepting it
    looped back): confirming the deletion of their copies was possible over the API only. The
    page now lists the buyer's copies and takes the confirmation."""
    _, buyer, seller = _ended_with_a_copy(client, vault, "aborted")
    page = client.get("/rooms/转让-001", headers=buyer)
    assert page.status_code == 200 and 'id="copies"' in page.text and "名单.csv" in page.text
    (mine,) = client.get("/api/v1/rooms/转让-001/copies/mine", headers=buyer).json()
    done = client.post(
        "/rooms/转让-001/copies/confirm",
        data={"deleted": mine["id"], "csrf_token": "x"},
        headers=buyer,
        follow_redirects=False,
    )
    assert done.status_code == 303 and "error=" not in done.headers["location"]
    assert client.get("/api/v1/rooms/转让-001/copies?outstanding=true", headers=seller).json() == []
    assert 'name="deleted"' not in client.get("/rooms/转让-001", headers=buyer).text


def test_the_deletion_attestation_starts_unticked(client: TestClient, vault: Any) -> None:
    """The buyer's "我已删除" box was ticked before they did anything: an attestation of a
    deletion is theirs to make. Its table was unstyled (no list class)."""
    _, buyer, _ = _ended_with_a_copy(client, vault)
    page = client.get("/rooms/转让-001", headers=buyer).text
    box = page[page.index('name="deleted"') :]
    assert "checked" not in box[: box.index(">")]
    assert '<table class="list"' in page


def test_after_the_end_the_room_page_offers_nothing_refused_and_lists_the_copies(
    client: TestClient, vault: Any
) -> None:
    """After the deal ended, the seller's and broker's room page still offered upload, grant,
    member and NDA forms (each then refused) and revoke buttons; the copies still held were
    on the API only. The page says the deal has ended and lists who holds which copy."""
    broker, _, seller = _ended_with_a_copy(client, vault)
    for who in (broker, seller):
        page = client.get("/rooms/转让-001", headers=who).text
        assert "交易已结束" in page
        for form in ("/upload", "/manage/grant", "/manage/member", "/manage/nda", "/manage/stage"):
            assert f'action="/rooms/转让-001{form}"' not in page, form
        assert "/revoke" not in page
        copies = page[page.index('id="copies"') :]
        assert "buyer.a" in copies and "名单.csv" in copies and "未确认" in copies
    english = client.get("/rooms/转让-001?lang=en", headers=seller).text
    assert "The deal has ended" in english and "Copies" in english
    # one copy in the singular; the long notice wraps (a .status badge never does: it ran
    # off the card, and off a phone's screen)
    assert "1 copy not yet confirmed deleted" in english
    assert '<p class="notice" id="ended"' in english


def test_confirming_with_no_copy_ticked_says_so_on_the_room_page(
    client: TestClient, vault: Any
) -> None:
    """Pressing "确认已删除所选副本" with no box ticked left the page for a bare 422 error page
    ("表单有误：某一项必填", no field named). The room page now says a copy must be ticked
    (the service refuses an empty list, as the API's schema does), and nothing is recorded."""
    _, buyer, _ = _ended_with_a_copy(client, vault, "aborted")
    done = client.post(
        "/rooms/转让-001/copies/confirm",
        data={"csrf_token": "x"},
        headers=buyer,
        follow_redirects=False,
    )
    assert done.status_code == 303 and "error=" in done.headers["location"]
    page = client.get(done.headers["location"], headers=buyer).text
    assert "请勾选已删除的副本" in page and 'name="deleted"' in page
    api = client.post(
        "/api/v1/rooms/转让-001/copies/confirm-deleted", json={"copies": []}, headers=buyer
    )
    assert api.status_code == 422
    with vault.reading() as s:
        rows = s.execute(select(AuditEventRow).where(AuditEventRow.action == "copy.confirm"))
        assert rows.all() == []
