"""The checklist and third-party register over HTTP: the API per role, and the pages' forms."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from baomi.services import accounts
from baomi.services.comply import vendors as vd
from baomi.services.comply.scope import today
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Role
from baomi.storage.models import AuditEventRow
from baomi.web.app import create_app
from tests.web.room_support import SYSTEM, room_home, signed_in

DEAL = "合规-001"
API = f"/api/v1/rooms/{DEAL}/comply"
PAGE = f"/rooms/{DEAL}/comply"


class Home:
    def __init__(self, client: TestClient, vault: Any, tokens: dict[str, str]) -> None:
        self.client, self.vault, self.tokens = client, vault, tokens

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def browser(self, who: str) -> str:
        """Sign the client's cookie jar in as ``who``; returns the page forms' CSRF token."""
        token = self.tokens[who]
        self.client.cookies.set("baomi_session", token)
        return accounts.csrf_token(self.vault, token)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    with room_home(tmp_path, DEAL) as (settings, vault):
        tokens = {"broker": signed_in(vault, "broker", Role.BROKER)}
        for name, role, side in (
            ("seller", Role.SELLER, Side.SELLER),
            ("auditor", Role.AUDITOR, Side.SELLER),
            ("buyer", Role.BUYER, Side.BUYER),
            ("buyer.counsel", Role.COUNSEL, Side.BUYER),
        ):
            tokens[name] = signed_in(vault, name, role)
            rooms.add_member(
                vault, actor=SYSTEM, deal_ref=DEAL, username=name, side=side, role=role
            )
        tokens["operator"] = signed_in(vault, "operator", Role.OPERATOR)
        with TestClient(create_app(settings, vault=vault)) as client:
            yield Home(client, vault, tokens)


def test_the_seller_keeps_the_checklist_and_the_auditor_reads_it(home: Home) -> None:
    c = home.client
    first = c.get(f"{API}/checklist", headers=home.as_("seller"))
    assert first.status_code == 200, first.text
    assert first.json()["score"] == 0 and len(first.json()["items"]) >= 18
    yesterday = (today() - _dt.timedelta(days=1)).isoformat()
    r = c.patch(
        f"{API}/checklist/items/staff.training",
        json={"status": "in_progress", "owner": "人事部", "due": yesterday},
        headers=home.as_("seller"),
    )
    assert r.status_code == 200 and r.json()["overdue"]
    up = c.post(
        f"{API}/checklist/items/staff.training/evidence",
        files=[("file", ("签到表.txt", "第一期".encode(), "text/plain"))],
        headers=home.as_("seller"),
    )
    assert up.status_code == 201, up.text
    got = c.get(f"{API}/checklist/files/{up.json()['id']}", headers=home.as_("auditor"))
    assert got.status_code == 200 and got.content == "第一期".encode()
    added = c.post(
        f"{API}/checklist/items",
        json={"area": "audit", "title_zh": "年度审计计划"},
        headers=home.as_("broker"),
    )
    assert added.status_code == 201
    view = c.get(f"{API}/checklist", headers=home.as_("auditor")).json()
    assert len(view["trend"]) == 3 and view["items"][-1]["title_zh"] == "年度审计计划"
    denied = c.patch(
        f"{API}/checklist/items/staff.training",
        json={"status": "done"},
        headers=home.as_("auditor"),
    )
    assert denied.status_code == 403
    # the recipient (its counsel too), and the operator, who has no seat in the room
    for who in ("buyer", "buyer.counsel"):
        assert c.get(f"{API}/checklist", headers=home.as_(who)).status_code == 403
    # not in the room: not found, as a missing deal (rooms.hidden)
    assert c.get(f"{API}/checklist", headers=home.as_("operator")).status_code == 404


def test_the_register_over_the_api(home: Home) -> None:
    c = home.client
    end = (today() + _dt.timedelta(days=30)).isoformat()
    r = c.post(
        f"{API}/vendors",
        json={
            "name": "买方公司",
            "kind": "buyer",
            "contact": "王经理 13900000002",
            "contract": ["purpose", "term"],
            "contract_end": end,
            "buyer_of": DEAL,
        },
        headers=home.as_("seller"),
    )
    assert r.status_code == 201, r.text
    vendor = r.json()
    assert vendor["deal_name"] == DEAL and "no_subentrustment" in vendor["missing_contract"]
    due = c.get(f"{API}/vendor-reminders", headers=home.as_("auditor")).json()
    assert [v["id"] for v in due["ending_soon"]] == [vendor["id"]]
    assert (
        c.get(f"{API}/vendor-reminders?days=29", headers=home.as_("auditor")).json()["ending_soon"]
        == []
    )
    unconfirmed = c.post(
        f"{API}/vendors/{vendor['id']}/end",
        json={"ending": "deleted", "confirmed_by": " "},
        headers=home.as_("seller"),
    )
    assert unconfirmed.status_code == 400  # PIPL-21: not closed without the confirmation
    ended = c.post(
        f"{API}/vendors/{vendor['id']}/end",
        json={"ending": "deleted", "confirmed_by": "李律师"},
        headers=home.as_("seller"),
    )
    assert ended.status_code == 200 and ended.json()["ending"] == "deleted"
    assert c.get(f"{API}/vendors", headers=home.as_("buyer")).status_code == 403


def test_the_checklist_page_and_its_forms(home: Home) -> None:
    c = home.client
    csrf = home.browser("seller")
    page = c.get(f"{PAGE}/checklist")
    assert page.status_code == 200
    assert "合规清单" in page.text and "制定个人信息保护内部管理制度和操作规程" in page.text
    assert 'name="status"' in page.text  # the seller may change items
    item_id = page.text.split(f'action="{PAGE}/checklist/items/')[1].split('"')[0]
    past = (today() - _dt.timedelta(days=3)).isoformat()
    r = c.post(
        f"{PAGE}/checklist/items/{item_id}",
        data={"csrf_token": csrf, "status": "in_progress", "owner": "法务部", "due": past},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error" not in r.headers["location"]
    page = c.get(f"{PAGE}/checklist")
    assert 'class="overdue"' in page.text and "<polyline" in page.text
    bad = c.post(
        f"{PAGE}/checklist/items/{item_id}",
        data={"csrf_token": csrf, "status": "done", "due": "not-a-date"},
        follow_redirects=False,
    )
    assert "error=" in bad.headers["location"]
    r = c.post(
        f"{PAGE}/checklist/items/{item_id}/evidence",
        data={"csrf_token": csrf},
        files=[("file", ("制度.txt", "第一版".encode(), "text/plain"))],
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error" not in r.headers["location"]
    r = c.post(
        f"{PAGE}/checklist/items",
        data={"csrf_token": csrf, "area": "staff", "title_zh": "入职培训"},
        follow_redirects=False,
    )
    assert "error" not in r.headers["location"]
    page = c.get(f"{PAGE}/checklist?lang=en")
    assert "制度.txt" in page.text and "入职培训" in page.text and "Overall score" in page.text


def test_the_auditor_sees_no_forms_and_the_buyer_is_refused(home: Home) -> None:
    c = home.client
    home.browser("auditor")
    page = c.get(f"{PAGE}/checklist")
    assert page.status_code == 200 and 'name="status"' not in page.text
    assert c.get(f"{PAGE}/vendors").status_code == 200
    home.browser("buyer")
    assert c.get(f"{PAGE}/checklist").status_code == 403
    assert c.get(f"{PAGE}/vendors").status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("quality", "x", "服务质量须为 1–5 的整数"),
        ("security", "9", "数据安全须为 1–5 的整数"),
        ("kind", "hack", "类型无效，请从列表中选择"),
    ],
)
def test_a_vendor_form_with_a_bad_field_says_which_in_words(
    home: Home, field: str, value: str, said: str
) -> None:
    """The form answered "invalid literal for int() with base 10: 'x'" (Python's message)."""
    c = home.client
    csrf = home.browser("seller")
    data = {"csrf_token": csrf, "name": "律师事务所", "kind": "adviser", field: value}
    r = c.post(f"{PAGE}/vendors", data=data, follow_redirects=False)
    assert r.status_code == 303 and "error=" in r.headers["location"]
    page = c.get(r.headers["location"]).text
    assert said in page and "invalid literal" not in page and "not a valid" not in page
    assert vd.vendors(home.vault, actor=SYSTEM, deal_ref=DEAL) == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("vendors", {"name": "律师事务所", "kind": "hack"}),
        ("vendors", {"name": "律师事务所", "kind": "adviser", "quality": "x"}),
        ("checklist/items/no-such-item", {"status": "hack"}),
    ],
)
def test_a_role_that_may_not_edit_hears_the_refusal_before_a_bad_field(
    home: Home, path: str, data: dict[str, str]
) -> None:
    """The vendor form read its kind ("类型无效") before the service asked the table, so an
    auditor, who may not edit the register, learnt what the form expects instead of the
    refusal. The refusal comes first now, recorded; whoever may edit still hears the field."""
    c = home.client
    csrf = home.browser("auditor")
    before = _denials(home.vault)
    r = c.post(f"{PAGE}/{path}", data={"csrf_token": csrf, **data}, follow_redirects=False)
    assert r.status_code == 303 and "error=" in r.headers["location"]
    page = c.get(r.headers["location"]).text
    assert "无权" in page and "无效" not in page and "整数" not in page
    assert _denials(home.vault) == before + 1
    csrf = home.browser("seller")
    r = c.post(f"{PAGE}/{path}", data={"csrf_token": csrf, **data}, follow_redirects=False)
    assert "无权" not in c.get(r.headers["location"]).text
    assert vd.vendors(home.vault, actor=SYSTEM, deal_ref=DEAL) == []


