"""``baomi assess report inventory`` and ``baomi certificate pdf`` end to end (CliRunner)."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from baomi.engine.contracts import codec
from baomi.engine.contracts.inventory import Inventory
from tests.cli.test_vault_cli import Cli, env
from tests.services.fakes import contract_inventory
from tests.vault_support import database_url, resident_id

with warnings.catch_warnings():
    # typer 0.20 imports click helpers that the locked click deprecates (not our code).
    warnings.simplefilter("ignore", DeprecationWarning)
    from baomi.cli import assess

__all__ = ["database_url", "env"]


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:
    """The vault's commands and ``baomi assess`` (with its reports)."""
    runner = Cli(env)
    assess.register(runner.app)
    return runner


def _scan_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scan"
    folder.mkdir()
    inventory = codec.from_dict(Inventory, contract_inventory(Path("客户名单.csv")))
    codec.dump(inventory, folder / "inventory.json")
    return folder


def test_inventory_report_of_a_scan_in_every_format(cli: Cli, tmp_path: Path) -> None:
    scan = _scan_folder(tmp_path)
    for suffix in ("pdf", "html", "xlsx"):
        out = tmp_path / f"inv.{suffix}"
        assert "报告已写入" in cli(
            "assess", "report", "inventory", "--scan", str(scan), "--out", str(out)
        )
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "inv.pdf").pages)
    assert "个人信息清单" in text and "居民身份证号" in text and "客户名单.csv" in text
    assert "个人信息清单" in (tmp_path / "inv.html").read_text(encoding="utf-8")
    wb = load_workbook(io.BytesIO((tmp_path / "inv.xlsx").read_bytes()))
    assert "逐列清单" in wb.sheetnames
    # --format wins over the suffix; JSON without --out goes to stdout
    cli(
        "assess",
        "report",
        "inventory",
        "--scan",
        str(scan),
        "--format",
        "html",
        "--out",
        str(tmp_path / "x.bin"),
    )
    assert (tmp_path / "x.bin").read_text(encoding="utf-8").startswith("<!doctype html>")
    data = json.loads(cli("assess", "report", "inventory", "--scan", str(scan / "inventory.json")))
    assert data["kind"] == "inventory" and data["unconfirmed"] == []


def test_inventory_report_refuses_unclear_requests(cli: Cli, tmp_path: Path) -> None:
    scan = _scan_folder(tmp_path)
    cli("assess", "report", "inventory", "--out", str(tmp_path / "a.pdf"), code=2)
    cli("assess", "report", "inventory", "--scan", str(scan), "--deal", "x", code=2)
    cli("assess", "report", "inventory", "--scan", str(scan), "--format", "docx", code=2)
    cli("assess", "report", "inventory", "--scan", str(scan), "--format", "pdf", code=2)  # no --out
    out = cli(
        "assess",
        "report",
        "inventory",
        "--scan",
        str(scan),
        "--out",
        str(tmp_path / "a.doc"),
        code=1,
    )
    assert "报告格式" in out
    cli("assess", "report", "inventory", "--scan", str(tmp_path / "none"), code=2)
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    assert "错误" in cli(
        "assess", "report", "inventory", "--scan", str(tmp_path / "bad.json"), code=1
    )


def test_deal_inventory_and_certificate_pdf(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "seller"
    src.mkdir()
    (src / "客户名单.csv").write_text(f"身份证号\n{resident_id(21)}\n", encoding="utf-8")
    cli("keys", "init", "--as", "ops")
    cli("deal", "create", "ACME", "--as", "ops")
    cli("deal", "add", "ACME", str(src), "--as", "ops")
    cli("assess", "report", "inventory", "--deal", "ACME", "--out", str(tmp_path / "deal.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "deal.pdf").pages)
    assert "个人数（上限）" in text and "客户名单.csv" in text
    assert resident_id(21) not in text

    assert "错误" in cli("certificate", "pdf", "ACME", "--out", str(tmp_path / "c.pdf"), code=1)
    cli("deal", "destroy", "ACME", "--yes", "--out", str(tmp_path / "cert.json"), "--as", "ops")
    cli("certificate", "pdf", "ACME", "--out", str(tmp_path / "by-deal.pdf"))
    cli("certificate", "pdf", str(tmp_path / "cert.json"), "--out", str(tmp_path / "by-file.pdf"))
    # a .html name gets HTML, not PDF bytes under an .html name
    cli("certificate", "pdf", str(tmp_path / "cert.json"), "--out", str(tmp_path / "c.html"))
    assert not (tmp_path / "c.html").read_bytes().startswith(b"%PDF")
    for name in ("by-deal.pdf", "by-file.pdf"):
        reader = PdfReader(tmp_path / name)
        assert "个人信息销毁证书" in reader.pages[0].extract_text()
        [attached] = list(reader.attachments.values())
        assert attached[0] == (tmp_path / "cert.json").read_bytes()
    cli(
        "certificate",
        "pdf",
        str(tmp_path / "cert.json"),
        "--format",
        "html",
        "--out",
        str(tmp_path / "c.html"),
    )
    assert "如何校验" in (tmp_path / "c.html").read_text(encoding="utf-8")
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    cli(
        "certificate", "pdf", str(tmp_path / "other.json"), "--out", str(tmp_path / "o.pdf"), code=1
    )


def test_a_deals_assessment_reports_at_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init", "--as", "ops")
    cli("deal", "create", "ACME", "--as", "ops")
    cli("assess", "report", "pia", "ACME", "--out", str(tmp_path / "pia.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "pia.pdf").pages)
    assert "影响评估" in text and "ACME" in text
    assert "S393-D3" in text  # the draft matrix is named as unconfirmed
    cli("assess", "report", "risk", "ACME", "--out", str(tmp_path / "risk.xlsx"))
    assert load_workbook(tmp_path / "risk.xlsx").sheetnames
    data = json.loads(cli("assess", "report", "overview", "ACME"))
    assert data["kind"] == "overview"
    cli("assess", "report", "pia", "ACME", "--format", "pdf", code=2)  # a PDF needs --out
