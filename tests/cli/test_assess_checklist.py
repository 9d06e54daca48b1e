"""``baomi assess checklist …`` and ``baomi assess vendor…`` end to end (CliRunner)."""

from __future__ import annotations

import datetime as _dt
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from baomi.engine.checksums import uscc_check_char
from baomi.services.comply.scope import today
from baomi.services.dataroom.demo import DEMO_USCC
from tests.vault_support import database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from typer.testing import CliRunner

    from baomi.cli.main import app

__all__ = ["database_url"]


class Cli:
    def __init__(self, env: dict[str, Any]) -> None:
        self.env, self.runner = env, CliRunner()

    def __call__(self, *args: str, code: int = 0) -> str:
        result = self.runner.invoke(app, list(args), env=self.env)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--format", "json"))


@pytest.fixture
def cli(tmp_path: Path, database_url: str | None) -> Cli:
    env = {
        "BAOMI_HOME": str(tmp_path / "home"),
        "BAOMI_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "BAOMI_MASTER_KEY": None,
        "BAOMI_PASSPHRASE": None,
        "BAOMI_KEYSTORE": None,
        "BAOMI_ENV": None,
        "BAOMI_LANG": "zh",
        "BAOMI_DATABASE_URL": database_url,
        "COLUMNS": "200",  # the Rich tables unabridged
    }
    c = Cli(env)
    c("keys", "init", "--as", "ops")
    return c


def test_checklist_set_and_score(cli: Cli, tmp_path: Path) -> None:
    first = cli.json("assess", "checklist", "--company", DEMO_USCC)
    assert first["score"] == 0 and len(first["items"]) >= 18
    proof = tmp_path / "培训记录.txt"
    proof.write_text("2026 年度培训", encoding="utf-8")
    yesterday = (today() - _dt.timedelta(days=1)).isoformat()
    item = cli.json(
        "assess",
        "checklist-set",
        "--company",
        DEMO_USCC,
        "staff.training",
        "--status",
        "in_progress",
        "--owner",
        "人事部",
        "--due",
        yesterday,
        "--evidence",
        str(proof),
    )
    assert item["overdue"] and item["evidence"][0]["name"] == "培训记录.txt"
    cli("assess", "checklist-set", "--company", DEMO_USCC, "staff.training", "--status", "done")
    after = cli.json("assess", "checklist", "--company", DEMO_USCC)
    assert after["score"] > 0 and len(after["trend"]) == 3
    assert "逾期" not in cli("assess", "checklist", "--company", DEMO_USCC)
    added = cli.json(
        "assess", "checklist-add", "--company", DEMO_USCC, "--area", "staff", "--title", "入职培训"
    )
    assert added["key"].startswith("custom.")
    cli("assess", "checklist-set", "--company", DEMO_USCC, "no.such", code=1)
    cli("assess", "checklist-set", "staff.training", code=2)  # neither deal nor company


def test_vendors_reminders_and_end(cli: Cli, tmp_path: Path) -> None:
    end = (today() + _dt.timedelta(days=30)).isoformat()
    added = cli.json(
        "assess",
        "vendor-add",
        "--company",
        DEMO_USCC,
        "--name",
        "云服务商",
        "--kind",
        "service_provider",
        "--contract",
        "all",
        "--criteria",
        "qualification,security_capability",
        "--nda",
        "2026-01-01",
        "--end",
        end,
    )
    assert added["missing_contract"] == [] and added["nda_signed"]
    assert [v["name"] for v in cli.json("assess", "vendors", "--company", DEMO_USCC)] == [
        "云服务商"
    ]
    due = cli.json("assess", "reminders")
    assert [v["name"] for v in due["ending_soon"]] == ["云服务商"]
    assert cli.json("assess", "reminders", "--days", "29")["ending_soon"] == []
    short = added["id"][:12]
    cli("assess", "vendor-end", "--company", DEMO_USCC, short, code=2)  # no confirmation
    proof = tmp_path / "删除证明.pdf"
    proof.write_bytes(b"%PDF-1.4")
    ended = cli.json(
        "assess",
        "vendor-end",
        "--company",
        DEMO_USCC,
        short,
        "--confirm-deleted",
        "王律师",
        "--evidence",
        str(proof),
    )
    assert ended["ending"] == "deleted" and ended["files"]["return"][0]["name"] == "删除证明.pdf"
    assert "云服务商" in cli("assess", "vendors", "--company", DEMO_USCC)


OTHER_USCC = "91110000M000200Y4" + uscc_check_char("91110000M000200Y4")


def test_checklist_and_vendor_reports_take_company(cli: Cli, tmp_path: Path) -> None:
    """``assess report checklist|vendors --company USCC``, as the other company commands: the
    report of that company only."""
    for uscc, name in ((DEMO_USCC, "云服务商"), (OTHER_USCC, "别家律所")):
        cli("assess", "vendor-add", "--company", uscc, "--name", name, "--kind", "adviser")
    vendors = json.loads(cli("assess", "report", "vendors", "--company", DEMO_USCC))
    assert vendors["kind"] == "vendors" and vendors["subject"] == DEMO_USCC
    text = json.dumps(vendors, ensure_ascii=False)
    assert "云服务商" in text and "别家律所" not in text
    out = tmp_path / "checklist.html"
    cli("assess", "report", "checklist", "--company", OTHER_USCC, "--out", str(out))
    page = out.read_text(encoding="utf-8")
    assert OTHER_USCC in page and "别家律所" in page and "云服务商" not in page
    cli("assess", "report", "vendors", code=2)  # neither a deal nor a company
    cli("assess", "report", "checklist", "ACME", "--company", DEMO_USCC, code=2)  # both
    assert "统一社会信用代码无效" in cli("assess", "report", "vendors", "--company", "X", code=1)
