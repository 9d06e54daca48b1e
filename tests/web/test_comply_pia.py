"""The PIA and the six-area risk assessment over HTTP: the pages per role, their forms (CSRF,
evidence with the upload checks and the size limit) and the JSON API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.services import accounts
from baomi.services.comply.assessments import EVIDENCE_MAX_BYTES
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Role
from baomi.web.app import create_app
from baomi.web.security import SESSION_COOKIE
from tests.web.room_support import SYSTEM, room_home, signed_in

DEAL = "评估-001"
PIA = f"/rooms/{DEAL}/comply/pia"
RISK = f"/rooms/{DEAL}/comply/risk"
API = f"/api/v1/rooms/{DEAL}/comply"


class Home:
    def __init__(self, client: TestClient, vault: Any, tokens: dict[str, str]) -> None:
        self.client, self.vault, self.tokens = client, vault, tokens

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def page(self, who: str, path: str) -> Any:
        self.client.cookies.set(SESSION_COOKIE, self.tokens[who])
        return self.client.get(path, follow_redirects=False)

    def form(self, who: str, path: str, data: dict[str, str], files: Any = None) -> Any:
        token = self.tokens[who]
        self.client.cookies.set(SESSION_COOKIE, token)
        body = {**data, "csrf_token": accounts.csrf_token(self.vault, token)}
        return self.client.post(path, data=body, files=files, follow_redirects=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    with room_home(tmp_path_factory.mktemp("comply"), DEAL) as (settings, vault):
        tokens = {}
        for name, side, role in (
            ("seller", Side.SELLER, Role.SELLER),
            ("auditor", Side.SELLER, Role.AUDITOR),
            ("buyer", Side.BUYER, Role.BUYER),
        ):
            tokens[name] = signed_in(vault, name, role)
            rooms.add_member(
                vault, actor=SYSTEM, deal_ref=DEAL, username=name, side=side, role=role
            )
        with TestClient(create_app(settings, vault=vault)) as client:
            yield Home(client, vault, tokens)


def test_the_seller_sees_the_pia_with_prefilled_answers_and_the_draft_matrix(home: Home) -> None:
    r = home.page("seller", PIA)
    assert r.status_code == 200
    html = r.text
    assert "个人信息保护影响评估" in html and "系统填写" in html
    assert "一、处理目的" in html and "二、对个人权益的影响" in html and "三、保护措施" in html
    assert "报批稿" in html and "未确认" in html  # the draft matrix, said so
    assert 'name="answer"' in html and "完成并签署" in html
    en = home.page("seller", PIA + "?lang=en").text
    assert "filled in by baomi" in en and "unconfirmed" in en
    home.page("seller", PIA + "?lang=zh")  # the choice sticks (a cookie): back to Chinese


def test_the_auditor_reads_without_forms_and_the_buyer_is_refused(home: Home) -> None:
    html = home.page("auditor", PIA).text
    assert "系统填写" in html and 'name="answer"' not in html
    assert home.page("auditor", RISK).status_code == 200
    assert home.page("buyer", PIA).status_code == 403
    assert home.page("buyer", RISK).status_code == 403
    assert home.client.get(API + "/facts", headers=home.bearer("buyer")).status_code == 403
    refused = home.form(
        "auditor", PIA + "/risk", {"title": "x", "impact": "low", "likelihood": "low"}
    )
    assert refused.status_code == 303 and "error=" in refused.headers["location"]


def test_a_page_form_without_the_csrf_token_is_refused(home: Home) -> None:
    home.client.cookies.set(SESSION_COOKIE, home.tokens["seller"])
    r = home.client.post(PIA + "/risk", data={"title": "x", "impact": "low", "likelihood": "low"})
    assert r.status_code == 403


def test_answers_evidence_risks_and_signing_through_the_forms(home: Home, tmp_path: Path) -> None:
    pia = home.client.get(API + "/pia", headers=home.bearer("seller")).json()
    for question in pia["missing"]:
        ok = home.form("seller", PIA + "/answer", {"question": question, "answer": "已评估"})
        assert ok.status_code == 303 and "error" not in ok.headers["location"]
    bad = home.form(
        "seller", PIA + "/answer", {"question": "pia.necessity", "answer": "客户 13912345678"}
    )
    assert "error=" in bad.headers["location"]
    wrong = home.form(
        "seller",
        PIA + "/answer",
        {"question": "pia.necessity"},
        files=[("files", ("说明.pdf", b"not a pdf", "application/pdf"))],
    )
    assert "error=" in wrong.headers["location"]
    good = home.form(
        "seller",
        PIA + "/answer",
        {"question": "pia.necessity"},
        files=[("files", ("说明.pdf", b"%PDF-1.4\n", "application/pdf"))],
    )
    assert "error" not in good.headers["location"]
    risk = home.form(
        "seller",
        PIA + "/risk",
        {"title": "接收方内部泄露", "impact": "severe", "likelihood": "high"},
    )
    assert "error" not in risk.headers["location"]
    html = home.page("seller", PIA).text
    assert "接收方内部泄露" in html and "不可接受" in html and "说明.pdf" in html
    evidence = home.client.get(API + "/pia", headers=home.bearer("auditor")).json()
    necessity = next(
        q for s in evidence["sections"] for q in s["questions"] if q["id"] == "pia.necessity"
    )
    download = home.client.get(
        f"{API}/evidence/{necessity['evidence'][0]['id']}", headers=home.bearer("auditor")
    )
    assert download.status_code == 200 and download.content == b"%PDF-1.4\n"
    signed = home.form(
        "seller", PIA + "/complete", {"officer": "王主任", "legal": "李律师", "management": "张总"}
    )
    assert "error" not in signed.headers["location"], signed.headers["location"]
    done = home.client.get(API + "/pia", headers=home.bearer("seller")).json()
    assert done["state"] == "completed" and done["keep_until"]
    assert done["matrix_rule"]["confirmed"] is False and done["heat"][0][2] == 1
    report = home.client.get(API + "/pia/report", headers=home.bearer("auditor")).json()
    assert [s["name"] for s in report["signatures"]] == ["王主任", "李律师", "张总"]


def test_evidence_over_the_size_limit_is_refused_before_it_is_read(home: Home) -> None:
    big = b"%PDF-1.4\n" + b"0" * (EVIDENCE_MAX_BYTES + 2 * 1024 * 1024)
    r = home.client.post(
        API + "/risk/answers/insiders.training/evidence",
        files=[("files", ("大.pdf", big, "application/pdf"))],
        headers=home.bearer("seller"),
    )
    assert r.status_code == 413


def test_the_risk_page_and_api(home: Home) -> None:
    r = home.client.put(
        API + "/risk/answers/management.rules",
        json={"answer": "yes", "comment": "制度已发布"},
        headers=home.bearer("seller"),
    )
    assert r.status_code == 204
    ok = home.form(
        "seller", RISK + "/answer", {"question": "management.emergency_plan", "answer": "no"}
    )
    assert "error" not in ok.headers["location"]
    data = home.client.get(API + "/risk", headers=home.bearer("auditor")).json()
    management = next(a for a in data["areas"] if a["id"] == "management")
    assert management["answered"] == 2 and management["score"] == 50.0
    html = home.page("seller", RISK).text
    assert "系统检查的事实" in html and "静态加密" in html and "制度已发布" in html
    facts = home.client.get(API + "/facts", headers=home.bearer("auditor")).json()
    assert {f["id"] for f in facts} >= {"audit_chain", "master_key", "grants_live"}
    assert (
        home.client.get(API + "/risk/report", headers=home.bearer("seller")).json()["kind"]
        == "risk"
    )
