"""The vault's commands end to end with typer's CliRunner (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from sqlalchemy import create_engine, text

from baomi.i18n import set_language
from tests.vault_support import (
    bank_card,
    database_url,
    mobile,
    resident_id,
    second_database_url,
)

with warnings.catch_warnings():
    # typer 0.20 imports click helpers that the locked click deprecates (not our code).
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer
    from typer.testing import CliRunner

    from baomi.cli import vault as vault_cli

__all__ = ["database_url", "second_database_url"]


def app_with(*registers: Callable[[typer.Typer], None]) -> typer.Typer:
    """A ``baomi`` root for tests with the command groups ``registers`` add (``BAOMI_LANG``
    decides the language)."""
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)  # BAOMI_LANG decides

    for register in registers:
        register(app)
    return app


def _app() -> typer.Typer:
    return app_with(vault_cli.register)


@pytest.fixture
def env(tmp_path: Path, database_url: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "BAOMI_HOME": str(tmp_path / "home"),
        "BAOMI_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "BAOMI_MASTER_KEY": None,
        "BAOMI_PASSPHRASE": None,
        "BAOMI_KEYSTORE": None,
        "BAOMI_ENV": None,
        "BAOMI_LANG": "zh",
        "BAOMI_DATABASE_URL": database_url,
    }
    return values


class Cli:
    def __init__(self, env: dict[str, Any]) -> None:
        self.env = env
        self.app = _app()
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0, input: str | None = None, **env: Any) -> str:
        result = self.runner.invoke(self.app, list(args), env={**self.env, **env}, input=input)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output


@pytest.fixture
def cli(env: dict[str, Any]) -> Iterator[Cli]:
    yield Cli(env)


def test_full_vault_workflow(cli: Cli, tmp_path: Path, second_database_url: str | None) -> None:
    src = tmp_path / "seller"
    src.mkdir()
    (src / "客户名单.csv").write_text(f"身份证号\n{resident_id(11)}\n", encoding="utf-8")
    home = Path(cli.env["BAOMI_HOME"])

    assert "密钥库已创建" in cli("keys", "init", "--as", "ops")
    assert "file" in cli("keys", "status")
    assert "已创建交易" in cli("deal", "create", "ACME", "--as", "ops")
    assert "已加密存入 1 个文件" in cli("deal", "add", "ACME", str(src), "--as", "ops")
    [listed] = json.loads(cli("deal", "list", "--json"))
    assert (listed["name"], listed["objects"], listed["status"]) == ("ACME", 1, "active")
    shown = json.loads(cli("deal", "show", "ACME", "--json"))
    assert shown["objects"][0]["name"] == "客户名单.csv"
    # the real scanner's inventory (DESIGN.md §Scan output), sealed with the document
    assert shown["objects"][0]["inventory"]["summary"]["entities"] == {"CN_RESIDENT_ID": 1}
    table = cli("deal", "list")
    assert "deal list" not in table  # the table renders
    assert "进行中" in table and "active" not in table  # the state in words
    cli("deal", "export", "ACME", str(tmp_path / "out"), "--as", "ops")
    assert (tmp_path / "out" / "客户名单.csv").read_bytes() == (src / "客户名单.csv").read_bytes()

    assert "审计链完好" in cli("audit", "verify")
    cli("audit", "export", str(tmp_path / "audit.json"), "--as", "auditor")
    cli("audit", "export", str(tmp_path / "audit.csv"), "--format", "csv")
    pub = home / "keys" / "signing.pub"
    assert "intact" in cli(
        "audit",
        "verify",
        "--export",
        str(tmp_path / "audit.json"),
        "--public-key",
        str(pub),
        BAOMI_LANG="en",
    )

    bk = tmp_path / "before-destroy.bak"
    assert "备份完成" in cli("backup", "create", str(bk))
    assert "备份完好" in cli("backup", "verify", str(bk))

    out = cli(
        "deal", "destroy", "ACME", "--yes", "--out", str(tmp_path / "cert.json"), "--as", "officer"
    )
    assert "交易已销毁" in out
    kept = list((home / "certificates").glob("*.json"))  # --out is a copy, the home keeps it
    assert len(kept) == 1 and kept[0].read_bytes() == (tmp_path / "cert.json").read_bytes()
    assert str(kept[0]) in "".join(out.split())
    assert "证书有效" in cli("certificate", "verify", str(tmp_path / "cert.json"))
    assert "证书有效" in cli(
        "certificate", "verify", str(tmp_path / "cert.json"), "--public-key", str(pub)
    )
    cert = json.loads((tmp_path / "cert.json").read_text(encoding="utf-8"))
    cert["objects"] = []
    (tmp_path / "forged.json").write_text(json.dumps(cert), encoding="utf-8")
    assert "证书无效" in cli("certificate", "verify", str(tmp_path / "forged.json"), code=2)
    assert "错误" in cli("deal", "export", "ACME", str(tmp_path / "out2"), code=1)

    # Restore the older backup into an empty home that shares only the key store.
    restored = {
        "BAOMI_HOME": str(tmp_path / "restored"),
        "BAOMI_KEYSTORE": str(home / "keys" / "keystore.json"),
        "BAOMI_DATABASE_URL": second_database_url,
    }
    assert "恢复完成" in cli("backup", "restore", str(bk), **restored)
    assert json.loads(cli("deal", "list", "--json", **restored))[0]["status"] == "destroyed"
    cli("deal", "export", "ACME", str(tmp_path / "out3"), code=1, **restored)

    # Rotation: the old key stops working, the new one works.
    new_key = tmp_path / "new.key"
    assert "旧密钥已失效" in cli("keys", "rotate", "--new-key-file", str(new_key), "--as", "ops")
    assert "不匹配" in cli("keys", "status", code=1)
    assert "2" in cli("keys", "status", BAOMI_MASTER_KEY_FILE=str(new_key))


def _cell(value: Any) -> str:
    """A summary value as ``deal show`` prints it."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def test_deal_show_prints_the_whole_inventory_wrapped_to_the_terminal(
    cli: Cli, tmp_path: Path
) -> None:
    src = tmp_path / "seller"
    src.mkdir()
    rows = [f"{resident_id(i)},{mobile(i)},{bank_card(i)}" for i in range(1, 4)]
    (src / "客户名单.csv").write_text("身份证号,手机,银行卡\n" + "\n".join(rows) + "\n", "utf-8")
    cli("keys", "init", "--as", "ops")
    cli("deal", "create", "ACME", "--as", "ops")
    cli("deal", "add", "ACME", str(src), "--as", "ops")
    summary = json.loads(cli("deal", "show", "ACME", "--json"))["objects"][0]["inventory"][
        "summary"
    ]
    assert len(json.dumps(summary, ensure_ascii=False)) > 60  # what the table used to cut
    for width in (160, 60):
        shown = cli("deal", "show", "ACME", BAOMI_LANG="en", COLUMNS=str(width))
        lines = shown.splitlines()
        assert max(cell_len(line) for line in lines) <= width  # wrapped, not cut or overflowing
        assert "…" not in shown.replace("…", "", 1)  # only the hash is shortened
        if width == 160:  # every field on its own row, its value whole
            for key, value in summary.items():
                assert any(key in line and _cell(value) in line for line in lines), key
    assert not any(v in shown for row in rows for v in row.split(","))


