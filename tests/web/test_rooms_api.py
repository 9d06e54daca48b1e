"""Rooms over HTTP: a broker opens a room, a buyer is refused until the NDA is accepted and the
deal is in due diligence; grants and stages through the API; the pages show the NDA gate."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from baomi.engine.checksums import uscc_check_char
from tests.web.conftest import PASSWORD, api_login, make_user

USCC = "91110000MA01ABCD" + "7"
VALID = USCC[:17] + uscc_check_char(USCC[:17])


def _as(client: TestClient, username: str) -> dict[str, str]:
    client.cookies.clear()
    r = api_login(client, username=username)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _setup(client: TestClient, vault: Any) -> tuple[dict[str, str], dict[str, str]]:
    make_user(vault, "broker.a", "broker")
    make_user(vault, "buyer.a", "buyer")
    broker = _as(client, "broker.a")
    r = client.post(
        "/api/v1/rooms",
        json={"deal": "转让-001", "target_name": "示例科技有限公司", "target_uscc": VALID},
        headers=broker,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/rooms/转让-001/members",
        json={"username": "buyer.a", "side": "buyer", "role": "buyer"},
        headers=broker,
    )
    assert r.status_code == 204, r.text
    return broker, _as(client, "buyer.a")


def test_buyer_flow_through_the_api(client: TestClient, vault: Any) -> None:
    broker, buyer = _setup(client, vault)
    assert client.get("/api/v1/rooms/转让-001", headers=buyer).status_code == 403
    assert client.get("/api/v1/rooms/转让-001/nda", headers=buyer).status_code == 404
    nda = client.post(
        "/api/v1/rooms/转让-001/nda",
        json={"discloser": "卖方", "recipient": "买方"},
        headers=broker,
    ).json()
    assert (
        client.post(
            "/api/v1/rooms/转让-001/nda", json={"discloser": "x", "recipient": "y"}, headers=buyer
        ).status_code
        == 403
    )
    shown = client.get("/api/v1/rooms/转让-001/nda", headers=buyer).json()
    assert shown["sha256"] == nda["sha256"]
    accept = client.post(
        "/api/v1/rooms/转让-001/nda/accept",
        json={"sha256": shown["sha256"], "name": "买方代表"},
        headers=buyer,
    )
    assert accept.status_code == 204
    assert client.get("/api/v1/rooms/转让-001", headers=buyer).status_code == 403  # preparing
    assert (
        client.post(
            "/api/v1/rooms/转让-001/stage", json={"stage": "due_diligence"}, headers=buyer
        ).status_code
        == 403
    )
    r = client.post("/api/v1/rooms/转让-001/stage", json={"stage": "due_diligence"}, headers=broker)
    assert r.json()["stage"] == "due_diligence"
    assert client.get("/api/v1/rooms/转让-001", headers=buyer).json()["target_uscc"] == VALID
    listed = client.get("/api/v1/rooms", headers=buyer).json()
    assert [(e["room"]["deal_name"], e["nda_pending"]) for e in listed] == [("转让-001", False)]


def test_invalid_uscc_and_unknown_stage_are_client_errors(client: TestClient, vault: Any) -> None:
    make_user(vault, "broker.a", "broker")
    broker = _as(client, "broker.a")
    bad = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    r = client.post(
        "/api/v1/rooms",
        json={"deal": "d", "target_name": "公司", "target_uscc": bad},
        headers=broker,
    )
    assert r.status_code == 400
    # the deal exists without a room: the room's state speaks before the body is read
    refused = client.post("/api/v1/rooms/d/stage", json={"stage": "sold"}, headers=broker)
    assert refused.status_code == 400 and "还没有数据室" in refused.text
    r = client.post(
        "/api/v1/rooms",
        json={"deal": "e", "target_name": "公司", "target_uscc": VALID},
        headers=broker,
    )
    assert r.status_code == 201, r.text
    unknown = client.post("/api/v1/rooms/e/stage", json={"stage": "sold"}, headers=broker)
    assert unknown.status_code == 422


def test_room_page_shows_the_nda_gate_then_the_room(client: TestClient, vault: Any) -> None:
    broker, _ = _setup(client, vault)
    client.post(
        "/api/v1/rooms/转让-001/nda",
        json={"discloser": "卖方", "recipient": "买方"},
        headers=broker,
    )
    client.post("/api/v1/rooms/转让-001/stage", json={"stage": "due_diligence"}, headers=broker)
    client.cookies.clear()
    client.get("/login")
    client.post(
        "/login",
        data={
            "username": "buyer.a",
            "password": PASSWORD,
            "csrf_token": client.cookies.get("baomi_csrf") or "",
        },
    )
    home = client.get("/")
    assert "待接受保密协议" in home.text
    locked = client.get("/rooms/转让-001")
    assert locked.status_code == 403 and "第一条 保密信息" in locked.text
    assert "（第 1 版）" in locked.text  # spaced as "第 1 页" and "第 2 版" elsewhere, not "第1 版"
    csrf = locked.text.split('name="csrf_token" value="')[1].split('"')[0]
    sha = locked.text.split('name="sha256" value="')[1].split('"')[0]
    client.post("/rooms/转让-001/nda", data={"csrf_token": csrf, "sha256": sha, "name": "买方代表"})
    room = client.get("/rooms/转让-001")
    assert room.status_code == 200 and "示例科技有限公司" in room.text and "尽职调查" in room.text


def test_broker_manages_the_room_from_its_page(client: TestClient, vault: Any) -> None:
    make_user(vault, "broker.a", "broker")
    make_user(vault, "buyer.a", "buyer")
    broker = _as(client, "broker.a")
    client.post(
        "/api/v1/rooms",
        json={"deal": "d1", "target_name": "示例科技有限公司", "target_uscc": VALID},
        headers=broker,
    )
    page = client.get("/rooms/d1", headers=broker)
    assert 'id="manage"' in page.text
    csrf = client.get("/api/v1/auth/me", headers=broker).json()["csrf_token"]
    form = {"csrf_token": csrf}
    ok = client.post(
        "/rooms/d1/manage/member",
        data={**form, "username": "buyer.a", "side": "buyer", "role": "buyer"},
        headers=broker,
        follow_redirects=False,
    )
    assert ok.status_code == 303 and "error" not in ok.headers["location"]
    jump = client.post(
        "/rooms/d1/manage/stage",
        data={**form, "stage": "closed"},
        headers=broker,
        follow_redirects=False,
    )
    assert "error=" in jump.headers["location"]
    client.post("/rooms/d1/manage/stage", data={**form, "stage": "due_diligence"}, headers=broker)
    client.post(
        "/rooms/d1/manage/nda",
        data={**form, "discloser": "卖方", "recipient": "买方"},
        headers=broker,
    )
    client.post(
        "/rooms/d1/manage/grant",
        data={**form, "side": "buyer", "folder": "/", "level": "view", "days": "7"},
        headers=broker,
    )
    assert client.get("/api/v1/rooms/d1", headers=broker).json()["stage"] == "due_diligence"
    buyer = _as(client, "buyer.a")
    assert client.get("/api/v1/rooms/d1/nda", headers=buyer).json()["version"] == 1
    assert 'id="manage"' not in client.get("/rooms/d1", headers=buyer).text


def test_opening_a_room_is_refused_before_its_deal_is_created(
    client: TestClient, vault: Any
) -> None:
    """An operator may create deals but not open rooms: POST /rooms used to create the deal
    first (or answer 400 for a name it could not see) instead of refusing with 403."""
    from baomi.services import deals
    from tests.vault_support import operator

    make_user(vault, "ops.a", "operator")
    r = client.post(
        "/api/v1/rooms",
        json={"deal": "转让-009", "target_name": "示例科技有限公司", "target_uscc": VALID},
        headers=_as(client, "ops.a"),
    )
    assert r.status_code == 403, r.text
    assert deals.list_deals(vault, actor=operator()) == []


def test_a_read_only_auditor_is_offered_no_download(client: TestClient, vault: Any) -> None:
    broker, _ = _setup(client, vault)
    make_user(vault, "audit.a", "auditor")
    client.post(
        "/api/v1/rooms/转让-001/members",
        json={"username": "audit.a", "side": "seller", "role": "auditor"},
        headers=broker,
    )
    make_user(vault, "seller.a", "seller")
    client.post(
        "/api/v1/rooms/转让-001/members",
        json={"username": "seller.a", "side": "seller", "role": "seller"},
        headers=broker,
    )
    seller = _as(client, "seller.a")
    client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("a.csv", "姓名\n张三\n".encode(), "text/csv"))],
        headers=seller,
    )
    assert 'class="download"' in client.get("/rooms/转让-001", headers=seller).text
    auditor = _as(client, "audit.a")
    page = client.get("/rooms/转让-001", headers=auditor)
    assert page.status_code == 200 and "a.csv" in page.text and 'class="download"' not in page.text
