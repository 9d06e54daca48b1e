"""``baomi assess notice-text | notice-export | notice-import | notices`` end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from baomi.cli.main import app
from tests.cli.test_vault_cli import env
from tests.vault_support import database_url, mobile

__all__ = ["database_url", "env"]

runner = CliRunner()


def _cli(env: dict[str, Any], *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, (args, result.output, result.exception)
    return result.output


def test_notices_from_the_command_line(env: dict[str, Any], tmp_path: Path) -> None:
    src = tmp_path / "seller"
    src.mkdir()
    names = ("张伟", "王芳", "李娜", "刘洋", "陈静")
    people = [(n, mobile(i), f"u{i}@example.com") for i, n in enumerate(names, start=1)]
    lines = ["姓名,手机,邮箱"] + [",".join(p) for p in people]
    (src / "客户.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _cli(env, "keys", "init", "--as", "ops")
    _cli(env, "deal", "create", "D", "--as", "ops")
    _cli(env, "deal", "add", "D", str(src), "--as", "ops")
    _cli(
        env,
        "assess",
        "profile",
        "D",
        "--type",
        "asset_sale",
        "--recipient",
        "承接公司",
        "--contact",
        "400-800-1234",
        "--purpose",
        "售后服务",
    )
    shown = _cli(env, "assess", "notice-text", "D", "--channel", "sms")
    assert "张三" in shown and "PIPL-23" in shown and "短信条数" in shown
    data = json.loads(
        _cli(env, "assess", "notice-text", "D", "--channel", "email", "--format", "json")
    )
    assert data["kind"] == "consent" and data["text"]["subject"]
    _cli(env, "assess", "notice-text", "D", "--channel", "fax", code=2)

    out = tmp_path / "merge.csv"
    printed = _cli(
        env, "assess", "notice-export", "D", "客户.csv", "--out", str(out), "--as", "ops"
    )
    assert str(out) in printed.replace("\n", "")
    assert all(m not in printed for _, m, _ in people)  # counts and the path only
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["mobile"] for r in rows) == sorted(m for _, m, _ in people)

    status = tmp_path / "status.csv"
    status.write_text(
        "notice_id,channel,status,timestamp\n"
        f"{rows[0]['notice_id']},sms,consented,2026-12-01 10:00\n"
        "nope,sms,sent,2026-12-01 10:00\n",
        encoding="utf-8",
    )
    got = json.loads(_cli(env, "assess", "notice-import", "D", str(status), "--format", "json"))
    assert (got["recorded"], got["unknown"]) == (1, 1)
    campaign = json.loads(_cli(env, "assess", "notices", "D", "--format", "json"))
    assert (campaign["notices"], campaign["consented"], campaign["consent_pending"]) == (5, 1, 4)
    assert "未答复" in _cli(env, "assess", "notices", "D")
    refused = _cli(env, "assess", "notice-import", "D", str(tmp_path / "missing.csv"), code=1)
    assert "无法读取" in refused
