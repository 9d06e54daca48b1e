"""``baomi incident``: register, show the clocks, mark a duty done, refuse what is wrong."""

from __future__ import annotations

import datetime as _dt
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from baomi.i18n import set_language
from tests.cli.test_vault_cli import Cli, env
from tests.vault_support import database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer

    from baomi.cli import respond, vault

__all__ = ["database_url", "env"]


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:
    c = Cli(env)
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)

    vault.register(app)
    respond.register(app)
    c.app = app
    return c


def test_register_show_and_mark(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init")
    found = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(hours=2)).isoformat()
    out = cli(
        "incident",
        "report",
        "--title",
        "名单外泄",
        "--discovered",
        found,
        "--individuals",
        "10000000",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["grade"] == "major" and data["individuals"] == 10_000_000
    clocks = {d["clock"]: d for d in data["deadlines"]}
    assert not clocks["provincial"]["overdue"]  # 2 of 4 hours gone
    table = cli("incident", "show", data["id"])
    # the list shows the first 8 characters of an id: they are enough
    assert cli("incident", "show", data["id"][:8]) == table
    assert "重大" in table and "立即" in table
    assert "☐ revoke_access" in table  # the plan's steps with their checklists
    # the state and the steps' owners in words, not their codes
    assert "处置中" in table and "技术部门" in table
    assert not {"open", "technology", "legal", "management"} & set(table.split())
    assert "处置中" in cli("incident", "list")
    # the plan's steps can be ticked and finished from the command line
    stepped = json.loads(
        cli(
            "incident",
            "step",
            data["id"],
            "isolate",
            "--tick",
            "revoke_access,stop_flow",
            "--done",
            "--format",
            "json",
        )
    )
    isolate = next(s for s in stepped["steps"] if s["step"] == "isolate")
    assert isolate["done_at"] and all(ok for _, _, ok in isolate["checklist"])
    cli("incident", "step", data["id"], "isolate", "--tick", "nope", code=1)
    done = json.loads(cli("incident", "done", data["id"], "regulator", "--format", "json"))
    assert {d["clock"]: d for d in done["deadlines"]}["regulator"]["done_at"]
    assert "名单外泄" in cli("incident", "list")
    assert "handling" in cli("incident", "done", data["id"], "summary", code=1, BAOMI_LANG="en")
    cli("incident", "done", data["id"], "nonsense", code=2)
    facts = ["--company", "示例有限公司", "--contact", "400-000-0000", "--categories", "姓名"]
    facts += ["--cause", "误发", "--harm", "骚扰", "--measures", "撤回", "--advice", "留意"]
    drafts = cli("incident", "notices", data["id"], *facts, "--channel", "sms")
    assert "【示例有限公司】" in drafts and "重大" in drafts
    pdf = tmp_path / "report.pdf"
    cli("incident", "notices", data["id"], *facts, "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    cli("incident", "notices", data["id"], *facts, "--out", str(tmp_path / "r.doc"), code=1)


def test_a_drill_from_the_command_line(cli: Cli) -> None:
    cli("keys", "init")
    assert "逾期" in cli("drill", "list")  # never drilled: overdue by policy
    d = json.loads(
        cli(
            "drill",
            "schedule",
            "--scenario",
            "外包商泄露",
            "--date",
            "2026-03-01",
            "--target",
            "isolate=30",
            "--format",
            "json",
        )
    )
    cli("drill", "time", d["id"], "isolate", "start")
    out = json.loads(cli("drill", "time", d["id"], "isolate", "end", "--format", "json"))
    assert out["steps"][0]["minutes"] is not None and out["gaps"] == []
    cli("drill", "finish", d["id"], "--findings", "ok")
    shown = cli(
        "drill", "action", d["id"], "--text", "改模板", "--owner", "legal", "--due", "2026-12-31"
    )
    assert "法务部门" in shown and "legal" not in shown  # the owner in words
    listed = json.loads(cli("drill", "list", "--format", "json"))
    assert not listed["status"]["overdue"] and listed["drills"][0]["actions"][0]["owner"] == "legal"
    cli("drill", "schedule", "--scenario", "x", "--date", "2026-03-01", "--target", "bad", code=2)


def test_older_incidents_are_masked_from_the_command_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``baomi incident remask`` masks and re-seals the incidents stored before masking
    (``--dry-run`` counts them), in the user's language."""
    from baomi.services.vault import open_vault
    from baomi.settings import Settings
    from tests.services.respond.test_incidents import _stored_unmasked
    from tests.vault_support import mobile

    cli("keys", "init")
    made = json.loads(cli("incident", "report", "--title", "旧事件", "--format", "json"))
    for name, value in cli.env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    vault = open_vault(Settings())
    try:
        _stored_unmasked(vault, made["id"], "旧事件", f"客户 {mobile(7)} 的名单被误发")
    finally:
        vault.close()
    assert mobile(7) in cli("incident", "show", made["id"], "--format", "json")
    assert "1 个事件的标题和描述尚未遮蔽" in cli("incident", "remask", "--dry-run")
    assert "已遮蔽并重新封存 1 个事件" in cli("incident", "remask")
    shown = cli("incident", "show", made["id"], "--format", "json")
    assert mobile(7) not in shown and "的名单被误发" in shown
    assert "of 0 incident(s)" in cli("incident", "remask", BAOMI_LANG="en")
