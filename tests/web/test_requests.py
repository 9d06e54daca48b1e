"""Data-subject requests over HTTP: the public page (CSRF, strict input, a rate limit per
address) and the staff's register (intake, verification, answer, refusal)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.services.permissions import Actor, Role
from baomi.services.respond import requests
from baomi.web.routers.requests import PUBLIC_LIMIT
from tests.vault_support import resident_id
from tests.web.test_documents_api import _ready

OP = Actor("op", Role.OPERATOR)


def _pre(client: TestClient) -> str:
    page = client.get("/request")
    assert page.status_code == 200 and "个人信息权利请求" in page.text
    return client.cookies.get("baomi_csrf") or ""


def _stored(vault: Any) -> int:
    return len(requests.register(vault, actor=OP))


def test_the_public_page_gives_a_reference(client: TestClient, vault: Any) -> None:
    token = _pre(client)
    r = client.post(
        "/request",
        data={"csrf_token": token, "kind": "deletion", "contact": "+86 138 1234 5678"},
    )
    assert r.status_code == 200, r.text
    [info] = requests.register(vault, actor=OP)
    assert info.reference in r.text and info.kind is requests.Kind.DELETION
    assert info.channel is requests.Channel.PUBLIC
    api = client.post(
        "/api/v1/requests",
        json={"kind": "access", "contact": "wang@example.com", "details": "请提供副本"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 201 and api.json()["reference"].startswith("DSR-")
    assert set(api.json()) == {"reference"}
    assert "Personal information request" in client.get("/request?lang=en").text


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "nonsense", "contact": "a@b.cn"},
        {"kind": "access", "contact": ""},
        {"kind": "access", "contact": "张三"},  # neither an e-mail address nor a phone number
        {"kind": "access", "contact": "<script>@x"},
        {"kind": "access", "contact": "a@b.cn", "details": "x" * (requests.MAX_DETAILS + 1)},
        {"kind": "access", "contact": "a@b.cn", "details": "bell\x07"},
        {"kind": "access", "contact": "1" * (requests.MAX_CONTACT + 1)},
    ],
)
def test_bad_input_is_refused_and_nothing_stored(
    client: TestClient, vault: Any, body: dict[str, str]
) -> None:
    token = _pre(client)
    api = client.post("/api/v1/requests", json=body, headers={"X-CSRF-Token": token})
    assert 400 <= api.status_code < 500, api.text
    form = client.post("/request", data={"csrf_token": token, **body})
    assert 400 <= form.status_code < 500
    assert _stored(vault) == 0


def test_no_csrf_token_no_request(client: TestClient, vault: Any) -> None:
    _pre(client)
    r = client.post("/request", data={"kind": "access", "contact": "a@b.cn"})
    assert r.status_code == 403
    r = client.post(
        "/api/v1/requests",
        json={"kind": "access", "contact": "a@b.cn"},
        headers={"X-CSRF-Token": "forged"},
    )
    assert r.status_code == 403
    assert _stored(vault) == 0


def test_a_flood_gets_429(client: TestClient, vault: Any) -> None:
    token = _pre(client)
    codes = [
        client.post(
            "/api/v1/requests",
            json={"kind": "access", "contact": f"p{i}@example.com"},
            headers={"X-CSRF-Token": token},
        ).status_code
        for i in range(PUBLIC_LIMIT + 3)
    ]
    assert codes[:PUBLIC_LIMIT] == [201] * PUBLIC_LIMIT
    assert set(codes[PUBLIC_LIMIT:]) == {429}
    form = client.post(
        "/request", data={"csrf_token": token, "kind": "access", "contact": "a@b.cn"}
    )
    assert form.status_code == 429
    assert _stored(vault) == PUBLIC_LIMIT


def test_staff_register_verify_answer_refuse(client: TestClient, vault: Any) -> None:
    broker, buyer, _ = _ready(client, vault)
    received = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(days=31)).isoformat()
    r = client.post(
        "/api/v1/subject-requests",
        json={"kind": "correction", "contact": "13812345678", "received_at": received},
        headers=broker,
    )
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["overdue"] and req["status"] == "open"
    assert client.get("/api/v1/subject-requests", headers=buyer).status_code == 403
    assert client.get("/api/v1/subject-requests", headers=broker).json()[0]["id"] == req["id"]
    early = client.post(
        f"/api/v1/subject-requests/{req['id']}/status", json={"status": "answered"}, headers=broker
    )
    assert early.status_code == 400
    checked = client.post(
        f"/api/v1/subject-requests/{req['id']}/verifications",
        json={"method": "sms_code", "passed": True, "identifier": "13812345678"},
        headers=broker,
    ).json()
    assert checked["status"] == "verified" and "13812345678" not in str(checked["verifications"])
    done = client.post(
        f"/api/v1/subject-requests/{req['id']}/status", json={"status": "answered"}, headers=broker
    ).json()
    assert done["status"] == "answered" and not done["overdue"]
    assert (
        client.get(f"/api/v1/subject-requests/{req['reference']}", headers=broker).status_code
        == 200
    )
    page = client.get("/requests", headers=broker)
    assert page.status_code == 200 and req["reference"] in page.text
    assert "/requests" in client.get("/", headers=broker).text
    assert "/requests" not in client.get("/", headers=buyer).text
    refused = client.post(
        "/api/v1/subject-requests",
        json={"kind": "deletion", "contact": "a@b.cn"},
        headers=broker,
    ).json()
    bad = client.post(
        f"/api/v1/subject-requests/{refused['id']}/status",
        json={"status": "refused"},
        headers=broker,
    )
    assert bad.status_code == 400


def test_the_register_shows_the_linked_search_per_file(client: TestClient, vault: Any) -> None:
    broker, _, _ = _ready(client, vault)
    req = client.post(
        "/api/v1/subject-requests", json={"kind": "access", "contact": "a@b.cn"}, headers=broker
    ).json()
    requests.record_search(
        vault,
        actor=OP,
        request_id=req["id"],
        entity="CN_MOBILE",
        where="deal:x",
        documents=2,
        hits=[
            ("客户.csv", None, 0, "手机"),
            ("客户.csv", None, 4, "手机"),
            ("订单.jsonl", None, 1, "phone"),
        ],
    )
    shown = client.get(f"/api/v1/subject-requests/{req['id']}", headers=broker).json()
    assert shown["search_per_file"] == {"客户.csv": 2, "订单.jsonl": 1}
    assert "客户.csv ×2" in client.get("/requests", headers=broker).text


def test_a_request_the_seller_takes_in_stays_in_the_sellers_register(
    client: TestClient, vault: Any
) -> None:
    """The seller's staff took a request in (201, a reference) and their register then said
    "no requests": their scope outside a room was empty and the request had no deal. It now
    belongs to the seller's deal, and the seller sees and handles it; the buyer's side does not."""
    from tests.web.conftest import make_user

    broker, _, seller = _ready(client, vault)
    taken = client.post(
        "/api/v1/subject-requests", json={"kind": "access", "contact": "a@b.cn"}, headers=seller
    )
    assert taken.status_code == 201, taken.text
    req = taken.json()
    assert [r["id"] for r in client.get("/api/v1/subject-requests", headers=seller).json()] == [
        req["id"]
    ]
    page = client.post(
        "/requests",
        data={"kind": "deletion", "contact": "c@d.cn", "csrf_token": "x"},
        headers=seller,
        follow_redirects=False,
    )
    assert page.status_code == 303 and "error=" not in page.headers["location"]
    listed = client.get("/requests", headers=seller)
    assert req["reference"] in listed.text and listed.text.count("<tr") >= 3
    checked = client.post(
        f"/api/v1/subject-requests/{req['id']}/verifications",
        json={"method": "sms_code", "passed": True},
        headers=seller,
    )
    assert checked.status_code == 200, checked.text
    # counsel seated on the buyer's side sees none of the seller's requests
    make_user(vault, "counsel.b", "counsel")
    client.post(
        "/api/v1/rooms/转让-001/members",
        json={"username": "counsel.b", "side": "buyer", "role": "counsel"},
        headers=broker,
    )
    from tests.web.test_documents_api import _as

    assert client.get("/api/v1/subject-requests", headers=_as(client, "counsel.b")).json() == []
    # and is shown no link or form it cannot use: the table asked with the user's scope
    counsel = _as(client, "counsel.b")
    home = client.get("/", headers=counsel).text
    assert 'href="/requests"' not in home and 'href="/drills"' not in home
    assert 'id="intake"' not in client.get("/requests", headers=counsel).text
    # the seller's staff keep theirs
    assert 'href="/requests"' in client.get("/", headers=seller).text
    assert 'id="intake"' in client.get("/requests", headers=seller).text


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"kind": "hack", "contact": "a@b.cn"}, "请求类型无效，请从列表中选择"),
        ({"kind": "access", "contact": "not a contact"}, "联系方式须为电子邮箱或电话号码"),
    ],
)
def test_staff_intake_says_what_is_wrong_in_words(
    client: TestClient, vault: Any, form: dict[str, str], said: str
) -> None:
    """The staff's intake answered "'hack' is not a valid Kind" and took any text as a contact;
    it now checks as the public page does and says so in the user's words."""
    broker, _, _ = _ready(client, vault)
    r = client.post("/requests", data=form, headers=broker, follow_redirects=False)
    assert r.status_code == 303 and "error=" in r.headers["location"]
    page = client.get(r.headers["location"], headers=broker).text
    assert said in page and "not a valid" not in page
    assert _stored(vault) == 0


