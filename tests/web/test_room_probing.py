"""A deal's name is confidential: whoever is not in its room cannot tell whether it exists.

QA found that ``/rooms/不存在的交易`` answered 400 "没有名为 … 的交易" while a room the user was
not in answered 403 with the deal's name and id, so any signed-in user could test names. Now
both answer 404 with the same text, on pages and the API; the refusal is still audited; the
platform roles that see every room are still told a deal does not exist. A document id that is
not in the room (another room's, a missing one) is 404 too.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from baomi.storage.models import AuditEventRow
from tests.services.dataroom.test_documents import _csv
from tests.web.conftest import make_user
from tests.web.test_documents_api import _ready
from tests.web.test_rooms_api import VALID, _as

PAGE = {"Accept": "text/html"}


def _denials(vault: Any) -> int:
    with vault.reading() as s:
        return len(
            list(
                s.execute(
                    select(AuditEventRow).where(AuditEventRow.action == "access.denied")
                ).scalars()
            )
        )


def test_a_room_one_is_not_in_and_a_missing_one_answer_alike(
    client: TestClient, vault: Any
) -> None:
    broker, _, _ = _ready(client, vault)
    deal_id = client.get("/api/v1/rooms/转让-001", headers=broker).json()["deal_id"]
    make_user(vault, "buyer.b", "buyer")
    outsider = _as(client, "buyer.b")
    answers = []
    for ref in ("转让-001", "不存在的交易", deal_id):
        before = _denials(vault)
        api = client.get(f"/api/v1/rooms/{ref}", headers=outsider)
        page = client.get(f"/rooms/{ref}", headers={**outsider, **PAGE})
        docs = client.get(f"/api/v1/rooms/{ref}/documents", headers=outsider)
        assert (api.status_code, page.status_code, docs.status_code) == (404, 404, 404), ref
        assert _denials(vault) > before  # each refusal is recorded
        # the page's own address (its language link) is what the user typed; the answer is not
        shown = page.text.split('<section class="card" id="error">')[1].split("</section>")[0]
        title = page.text.split("<title>")[1].split("</title>")[0]
        for text in (api.text, docs.text, shown, title):
            assert "转让-001" not in text and deal_id not in text and deal_id[:8] not in text
        answers.append((api.json(), docs.json()))
    assert answers[0] == answers[1] == answers[2]  # the same words whether or not it exists


def test_the_platform_is_told_a_deal_does_not_exist(client: TestClient, vault: Any) -> None:
    make_user(vault, "broker.a", "broker")
    broker = _as(client, "broker.a")
    r = client.get("/api/v1/rooms/不存在的交易", headers=broker)
    assert r.status_code == 404 and "没有名为 不存在的交易 的交易" in r.json()["detail"]


def test_a_document_id_not_in_the_room_is_404(client: TestClient, vault: Any) -> None:
    broker, _, seller = _ready(client, vault)
    r = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(), "text/csv"))],
        data={"folder": "客户"},
        headers=seller,
    )
    assert r.status_code == 201, r.text
    doc_id = r.json()[0]["id"]
    client.post(
        "/api/v1/rooms",
        json={"deal": "转让-002", "target_name": "另一家公司", "target_uscc": VALID},
        headers=broker,
    )
    for ref, obj in (("转让-001", "0" * 32), ("转让-002", doc_id)):
        for what in ("download", "preview"):
            got = client.get(f"/api/v1/rooms/{ref}/documents/{obj}/{what}", headers=broker)
            assert got.status_code == 404, (ref, what, got.text)


def _two_rooms(client: TestClient, vault: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Room 转让-001 with its seller (``seller.a``) and a second room 转让-002; the broker's and
    the seller's credentials."""
    broker, _, seller = _ready(client, vault)
    r = client.post(
        "/api/v1/rooms",
        json={"deal": "转让-002", "target_name": "另一家公司", "target_uscc": VALID},
        headers=broker,
    )
    assert r.status_code == 201, r.text
    return broker, seller


def _alike(answers: list[Any], *hidden: str) -> None:
    """Every answer the same status and body, none naming what is hidden."""
    assert len({(a.status_code, a.text) for a in answers}) == 1, [a.text for a in answers]
    for a in answers:
        for name in hidden:
            assert name not in a.text and name[:8] not in a.text


