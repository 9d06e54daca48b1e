"""``baomi demo --database`` and ``baomi scan URL`` from the command line (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from baomi.cli.main import app

runner = CliRunner()


def _demo(tmp_path: Path, rows: int = 40) -> str:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    result = runner.invoke(app, ["demo", "--database", url, "--rows", str(rows)])
    assert result.exit_code == 0, result.output
    assert "customers 40" in result.output
    return url


def test_demo_database_then_scan_writes_the_contract_outputs(tmp_path: Path) -> None:
    url = _demo(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["scan", url, "--out", str(out), "--no-prose", "--format", "json", "--table", "cust*"],
        env={"BAOMI_LANG": "en"},
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files_scanned"] == 2 and summary["rows"] == 80
    first = json.loads((out / "findings.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["file"].startswith("db://localhost/crm/main.customer")
    inventory = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in inventory["files"]} == {
        "db://localhost/crm/main.customers",
        "db://localhost/crm/main.customer_contacts",
    }


def test_demo_database_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    url = _demo(tmp_path)
    again = runner.invoke(app, ["demo", "--database", url, "--rows", "40"])
    assert again.exit_code == 1 and "--force" in again.output
    forced = runner.invoke(app, ["demo", "--database", url, "--rows", "40", "--force"])
    assert forced.exit_code == 0, forced.output


def test_sample_is_said_on_the_console(tmp_path: Path) -> None:
    url = _demo(tmp_path)
    result = runner.invoke(
        app,
        ["scan", url, "-o", str(tmp_path / "o"), "--no-prose", "--sample", "5"],
        env={"BAOMI_LANG": "en"},
    )
    assert result.exit_code == 0, result.output
    assert "only the first 5 rows were read (--sample)" in " ".join(result.output.split())


def test_an_unreachable_server_fails_clearly_without_the_credentials(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["scan", "postgresql://scanner:hunter2@127.0.0.1:1/crm", "-o", str(tmp_path / "o")],
        env={"BAOMI_LANG": "en"},
    )
    assert result.exit_code == 1
    assert "db://127.0.0.1/crm: cannot reach the database server" in result.output
    assert "hunter2" not in result.output and "scanner" not in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_a_database_with_files_is_refused(tmp_path: Path) -> None:
    url = _demo(tmp_path)
    result = runner.invoke(app, ["scan", url, str(tmp_path)], env={"BAOMI_LANG": "en"})
    assert result.exit_code == 1 and "one database at a time" in result.output


def test_a_missing_file_is_still_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_notes_are_not_read_failures_and_tables_are_tables(tmp_path: Path) -> None:
    """A table without a primary key or with a binary column is read in full: its notes are
    information, not "not read completely"; a database run counts tables, not files."""
    url = _demo(tmp_path)
    for lang, notes, warning, counted, files in (
        ("en", "Notes", "not read completely", "Scan complete: 6 tables", "files"),
        ("zh", "说明", "未能完整读取", "扫描完成：6 个表", "文件"),
    ):
        result = runner.invoke(
            app,
            ["scan", url, "-o", str(tmp_path / lang), "--no-prose"],
            env={"BAOMI_LANG": lang},
        )
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert warning not in text and files not in text
        assert notes in text and counted in text
        assert "call_log" in text and "attachments" in text  # the notes still name them


def test_table_format_names_each_table_on_an_80_column_terminal(tmp_path: Path) -> None:
    """``--format table``: the database is named once above the table and each row by its
    ``SCHEMA.TABLE`` (the whole ``db://HOST/DB/…`` path was cut to the same prefix on every row)."""
    url = _demo(tmp_path)
    result = runner.invoke(
        app,
        ["scan", url, "-o", str(tmp_path / "o"), "--no-prose", "--format", "table"],
        env={"BAOMI_LANG": "en", "COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "By table and column: db://localhost/crm" in out
    shown = out[out.index("By table and column") : out.index("Estimated individuals")]
    assert "db://localhost/crm/main." not in shown
    assert "…" not in shown  # folded, not cut
    for table in ("main.customers", "main.orders", "main.call_log"):
        assert table in shown
