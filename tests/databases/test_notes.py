"""The notes a database scan writes on how it read each table (no primary key, a column left
out, ``--sample``, a PI key) are shown in the reader's language, whatever language the scan ran
in: on the console, in the inventory report in every format, and with the notes of an older
``inventory.json`` (plain strings) shown as they were written."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from baomi.cli.main import app
from baomi.databases.scan import DatabaseSelection, scan_database
from baomi.engine.contracts import codec
from baomi.engine.scan import ScanOptions
from baomi.i18n import set_language
from baomi.services.comply.reports.inventory import inventory_report
from baomi.services.comply.reports.model import Report
from baomi.services.comply.reports.render import render_html, render_json, render_pdf, render_xlsx
from tests.vault_support import mobile

FAST = ScanOptions(prose=False)

#: What each language says of the tables below (and what the other must not).
SAID = {
    "zh": ("无主键：按位置命名行", "photo: 二进制列，未扫描", "抽样：只读取前 5 行"),
    "en": (
        "no primary key: rows are named by their position",
        "photo: binary column, not scanned",
        "sample: only the first 5 rows were read",
    ),
}
OTHER = {"zh": "en", "en": "zh"}


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language(None)


@pytest.fixture(scope="module")
def phones() -> list[str]:
    return [mobile(i) for i in range(12)]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, phones: list[str]) -> str:
    """A table without a primary key, and one with a binary column (generated phones)."""
    path = tmp_path_factory.mktemp("db") / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE visits (name TEXT, phone TEXT)")
        conn.executemany(
            "INSERT INTO visits VALUES (?, ?)", [(f"客户{i}", p) for i, p in enumerate(phones)]
        )
        conn.execute("CREATE TABLE staff (id INTEGER PRIMARY KEY, phone TEXT, photo BLOB)")
        conn.executemany(
            "INSERT INTO staff VALUES (?, ?, ?)",
            [(i, p, b"\x89PNG\x00") for i, p in enumerate(phones)],
        )
    return f"sqlite:///{path}"


def _scan(url: str, out: Path, lang: str, sample: int = 5) -> Path:
    set_language(lang)
    scan_database(url, out_dir=out, options=FAST, selection=DatabaseSelection(sample=sample))
    set_language(None)
    return out / "inventory.json"


def _pdf_text(report: Report) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report))).pages)


def _xlsx_text(report: Report) -> str:
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    return " ".join(
        str(cell)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
    )


@pytest.mark.parametrize(("scanned", "read"), [("zh", "en"), ("en", "zh")])
def test_the_report_shows_the_notes_in_the_readers_language(
    url: str, tmp_path: Path, scanned: str, read: str, phones: list[str]
) -> None:
    # written with tr() at scan time: a scan run in Chinese gave an English reader Chinese notes
    inventory = codec.load_inventory(_scan(url, tmp_path, scanned))
    set_language(read)
    report = inventory_report(inventory, "shop")
    outputs = {
        "html": render_html(report),
        "json": render_json(report),
        "pdf": " ".join(_pdf_text(report).split()),
        "xlsx": _xlsx_text(report),
    }
    for fmt, text in outputs.items():
        for said in SAID[read]:
            assert said in text, (fmt, said)
        for said in SAID[OTHER[read]]:
            assert said not in text, (fmt, said)
        assert not any(p in text for p in phones), fmt


def test_the_console_summary_speaks_the_console_language(url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    for lang in ("en", "zh"):
        result = runner.invoke(
            app, ["--lang", lang, "scan", url, "-o", str(tmp_path / lang), "--sample", "5"]
        )
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert all(said in text for said in SAID[lang]), text
        assert not any(said in text for said in SAID[OTHER[lang]]), text
    # a scan run in Chinese, its report asked for in English
    scan, out = str(tmp_path / "zh"), str(tmp_path / "report.json")
    args = ["--lang", "en", "assess", "report", "inventory", "--scan", scan]
    report = runner.invoke(app, [*args, "--format", "json", "--out", out])
    assert report.exit_code == 0, report.output
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert all(said in text for said in SAID["en"]) and "无主键" not in text


def test_the_inventory_keeps_its_strings_and_says_each_note_as_a_code(
    url: str, tmp_path: Path
) -> None:
    data = json.loads(_scan(url, tmp_path, "zh").read_text(encoding="utf-8"))
    files = {f["path"].rsplit(".", 1)[-1]: f for f in data["files"]}
    visits, staff = files["visits"], files["staff"]
    # the notes as before, in the scan's language, for the readers of earlier versions
    assert visits["notes"][0].startswith("无主键") and staff["notes"][0].startswith("photo: 二进制")
    # and beside them, one for one, what each says without a language
    assert visits["note_codes"] == [{"code": "no_primary_key"}, {"code": "sample", "rows": 5}]
    assert staff["note_codes"] == [
        {"code": "binary_column", "column": "photo"},
        {"code": "sample", "rows": 5},
    ]
    assert list(visits)[-2:] == ["notes", "note_codes"]
    assert "note_codes" not in data  # no schema left unread: no top-level notes either


def test_a_column_named_by_an_identifier_is_noted_masked(tmp_path: Path) -> None:
    """The columns list masks an identifier in a column's name; the notes named the column
    left out (a binary one) as it was, in both the words and the codes."""
    number = mobile(7)
    path = tmp_path / "odd.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            f'CREATE TABLE t (id INTEGER PRIMARY KEY, "图{number}" BLOB, "备注{number}" TEXT)'
        )
        conn.execute("INSERT INTO t VALUES (1, ?, ?)", (b"\x00", b"\x01"))
    set_language("en")
    scan_database(f"sqlite:///{path}", out_dir=tmp_path / "o", options=FAST)
    text = (tmp_path / "o" / "inventory.json").read_text(encoding="utf-8")
    assert number not in text
    (table,) = json.loads(text)["files"]
    masked = f"{number[:3]}****{number[-4:]}"
    assert table["note_codes"] == [
        {"code": "binary_column", "column": f"图{masked}"},
        {"code": "binary_values", "column": f"备注{masked}"},
    ]
    assert table["notes"][0] == f"图{masked}: binary column, not scanned"
