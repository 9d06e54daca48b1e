"""`baomi risk`: sheets to measure, and bad options given back as messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_protect_cli import app, runner

ROWS = [
    ("30", "男", "杭州", "感冒"),
    ("30", "男", "杭州", "感冒"),
    ("30", "男", "杭州", "肺炎"),
    ("40", "女", "成都", "糖尿病"),
    ("40", "女", "成都", "糖尿病"),
    ("50", "男", "成都", "高血压"),
]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import openpyxl

    monkeypatch.setenv("BAOMI_LANG", "en")
    lines = ["年龄,性别,城市,诊断", *(",".join(r) for r in ROWS)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "数据"
    for line in lines:
        ws.append(line.split(","))
    wb.create_sheet("说明").append(["本表说明"])
    wb.save(tmp_path / "r.xlsx")
    return tmp_path


def test_a_workbook_is_measured_on_the_sheets_that_have_the_columns(files: Path) -> None:
    r = runner.invoke(app, ["risk", str(files / "r.xlsx"), "--qi", "年龄,性别", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert (result["sheet"], result["records"], result["k"]) == ("数据", 6, 1)
    r = runner.invoke(app, ["risk", str(files / "r.xlsx"), "--qi", "年龄", "--sheet", "说明"])
    assert r.exit_code == 1 and "年龄" in r.output
    r = runner.invoke(app, ["risk", str(files / "r.xlsx"), "--qi", "年龄", "--sheet", "无此表"])
    assert r.exit_code == 1 and "无此表" in r.output


@pytest.mark.parametrize(
    "args",
    [["--qi", "年龄", "--k", "-1"], ["--qi", "年龄", "--k", "0"], ["--qi", ""], ["--qi", " , "]],
    ids=["negative-k", "zero-k", "no-qi", "blank-qi"],
)
def test_bad_options_are_refused_with_a_message(files: Path, args: list[str]) -> None:
    r = runner.invoke(app, ["risk", str(files / "r.csv"), *args])
    assert r.exit_code != 0
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_a_repeated_quasi_identifier_counts_once(files: Path) -> None:
    once = runner.invoke(app, ["risk", str(files / "r.csv"), "--qi", "年龄", "--json"])
    twice = runner.invoke(app, ["risk", str(files / "r.csv"), "--qi", "年龄,年龄", "--json"])
    assert twice.exit_code == 0, twice.output
    assert json.loads(twice.output) == json.loads(once.output)


def test_a_text_document_is_named_in_the_error(tmp_path: Path) -> None:
    """`risk` on a DOCX said only 不是表格文件, without the file or an error prefix."""
    import docx

    d = docx.Document()
    d.add_paragraph("合同正文")
    d.save(tmp_path / "合同.docx")
    r = runner.invoke(app, ["risk", str(tmp_path / "合同.docx"), "--qi", "年龄"])
    assert r.exit_code == 1
    assert "合同.docx" in r.output and ("错误" in r.output or "error" in r.output)
