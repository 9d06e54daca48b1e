"""``baomi protect URL --to DIR|URL`` from the command line (SQLite): audited, the copy written,
bad combinations refused with a clear line, no credential anywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baomi.cli.main import app
from baomi.demo.database import create_demo_database

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    monkeypatch.setenv("BAOMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BAOMI_LANG", "en")
    monkeypatch.delenv("BAOMI_PROTECT_KEY", raising=False)
    for var in ("MASTER_KEY_FILE", "MASTER_KEY", "PASSPHRASE", "KEYSTORE", "DATABASE_URL", "ENV"):
        monkeypatch.delenv(f"BAOMI_{var}", raising=False)
    create_demo_database(f"sqlite:///{tmp_path / 'crm.db'}", rows=40)
    r = runner.invoke(
        app, ["policy", "init", str(tmp_path / "p.yaml"), "--key-file", str(tmp_path / "k")]
    )
    assert r.exit_code == 0, r.output
    return tmp_path, ["--policy", str(tmp_path / "p.yaml"), "--key-file", str(tmp_path / "k")]


def test_protect_into_a_folder_of_parquet_files_is_audited(env: tuple[Path, list[str]]) -> None:
    root, opts = env
    source = f"sqlite:///{root / 'crm.db'}"
    r = runner.invoke(
        app, ["protect", source, *opts, "--to", str(root / "pkg"), "--table", "customers"]
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (root / "pkg").iterdir()) == [
        "main.customers.parquet",
        "manifest.json",
    ]
    audit = (root / "home" / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    assert "protect.run" in audit and "sqlite" not in audit


def test_protect_into_a_target_database(env: tuple[Path, list[str]]) -> None:
    root, opts = env
    source = f"sqlite:///{root / 'crm.db'}"
    target = f"sqlite:///{root / 'copy.db'}"
    tables = ["--table", "call_log", "--table", "follow_ups", "--table", "customer_contacts"]
    args = ["protect", source, *opts, "--to", target, *tables]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "written to the target database db://localhost/copy" in r.output
    with sqlite3.connect(root / "copy.db") as conn:
        names = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"call_log", "follow_ups", "customer_contacts", "baomi_manifest"}
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "give --to"),
        (["--to", "SOURCE"], "must not be the source database"),
        (["--to", "DIR", "--out", "DIR"], "leave out --out"),
        (["--to", "DIR", "--deal", "D1"], "--deal needs --recipient"),
    ],
)
def test_bad_combinations_are_refused(
    env: tuple[Path, list[str]], extra: list[str], message: str
) -> None:
    root, opts = env
    source = f"sqlite:///{root / 'crm.db'}"
    extra = [source if x == "SOURCE" else str(root / "o") if x == "DIR" else x for x in extra]
    r = runner.invoke(app, ["protect", source, *opts, *extra])
    assert r.exit_code == 1 and message in r.output, r.output


def test_files_still_need_out_and_take_no_to(env: tuple[Path, list[str]]) -> None:
    root, opts = env
    (root / "in").mkdir()
    (root / "in" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    r = runner.invoke(app, ["protect", str(root / "in"), *opts])
    assert r.exit_code == 1 and "--out" in r.output
    r = runner.invoke(app, ["protect", str(root / "in"), *opts, "--to", str(root / "o")])
    assert r.exit_code == 1 and "--to is for a database input" in r.output


def test_an_unreachable_source_fails_without_the_password(env: tuple[Path, list[str]]) -> None:
    root, opts = env
    url = "mysql://scanner:hunter2@127.0.0.1:1/crm"
    r = runner.invoke(app, ["protect", url, *opts, "--to", str(root / "o")])
    assert r.exit_code == 1 and "cannot reach the database server" in r.output
    assert "hunter2" not in r.output and "scanner" not in r.output


def test_a_table_it_may_not_read_says_so_and_how_to_leave_it_out(
    env: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table the user may not read: no "(after 0 rows)" when nothing was read, and the hint
    --exclude TABLE."""
    from baomi.databases.source import DatabaseError, DatabaseTable

    real = DatabaseTable.rows

    def denied(self: DatabaseTable):  # type: ignore[no-untyped-def]
        if self.ref.name == "orders":
            raise DatabaseError(self.display, "no permission to read it")
        return real(self)

    monkeypatch.setattr(DatabaseTable, "rows", denied)
    root, opts = env
    source = f"sqlite:///{root / 'crm.db'}"
    tables = ["--table", "customers", "--table", "orders"]
    r = runner.invoke(app, ["protect", source, *opts, "--to", str(root / "pkg"), *tables])
    text = " ".join(r.output.split())
    assert r.exit_code != 0
    assert "main.orders: no permission to read it" in text
    assert "after 0 rows" not in text
    assert "--exclude main.orders" in text
