"""``baomi room`` from the machine that holds the key: the room page's management section at the
command line — rooms opened and listed, the stage, the NDA, members seated, listed and removed,
grants set, listed and revoked — through the same services, refused where they refuse, each
change an audit event of the operator named by ``--as``."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baomi.i18n import set_language
from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from tests.cli.test_vault_cli import Cli, app_with, env  # noqa: F401 - the fixture
from tests.vault_support import database_url  # noqa: F401 - the fixture

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from typer.testing import CliRunner

    from baomi.cli import rooms as rooms_cli
    from baomi.cli import vault as vault_cli

DEAL = "星河科技转让"
ADMIN = Actor("root", Role.ADMIN)


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:  # noqa: F811 - the fixture above
    runner = Cli({**env, "COLUMNS": "200"})  # a table's row on one line
    runner.app = app_with(vault_cli.register, rooms_cli.register)
    runner("keys", "init", "--as", "ops")
    return runner


@pytest.fixture
def vault(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    """The CLI's vault opened by the test, with accounts of each role a room seats."""
    for key, value in cli.env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    with open_vault(Settings()) as opened:
        for name, role in (
            ("broker.a", "broker"),
            ("broker.b", "broker"),
            ("seller.a", "seller"),
            ("buyer.a", "buyer"),
        ):
            accounts.create_user(
                opened, actor=ADMIN, username=name, display_name=name.upper(), role=role
            )
        yield opened


def _open(cli: Cli) -> None:
    opened = cli("room", "open", DEAL, "--target", "星河科技有限公司", "--uscc", DEMO_USCC)
    assert f"已开设数据室 {DEAL}" in opened and "准备中" in opened


def _seat(cli: Cli) -> None:
    for name, side in (("broker.a", "platform"), ("seller.a", "seller"), ("buyer.a", "buyer")):
        role = name.split(".")[0]
        cli("room", "add", DEAL, name, "--side", side, "--role", role, "--as", "li.admin")


def _row(output: str, marker: str) -> str:
    [line] = [x for x in output.splitlines() if marker in x]
    return line


