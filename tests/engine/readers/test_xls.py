"""Legacy Excel reader (.xls): cells as an .xlsx's, sheets and title rows, comments and links,
the last saver; disguised, encrypted, broken and empty files refused with their reason."""

from __future__ import annotations

import shutil
import struct
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlwt

from baomi.engine import checksums
from baomi.engine.readers import open_source
from baomi.engine.readers.xls import HtmlTableSource, XlsSource
from baomi.engine.readers.xlsx import XlsxSource
from baomi.errors import UnreadableFileError
from tests.engine.readers.conftest import ReadTable, refused
from tests.engine.readers.test_xlsx import workbook

FIXTURES = Path(__file__).parent / "fixtures"


def legacy(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An Excel 97-2003 workbook holding ``sheets`` (xlwt: what old exports write)."""
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    sheet.write(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def resident_id(first17: str = "44030619900101002") -> str:
    return first17 + checksums.resident_id_check_char(first17)


def test_cells_read_as_an_xlsx_reads_them(tmp_path: Path, read_table: ReadTable) -> None:
    rows: list[list[Any]] = [
        ["姓名", "手机", "身份证号", "开户日期", "VIP", "积分"],
        ["张伟", 13800001111, resident_id(), date(2024, 3, 5), True, 1.5],
        ["李娜", "13900002222", None, datetime(2024, 3, 5, 9, 30), False, 3.0],
    ]
    old = open_source(legacy(tmp_path / "客户.xls", {"客户": rows}))
    new = open_source(workbook(tmp_path / "客户.xlsx", {"客户": rows}))
    assert isinstance(old, XlsSource)
    frame, batches = read_table(old)
    assert frame.equals(read_table(new)[0])
    assert frame.row(0) == ("张伟", "13800001111", resident_id(), "2024-03-05", "TRUE", "1.5")
    assert frame.row(1) == ("李娜", "13900002222", None, "2024-03-05T09:30:00", "FALSE", "3")
    assert {b.sheet for b in batches} == {"客户"}
    assert old.errors == []


def test_every_sheet_is_a_table_and_empty_rows_keep_their_numbers(
    tmp_path: Path, read_table: ReadTable
) -> None:
    path = legacy(
        tmp_path / "a.xls",
        {
            "客户": [["姓名", "手机"], ["张伟", "13800001111"], [], ["李娜", "13900002222"]],
            "空": [],
            "订单": [["订单号", "收货电话"], ["D1", "13700003333"]],
        },
    )
    _, batches = read_table(open_source(path, batch_rows=1))
    assert [(b.sheet, b.offset) for b in batches] == [
        ("客户", 0),
        ("客户", 1),
        ("客户", 2),
        ("订单", 0),
    ]
    assert batches[1].frame.row(0) == (None, None)  # the empty row is data row 1
    assert batches[3].frame.row(0) == ("D1", "13700003333")


def test_title_rows_are_read_beside_the_cells(tmp_path: Path, read_table: ReadTable) -> None:
    path = legacy(
        tmp_path / "a.xls",
        {
            "客户": [
                ["客户名单（联系人 13600004444）"],
                [],
                ["姓名", "手机"],
                ["张伟", "13800001111"],
            ]
        },
    )
    source = open_source(path)
    frame, _ = read_table(source)
    assert frame.columns == ["姓名", "手机"]
    extras = list(source.extras())
    assert [(e.sheet, e.row, e.column, e.text) for e in extras] == [
        ("客户", 1, "标题：姓名", "客户名单（联系人 13600004444）")
    ]


def test_the_last_saver_is_a_person_beside_the_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel writes who saved the file in the WRITEACCESS record: a BIFF8 Unicode string
    (its length, a flag byte, UTF-16), padded with blanks to 112 bytes (xlwt writes ASCII)."""

    def saved_by(_self: Any) -> bytes:
        name = "王经理"
        body = struct.pack("<HB", len(name), 1) + name.encode("utf-16-le")
        body += b" " * (112 - len(body))
        return struct.pack("<HH", 0x005C, len(body)) + body

    monkeypatch.setattr(xlwt.Workbook, "_Workbook__write_access_rec", saved_by)
    path = legacy(tmp_path / "a.xls", {"客户": [["姓名"], ["张伟"]]})
    extras = list(open_source(path).extras())
    assert [(e.column, e.text, e.person) for e in extras] == [
        ("文档属性：最后修改者", "王经理", True)
    ]


def test_comments_and_links_are_placed_as_a_workbooks() -> None:
    """The fixture (``fixtures/make_xls.py``, LibreOffice): a comment on a data cell and one on
    the header row, a link to another address and one that only restates its cell."""
    source = open_source(FIXTURES / "notes_links.xls")
    rows = [b.frame for b in source.batches()]
    assert sum(f.height for f in rows) == 2
    extras = [(e.sheet, e.row, e.column, e.text, e.on_row, e.cell) for e in source.extras()]
    assert extras[:3] == [
        ("客户", 0, "批注：姓名", "备用手机 13700003333", True, None),
        ("客户", 0, "链接：邮箱", "mailto:other@example.org", True, ("邮箱", "zw@example.com")),
        ("客户", 2, "批注：手机", f"负责人身份证 {resident_id('11010519850312004')}", False, None),
    ]
    # the link on C3 only restates its cell (mailto: + the cell's address): not read
    assert not any("ln@example.cn" in e[3] for e in extras)


def test_the_page_header_and_footer_are_read_as_a_workbooks(tmp_path: Path) -> None:
    """xlrd does not read a sheet's HEADER and FOOTER records: a contact typed into the page
    header (printed on every page) was never counted. They follow the comments and links, one
    row each, their sides as a .xlsx's; a header of codes alone (``&P``) is no text."""
    path = tmp_path / "客户.xls"
    book = xlwt.Workbook(encoding="utf-8")
    for title, header, footer in (
        ("客户", "&L客户名单&R联系人 李娜 13600004444", "&C第&P页"),
        ("空", "&P", "&F"),  # xlwt's defaults: codes only
    ):
        sheet = book.add_sheet(title)
        sheet.write(0, 0, "姓名")
        sheet.write(1, 0, "张伟")
        sheet._Worksheet__header_str = header  # xlwt's setter takes bytes it cannot decode
        sheet._Worksheet__footer_str = footer
    book.save(str(path))
    source = open_source(path)
    list(source.batches())
    extras = [(e.sheet, e.row, e.column, e.text) for e in source.extras()]
    assert extras == [
        ("客户", 1, "页眉：左", "客户名单"),
        ("客户", 1, "页眉：右", "联系人 李娜 13600004444"),
        ("客户", 2, "页脚：中", "第&P页"),
    ]
    # the same sheet saved as .xlsx reads the same
    new = workbook(tmp_path / "客户.xlsx", {"客户": [["姓名"], ["张伟"]]})
    import openpyxl

    wb = openpyxl.load_workbook(new)
    wb.active.oddHeader.left.text = "客户名单"
    wb.active.oddHeader.right.text = "联系人 李娜 13600004444"
    wb.active.oddFooter.center.text = "第&P页"
    wb.save(new)
    read = [(e.sheet, e.row, e.column, e.text) for e in open_source(new).extras() if e.sheet]
    assert read == extras


def test_an_xlsx_saved_under_the_old_name_is_read_as_one(
    tmp_path: Path, read_table: ReadTable
) -> None:
    path = workbook(tmp_path / "a.xlsx", {"客户": [["姓名", "手机"], ["张伟", "13800001111"]]})
    renamed = tmp_path / "客户.xls"
    shutil.copyfile(path, renamed)
    source = open_source(renamed)
    assert type(source) is XlsxSource
    assert read_table(source)[0].row(0) == ("张伟", "13800001111")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "空文件"),
        (b"\xef\xbb\xbf<html><body><p>13800001111</p></body></html>", "没有表格"),
        (
            b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "XML",
        ),
        (b"name,phone\n", "已损坏"),
    ],
)
def test_what_is_no_legacy_workbook_is_refused_with_its_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "客户.xls"
    path.write_bytes(content)
    assert reason in refused(path)


