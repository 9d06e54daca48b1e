"""Provision records and the cross-border route over HTTP: the API and the pages, for the roles
the table allows and refused to the others (the buyer is the recipient being assessed)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.services.dataroom.test_documents import _csv
from tests.web.test_documents_api import _ready

API = "/api/v1/rooms/转让-001/comply"


def test_a_download_is_recorded_and_the_route_follows(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
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
    for _ in range(2):  # the same copy twice: one provision
        got = client.get(f"/api/v1/rooms/转让-001/documents/{doc['id']}/download", headers=buyer)
        assert got.status_code == 200
    (p,) = client.get(f"{API}/provisions", headers=seller).json()
    assert p["source"] == "dataroom" and p["recipient_user"] == "buyer.a"
    assert p["individuals"] == 3 and p["deduplicated"] and p["region"] == "mainland"
    added = client.post(
        f"{API}/provisions",
        json={"recipient": "香港顾问", "region": "hong_kong", "individuals": 10, "sensitive": 1},
        headers=broker,
    )
    assert added.status_code == 201, added.text
    assert added.json()["abroad"] and not added.json()["deduplicated"]
    cb = client.get(f"{API}/crossborder", headers=seller).json()
    assert cb["individuals"] == 10 and cb["sensitive_individuals"] == 1
    assert cb["route"]["outcome"] == "standard_contract"  # one person's sensitive PI
    assert {d["rule_id"] for d in cb["route"]["duties"]} >= {"PIPL-39", "SCC-7"}
    for method, url in (
        ("GET", f"{API}/provisions"),
        ("POST", f"{API}/provisions"),
        ("GET", f"{API}/crossborder"),
    ):
        body = {"recipient": "x", "region": "abroad", "individuals": 1}
        r = client.request(method, url, json=body, headers=buyer)
        assert r.status_code == 403, (method, url, r.text)
    bad = client.post(
        f"{API}/provisions",
        json={"recipient": "x", "region": "abroad", "individuals": 1, "sensitive": 2},
        headers=broker,
    )
    assert bad.status_code == 400


def test_the_pages_list_record_and_assess(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    page = client.get("/rooms/转让-001/comply/provisions", headers=seller)
    assert page.status_code == 200 and 'id="provision-form"' in page.text
    csrf = client.get("/api/v1/auth/me", headers=seller).json()["csrf_token"]
    form = {
        "csrf_token": csrf,
        "recipient": "台湾买方",
        "region": "taiwan",
        "individuals": "120000",
    }
    ok = client.post(
        "/rooms/转让-001/comply/provisions", data=form, headers=seller, follow_redirects=False
    )
    assert ok.status_code == 303 and "error" not in ok.headers["location"]
    listed = client.get("/rooms/转让-001/comply/provisions", headers=seller).text
    assert "台湾买方" in listed and "120,000" in listed
    wrong = client.post(
        "/rooms/转让-001/comply/provisions",
        data={**form, "region": "mars"},
        headers=seller,
        follow_redirects=False,
    )
    assert wrong.status_code == 303 and "error=" in wrong.headers["location"]
    report = client.get("/rooms/转让-001/comply/crossborder", headers=seller)
    assert report.status_code == 200
    assert "订立标准合同或通过个人信息保护认证" in report.text and "XB16-8" in report.text
    assert "XB-CNT（未确认）" in report.text
    assert client.get("/rooms/转让-001/comply/crossborder", headers=buyer).status_code == 403
    client.cookies.clear()
    anonymous = client.get("/rooms/转让-001/comply/crossborder", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"


def test_the_provision_form_names_regions_in_words(client: TestClient, vault: Any) -> None:
    """The region list of "登记在 baomi 之外的提供" offered the codes ``mainland``,
    ``hong_kong``, ``macao``, ``taiwan``, ``abroad`` on the Chinese page; it names them
    ("香港", "Hong Kong") and still sends the codes."""
    _, _, seller = _ready(client, vault)
    page = client.get("/rooms/转让-001/comply/provisions", headers=seller).text
    assert '<option value="hong_kong">香港</option>' in page
    assert ">hong_kong<" not in page and ">mainland<" not in page
    english = client.get("/rooms/转让-001/comply/provisions?lang=en", headers=seller).text
    assert '<option value="abroad">abroad</option>' in english
    assert '<option value="hong_kong">Hong Kong</option>' in english
