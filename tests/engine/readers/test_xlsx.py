"""Excel reader: cell values as text, sheets, header row, row numbers, broken and encrypted files."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from baomi.engine.readers import open_source
from baomi.engine.readers.xlsx import OLE_MAGIC, cell_text
from baomi.errors import UnreadableFileError
from tests.engine.readers.conftest import ReadTable


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (-3.0, "-3"),
        (True, "TRUE"),
        (False, "FALSE"),
        (datetime(2024, 1, 2), "2024-01-02"),
        (datetime(2024, 1, 2, 13, 4, 5), "2024-01-02T13:04:05"),
        (date(2024, 1, 2), "2024-01-02"),
        (time(8, 30), "08:30:00"),
        (Decimal("12.50"), "12.50"),
        ("", None),
        (None, None),
        ("00123", "00123"),
    ],
)
def test_cell_text(value: Any, text: str | None) -> None:
    assert cell_text(value) == text


def test_numbers_stored_as_numbers_keep_their_digits(tmp_path: Path, read_table: ReadTable) -> None:
    path = workbook(
        tmp_path / "客户.xlsx",
        {
            "客户": [
                ["电话", "金额", "生日", "会员"],
                [13812345678, 12.5, datetime(1990, 1, 2), True],
            ]
        },
    )
    frame, batches = read_table(open_source(path))
    assert frame.rows() == [("13812345678", "12.5", "1990-01-02", "TRUE")]
    assert batches[0].sheet == "客户"


def test_a_number_under_a_date_format_no_date_can_hold_keeps_its_digits(
    tmp_path: Path, read_table: ReadTable, recwarn: pytest.WarningsRecorder
) -> None:
    """A phone number in a column formatted as a date (a template's style): openpyxl warned
    "Cell B2 is marked as a date but the serial value 13812345678 is outside the limits for
    dates" — the number on the terminal — and read the cell as ``#VALUE!``: the phone was
    not found. It is read as the number it holds; a date in range is still a date."""
    path = tmp_path / "客户.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "生日"])
    sheet.append(["张三", 13812345678, 32875])
    sheet["B2"].number_format = sheet["C2"].number_format = "yyyy-mm-dd"
    book.save(path)
    frame, _ = read_table(open_source(path))
    assert frame.rows() == [("张三", "13812345678", "1990-01-02")]
    assert not [w for w in recwarn if "13812345678" in str(w.message)]


def test_every_sheet_with_its_own_header_and_rows(tmp_path: Path, read_table: ReadTable) -> None:
    path = workbook(
        tmp_path / "f.xlsx",
        {
            "一": [["姓名"], ["甲"], ["乙"], ["丙"]],
            "空": [],
            "二": [[None, None], [None, "电话", "电话", None, "备注"], [None, "1", "2"]],
            "表头": [["a", "b"]],
        },
    )
    source = open_source(path, batch_rows=2)
    _, batches = read_table(source)
    got = [(b.sheet, b.offset, b.frame.columns, b.frame.rows()) for b in batches]
    assert got == [
        ("一", 0, ["姓名"], [("甲",), ("乙",)]),
        ("一", 2, ["姓名"], [("丙",)]),
        (
            "二",
            0,
            ["column_1", "电话", "电话 (2)", "column_4", "备注"],
            [(None, "1", "2", None, None)],
        ),
        ("表头", 0, ["a", "b"], []),
    ]
    assert source.kind == "table" and source.encoding is None


def test_empty_rows_inside_count_and_trailing_ones_are_dropped(
    tmp_path: Path, read_table: ReadTable
) -> None:
    rows: list[list[Any]] = [["n", None], ["0"], [], [None, None], ["3", "extra"], [], []]
    frame, _ = read_table(open_source(workbook(tmp_path / "f.xlsx", {"s": rows})))
    assert frame.columns == ["n", "column_2"]
    assert frame.rows() == [("0", None), (None, None), (None, None), ("3", "extra")]


def test_xlsm_is_read_too(tmp_path: Path, read_table: ReadTable) -> None:
    path = workbook(tmp_path / "f.xlsx", {"s": [["a"], ["1"]]}).rename(tmp_path / "f.xlsm")
    frame, _ = read_table(open_source(path))
    assert frame.rows() == [("1",)]


def corrupt_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")


@pytest.mark.parametrize(
    ("write", "reason"),
    [
        (lambda p: p.write_bytes(b""), "空文件"),
        (lambda p: p.write_bytes(OLE_MAGIC + b"\x00" * 504), "已加密"),
        (lambda p: p.write_bytes(b"PK\x03\x04 truncated"), "已损坏"),
        (lambda p: p.write_bytes("姓名,电话\n".encode()), "已损坏"),
        (corrupt_zip, "已损坏"),
        (lambda p: workbook(p, {"a": [], "b": [[None]]}), "都为空"),
    ],
    ids=["empty", "encrypted-ole", "truncated-zip", "csv-renamed", "broken-xml", "all-empty"],
)
def test_unreadable_workbooks(tmp_path: Path, write: Any, reason: str) -> None:
    path = tmp_path / "f.xlsx"
    write(path)
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).batches())
    assert reason in info.value.reason


def test_the_file_is_not_modified(tmp_path: Path, read_table: ReadTable) -> None:
    path = workbook(tmp_path / "f.xlsx", {"s": [["a"], [1]]})
    before = path.read_bytes()
    read_table(open_source(path))
    assert path.read_bytes() == before


def truncate_sheet(source: Path, target: Path, member: str, keep: float = 0.5) -> Path:
    """A copy of the workbook with one worksheet's XML cut short."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = data[: int(len(data) * keep)]
            zout.writestr(item, data)
    return target


def test_a_corrupt_sheet_is_reported_and_the_others_are_read(
    tmp_path: Path, read_table: ReadTable
) -> None:
    rows = [["n"]] + [[i] for i in range(2000)]
    ok = workbook(tmp_path / "ok.xlsx", {"A": [["a"], [1]], "B": rows, "C": [["c"], [3]]})
    source = open_source(
        truncate_sheet(ok, tmp_path / "f.xlsx", "xl/worksheets/sheet2.xml"), batch_rows=300
    )
    _, batches = read_table(source)
    by_sheet = {s: [b for b in batches if b.sheet == s] for s in ("A", "B", "C")}
    assert [b.frame.rows() for b in by_sheet["A"]] == [[("1",)]]
    assert [b.frame.rows() for b in by_sheet["C"]] == [[("3",)]]
    read_b = [v for b in by_sheet["B"] for v in b.frame["n"].to_list()]
    assert 0 < len(read_b) < 2000 and read_b == [str(i) for i in range(len(read_b))]
    (error,) = source.errors
    assert "B" in error and "已损坏" in error


def test_a_workbook_whose_only_sheet_is_corrupt_is_unreadable(tmp_path: Path) -> None:
    ok = workbook(tmp_path / "ok.xlsx", {"A": [["a"], [1]]})
    path = truncate_sheet(ok, tmp_path / "f.xlsx", "xl/worksheets/sheet1.xml", keep=0.7)
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).batches())
    assert "已损坏" in info.value.reason and "A" in info.value.reason


def test_the_workbook_opened_to_check_the_file_is_the_one_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_table: ReadTable
) -> None:
    """Loading a workbook parses every shared string (a quarter of a million took 1.8 s), and
    the scan loaded it twice: once to check the file when it was opened, once to read it."""
    import openpyxl

    loads: list[object] = []
    real = openpyxl.load_workbook

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counted)
    path = workbook(tmp_path / "a.xlsx", {"客户": [["姓名", "手机"], ["张三", "13812345678"]]})
    source = open_source(path)
    frame, _ = read_table(source)
    assert len(loads) == 1 and frame.rows() == [("张三", "13812345678")]
    again, _ = read_table(source)  # a second read loads it again
    assert len(loads) == 2 and again.equals(frame)


def test_a_workbook_opened_and_never_read_is_closed_when_dropped(tmp_path: Path) -> None:
    import gc

    path = workbook(tmp_path / "a.xlsx", {"客户": [["姓名"], ["张三"]]})
    source = open_source(path)
    _, stream = source._loaded[0]  # type: ignore[attr-defined]
    del source
    gc.collect()
    assert stream.closed