def test_a_truncated_workbook_is_refused_as_corrupt(tmp_path: Path) -> None:
    path = legacy(tmp_path / "a.xls", {"客户": [["手机"]] + [["13800001111"]] * 500})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).batches())
    assert "已损坏" in info.value.reason


def _looped_directory(data: bytes) -> bytes:
    """An OLE file whose root's child is its own left sibling: a cycle in the directory's
    tree (the header's sector size at 0x1E, the directory's first sector at 0x30; each entry
    128 bytes, its left sibling at 0x44 and child at 0x4C)."""
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    directory = (struct.unpack_from("<i", data, 0x30)[0] + 1) * size
    child = struct.unpack_from("<i", data, directory + 0x4C)[0]
    out = bytearray(data)
    struct.pack_into("<i", out, directory + 128 * child + 0x44, child)
    return bytes(out)


def test_a_workbook_whose_directory_loops_is_refused_as_corrupt(tmp_path: Path) -> None:
    """xlrd follows the compound file's directory tree recursively: a cycle in it raised
    RecursionError, and the whole scan stopped on one damaged workbook."""
    path = legacy(tmp_path / "a.xls", {"客户": [["手机"], ["13800001111"]]})
    path.write_bytes(_looped_directory(path.read_bytes()))
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).batches())
    assert "已损坏" in info.value.reason


def test_an_encrypted_workbook_is_refused_as_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FILEPASS record (a password to open, XOR obfuscation) after the workbook's
    write-access record, as Excel writes it."""
    original = xlwt.Workbook._Workbook__write_access_rec  # type: ignore[attr-defined]

    def with_password(self: Any) -> bytes:
        return bytes(original(self)) + struct.pack("<HHHHH", 0x002F, 6, 0, 0x1234, 0x5678)

    monkeypatch.setattr(xlwt.Workbook, "_Workbook__write_access_rec", with_password)
    path = legacy(tmp_path / "a.xls", {"客户": [["手机"], ["13800001111"]]})
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert "加密" in info.value.reason


PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>
<body><h1>客户列表</h1>
<table border="1">
<tr><td colspan="4">客户信息导出</td></tr>
<tr><th>姓名</th><th>手机</th><th>地址</th><th>备注</th></tr>
<tr><td>张伟</td><td style="mso-number-format:'\\@'">13800001111</td>
    <td rowspan="2">北京市朝阳区建国路1号</td><td>老客户<br/>  联系人&nbsp;13900002222</td></tr>
<tr><td>王芳</td><td>13700003333</td><td><table><tr><td>备用 13600004444</td></tr></table></td></tr>
</table>
<table><tr><th>订单号</th><th>收货电话</th></tr><tr><td>D001</td><td>13500005555</td></tr></table>
</body></html>"""


