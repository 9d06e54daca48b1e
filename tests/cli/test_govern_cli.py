"""``baomi govern``: surveys (build, open, results, export, actions), policy reviews and the
reminder run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.govern_support import cli, database_url, env
from tests.cli.test_vault_cli import Cli

__all__ = ["cli", "database_url", "env"]


def test_build_open_read_export_and_act(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init")
    made = json.loads(cli("govern", "survey", "create", "--title", "满意度", "--format", "json"))
    sid = made["id"]
    cli("govern", "survey", "question", sid, "--kind", "scale", "--text", "总体", "--required")
    cli("govern", "survey", "question", sid, "--kind", "rating", "--text", "x", code=2)
    cli(
        "govern",
        "survey",
        "question",
        sid,
        "--kind",
        "choice",
        "--text",
        "x",
        "--option",
        "a",
        code=1,
    )
    opened = json.loads(cli("govern", "survey", "status", sid, "open", "--format", "json"))
    assert opened["status"] == "open" and opened["link"].startswith("/survey/")
    assert "满意度" in cli("govern", "survey", "list")
    res = json.loads(cli("govern", "survey", "results", sid, "--format", "json"))
    assert res["responses"] == 0
    assert "总体" in cli("govern", "survey", "results", sid)
    out = tmp_path / "r.xlsx"
    cli("govern", "survey", "export", sid, "--out", str(out))
    assert out.read_bytes()[:2] == b"PK"
    acted = json.loads(
        cli(
            "govern",
            "survey",
            "action",
            sid,
            "--text",
            "改进",
            "--department",
            "legal",
            "--due",
            "2026-12-31",
            "--format",
            "json",
        )
    )
    (action,) = acted["actions"]
    done = json.loads(cli("govern", "survey", "done", action["id"], "--format", "json"))
    assert done["actions"][0]["done_at"]
    assert json.loads(cli("govern", "survey", "publish", sid, "--format", "json"))["published"]


def test_remind_dry_run_then_once_a_day(cli: Cli) -> None:
    cli("keys", "init")
    made = json.loads(cli("govern", "survey", "create", "--title", "满意度", "--format", "json"))
    cli(
        "govern", "survey", "action", made["id"], "--text", "改进", "--department", "legal",
        "--due", "2026-06-10",
    )  # fmt: skip
    # no one in the legal department yet: nobody to remind
    dry = json.loads(
        cli("govern", "remind", "--dry-run", "--today", "2026-06-15", "--format", "json")
    )
    assert [r["outcome"] for r in dry] == ["no recipient"]
    assert "无接收人" in cli("govern", "remind", "--today", "2026-06-15")
    cli("govern", "remind", "--today", "someday", code=1)


def test_policy_add_version_review_get_export(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init")
    doc = tmp_path / "制度.txt"
    doc.write_text("第一版", encoding="utf-8")
    made = json.loads(
        cli(
            "govern", "policy", "add", str(doc), "--title", "数据安全管理制度",
            "--department", "technology", "--next-review", "2020-01-01", "--format", "json",
        )
    )  # fmt: skip
    assert made["overdue"] is True
    assert "已逾期" in cli("govern", "policy", "list")
    doc.write_text("第二版", encoding="utf-8")
    shown = cli("govern", "policy", "version", made["id"], str(doc), "--note", "修订")
    assert "技术部门" in shown and "technology" not in shown  # the department by its name
    reviewed = json.loads(
        cli("govern", "policy", "review", made["id"], "--outcome", "ok", "--format", "json")
    )
    assert reviewed["overdue"] is False and len(reviewed["versions"]) == 2
    out = tmp_path / "v1.txt"
    cli("govern", "policy", "get", made["id"], "--out", str(out), "--version", "1")
    assert out.read_text(encoding="utf-8") == "第一版"
    csv = tmp_path / "p.csv"
    cli("govern", "policy", "export", "--out", str(csv))
    assert "数据安全管理制度" in csv.read_text(encoding="utf-8-sig")
    cli("govern", "policy", "add", str(tmp_path / "none.txt"), "--title", "x",
        "--department", "legal", code=1)  # fmt: skip