def test_missing_or_placeholder_master_key_is_refused(cli: Cli) -> None:
    assert "BAOMI_MASTER_KEY_FILE" in cli("keys", "status", code=1, BAOMI_MASTER_KEY_FILE=None)
    out = cli("keys", "init", code=1, BAOMI_MASTER_KEY_FILE=None, BAOMI_MASTER_KEY="changethis")
    assert "占位值" in out and "changethis" not in out  # in the user's language, no value
    assert "keys init" in cli("deal", "list", code=1)  # no key store yet


def test_tampered_audit_log_names_first_bad_position(cli: Cli, env: dict[str, Any]) -> None:
    cli("keys", "init")
    for name in ("a", "b", "c"):
        cli("deal", "create", name)
    url = env["BAOMI_DATABASE_URL"] or f"sqlite:///{Path(env['BAOMI_HOME']) / 'baomi.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    engine.dispose()
    out = cli("--help")
    assert "audit" in out
    assert "first bad position 3" in cli("audit", "verify", code=2, BAOMI_LANG="en")


def test_the_file_kept_without_a_vault_verifies_and_names_a_tampered_line(
    cli: Cli, tmp_path: Path
) -> None:
    from baomi.engine.audit_chain import AuditAction
    from baomi.services.audit_sink import AuditEntry, FileAuditSink
    from tests.vault_support import operator

    sink = FileAuditSink(tmp_path / "logs" / "audit.jsonl")
    for i in range(3):
        sink.record(AuditEntry(operator(), AuditAction.PROTECT_RUN, f"package:{i}"))
    assert "审计链完好：3 条事件" in cli("audit", "verify", "--log", str(sink.path))
    lines = sink.path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"package:2"', '"package:7"')
    sink.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "第一个问题位置 3" in cli("audit", "verify", "--log", str(sink.path), code=2)
    assert "审计文件不存在" in cli("audit", "verify", "--log", str(tmp_path / "none"), code=1)
