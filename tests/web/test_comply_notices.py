"""Customer notices over HTTP: the page and its API per role (seller, broker, buyer)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from baomi.services import accounts, deals
from baomi.services.comply import profile
from baomi.services.comply.profile import TransferType
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Role
from baomi.web.app import create_app
from tests.vault_support import mobile
from tests.web.room_support import SYSTEM, room_home, signed_in

DEAL = "通知-001"
API = f"/api/v1/rooms/{DEAL}/comply/notices"
PAGE = f"/rooms/{DEAL}/comply/notices"
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨勇")


@dataclass
class Home:
    client: TestClient
    vault: object
    tokens: dict[str, str]
    doc: str

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def browse(self, who: str) -> str:
        """Sign the browser in as ``who``; returns the session's CSRF token."""
        self.client.cookies.clear()
        self.client.cookies.set("baomi_session", self.tokens[who])
        return accounts.csrf_token(self.vault, self.tokens[who])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    tmp = tmp_path_factory.mktemp("notices")
    src = tmp / "seller"
    src.mkdir()
    lines = ["姓名,手机,邮箱"] + [
        f"{n},{mobile(i)},c{i}@example.com" for i, n in enumerate(NAMES, start=1)
    ]
    (src / "客户名单.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with room_home(tmp, DEAL) as (settings, vault):
        tokens = {}
        for who, role, side in (
            ("seller", Role.SELLER, Side.SELLER),
            ("broker", Role.BROKER, Side.PLATFORM),
            ("buyer", Role.BUYER, Side.BUYER),
        ):
            tokens[who] = signed_in(vault, who, role)
            rooms.add_member(vault, actor=SYSTEM, deal_ref=DEAL, username=who, side=side, role=role)
        tokens["admin"] = signed_in(vault, "root", Role.ADMIN)
        profile.set_profile(
            vault,
            actor=SYSTEM,
            deal_ref=DEAL,
            transfer_type=TransferType.ASSET_SALE,
            recipient_name="承接科技有限公司",
            recipient_contact="400-800-1234",
            purpose="售后服务",
        )
        (obj,) = deals.add(vault, actor=SYSTEM, deal_ref=DEAL, paths=[src / "客户名单.csv"])
        with TestClient(create_app(settings, vault=vault)) as client:
            yield Home(client, vault, tokens, obj.id)


def test_the_text_api_previews_each_channel(home: Home) -> None:
    r = home.client.get(API + "/text?channel=sms", headers=home.bearer("broker"))
    assert r.status_code == 200, r.text
    text = r.json()
    assert text["kind"] == "consent" and text["consent_required"] and text["segments"] >= 1
    assert "张三" in text["body"] and "PIPL-23" in {c["rule_id"] for c in text["citations"]}
    en = home.client.get(API + "/text?channel=email&lang=en", headers=home.bearer("seller"))
    assert en.json()["subject"].startswith("Do you consent")


def test_the_seller_exports_and_imports_the_broker_only_watches(home: Home) -> None:
    r = home.client.get(API + "/tables", headers=home.bearer("seller"))
    assert [t["id"] for t in r.json()] == [home.doc]
    r = home.client.post(
        API + "/export", json={"document": home.doc, "format": "csv"}, headers=home.bearer("seller")
    )
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert sorted(row["name"] for row in rows) == sorted(NAMES)
    for who in ("broker", "buyer"):
        refused = home.client.post(
            API + "/export", json={"document": home.doc}, headers=home.bearer(who)
        )
        assert refused.status_code == 403
        assert all(n.encode() not in refused.content for n in NAMES)
    status = "notice_id,channel,status,timestamp\n" + "".join(
        f"{row['notice_id']},sms,delivered,2026-12-01 10:00\n" for row in rows[:4]
    )
    r = home.client.post(
        API + "/import",
        files=[("files", ("回执.csv", status.encode(), "text/csv"))],
        headers=home.bearer("broker"),  # comply.edit: the platform records what was sent
    )
    assert r.status_code == 201 and r.json()[0]["recorded"] == 4
    view = home.client.get(API, headers=home.bearer("broker")).json()
    assert view["channels"]["sms"]["delivered"] >= 4 and view["consent_required"] >= len(NAMES)
    assert home.client.get(API, headers=home.bearer("buyer")).status_code == 403


def test_the_page_per_role(home: Home) -> None:
    csrf = home.browse("seller")
    page = home.client.get(PAGE + "?channel=sms")
    assert page.status_code == 200
    assert "张三" in page.text and 'id="segments"' in page.text and 'id="export"' in page.text
    r = home.client.post(
        PAGE + "/export", data={"csrf_token": csrf, "document": home.doc, "format": "xlsx"}
    )
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert sheet.max_row == len(NAMES) + 1
    r = home.client.post(
        PAGE + "/import",
        data={"csrf_token": csrf},
        files=[("files", ("s.csv", b"notice_id,channel\nx,sms\n", "text/csv"))],
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]

    home.browse("broker")
    page = home.client.get(PAGE)
    assert page.status_code == 200 and 'id="export"' not in page.text and 'id="import"' in page.text

    home.browse("buyer")
    assert home.client.get(PAGE).status_code == 403
    home.client.cookies.clear()
    assert home.client.get(PAGE, follow_redirects=False).status_code == 303


def test_the_import_form_reports_counts(home: Home, tmp_path: Path) -> None:
    csrf = home.browse("admin")
    content = b"notice_id,channel,status,timestamp\nffff,sms,sent,2026-12-01 10:00\n"
    r = home.client.post(
        PAGE + "/import",
        data={"csrf_token": csrf},
        files=[("files", ("s.csv", content, "text/csv"))],
    )
    assert r.status_code == 200 and 'id="message"' in r.text
    assert "未知编号 1" in r.text


@pytest.mark.parametrize(
    ("name", "content", "said", "not_said"),
    [
        # a .txt was read as CSV and answered "missing columns": the type is what is wrong
        ("s.txt", b"hello\n", "状态文件须为 CSV、TSV 或 XLSX 文件", "缺少列"),
        # the columns in the user's words, the header names to type kept visible
        (
            "s.csv",
            b"a,b\n1,2\n",
            "状态文件缺少列：通知编号、发送渠道、发送状态、发送时间",
            "缺少列：notice_id",
        ),
    ],
)
def test_the_import_form_says_what_is_wrong_with_the_file(
    home: Home, name: str, content: bytes, said: str, not_said: str
) -> None:
    csrf = home.browse("admin")
    r = home.client.post(
        PAGE + "/import",
        data={"csrf_token": csrf},
        files=[("files", (name, content, "text/plain"))],
    )
    assert said in r.text and not_said not in r.text
    if name.endswith(".csv"):
        assert "notice_id,channel,status,timestamp" in r.text


def test_the_export_form_names_the_fields_found_in_words(home: Home) -> None:
    """The export's list of documents said "客户名单.csv（name、mobile）" on the Chinese page:
    the fields found are named as the page names them ("姓名、手机号" / "person name, mobile
    number")."""
    home.browse("seller")
    page = home.client.get(PAGE).text
    listed = page[page.index('id="export"') :]
    assert "姓名、手机号" in listed and "name、" not in listed and "mobile" not in listed
    english = home.client.get(PAGE + "?lang=en").text
    assert "person name, mobile number" in english[english.index('id="export"') :]