def test_another_rooms_incident_answers_as_a_missing_one(client: TestClient, vault: Any) -> None:
    broker, seller = _two_rooms(client, vault)
    theirs = client.post(
        "/api/v1/rooms/转让-002/incidents", json={"title": "泄露", "individuals": 1}, headers=broker
    ).json()["id"]
    ours = client.post(
        "/api/v1/rooms/转让-001/incidents", json={"title": "泄露", "individuals": 1}, headers=seller
    ).json()["id"]
    base = "/api/v1/rooms/转让-001/incidents"
    assert client.get(f"{base}/{ours}", headers=seller).status_code == 200
    apis, pages = [], []
    for asked in (theirs, "0" * 32):
        before = _denials(vault)
        apis.append(client.get(f"{base}/{asked}", headers=seller))
        apis.append(
            client.post(f"{base}/{asked}/status", json={"status": "handled"}, headers=seller)
        )
        page = client.get(f"/rooms/转让-001/incidents/{asked}", headers={**seller, **PAGE})
        pages.append(page.text.split('<section class="card" id="error">')[1].split("</section>")[0])
        assert page.status_code == 404
        assert _denials(vault) == before + 3  # each refusal recorded
    assert {a.status_code for a in apis} == {404}
    _alike(apis, theirs)
    assert pages[0] == pages[1] and theirs[:8] not in pages[0]


def test_another_deals_request_answers_as_a_missing_one(client: TestClient, vault: Any) -> None:
    """The seller's staff of one deal asking for another deal's request: a 403 naming that
    deal, where an unknown id was 400 — now the same 404 as an unknown id."""
    broker, seller = _two_rooms(client, vault)
    made = {}
    for deal, who in (("转让-002", broker), ("转让-001", seller)):
        r = client.post(
            "/api/v1/subject-requests",
            json={"kind": "access", "contact": "a@b.cn", "deal": deal},
            headers=who,
        )
        assert r.status_code == 201, r.text
        made[deal] = r.json()
    base = "/api/v1/subject-requests"
    assert client.get(f"{base}/{made['转让-001']['id']}", headers=seller).status_code == 200
    theirs = made["转让-002"]
    answers = []
    for asked in (theirs["id"], theirs["reference"], "0" * 32, "DSR-20260101-ZZZZZZ"):
        before = _denials(vault)
        answers.append(client.get(f"{base}/{asked}", headers=seller))
        body = {"method": "sms_code", "passed": True}
        answers.append(client.post(f"{base}/{asked}/verifications", json=body, headers=seller))
        assert _denials(vault) == before + 2
    assert {a.status_code for a in answers} == {404}
    deal_id = client.get("/api/v1/rooms/转让-002", headers=broker).json()["deal_id"]
    _alike(answers, theirs["id"], theirs["reference"], deal_id, "转让-002")
    # the request's page answers the unknown and the hidden one alike
    pages = [
        client.get(f"/requests/{asked}", headers={**seller, **PAGE}, follow_redirects=False)
        for asked in (theirs["id"], "0" * 32)
    ]
    assert pages[0].status_code == pages[1].status_code
    assert pages[0].headers.get("location") == pages[1].headers.get("location")


def test_a_folder_without_a_grant_is_not_named(client: TestClient, vault: Any) -> None:
    """A buyer opening a document in a folder their side holds no grant for was told 403 "没有
    文件夹 财务 的查看授权": the folder's name, to someone not granted it. It answers as a
    document that is not in the room now (404), and the refusal is recorded; a download
    refused where the side may view says so without the folder's name (403). An unknown id was
    answered alike but not recorded, so a member's probing left no trace: it is recorded too."""
    broker, buyer, seller = _ready(client, vault)
    ids = {}
    for folder in ("财务", "客户"):
        r = client.post(
            "/api/v1/rooms/转让-001/documents",
            files=[("files", ("名单.csv", _csv(3), "text/csv"))],
            data={"folder": folder},
            headers=seller,
        )
        assert r.status_code == 201, r.text
        ids[folder] = r.json()[0]["id"]
    r = client.post(
        "/api/v1/rooms/转让-001/grants",
        json={"side": "buyer", "folder": "客户", "level": "view", "days": 5},
        headers=broker,
    )
    assert r.status_code in (200, 201), r.text
    base = "/api/v1/rooms/转让-001/documents"
    assert client.get(f"{base}/{ids['客户']}/preview", headers=buyer).status_code == 200
    answers = []
    for asked in (ids["财务"], "0" * 32):
        for what in ("preview", "download"):
            before = _denials(vault)
            answers.append(client.get(f"{base}/{asked}/{what}", headers=buyer))
            # an unknown id is probing too: recorded like the hidden folder's document
            assert _denials(vault) == before + 1
    assert {a.status_code for a in answers} == {404}
    _alike(answers, "财务", ids["财务"])
    viewed = client.get(f"{base}/{ids['客户']}/download", headers=buyer)
    assert viewed.status_code == 403 and "客户" not in viewed.text
