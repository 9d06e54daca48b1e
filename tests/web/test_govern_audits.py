"""Internal audits and the RACI table over HTTP: the company plans, the auditor records and
verifies, the pages show it, the lists download; the buyer's side sees none of it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from baomi.services.permissions import Role
from tests.web.room_support import signed_in
from tests.web.test_documents_api import _ready


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_audit_from_plan_to_closed_finding(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    auditor = _bearer(signed_in(vault, "zhao.auditor", Role.AUDITOR))
    plan = {
        "scope": "全面合规审计",
        "frequency_months": 12,
        "planned_for": "2026-03-31",
        "auditors": ["甲审计事务所"],
    }
    assert client.post("/api/v1/govern/audits", json=plan, headers=auditor).status_code == 403
    made = client.post("/api/v1/govern/audits", json=plan, headers=seller)
    assert made.status_code == 201
    audit = made.json()["id"]
    assert made.json()["next_due"] == "2027-03-31"
    for _ in range(2):
        assert client.post("/api/v1/govern/audits", json=plan, headers=seller).status_code == 201
    fourth = client.post("/api/v1/govern/audits", json=plan, headers=seller)
    assert fourth.status_code == 400 and "AUD-INDEP" in fourth.json()["detail"]

    finding = client.post(
        f"/api/v1/govern/audits/{audit}/findings",
        json={"title": "日志保存不足", "severity": "high"},
        headers=auditor,
    )
    assert finding.status_code == 201
    fid = finding.json()["id"]
    bad = client.post(
        f"/api/v1/govern/audits/{audit}/findings",
        json={"title": "x", "severity": "severe"},
        headers=auditor,
    )
    assert bad.status_code == 422
    action = client.post(
        f"/api/v1/govern/audits/findings/{fid}/actions",
        json={"text": "延长日志保存期", "department": "technology", "due": "2026-05-01"},
        headers=seller,
    ).json()["actions"][0]
    assert (
        client.post(f"/api/v1/govern/audits/findings/{fid}/close", headers=auditor).status_code
        == 400
    )
    done = client.post(f"/api/v1/govern/audits/actions/{action['id']}/done", headers=seller)
    assert done.json()["actions"][0]["done_by"] == "seller.a"
    client.post(
        f"/api/v1/govern/audits/findings/{fid}/notes", json={"text": "已复核"}, headers=auditor
    )
    closed = client.post(f"/api/v1/govern/audits/findings/{fid}/close", headers=auditor)
    assert closed.status_code == 200 and closed.json()["closed_by"] == "zhao.auditor"

    page = client.get(f"/govern/audits/{audit}", headers=auditor)
    assert page.status_code == 200 and "日志保存不足" in page.text and "已复核" in page.text
    listing = client.get("/govern/audits", headers=seller)
    assert "全面合规审计" in listing.text and 'id="plan"' in listing.text
    assert 'id="plan"' not in client.get("/govern/audits", headers=auditor).text
    report = client.get(f"/api/v1/govern/audits/{audit}/report?format=html", headers=auditor)
    assert report.status_code == 200 and "日志保存不足" in report.text
    pdf = client.get(f"/api/v1/govern/audits/{audit}/report?format=pdf", headers=auditor)
    assert pdf.content.startswith(b"%PDF")
    csv = client.get("/api/v1/govern/audits/findings/export?format=csv", headers=auditor)
    assert csv.content.startswith(b"\xef\xbb\xbf") and "日志保存不足" in csv.content.decode()
    xlsx = client.get("/api/v1/govern/audits/findings/export?format=xlsx", headers=auditor)
    assert xlsx.content.startswith(b"PK")
    assert client.get("/govern/audits", headers=buyer).status_code == 403
    assert client.get("/api/v1/govern/audits", headers=buyer).status_code == 403


def test_audit_forms(client: TestClient, vault: Any) -> None:
    _, _, seller = _ready(client, vault)
    form = {
        "scope": "营销部门",
        "frequency_months": "6",
        "planned_for": "2026-08-31",
        "auditors": "甲，乙",
    }
    out = client.post("/govern/audits", data=form, headers=seller, follow_redirects=False)
    assert out.status_code == 303 and "error" not in out.headers["location"]
    (audit,) = client.get("/api/v1/govern/audits", headers=seller).json()
    assert client.get(f"/govern/audits/{audit['id']}", headers=seller).status_code == 200
    assert audit["auditors"] == ["甲", "乙"] and audit["next_due"] == "2027-02-28"
    bad = client.post(
        "/govern/audits",
        data=form | {"planned_for": "nope"},
        headers=seller,
        follow_redirects=False,
    )
    assert "error=" in bad.headers["location"]
    for individuals, ok in (("10000000", True), ("10000001", False), ("many", False)):
        out = client.post(
            "/govern/audits",
            data=form | {"frequency_months": "36", "individuals": individuals},
            headers=seller,
            follow_redirects=False,
        )
        assert ("error=" not in out.headers["location"]) is ok, individuals
    found = client.post(
        f"/govern/audits/{audit['id']}/findings",
        data={"title": "x", "severity": "low"},
        headers=seller,
        follow_redirects=False,
    )
    assert found.status_code == 403  # the company's staff do not record findings


def test_the_raci_table_page_api_and_export(client: TestClient, vault: Any) -> None:
    _, buyer, seller = _ready(client, vault)
    table = client.get("/api/v1/govern/raci", headers=seller).json()
    rows = {r["activity"]: r for r in table["rows"]}
    assert rows["pia"]["accountable"] == "management" and table["overdue"]["hr"] == 0
    two = client.put(
        "/api/v1/govern/raci/activities/pia", json={"cells": {"legal": "A"}}, headers=seller
    )
    assert two.status_code == 400
    moved = client.put(
        "/api/v1/govern/raci/activities/pia",
        json={"cells": {"legal": "A", "management": "I"}},
        headers=seller,
    )
    assert moved.json()["accountable"] == "legal"
    departments = list(table["departments"])
    form = {
        "activity": "training",
        "department": departments,
        "letter": ["A" if d == "hr" else "" for d in departments],
    }
    out = client.post("/govern/raci", data=form, headers=seller, follow_redirects=False)
    assert "error" not in out.headers["location"]
    rows = {
        r["activity"]: r for r in client.get("/api/v1/govern/raci", headers=seller).json()["rows"]
    }
    assert rows["training"]["cells"] == {"hr": "A"}
    page = client.get("/govern/raci?department=hr", headers=seller)
    assert page.status_code == 200 and "职责分工" in page.text and 'id="overdue"' in page.text
    csv = client.get("/api/v1/govern/raci/export?format=csv", headers=seller)
    assert (
        csv.content.startswith(b"\xef\xbb\xbf") and "个人信息保护影响评估" in csv.content.decode()
    )
    assert client.get("/govern/raci", headers=buyer).status_code == 403
    hub = client.get("/govern", headers=seller).text
    assert 'href="/govern/audits"' in hub and 'href="/govern/raci"' in hub
