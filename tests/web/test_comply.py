"""The compliance overview page and its JSON API: allowed and refused roles, forms, the link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Role
from baomi.web.app import create_app
from baomi.web.security import SESSION_COOKIE
from tests.web.room_support import SYSTEM, room_home, signed_in

DEAL = "合规-001"
API = f"/api/v1/rooms/{DEAL}/comply"


class Home:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def browse_as(self, who: str) -> None:
        self.client.cookies.set(SESSION_COOKIE, self.tokens[who])


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    with room_home(tmp_path, DEAL) as (settings, vault):
        tokens = {}
        for who, role, side in (
            ("seller.c", Role.SELLER, Side.SELLER),
            ("buyer.c", Role.BUYER, Side.BUYER),
            ("auditor.c", Role.AUDITOR, Side.SELLER),
        ):
            tokens[who] = signed_in(vault, who, role)
            rooms.add_member(vault, actor=SYSTEM, deal_ref=DEAL, username=who, side=side, role=role)
        with TestClient(create_app(settings, vault=vault)) as client:
            yield Home(client, tokens)


def test_the_seller_sets_the_profile_and_company_and_reads_the_assessment(home: Home) -> None:
    seller = home.bearer("seller.c")
    c = home.client
    assert c.get(f"{API}/profile", headers=seller).json()["transfer_type"] is None
    [only] = c.get(f"{API}/obligations", headers=seller).json()
    assert only["id"] == "set-transfer-type"
    r = c.put(
        f"{API}/profile",
        json={
            "transfer_type": "merger",
            "recipient_name": "承接公司",
            "recipient_contact": "010-1",
        },
        headers=seller,
    )
    assert r.status_code == 200 and r.json()["transfer_type"] == "merger"
    assert c.get(f"{API}/profile", headers=seller).json()["recipient_contact"] == "010-1"
    home.browse_as("seller.c")
    page = c.get(f"/rooms/{DEAL}/comply").text  # the form keeps what was entered
    assert 'name="recipient_contact" maxlength="200" value="010-1"' in page
    ids = [o["id"] for o in c.get(f"{API}/obligations", headers=seller).json()]
    assert "notify-recipient" in ids
    r = c.put(f"{API}/company", json={"turnover_yuan": 2_000_000_000, "staff": 300}, headers=seller)
    assert r.status_code == 200 and r.json()["entered"]
    assert c.get(f"{API}/company", headers=seller).json()["turnover_yuan"] == 2_000_000_000
    fines = c.get(f"{API}/exposure", headers=seller).json()["fines"]
    assert (fines["serious_max"], fines["higher"]) == (100_000_000, "turnover")
    assert c.get(f"{API}/duties", headers=seller).json()[0]["id"] == "officer"
    assert c.get(f"{API}/packages", headers=seller).json() == []


def test_the_auditor_reads_but_does_not_edit(home: Home) -> None:
    auditor = home.bearer("auditor.c")
    assert home.client.get(f"{API}/duties", headers=auditor).status_code == 200
    r = home.client.put(f"{API}/profile", json={"transfer_type": "equity"}, headers=auditor)
    assert r.status_code == 403


#: every API route of the router, with a harmless body
ROUTES: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/profile", None),
    ("PUT", "/profile", {"transfer_type": "equity"}),
    ("GET", "/company", None),
    ("PUT", "/company", {"ciio": True}),
    ("GET", "/obligations", None),
    ("GET", "/packages", None),
    ("GET", "/duties", None),
    ("GET", "/exposure", None),
)


def test_the_buyer_is_refused_everything_and_strangers_sign_in_first(home: Home) -> None:
    for method, path, body in ROUTES:
        r = home.client.request(method, API + path, json=body, headers=home.bearer("buyer.c"))
        assert r.status_code == 403, (method, path)
        anonymous = home.client.request(method, API + path, json=body).status_code
        assert anonymous == (401 if method == "GET" else 403), (method, path)  # CSRF first


def test_bad_input_is_refused_without_echo(home: Home) -> None:
    seller = home.bearer("seller.c")
    r = home.client.put(f"{API}/company", json={"staff": -1}, headers=seller)
    assert r.status_code == 422
    r = home.client.get("/api/v1/rooms/no-such-deal/comply/duties", headers=seller)
    assert r.status_code == 404  # as a room the seller is not in (rooms.hidden)


def _csrf(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_overview_page_and_its_forms(home: Home) -> None:
    home.browse_as("seller.c")
    c = home.client
    page = c.get(f"/rooms/{DEAL}/comply")
    assert page.status_code == 200
    assert "请先设置转让类型" in page.text and 'id="exposure"' in page.text
    r = c.post(
        f"/rooms/{DEAL}/comply/profile",
        data={
            "csrf_token": _csrf(page.text),
            "transfer_type": "dissolution",
            "recipient_location": "mainland",
            "recipient_name": "",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error" not in r.headers["location"]
    page = c.get(f"/rooms/{DEAL}/comply")
    assert 'id="o-delete-on-dissolution"' in page.text
    r = c.post(
        f"/rooms/{DEAL}/comply/company",
        data={"csrf_token": _csrf(page.text), "staff": "many"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]
    for field in ("turnover_yuan",):  # more than a database column holds: was a 500
        r = c.post(
            f"/rooms/{DEAL}/comply/company",
            data={"csrf_token": _csrf(page.text), field: "9" * 20},
            follow_redirects=False,
        )
        assert r.status_code == 303 and "error=" in r.headers["location"], field
    r = c.post(
        f"/rooms/{DEAL}/comply/company",
        data={"csrf_token": _csrf(page.text), "staff": "201", "pi_business": "true"},
        follow_redirects=False,
    )
    assert "error" not in r.headers["location"]
    page = c.get(f"/rooms/{DEAL}/comply?lang=en")
    assert ("Full-time officer" in page.text and "Delete" in page.text) or "delete" in page.text


def test_the_room_links_to_compliance_only_for_those_allowed(home: Home) -> None:
    home.browse_as("seller.c")
    assert 'id="comply-link"' in home.client.get(f"/rooms/{DEAL}").text
    home.browse_as("buyer.c")
    room = home.client.get(f"/rooms/{DEAL}")
    assert room.status_code in (200, 403) and 'id="comply-link"' not in room.text
    assert home.client.get(f"/rooms/{DEAL}/comply").status_code == 403


def test_the_room_names_the_recipients_region_as_the_profile_says(home: Home) -> None:
    """The room page showed the region's code ("CN") and kept it after the profile said the
    recipient is in Hong Kong: it now names the region in the page's language, the profile's."""
    seller = home.bearer("seller.c")
    home.browse_as("seller.c")
    page = home.client.get(f"/rooms/{DEAL}").text
    assert '<dd id="recipient-region">境内（大陆）</dd>' in page
    r = home.client.put(
        f"{API}/profile",
        json={"transfer_type": "equity", "recipient_location": "hong_kong"},
        headers=seller,
    )
    assert r.status_code == 200
    assert '<dd id="recipient-region">香港</dd>' in home.client.get(f"/rooms/{DEAL}").text
    english = home.client.get(f"/rooms/{DEAL}?lang=en").text
    assert '<dd id="recipient-region">Hong Kong</dd>' in english