def test_the_register_masks_contacts_and_the_request_page_shows_them(
    client: TestClient, vault: Any
) -> None:
    """Minimum necessary (PIPL-6): the register lists requesters' contacts masked
    (``138****5678``); only the request's own page, where the handler replies, shows it whole."""
    broker, _, _ = _ready(client, vault)
    made = client.post(
        "/api/v1/subject-requests",
        json={"kind": "access", "contact": "13812345678"},
        headers=broker,
    ).json()
    client.post(
        "/api/v1/subject-requests",
        json={"kind": "access", "contact": "wang.fang@example.com"},
        headers=broker,
    )
    listed = client.get("/api/v1/subject-requests", headers=broker).json()
    assert sorted(r["contact"] for r in listed) == ["138****5678", "w***@example.com"]
    page = client.get("/requests", headers=broker).text
    assert "138****5678" in page and "13812345678" not in page
    assert "wang.fang@example.com" not in page
    one = client.get(f"/api/v1/subject-requests/{made['id']}", headers=broker).json()
    assert one["contact"] == "13812345678"
    # the identifiers typed into the details: masked in the list, whole on the request's own
    details = f"请删除身份证{resident_id(3)}的记录"
    typed = client.post(
        "/api/v1/subject-requests",
        json={"kind": "deletion", "contact": "a@b.cn", "details": details},
        headers=broker,
    ).json()
    (listed_details,) = [
        r["details"]
        for r in client.get("/api/v1/subject-requests", headers=broker).json()
        if r["id"] == typed["id"]
    ]
    assert resident_id(3) not in listed_details and "****" in listed_details
    mine = client.get(f"/api/v1/subject-requests/{typed['id']}", headers=broker).json()
    assert mine["details"] == details
    assert "13812345678" in client.get(f"/requests/{made['id']}", headers=broker).text


