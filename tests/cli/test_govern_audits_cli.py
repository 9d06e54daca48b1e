"""``baomi govern audit`` and ``baomi govern raci``: plan, record, remediate, close by someone
else, report and export; the RACI table shown and edited."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.govern_support import cli, database_url, env
from tests.cli.test_vault_cli import Cli

__all__ = ["cli", "database_url", "env"]


def test_an_audit_at_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init")
    plan = ("govern", "audit", "plan", "--scope", "全面审计", "--auditor", "甲所", "--every", "1")
    first = json.loads(cli(*plan, "--date", "2026-01-31", "--format", "json"))
    assert first["next_due"] == "2026-02-28"
    for day in ("2026-02-28", "2026-03-31"):
        cli(*plan, "--date", day)
    refused = cli(*plan, "--date", "2026-04-30", code=1)
    assert "AUD-INDEP" in refused
    finding = json.loads(
        cli(
            "govern",
            "audit",
            "finding",
            first["id"],
            "--title",
            "未加密备份",
            "--severity",
            "critical",
            "--format",
            "json",
            "--as",
            "auditor",
        )
    )
    action = json.loads(
        cli(
            "govern",
            "audit",
            "action",
            finding["id"],
            "--text",
            "加密备份",
            "--department",
            "technology",
            "--due",
            "2026-03-01",
            "--format",
            "json",
            "--as",
            "tech",
        )
    )["actions"][0]
    # the department by its name, not its code
    shown = cli("govern", "audit", "show", first["id"])
    assert "技术部门" in shown and "technology" not in shown
    cli("govern", "audit", "done", action["id"], "--as", "tech")
    assert "整改人" in cli("govern", "audit", "close", finding["id"], "--as", "tech", code=1)
    cli("govern", "audit", "note", finding["id"], "--text", "已抽查", "--as", "auditor")
    closed = json.loads(
        cli("govern", "audit", "close", finding["id"], "--as", "auditor", "--format", "json")
    )
    assert closed["closed_by"] == "auditor"
    # completing needs the conclusion: the option is required and says so in its help
    missing = cli("govern", "audit", "complete", first["id"], "--as", "auditor", code=2)
    assert "--conclusion" in missing
    assert "必填" in cli("govern", "audit", "complete", "--help")
    complete = ("govern", "audit", "complete", first["id"], "--conclusion", "一项已整改")
    done = json.loads(cli(*complete, "--as", "auditor", "--format", "json"))
    assert done["completed_at"] and done["conclusion"] == "一项已整改"
    listed = cli("govern", "audit", "list")
    assert "全面审计" in listed
    report = tmp_path / "audit.pdf"
    cli("govern", "audit", "report", first["id"], "--out", str(report))
    assert report.read_bytes().startswith(b"%PDF")
    export = tmp_path / "findings.csv"
    cli("govern", "audit", "export", "--out", str(export))
    assert "未加密备份" in export.read_text(encoding="utf-8-sig")


def test_the_raci_table_at_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init")
    shown = json.loads(cli("govern", "raci", "show", "--format", "json"))
    rows = {r["activity"]: r for r in shown["rows"]}
    assert rows["audits"]["accountable"] == "management"
    assert "A" in cli("govern", "raci", "show")
    cli("govern", "raci", "set", "audits", "legal=A", code=1)  # a second A
    out = json.loads(
        cli("govern", "raci", "set", "audits", "legal=A", "management=", "--format", "json")
    )
    assert out["accountable"] == "legal" and "management" not in out["cells"]
    xlsx = tmp_path / "raci.xlsx"
    cli("govern", "raci", "show", "--out", str(xlsx), "--export-format", "xlsx")
    assert xlsx.read_bytes().startswith(b"PK")
