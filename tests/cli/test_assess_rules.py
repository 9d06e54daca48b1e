"""``baomi assess rules | obligations | packages | duties | exposure`` with typer's CliRunner."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baomi.i18n import set_language
from tests.cli.test_vault_cli import env
from tests.services.comply.rules_support import pseudonymised_package
from tests.vault_support import database_url, mobile

with warnings.catch_warnings():
    # typer 0.20 imports click helpers that the locked click deprecates (not our code).
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer
    from typer.testing import CliRunner

    from baomi.cli import assess
    from baomi.cli import vault as vault_cli

__all__ = ["database_url", "env"]


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)

    vault_cli.register(app)
    assess.register(app)
    return app


class Cli:
    def __init__(self, env: dict[str, Any]) -> None:
        self.env, self.app, self.runner = env, _app(), CliRunner()

    def __call__(self, *args: str, code: int = 0, **env: Any) -> str:
        result = self.runner.invoke(self.app, list(args), env={**self.env, **env})
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output


@pytest.fixture
def cli(env: dict[str, Any]) -> Iterator[Cli]:
    c = Cli({**env, "BAOMI_RULES_FILE": None})
    c("keys", "init", "--as", "ops")
    c("deal", "create", "ACME", "--as", "ops")
    yield c


def test_rules_lists_every_rule_and_only_the_unconfirmed_on_request(cli: Cli) -> None:
    listed = json.loads(cli("assess", "rules", "--format", "json"))
    ids = {r["rule_id"] for r in listed}
    assert {"PIPL-22", "NDS-32", "AUD-FREQ", "SPC17-5", "INC-G3", "TX-2"} <= ids
    unconfirmed = json.loads(cli("assess", "rules", "--unconfirmed", "--format", "json"))
    assert unconfirmed and all(r["unconfirmed"] for r in unconfirmed)
    assert "TX-2" in {r["rule_id"] for r in unconfirmed}
    assert "未确认" in cli("assess", "rules", "--unconfirmed")


def test_obligations_ask_for_the_transfer_type_then_follow_it(cli: Cli) -> None:
    [only] = json.loads(cli("assess", "obligations", "ACME", "--format", "json"))
    assert only["id"] == "set-transfer-type" and only["level"] == "missing"
    cli(
        "assess",
        "profile",
        "ACME",
        "--type",
        "merger",
        "--recipient",
        "承接公司",
        "--contact",
        "010-1",
    )
    obs = json.loads(cli("assess", "obligations", "ACME", "--format", "json"))
    ids = [o["id"] for o in obs]
    assert ids[0] == "due-diligence-provision" and "notify-recipient" in ids
    assert "PIPL-22" in {c["rule_id"] for o in obs for c in o["citations"]}
    table = cli("assess", "obligations", "ACME")
    assert "告知个人接收方" in table and "PIPL-22" in table
    assert "Notify individuals" in cli("assess", "obligations", "ACME", BAOMI_LANG="en")


def test_duties_and_exposure_of_a_deal(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "seller"
    src.mkdir()
    rows = "\n".join(mobile(i) for i in range(30))
    (src / "客户.csv").write_text(f"手机号\n{rows}\n", encoding="utf-8")
    cli("deal", "add", "ACME", str(src), "--as", "ops")
    duties = json.loads(cli("assess", "duties", "ACME", "--format", "json"))
    officer = next(d for d in duties if d["id"] == "officer")
    assert officer["applies"] is False and "上限" in officer["basis"]
    table = cli("assess", "duties", "ACME", COLUMNS="400")
    assert "个人信息保护负责人" in table and "保守" in table
    e = json.loads(cli("assess", "exposure", "ACME", "--format", "json"))
    assert e["estimate"] is True and e["incident"]["grade"] == "below_relatively_major"
    other = next(g for g in e["criminal"]["groups"] if g["group"] == "other")
    assert other["records"] == 30 and other["gravity"] == "none"
    out = cli("assess", "exposure", "ACME")
    assert "估算" in out and "PIPL-66" in out
    # which cap is higher, in words (no turnover entered): the raw code "unknown" was printed
    assert "无法比较" in out and "unknown" not in out


def test_packages_say_what_each_package_is(cli: Cli, tmp_path: Path) -> None:
    assert "尚未生成" in cli("assess", "packages", "ACME")
    deal_id = json.loads(cli("deal", "show", "ACME", "--json"))["deal"]["id"]
    pseudonymised_package(tmp_path, Path(cli.env["BAOMI_HOME"]) / "rooms" / deal_id / "records")
    [status] = json.loads(cli("assess", "packages", "ACME", "--format", "json"))
    assert status["case"] == "deidentified" and status["anonymised"] is False
    assert "仍是个人信息" in cli("assess", "packages", "ACME", COLUMNS="400")


def test_an_unknown_deal_is_an_error(cli: Cli) -> None:
    assert "错误" in cli("assess", "duties", "NOPE", code=1)
