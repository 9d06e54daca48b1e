"""A workbook written back with records dropped (a subject's deletion, suppressed records) or
added (canaries): each data row's cell comment stays with its record — a dropped record's
comment goes with it — instead of staying on the sheet row the next record moves up to."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from baomi.engine.protect.writers import load


def _book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    for row in (["姓名", "备注"], ["张三", "老客户"], ["李四", "新客户"], ["王五", "回访"]):
        ws.append(row)
    ws["A1"].comment = Comment("表头说明", "审阅人")
    for sheet_row, who in ((2, "张三"), (3, "李四"), (4, "王五")):
        ws[f"B{sheet_row}"].comment = Comment(f"关于{who}", "审阅人")
    wb.save(path)
    return path


def _comments(path: Path) -> dict[str, str]:
    ws = load_workbook(path)["客户"]
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def test_a_dropped_records_comment_goes_with_it_and_the_others_move_up(tmp_path: Path) -> None:
    doc = load(_book(tmp_path / "in.xlsx"))
    table = doc.tables[0]
    table.frame, table.keep_rows = table.frame[[0, 2]], [0, 2]  # 李四 deleted
    doc.save(tmp_path / "out.xlsx")
    assert _comments(tmp_path / "out.xlsx") == {
        "A1": "表头说明",
        "B2": "关于张三",
        "B3": "关于王五",
    }
    ws = load_workbook(tmp_path / "out.xlsx")["客户"]
    assert [ws["A2"].value, ws["A3"].value, ws["A4"].value] == ["张三", "王五", None]


def test_an_added_record_gets_no_comment_and_the_others_keep_theirs(tmp_path: Path) -> None:
    doc = load(_book(tmp_path / "in.xlsx"))
    table = doc.tables[0]
    added = table.frame.head(1).with_columns(
        姓名=table.frame["姓名"].head(1).str.replace("张", "赵")
    )
    table.frame = table.frame.head(1).vstack(added).vstack(table.frame.tail(2))
    table.keep_rows = [0, -1, 1, 2]  # a canary after the first record
    doc.save(tmp_path / "out.xlsx")
    assert _comments(tmp_path / "out.xlsx") == {
        "A1": "表头说明",
        "B2": "关于张三",
        "B4": "关于李四",
        "B5": "关于王五",
    }
