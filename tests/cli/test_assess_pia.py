"""``baomi assess facts | risk | pia …`` end to end with typer's CliRunner."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from baomi.i18n import set_language
from tests.cli.test_vault_cli import Cli, cli, env
from tests.vault_support import database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer

    from baomi.cli import assess
    from baomi.cli import vault as vault_cli

__all__ = ["cli", "database_url", "env"]


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)

    vault_cli.register(app)
    assess.register(app)
    return app


def _json(out: str) -> Any:
    return json.loads(out)


def test_facts_risk_and_the_pia_at_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli.app = _app()
    cli("keys", "init", "--as", "ops")
    cli("deal", "create", "ACME", "--as", "ops")

    facts = {f["id"]: f for f in _json(cli("assess", "facts", "ACME", "--format", "json"))}
    assert facts["audit_chain"]["status"] == "ok"
    assert facts["backup_verified"]["status"] == "problem"  # never verified
    assert facts["incidents_open"]["status"] == "ok"  # the incident register: none open
    assert "静态加密" in cli("assess", "facts", "ACME")

    cli("assess", "risk-answer", "ACME", "management.rules", "--answer", "partly")
    risk = _json(cli("assess", "risk", "ACME", "--format", "json"))
    management = next(a for a in risk["areas"] if a["id"] == "management")
    assert management["score"] == 50.0 and management["level"] == "high"
    cli("assess", "risk-answer", "ACME", "management.rules", "--answer", "maybe", code=2)

    policy = tmp_path / "制度.txt"
    policy.write_text("个人信息保护制度（第 2 版）\n", encoding="utf-8")
    shown = _json(cli("assess", "pia", "ACME", "--format", "json"))
    assert shown["version"] == 0 and shown["matrix_rule"] == {
        "id": "S393-D3",
        "status": "D",
        "confirmed": False,
    }
    for question in shown["missing"]:
        cli(
            "assess",
            "pia-answer",
            "ACME",
            question,
            "--answer",
            "已评估，见制度",
            "--evidence",
            str(policy),
        )
    out = _json(
        cli(
            "assess", "pia-risk", "ACME", "--title", "接收方内部泄露",
            "--impact", "high", "--likelihood", "medium", "--format", "json",
        )
    )  # fmt: skip
    assert out["level"] == "medium" and not out["unacceptable"]
    assert not out["matrix_rule"]["confirmed"]
    assert "未确认" in cli(
        "assess",
        "pia-risk",
        "ACME",
        "--title",
        "外部攻击",
        "--impact",
        "severe",
        "--likelihood",
        "high",
    )
    done = _json(
        cli(
            "assess", "pia-complete", "ACME", "--officer", "王主任", "--legal", "李律师",
            "--management", "张总", "--format", "json",
        )
    )  # fmt: skip
    assert done["state"] == "completed" and done["keep_until"]
    assert done["heat"][0][2] == 1  # severe × high
    cli("assess", "pia-answer", "ACME", "pia.necessity", "--answer", "改", code=1)
    assert "2" in cli("assess", "pia-new", "ACME")