def _denials(vault: Any) -> int:
    with vault.reading() as s:
        rows = s.execute(select(AuditEventRow).where(AuditEventRow.action == "access.denied"))
        return len(rows.all())


def test_a_party_without_contract_dates_says_so_and_a_duplicate_is_refused(home: Home) -> None:
    c = home.client
    csrf = home.browser("seller")
    data = {"csrf_token": csrf, "name": "顾问公司", "kind": "adviser"}
    assert (
        "error"
        not in c.post(f"{PAGE}/vendors", data=data, follow_redirects=False).headers["location"]
    )
    page = c.get(f"{PAGE}/vendors").text
    assert "? – ?" not in page and "未填写" in page
    again = c.post(f"{PAGE}/vendors", data=data, follow_redirects=False)
    assert "error=" in again.headers["location"]
    assert "已在登记册中" in c.get(again.headers["location"]).text
    assert len(vd.vendors(home.vault, actor=SYSTEM, deal_ref=DEAL)) == 1


def test_the_vendors_page_and_its_forms(home: Home) -> None:
    c = home.client
    csrf = home.browser("seller")
    r = c.post(
        f"{PAGE}/vendors",
        data={
            "csrf_token": csrf,
            "name": "律师事务所",
            "kind": "adviser",
            "criteria": ["qualification", "no_violations"],
            "contract": ["purpose", "term", "method"],
            "nda_date": "2026-01-05",
            "quality": "4",
            "security": "5",
            "contract_end": (today() - _dt.timedelta(days=1)).isoformat(),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error" not in r.headers["location"], r.headers["location"]
    page = c.get(f"{PAGE}/vendors")
    assert "律师事务所" in page.text and "已到期，未确认返还或删除" in page.text
    vendor_id = page.text.split(f'action="{PAGE}/vendors/')[1].split("/files")[0]
    r = c.post(
        f"{PAGE}/vendors/{vendor_id}",
        data={
            "csrf_token": csrf,
            "name": "律师事务所",
            "kind": "adviser",
            "contract": [c.key for c in vd.config().contract],
            "criteria": [c.key for c in vd.config().criteria],
            "nda_date": "2026-01-05",
            "quality": "5",
            "security": "5",
            "contract_end": (today() - _dt.timedelta(days=1)).isoformat(),
        },
        follow_redirects=False,
    )
    assert "error" not in r.headers["location"], r.headers["location"]
    edited = vd.vendors(home.vault, actor=SYSTEM, deal_ref=DEAL)[0]
    assert edited.risk == 0 and edited.missing_contract == ()
    r = c.post(
        f"{PAGE}/vendors/{vendor_id}/files",
        data={"csrf_token": csrf, "purpose": "nda"},
        files=[("file", ("保密协议.pdf", b"%PDF-1.4 nda", "application/pdf"))],
        follow_redirects=False,
    )
    assert "error" not in r.headers["location"]
    r = c.post(
        f"{PAGE}/vendors/{vendor_id}/end",
        data={"csrf_token": csrf, "ending": "returned", "confirmed_by": "张律师"},
        files=[("file", ("返还确认.pdf", b"%PDF-1.4", "application/pdf"))],
        follow_redirects=False,
    )
    assert "error" not in r.headers["location"]
    page = c.get(f"{PAGE}/vendors")
    assert "张律师" in page.text and "返还确认.pdf" in page.text and "保密协议.pdf" in page.text
    assert "已到期，未确认返还或删除" not in page.text