def _events(cli: Cli, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "audit.json"
    cli("audit", "export", str(out))
    events: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["events"]
    return events


def test_a_room_is_run_from_the_command_line(cli: Cli, vault: Vault, tmp_path: Path) -> None:
    assert "暂无数据室" in cli("room", "list")
    _open(cli)  # the deal is created with its room, as on the home page
    listed = _row(cli("room", "list"), DEAL)
    assert "星河科技有限公司" in listed and DEMO_USCC in listed and "准备中" in listed
    assert "preparing" in cli("room", "list", BAOMI_LANG="en")
    _seat(cli)
    members = cli("room", "members", DEAL)
    buyer = _row(members, "buyer.a")
    assert "买方" in buyer and "买方审阅人" in buyer and "未接受" in buyer and "li.admin" in buyer
    assert "无需" in _row(members, "seller.a") and "经纪方" in _row(members, "broker.a")
    english = cli("room", "members", DEAL, BAOMI_LANG="en")
    assert "buyer reviewer" in _row(english, "buyer.a") and "not accepted" in english

    assert "已发布第 1 版保密协议" in cli(
        "room", "nda", DEAL, "--discloser", "卖方", "--recipient", "买方"
    )
    assert "尽职调查" in cli("room", "stage", DEAL, "due_diligence")
    assert "尽职调查" in _row(cli("room", "list"), DEAL)

    granted = cli("room", "grant", DEAL, "buyer", "/客户/", "--level", "download", "--days", "7")
    assert "买方一方下载文件夹 客户，7 天" in granted
    grant_id = granted.strip().splitlines()[-1]
    row = _row(cli("room", "grants", DEAL), grant_id)
    assert "客户" in row and "下载" in row and "有效至" in row
    revoked = cli("room", "revoke", DEAL, grant_id, "--as", "li.admin")
    assert "已撤销买方对“客户”的授权" in revoked
    assert "已撤销" in _row(cli("room", "grants", DEAL), grant_id)

    assert "已将 buyer.a 移出数据室" in cli("room", "remove", DEAL, "buyer.a")
    assert "buyer.a" not in cli("room", "members", DEAL)
    # the room's gate reads the seat: the buyer is outside the room now
    buyer_account = next(
        u for u in accounts.list_users(vault, actor=ADMIN) if u.username == "buyer.a"
    )
    assert rooms.seat(vault, buyer_account, DEAL).side is None

    done = [(e["action"], e["actor"]) for e in _events(cli, tmp_path)]
    for action in ("room.open", "member.add", "nda.publish", "room.stage", "grant.set"):
        assert action in {a for a, _ in done}, action
    assert ("member.add", "li.admin") in done and ("grant.revoke", "li.admin") in done
    assert "member.remove" in {a for a, _ in done}
    assert "审计链完好" in cli("audit", "verify")


def test_refusals_are_said_and_exit_non_zero(cli: Cli, vault: Vault) -> None:
    assert "没有名为 无此交易 的交易" in cli("room", "members", "无此交易", code=1)
    assert "no deal named nope" in cli("room", "grants", "nope", code=1, BAOMI_LANG="en")
    assert "GB 32100" in cli(
        "room", "open", DEAL, "--target", "星河", "--uscc", "91110000MA01ABCD00", code=1
    )
    _open(cli)
    assert "已有数据室" in cli(
        "room", "open", DEAL, "--target", "星河", "--uscc", DEMO_USCC, code=1
    )
    assert "没有用户 nobody" in cli(
        "room", "add", DEAL, "nobody", "--side", "buyer", "--role", "buyer", code=1
    )
    # the seat's role is the account's, and fits the side
    assert "不能坐在卖方一方" in cli(
        "room", "add", DEAL, "buyer.a", "--side", "seller", "--role", "buyer", code=1
    )
    assert "账户角色是“买方审阅人”" in cli(
        "room", "add", DEAL, "buyer.a", "--side", "seller", "--role", "seller", code=1
    )
    # a value that is no side is a usage error naming the choices, in both languages
    bad = cli("room", "add", DEAL, "buyer.a", "--side", "east", "--role", "buyer", code=2)
    assert "不是可选值" in bad and "buyer (买方)" in bad
    assert "is not one of" in cli("room", "stage", DEAL, "done", code=2, BAOMI_LANG="en")
    _seat(cli)
    assert "已在该数据室中" in cli(
        "room", "add", DEAL, "buyer.a", "--side", "buyer", "--role", "buyer", code=1
    )
    # the last member who runs the room stays until another broker is seated
    assert "最后一位" in cli("room", "remove", DEAL, "broker.a", code=1)
    cli("room", "add", DEAL, "broker.b", "--side", "platform", "--role", "broker")
    assert "移出数据室" in cli("room", "remove", DEAL, "broker.a")
    assert "不在该数据室中" in cli("room", "remove", DEAL, "broker.a", code=1)
    assert "不能把自己移出数据室" in cli(
        "room", "remove", DEAL, "broker.b", "--as", "broker.b", code=1
    )
    # grants: the folder is the room's, the days 1–366, the id the room's own
    assert "不能包含 . 或 .." in cli("room", "grant", DEAL, "buyer", "客户/..", code=1)
    assert "1–366" in cli("room", "grant", DEAL, "buyer", "/", "--days", "0", code=1)
    assert "没有该授权" in cli("room", "revoke", DEAL, "0" * 32, code=1)
    # the stage machine, and an ended deal takes no new member or grant
    assert "不能从「准备中」转为「已签约」" in cli("room", "stage", DEAL, "signed", code=1)
    cli("room", "stage", DEAL, "aborted")
    assert "交易已结束" in cli("room", "grant", DEAL, "buyer", "/", code=1)
    assert "交易已结束" in cli(
        "room", "add", DEAL, "broker.a", "--side", "platform", "--role", "broker", code=1
    )
    assert "the deal has ended" in cli("room", "grant", DEAL, "buyer", "/", code=1, BAOMI_LANG="en")
    assert "审计链完好" in cli("audit", "verify")


def test_baomi_room_is_mounted_and_takes_lang_after_the_command(cli: Cli, vault: Vault) -> None:
    """The real root: ``baomi room`` is a command group of ``baomi``; ``--lang en`` after it."""
    from baomi.cli import main

    _open(cli)
    try:
        result = CliRunner().invoke(main.app, ["room", "list", "--lang", "en"], env=cli.env)
    finally:
        set_language(None)
    assert result.exit_code == 0, result.output
    assert DEAL in result.output and "preparing" in result.output
