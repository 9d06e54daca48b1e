"""A title row above a table's header (``2024年客户名单``): the header is the row after it, and
the title's text is read beside the cells (docs/readers.md "Title rows")."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine.checksums import resident_id_check_char
from baomi.engine.readers import open_source
from baomi.engine.readers.header import title_rows
from tests.engine.readers.conftest import ReadTable
from tests.engine.readers.test_xlsx import workbook

ID_BODY = "11010119900307123"
ID = ID_BODY + resident_id_check_char(ID_BODY)
HEADER = ["姓名", "手机号", "身份证号"]
ROWS = [["张三", "13812345678", ID], ["李四", "13987654321", None]]
NAMES = ["姓名", "手机号", "身份证号"]


@pytest.mark.parametrize(
    ("rows", "titles"),
    [
        # a title, then the header
        ([["2024年客户名单"], HEADER, ROWS[0]], 1),
        ([["客户信息表（导出时间 2024-05-01）", None, None], HEADER], 1),
        # the title and a date beside it
        ([["客户名单", None, "2024-05-01"], HEADER, ROWS[0]], 1),
        # two title rows: a title, then an export time on its own line
        ([["客户名单"], ["导出时间：2024-05-01"], HEADER, ROWS[0]], 2),
        # the title holds PI: still a title (its text is read beside the cells)
        ([["张三的客户名单 13812345678"], HEADER], 1),
        # no title: the first row is the header
        ([HEADER, ROWS[0]], 0),
        # a one-column table keeps its header (a list of phones)
        ([["手机号"], ["13812345678"], ["13987654321"]], 0),
        # a one-column table under a title: the header names the kind of identifier the row
        # below holds (a valid mobile under 手机号), and the title reads as one (名单, a year)
        ([["客户名单"], ["手机号"], ["13812345678"]], 1),
        ([["客户手机号清单"], ["手机号"], ["13812345678"], ["13987654321"]], 1),
        ([["2024年客户名单"], ["联系电话"], ["13812345678"]], 1),
        ([["客户名单", "2024-05-01"], ["手机号"], ["13812345678"]], 1),
        ([["客户名单"], ["导出时间：2024-05-01"], ["手机号"], ["13812345678"]], 2),
        ([["客户名单"], ["单位：个人"], ["导出时间：2024-05-01"], ["手机号"], ["13812345678"]], 3),
        ([["客户邮箱清单"], ["邮箱"], ["zhang.san@example.com"]], 1),
        ([["身份证号登记表"], ["身份证号"], [ID]], 1),
        ([[None, "客户名单"], [None, "手机号"], [None, "13812345678"]], 1),
        # ... or one in its default display mask (an export already masked, a package)
        ([["客户手机号清单"], ["手机号"], ["139****5678"]], 1),
        ([["客户名单"], ["身份证号"], ["110101********1234"]], 1),
        ([["客户名单"], ["邮箱"], ["z***@example.com"]], 1),
        # ... and not otherwise: the row below holds no identifier of the header's kind
        ([["客户名单"], ["手机号"], ["z***@example.com"]], 0),
        ([["客户名单"], ["手机号"], ["***"]], 0),
        ([["客户手机号清单"], ["手机号"], ["未登记"], ["13812345678"]], 0),
        ([["客户名单"], ["手机号"], ["zhang.san@example.com"]], 0),
        ([["客户名单"], ["手机号"], [ID]], 0),
        ([["客户名单"], ["手机号", None], [None, "13812345678"]], 0),
        # a one-column list of names under a title: names have no check, but a label naming
        # people (the name column's header words: 姓名, 客户姓名, 联系人) over a value that
        # reads as a Chinese name (2-4 Han characters from a common surname) is the header —
        # a name is never a header word
        ([["客户名单"], ["姓名"], ["张三"]], 1),
        ([["客户名单"], ["姓名"], ["张三"], ["李四"]], 1),
        ([["2024年客户名单"], ["客户姓名"], ["欧阳明月"], ["李四"]], 1),
        ([["客户通讯录"], ["联系人"], ["王五"]], 1),
        ([["Customer list"], ["Name"], ["王五"]], 1),
        ([["客户名单"], ["导出时间：2024-05-01"], ["姓名"], ["张三"]], 2),
        ([["客户名单", "2024-05-01"], ["姓名"], ["张三"]], 1),
        ([[None, "客户名单"], [None, "姓名"], [None, "张三"]], 1),
        # ... over a first title row whose text holds a header word (客户名单: 客户名)
        ([["2024年"], ["客户名单"], ["姓名"], ["张三"]], 2),
        # ... or over a name in a mask protect writes: the surname shown, then one to three
        # mask characters, maybe the last character (张*明 / 王*, or a package's 张***明)
        ([["客户名单"], ["姓名"], ["张*"]], 1),
        ([["客户名单"], ["姓名"], ["张**"]], 1),
        ([["客户名单"], ["姓名"], ["张*明"], ["李*"]], 1),
        ([["客户名单"], ["姓名"], ["张***明"]], 1),
        ([["客户名单"], ["客户姓名"], ["欧**月"]], 1),
        # ... and not otherwise: no name below (a placeholder, a place that may be a city,
        # a mask hiding the surname, an identifier, a header word), the label names no
        # person, the values are no names, or nothing reads as a title
        ([["客户名单"], ["姓名"], ["未知"], ["张三"]], 0),
        ([["客户名单"], ["姓名"], ["武汉"]], 0),
        ([["客户名单"], ["姓名"], ["**"]], 0),
        ([["客户名单"], ["姓名"], ["*三"]], 0),
        ([["客户名单"], ["姓名"], ["张****"]], 0),
        ([["客户名单"], ["姓名"], ["张*明明"]], 0),
        ([["客户名单"], ["姓名"], ["13812345678"]], 0),
        ([["岗位列表"], ["负责人"], ["经办人"]], 0),
        ([["客户名单"], ["备注"], ["张三"]], 0),
        ([["客户名单"], ["姓名", None], [None, "张三"]], 0),
        ([["姓名"], ["联系人"], ["张三"]], 0),
        ([["姓名"], ["张三"], ["李四"]], 0),
        # a title over names without a label: the list has no header (read as before, the
        # title is the header: a name is never a header word)
        ([["客户名单"], ["张三"], ["李四"]], 0),
        ([["2024年客户名单"], ["张*"], ["李*"]], 0),
        # a first row without a title's word or figure is a one-column header over a value
        ([["手机号"], ["备用手机"], ["13812345678"]], 0),
        # ... and one with a title's word is a title: a one-column table headed 手机号列表
        # whose first value is a label naming a mobile (备用手机) is not an export's shape
        ([["手机号列表"], ["备用手机"], ["13812345678"]], 1),
        ([["手机号列表"], ["备用手机"], ["139****5678"]], 1),
        # a one-column list without a header: its first row is a record, or a plain value
        ([["13812345678"], ["13987654321"], ["13612345678"]], 0),
        ([["张三"], ["李四"], ["王五"]], 0),
        ([["客户名单"], ["13812345678"], ["13987654321"]], 0),
        # a header whose only filled cell is the first, over data: data holds identifiers
        ([["姓名", None, None], ["张三", "13812345678", ID]], 0),
        # ... or numbers and dates
        ([["备注", None, None], ["张三", "2024-05-01", "1200.50"]], 0),
        ([["备注", None], ["张三", "88"]], 0),
        # the row after is no wider than the title: data, not a header
        ([["客户名单", "2024-05-01"], ["张三", "李四"]], 0),
        # the first row is a record (a list without a header)
        ([["13812345678"], HEADER], 0),
        # a header of numbers (years) is not a header shape: nothing skipped
        ([["销售额"], ["2023", "2024"]], 0),
        # repeated cells are not a header
        ([["客户名单"], ["张三", "张三"]], 0),
        # a two-cell header over wider text rows: two words are a header's shape, a title
        # is one text (and maybe a date beside it)
        ([[None, "姓名", "手机"], [None, "张三", "x", "y"]], 0),
        # three filled cells is a header, not a title
        ([HEADER, ["地址", "邮编", "备注"]], 0),
        # an ambiguous case decided for the title: a one-cell first row over a row of short
        # distinct texts without numbers (a header with one name over a text-only record
        # cannot be told from it; text-only records are rare in customer data)
        ([["客户名单", None], ["张三", "北京"]], 1),
        ([], 0),
        ([["客户名单"]], 0),
    ],
)
def test_title_rows(rows: list[list[str | None]], titles: int) -> None:
    assert title_rows(rows) == titles


def _csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


BODY = ["姓名,手机号,身份证号", f"张三,13812345678,{ID}", "李四,13987654321,"]


@pytest.mark.parametrize(
    "title",
    [
        "2024年客户名单",  # alone on its line: fewer fields than the header
        "2024年客户名单,,",  # with trailing commas
        '"客户信息表（导出时间 2024-05-01）",,',  # quoted
        "客户名单,,2024-05-01",  # and a date
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_a_csv_title_row_is_not_the_header(
    tmp_path: Path, read_table: ReadTable, title: str, encoding: str
) -> None:
    path = _csv(tmp_path / "t.csv", [title, *BODY], encoding)
    src = open_source(path)
    frame, batches = read_table(src)
    assert frame.columns == NAMES
    assert frame.rows() == [("张三", "13812345678", ID), ("李四", "13987654321", None)]
    assert batches[0].offset == 0
    assert src.skipped_rows == 0
    extras = list(src.extras())
    texts = [(e.sheet, e.row, e.column, e.text) for e in extras]
    assert texts[0][:3] == (None, 2, "标题：姓名")  # after the data rows
    assert all(not e.on_row for e in extras)
    if title.endswith("2024-05-01"):
        assert texts[1] == (None, 2, "标题：身份证号", "2024-05-01")


def test_csv_rows_keep_their_numbers_after_a_title_with_a_broken_row(
    tmp_path: Path, read_table: ReadTable
) -> None:
    path = _csv(tmp_path / "t.csv", ["客户名单", "", *BODY[:2], "王五,1,2,3,4", BODY[2]])
    src = open_source(path)
    _, batches = read_table(src)
    assert [(b.offset, b.frame.height) for b in batches] == [(0, 1), (2, 1)]
    assert src.skipped_rows == 1
    assert [(e.row, e.text) for e in src.extras()] == [(3, "客户名单")]


def test_a_csv_title_row_with_a_semicolon_table(tmp_path: Path, read_table: ReadTable) -> None:
    path = _csv(tmp_path / "t.csv", ["客户名单", *(line.replace(",", ";") for line in BODY)])
    frame, _ = read_table(open_source(path))
    assert frame.columns == NAMES
    assert frame.height == 2


def test_a_csv_without_a_title_has_no_extras(tmp_path: Path, read_table: ReadTable) -> None:
    src = open_source(_csv(tmp_path / "t.csv", BODY))
    frame, _ = read_table(src)
    assert frame.columns == NAMES
    assert list(src.extras()) == []


def test_a_one_column_csv_keeps_its_header(tmp_path: Path, read_table: ReadTable) -> None:
    src = open_source(_csv(tmp_path / "t.csv", ["手机号", "13812345678", "13987654321"]))
    frame, _ = read_table(src)
    assert frame.columns == ["手机号"]
    assert frame.height == 2


def test_an_xlsx_title_row_is_not_the_header(tmp_path: Path, read_table: ReadTable) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        {
            "客户": [["2024年客户名单", None, "导出 2024-05-01"], [], HEADER, *ROWS],
            "无标题": [HEADER, *ROWS],
        },
    )
    src = open_source(path)
    _, batches = read_table(src)
    assert [(b.sheet, b.offset, b.frame.columns) for b in batches] == [
        ("客户", 0, NAMES),
        ("无标题", 0, NAMES),
    ]
    assert batches[0].frame.rows() == [tuple(r) for r in ROWS]
    extras = [(e.sheet, e.row, e.column, e.text) for e in src.extras() if e.sheet is not None]
    assert extras == [
        ("客户", 2, "标题：姓名", "2024年客户名单"),
        ("客户", 2, "标题：身份证号", "导出 2024-05-01"),
    ]


PHONES = ["13812345678", "13987654321", "15012345678"]


@pytest.mark.parametrize(
    "title", ["客户手机号清单", "2024年客户名单,", "客户名单\n导出时间：2024-05-01"]
)
@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-16"])
def test_a_one_column_csv_title_row_is_not_the_header(
    tmp_path: Path, read_table: ReadTable, title: str, encoding: str
) -> None:
    path = _csv(tmp_path / "t.csv", [title, "", "手机号", *PHONES], encoding)
    src = open_source(path)
    frame, batches = read_table(src)
    assert frame.columns == ["手机号"]
    assert frame.rows() == [(p,) for p in PHONES]
    assert batches[0].offset == 0
    assert src.skipped_rows == 0
    titles = [line.rstrip(",") for line in title.split("\n")]
    assert [(e.row, e.column, e.text) for e in src.extras()] == [
        (len(PHONES) + i, "标题：手机号", t) for i, t in enumerate(titles)
    ]


@pytest.mark.parametrize(
    ("lines", "columns", "height"),
    [
        (["手机号", *PHONES], ["手机号"], 3),  # the first row is the header, as before
        (PHONES, ["column_1"], 3),  # no header: the first row is a record, data row 0
        (["张三", "李四", "王五"], ["张三"], 2),  # no header, no identifier: as before
        (["客户名单", "张三", "李四"], ["客户名单"], 2),  # names without a header: as before
    ],
)
def test_a_one_column_csv_without_a_title_is_read_as_before(
    tmp_path: Path, read_table: ReadTable, lines: list[str], columns: list[str], height: int
) -> None:
    src = open_source(_csv(tmp_path / "t.csv", lines))
    frame, _ = read_table(src)
    assert frame.columns == columns
    assert frame.height == height
    assert list(src.extras()) == []


def test_a_one_column_xlsx_title_row_is_not_the_header(
    tmp_path: Path, read_table: ReadTable
) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        {
            "手机": [["客户手机号清单"], [], ["手机号"], *([int(p)] for p in PHONES)],
            "两行标题": [
                ["客户名单"],
                ["导出时间 2024-05-01"],
                ["联系电话"],
                *([p] for p in PHONES),
            ],
            "无标题": [["手机号"], *([p] for p in PHONES)],
            "无表头": [*([p] for p in PHONES)],
        },
    )
    src = open_source(path)
    _, batches = read_table(src)
    assert [(b.sheet, b.offset, b.frame.columns, b.frame.height) for b in batches] == [
        ("手机", 0, ["手机号"], 3),
        ("两行标题", 0, ["联系电话"], 3),
        ("无标题", 0, ["手机号"], 3),
        ("无表头", 0, ["column_1"], 3),
    ]
    assert batches[0].frame.rows() == [(p,) for p in PHONES]
    extras = [(e.sheet, e.row, e.column, e.text) for e in src.extras() if e.sheet is not None]
    assert extras == [
        ("手机", 3, "标题：手机号", "客户手机号清单"),
        ("两行标题", 3, "标题：联系电话", "客户名单"),
        ("两行标题", 4, "标题：联系电话", "导出时间 2024-05-01"),
    ]


NAMES_LIST = ["张三", "李四", "欧阳明月"]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-16"])
def test_a_one_column_csv_of_names_under_a_title_keeps_its_header(
    tmp_path: Path, read_table: ReadTable, encoding: str
) -> None:
    path = _csv(tmp_path / "t.csv", ["客户名单", "姓名", *NAMES_LIST], encoding)
    src = open_source(path)
    frame, batches = read_table(src)
    assert frame.columns == ["姓名"]
    assert frame.rows() == [(n,) for n in NAMES_LIST]
    assert batches[0].offset == 0
    assert [(e.row, e.column, e.text) for e in src.extras()] == [
        (len(NAMES_LIST), "标题：姓名", "客户名单")
    ]


def test_a_one_column_xlsx_of_names_under_a_title_keeps_its_header(
    tmp_path: Path, read_table: ReadTable
) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        {
            "名单": [["2024年客户名单"], [], ["客户姓名"], *([n] for n in NAMES_LIST)],
            "已脱敏": [["客户名单"], ["姓名"], ["张*"], ["李*"], ["欧*明"]],
            "无表头": [["客户名单"], *([n] for n in NAMES_LIST)],
        },
    )
    src = open_source(path)
    _, batches = read_table(src)
    assert [(b.sheet, b.offset, b.frame.columns, b.frame.height) for b in batches] == [
        ("名单", 0, ["客户姓名"], 3),
        ("已脱敏", 0, ["姓名"], 3),
        ("无表头", 0, ["客户名单"], 3),
    ]
    assert batches[0].frame.rows() == [(n,) for n in NAMES_LIST]
    extras = [(e.sheet, e.row, e.column, e.text) for e in src.extras() if e.sheet is not None]
    assert extras == [
        ("名单", 3, "标题：客户姓名", "2024年客户名单"),
        ("已脱敏", 3, "标题：姓名", "客户名单"),
    ]