def test_a_web_page_saved_as_xls_is_read_table_by_table(
    tmp_path: Path, read_table: ReadTable
) -> None:
    """A web system's 导出 Excel: an HTML table in GB 2312 under ``.xls``, which Excel opens;
    it was refused. Spans place cells as a browser does, a nested table is its cell's text."""
    path = tmp_path / "客户导出.xls"
    path.write_bytes(PAGE.encode("gb18030"))
    source = open_source(path)
    assert isinstance(source, HtmlTableSource)
    _, batches = read_table(source)
    assert [(b.sheet, b.frame.columns) for b in batches] == [
        ("表1", ["姓名", "手机", "地址", "备注"]),
        ("表2", ["订单号", "收货电话"]),
    ]
    assert batches[0].frame.rows() == [
        ("张伟", "13800001111", "北京市朝阳区建国路1号", "老客户\n联系人 13900002222"),
        ("王芳", "13700003333", None, "备用 13600004444"),  # the address's rowspan: empty
    ]
    assert batches[1].frame.rows() == [("D001", "13500005555")]
    extras = [(e.sheet, e.row, e.column, e.text) for e in source.extras()]
    assert extras == [("表1", 2, "标题：姓名", "客户信息导出")]  # the colspan title row


def test_a_large_exported_page_is_read_whole(tmp_path: Path) -> None:
    rows = "".join(f"<tr><td>客户{i}</td><td>138{i:08d}</td></tr>\n" for i in range(20_000))
    path = tmp_path / "导出.xls"
    path.write_text(f"<table><tr><th>姓名</th><th>手机</th></tr>{rows}</table>", "utf-8")
    frames = [b.frame for b in open_source(path, batch_rows=4096).batches()]
    assert sum(f.height for f in frames) == 20_000
    assert frames[-1].row(-1) == ("客户19999", "13800019999")


def test_a_sheet_xlrd_cannot_load_is_named_and_the_others_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_table: ReadTable
) -> None:
    """xlrd raises its own errors for a sheet whose records it does not expect (a fuzzed file
    of Apache POI's): they escaped the reader as a crash."""
    import xlrd

    path = legacy(
        tmp_path / "a.xls",
        {"坏": [["手机"], ["13800001111"]], "好": [["手机"], ["13900002222"]]},
    )
    load = xlrd.book.Book.sheet_by_index

    def broken_first(book: Any, index: int) -> Any:
        if index == 0:
            raise xlrd.XLRDError("Expected BOF record")
        return load(book, index)

    monkeypatch.setattr(xlrd.book.Book, "sheet_by_index", broken_first)
    source = open_source(path)
    frame, batches = read_table(source)
    assert [b.sheet for b in batches] == ["好"] and frame.row(0) == ("13900002222",)
    assert source.errors == ["工作表“坏”已损坏，未读取"]


def test_a_name_formula_xlrd_cannot_parse_is_a_clear_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlrd
    from xlrd.formula import FormulaError

    path = legacy(tmp_path / "a.xls", {"客户": [["手机"], ["13800001111"]]})

    def unparsed(*_args: Any, **_kw: Any) -> Any:
        raise FormulaError("Token 0x2d (AreaN) found in NAME formula")

    monkeypatch.setattr(xlrd, "open_workbook", unparsed)
    assert "定义名称" in refused(path)


def test_the_workbook_opened_to_check_the_file_is_the_one_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_table: ReadTable
) -> None:
    """xlrd reads a workbook's globals and every shared string at each open, and the scan
    opened a legacy workbook twice: once to check the file, once to read it."""
    from baomi.engine.readers import xls

    opened: list[Path] = []
    real = xls._open_book

    def counted(path: Path) -> Any:
        opened.append(path)
        return real(path)

    monkeypatch.setattr(xls, "_open_book", counted)
    path = legacy(tmp_path / "a.xls", {"客户": [["姓名", "手机"], ["张三", "13812345678"]]})
    source = open_source(path)
    frame, _ = read_table(source)
    assert len(opened) == 1 and frame.rows() == [("张三", "13812345678")]
    again, _ = read_table(source)
    assert len(opened) == 2 and again.equals(frame)


def test_a_workbook_opened_and_never_read_is_released_when_dropped(tmp_path: Path) -> None:
    import gc

    source = open_source(legacy(tmp_path / "a.xls", {"客户": [["姓名"], ["张三"]]}))
    assert isinstance(source, XlsSource)
    (book,) = source._opened
    assert not book._resources_released
    del source
    gc.collect()
    assert book._resources_released
