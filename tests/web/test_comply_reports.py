"""The deal's inventory report over HTTP: JSON, downloads in every format, the page."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.services.dataroom.test_documents import _csv
from tests.web.test_documents_api import _ready

BASE = "/api/v1/rooms/转让-001/comply/inventory"


def test_inventory_report_json_downloads_and_page(client: TestClient, vault: Any) -> None:
    broker, buyer, seller = _ready(client, vault)
    r = client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(4), "text/csv"))],
        headers=seller,
    )
    assert r.status_code == 201, r.text

    data = client.get(BASE, headers=seller).json()
    assert data["kind"] == "inventory" and data["subject"] == "转让-001"
    files = next(s for s in data["sections"] if s["heading"] == "文件")["tables"][0]["rows"]
    assert files[0][0] == "名单.csv"

    pdf = client.get(BASE + "/download", headers=seller)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert "个人信息清单" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    xlsx = client.get(BASE + "/download?format=xlsx", headers=seller)
    assert "逐列清单" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    html = client.get(BASE + "/download?format=html", headers=seller)
    assert html.text.startswith("<!doctype html>")
    assert client.get(BASE + "/download?format=docx", headers=seller).status_code == 422

    page = client.get("/rooms/转让-001/comply/inventory", headers=seller)
    assert page.status_code == 200
    assert '<article class="report report-inventory"' in page.text
    assert '<link rel="stylesheet" href="/comply/report.css">' in page.text
    assert "<style" not in page.text  # the CSP allows no inline style
    css = client.get("/comply/report.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

    # the buyer is the recipient being assessed and sees none of it; an unknown deal is a 400
    assert client.get(BASE, headers=buyer).status_code == 403
    assert client.get(BASE + "/download", headers=buyer).status_code == 403
    assert client.get(BASE, headers=broker).status_code == 200
    assert client.get("/api/v1/rooms/nope/comply/inventory", headers=seller).status_code == 404


def test_every_report_of_the_catalog_downloads_in_every_format(
    client: TestClient, vault: Any
) -> None:
    from baomi.services.comply.catalog import ReportKind

    broker, buyer, seller = _ready(client, vault)
    client.post(
        "/api/v1/rooms/转让-001/documents",
        files=[("files", ("名单.csv", _csv(4), "text/csv"))],
        headers=seller,
    )
    for kind in ReportKind:
        url = f"/api/v1/rooms/转让-001/comply/reports/{kind.value}"
        pdf = client.get(url, headers=seller)
        assert pdf.status_code == 200, (kind, pdf.text)
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert "转让-001" in text or kind.label in text, kind
        xlsx = client.get(url + "?format=xlsx", headers=broker)
        assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).sheetnames
        assert client.get(url + "?format=html", headers=seller).text.startswith("<!doctype html>")
        assert client.get(url, headers=buyer).status_code == 403
    page = client.get("/rooms/转让-001/comply", headers=seller)
    assert "/comply/reports/pia?format=pdf" in page.text


def test_every_report_says_when_it_was_made_in_china_time(client: TestClient, vault: Any) -> None:
    """The PIA, risk, cross-border, checklist, third-party, notices and overview reports printed
    their stored time raw ("生成时间：2026-12-06T01:57:25.566713+00:00") and the inventory report
    UTC, while every page shows China time: each says the minute in China time, zone named."""
    import re

    from baomi import clock
    from baomi.services.comply.catalog import ReportKind

    _broker, _buyer, seller = _ready(client, vault)
    before = clock.shown(clock.now())
    for kind in ReportKind:
        url = f"/api/v1/rooms/转让-001/comply/reports/{kind.value}"
        made = client.get(url + "?format=json", headers=seller).json()["generated_at"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\+8", made), (kind, made)
        assert before <= made[:16] <= clock.shown(clock.now()), (kind, made)
        text = PdfReader(io.BytesIO(client.get(url, headers=seller).content)).pages[0]
        assert made in text.extract_text() and "+00:00" not in text.extract_text(), kind


def test_the_inventory_page_shows_notes_in_the_readers_language(
    client: TestClient, vault: Any, tmp_path: Any
) -> None:
    """A database scan's notes, written in Chinese, on the English page (and the Chinese one)."""
    from tests.services.comply.test_report_inventory import _coded_inventory, add_database_scan

    _, _, seller = _ready(client, vault)
    add_database_scan(vault, tmp_path, "转让-001", _coded_inventory)
    page = client.get("/rooms/转让-001/comply/inventory?lang=en", headers=seller)
    assert page.status_code == 200
    assert "no primary key: rows are named by their position" in page.text
    assert "other schemas were not read: audit" in page.text and "无主键" not in page.text
    data = client.get(BASE + "?lang=en", headers=seller).json()
    notes = next(s for s in data["sections"] if s["heading"] == "Notes")
    assert notes["tables"][0]["rows"][0] == [
        "db://127.0.0.1/crm/public.customers",
        "photo: binary column, not scanned",
    ]
    page = client.get("/rooms/转让-001/comply/inventory?lang=zh", headers=seller)
    assert "无主键：按位置命名行" in page.text and "no primary key" not in page.text