def test_a_role_that_may_not_take_requests_in_hears_the_refusal_before_a_bad_kind(
    client: TestClient, vault: Any
) -> None:
    """The intake form read its kind before the service asked the table: an auditor (who may
    view, not edit, requests) heard "请求类型无效" rather than that they may not."""
    from tests.web.conftest import make_user
    from tests.web.test_documents_api import _as

    _ready(client, vault)
    make_user(vault, "auditor.a", "auditor")
    auditor = {**_as(client, "auditor.a"), "Accept": "text/html"}
    r = client.post("/requests", data={"kind": "hack", "contact": "a@b.cn"}, headers=auditor)
    assert r.status_code == 403 and "无权" in r.text and "请求类型" not in r.text
    assert _stored(vault) == 0


def test_the_request_page_shows_its_times_as_china_time(client: TestClient, vault: Any) -> None:
    """The request's own page showed "收到 2026-12-05 10:00 UTC" for a request received at
    10:00 China time (02:00 UTC): the time was China time, the label said UTC. The intake form's
    example was an ISO time in UTC (``2026-12-01T08:00:00+00:00``) though a time typed
    without an offset is read as China time."""
    broker, _, _ = _ready(client, vault)
    made = client.post(
        "/requests",
        data={"kind": "access", "contact": "a@b.cn", "received_at": "2026-12-05 10:00"},
        headers=broker,
        follow_redirects=False,
    )
    assert made.status_code == 303 and "error=" not in made.headers["location"]
    (info,) = requests.register(vault, actor=OP)
    assert info.received_at == "2026-12-05T10:00:00+08:00"
    page = client.get(f"/requests/{info.id}", headers=broker).text
    assert "2026-12-05 10:00" in page and "UTC<" not in page and "UTC（" not in page
    register = client.get("/requests", headers=broker).text
    assert "+00:00" not in register and "北京时间" in register
