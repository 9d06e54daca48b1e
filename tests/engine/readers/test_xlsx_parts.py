"""Excel reader, the workbook's other parts: protect rewrote a customer's mobile in a ``tel:``
link, a data validation's list, a chart's cached labels and a pivot cache, and ``--verify``
checked them, but the scan did not read them, so the inventory missed PI found only there.
Each is now an extra addressed as docs/readers.md says; defined names' constants too, and
embedded objects are named in ``errors``. Generated data only."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from baomi.engine.readers import open_source, xlsx_cells
from baomi.engine.readers import xlsx_parts as xp
from baomi.engine.readers.base import Extra
from tests.engine.protect.conftest import customer_sheet, make_mobile
from tests.engine.protect.test_pivot_caches import pivot_workbook
from tests.engine.test_scan_extras import rewrite_zip


def read(path: Path) -> tuple[list[Extra], list[str]]:
    src = open_source(path)
    list(src.batches())
    return list(src.extras()), src.errors


def addressed(extras: list[Extra]) -> list[tuple[Any, ...]]:
    return [(e.sheet, e.row, e.column, e.text, e.on_row) for e in extras]


def test_links_go_with_their_cells_validations_after_the_page_headers(tmp_path: Path) -> None:
    rng = random.Random(5)
    m = [make_mobile(rng) for _ in range(5)]
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名", "邮箱", "手机"])
    ws.append(["张三", "a@example.com", m[0]])
    ws.append(["李四", "b@example.com", m[1]])
    ws["B2"].hyperlink = "mailto:a@example.com?subject=回访"
    # its address only restates its cell (the cell's PI): left out; the tip says more
    ws["C3"].hyperlink = Hyperlink(ref="C3", target=f"tel:{m[1]}", tooltip=f"拨打 {m[1]}")
    ws["C1"].hyperlink = f"tel:{m[2]}"  # on the header row: after the data rows
    ws["C2"].comment = Comment("回访", "")
    ws.oddHeader.center.text = "客户名单"
    rule = DataValidation(type="list", formula1=f'"{m[3]},{m[4]}"', prompt="请选择")
    ws.add_data_validation(rule)
    rule.add("C2:C3")
    wb.save(tmp_path / "a.xlsx")

    extras, errors = read(tmp_path / "a.xlsx")

    assert not errors
    assert addressed(extras) == [
        ("客户", 0, "链接：邮箱", "mailto:a@example.com?subject=回访", True),
        ("客户", 0, "批注：手机", "回访", True),
        ("客户", 1, "链接提示：手机", f"拨打 {m[1]}", True),
        ("客户", 2, "链接：手机", f"tel:{m[2]}", False),
        ("客户", 3, "页眉：中", "客户名单", False),
        ("客户", 4, "数据验证：公式1", f'"{m[3]},{m[4]}"', False),
        ("客户", 4, "数据验证：输入信息", "请选择", False),
        (None, 0, "文档属性：作者", "openpyxl", False),
    ]


@pytest.mark.parametrize(
    ("text", "cell", "restated"),
    [
        ("mailto:kehu1@example.com", "kehu1@example.com", True),  # Excel's own link
        ("MAILTO:kehu1@example.com", "kehu1@example.com", True),
        ("mailto:kehu1%40example.com", "kehu1@example.com", True),
        ("kehu1@example.com", " kehu1@example.com ", True),  # the text it shows
        ("mailto:kehu1@example.com?subject=回访", "kehu1@example.com", False),
        ("mailto:kehu2@example.com", "kehu1@example.com", False),
        ("tel:13812345678", "13812345678", True),
        ("tel:+86-138-1234-5678", "138 1234 5678", True),
        ("tel:(0755)6130-3416", "0755-61303416", True),
        ("tel:13812345678", "13812345679", False),
        ("拨打 13812345678", "13812345678", False),
        ("http://www.example.com/", "www.example.com", True),  # Excel's link of www.…
        (
            "https://crm.example.com/c?phone=13812345678",
            "crm.example.com/c?phone=13812345678",
            True,
        ),
        ("https://crm.example.com/c?phone=13812345678", "13812345678", False),
        ("ftp://example.com", "example.com", False),
        ("mailto:", "mailto:x", False),
        ("tel:13812345678", " ", False),
    ],
)
def test_what_a_link_only_restates_of_its_cell(text: str, cell: str, restated: bool) -> None:
    assert xp.restates(text, cell) is restated


def shared_strings(path: Path, prefix: str = "") -> None:
    """Rewrite ``path`` (openpyxl writes strings inline) with its strings shared, as Excel
    writes them (``t="s"``, ``xl/sharedStrings.xml``), and with ``prefix`` its sheets'
    elements prefixed (``<x:c>``), as some exporters write them."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings: list[str] = []
    inline = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is><t>(.*?)</t></is></c>')

    def share(m: re.Match[str]) -> str:
        strings.append(m.group(3))
        return f'<c {m.group(1)}t="s"{m.group(2)}><v>{len(strings) - 1}</v></c>'

    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    for name, data in members.items():
        if name.startswith("xl/worksheets/sheet"):
            xml = inline.sub(share, data.decode())
            if prefix:  # every element of the sheet's own namespace
                xml = re.sub(r"<(/?)(?=[A-Za-z])(?![\w.-]+:)", rf"<\1{prefix}:", xml)
                xml = xml.replace(f'xmlns="{main}"', f'xmlns:{prefix}="{main}"', 1)
            members[name] = xml.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    items = "".join(f"<si><t>{t}</t></si>" for t in strings)
    members["xl/sharedStrings.xml"] = f'<sst xmlns="{main}">{items}</sst>'.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.mark.parametrize("written", ["openpyxl", "excel", "prefixed"])
def test_what_a_link_restates_of_its_data_cell_is_left_out(tmp_path: Path, written: str) -> None:
    """Excel links a typed e-mail address to ``mailto:`` + itself, CRM exports a phone to
    ``tel:`` + itself: the link's texts that only restate the data cell they are on are not
    read (the cell's PI is found in the cell); a link saying more, to another address, or on
    the header is read as before — a text on a data cell with that cell's column and text,
    for the scan to count the cell's own identifier in it once (``Extra.cell``). The cell is
    read as the rows read it: a shared string, an inline one, a phone stored as a number,
    elements with a namespace prefix."""
    rng = random.Random(12)
    m = [make_mobile(rng) for _ in range(2)]
    wb, ws = customer_sheet(
        ["姓名", "邮箱", "手机"],
        ["张三", "a@example.com", int(m[0])],
        ["李四", "b@example.com", m[1]],
    )
    ws["B1"].hyperlink = Hyperlink(ref="B1", target="mailto:kefu@example.com", display="邮箱")
    ws["B2"].hyperlink = Hyperlink(ref="B2", target="mailto:a@example.com", display="a@example.com")
    ws["C2"].hyperlink = Hyperlink(ref="C2", target=f"tel:{m[0]}", tooltip=m[0])
    ws["B3"].hyperlink = "mailto:daili@example.org"
    ws["C3"].hyperlink = Hyperlink(ref="C3", target=f"tel:{m[1]}", tooltip=f"拨打 {m[1]}")
    path = tmp_path / "a.xlsx"
    wb.save(path)
    if written != "openpyxl":
        shared_strings(path, "x" if written == "prefixed" else "")
        with zipfile.ZipFile(path) as z:
            assert b't="s"' in z.read("xl/worksheets/sheet1.xml")

    src = open_source(path)
    rows = [b.frame.rows() for b in src.batches()]
    extras = list(src.extras())

    assert rows == [[("张三", "a@example.com", m[0]), ("李四", "b@example.com", m[1])]]
    assert not src.errors
    assert [(e.row, e.column, e.text, e.cell) for e in extras if "链接" in (e.column or "")] == [
        (1, "链接：邮箱", "mailto:daili@example.org", ("邮箱", "b@example.com")),
        (1, "链接提示：手机", f"拨打 {m[1]}", ("手机", m[1])),
        (2, "链接：邮箱", "mailto:kefu@example.com", None),  # the header's: not a data cell
        (2, "链接文字：邮箱", "邮箱", None),
    ]


@pytest.mark.parametrize("chunk", [7, 100, 1 << 20])
def test_linked_cells_are_read_whole_across_pieces_of_the_xml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The cells the links are on are read again from the sheet's XML in pieces: a cell or a
    row cut between two pieces is still read whole."""
    rng = random.Random(13)
    wb, ws = customer_sheet(["编号", "邮箱", "手机", "备注"])
    for i in range(40):
        ws.append([f"K{i:03d}", f"kehu{i}@example.com", int(make_mobile(rng))])
        ws[f"B{i + 2}"].hyperlink = f"mailto:kehu{i}@example.com"
        ws[f"C{i + 2}"].hyperlink = f"tel:{ws[f'C{i + 2}'].value}"
    ws["B30"].hyperlink = "mailto:daili@example.org"
    ws["D7"] = "见邮件"
    ws["D7"].hyperlink = "mailto:kefu@example.com"
    path = tmp_path / "a.xlsx"
    wb.save(path)
    shared_strings(path)
    monkeypatch.setattr(xlsx_cells, "_CHUNK", chunk)

    extras, errors = read(path)

    assert not errors
    assert [(e.row, e.column, e.text) for e in extras if "链接" in (e.column or "")] == [
        (5, "链接：备注", "mailto:kefu@example.com"),
        (28, "链接：邮箱", "mailto:daili@example.org"),
    ]


def test_chart_texts_follow_the_sheet_and_a_chart_sheet_has_its_own(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrData, StrRef, StrVal

    names = ["张伟明", "李秀英"]

    def chart(ws: Any, title: str) -> BarChart:
        c = BarChart()
        c.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
        c.title = title
        cache = StrData(ptCount=2, pt=[StrVal(idx=i, v=n) for i, n in enumerate(names)])
        c.series[0].cat = AxDataSource(strRef=StrRef(f="'客户'!$A$2:$A$3", strCache=cache))
        return c

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名", "消费"])
    for i, n in enumerate(names):
        ws.append([n, i])
    ws.add_chart(chart(ws, "消费排行"), "D2")
    wb.create_chartsheet("图").add_chart(chart(ws, "另一张"))
    wb.save(tmp_path / "c.xlsx")

    extras, errors = read(tmp_path / "c.xlsx")

    assert not errors
    got = [(e.sheet, e.row, e.column, e.text) for e in extras if e.column != "文档属性：作者"]
    assert got == [
        ("客户", 2, "图表：标题", "消费排行"),
        ("客户", 3, "图表：类别", "张伟明"),
        ("客户", 4, "图表：类别", "李秀英"),
        ("图", 0, "图表：标题", "另一张"),
        ("图", 1, "图表：类别", "张伟明"),
        ("图", 2, "图表：类别", "李秀英"),
    ]


def test_pivot_cache_values_are_read_by_field(tmp_path: Path) -> None:
    rng = random.Random(8)
    names = ["张伟明", "李秀英"]
    mobiles = [make_mobile(rng) for _ in names]
    pivot_workbook(tmp_path / "p.xlsx", names, mobiles, ["回电", "老客户"])

    extras, errors = read(tmp_path / "p.xlsx")

    assert not errors
    cache = [(e.sheet, e.row, e.column, e.text) for e in extras if "透视" in (e.column or "")]
    assert cache == [
        (None, 0, "数据透视表缓存：姓名", "张伟明"),
        (None, 1, "数据透视表缓存：姓名", "李秀英"),
        # the records' inline values: a mobile stored as a number keeps its digits
        (None, 0, "数据透视表缓存：手机", mobiles[0]),
        (None, 0, "数据透视表缓存：备注", "回电"),
        (None, 0, "数据透视表缓存：金额", "100"),
        (None, 1, "数据透视表缓存：手机", mobiles[1]),
        (None, 1, "数据透视表缓存：备注", "老客户"),
        (None, 1, "数据透视表缓存：金额", "100"),
    ]


@pytest.mark.parametrize(
    ("value", "literals"),
    [
        ('"13812345678"', ['"13812345678"']),
        ('="张三"', ['"张三"']),
        ("13812345678", ["13812345678"]),
        ('{"张三","李四";1,TRUE}', ['"张三"', '"李四"', "1"]),
        ('"说""是"""', ['"说""是"""']),
        ("Sheet1!$A$1", None),
        ("'客户'!$A$1:$C$9", None),
        ('IF(A1>0,"13812345678","")', None),
        ('"138"&"12345678"', None),
        ("#REF!", None),
    ],
)
def test_a_defined_name_is_a_constant_or_left_alone(value: str, literals: Any) -> None:
    spans = xp.constant_literals(value)
    assert (None if spans is None else [value[a:b] for a, b in spans]) == literals


def test_defined_name_constants_and_embedded_objects(tmp_path: Path) -> None:
    rng = random.Random(9)
    mobile = make_mobile(rng)
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名"])
    ws.append(["张三"])
    wb.defined_names["回访号码"] = DefinedName("回访号码", attr_text=f'"{mobile}"')
    wb.defined_names["区域"] = DefinedName("区域", attr_text="客户!$A$1:$A$2")
    ws.defined_names["经办"] = DefinedName("经办", attr_text='="王建华"')
    wb.save(tmp_path / "n.xlsx")
    embedded = tmp_path / "e.xlsx"
    rewrite_zip(tmp_path / "n.xlsx", embedded, lambda n: False, lambda d: d)
    with zipfile.ZipFile(embedded, "a") as z:
        z.writestr("xl/embeddings/Microsoft_Word_Document1.docx", b"PK\x05\x06" + b"\0" * 18)

    extras, errors = read(embedded)

    names = [(e.sheet, e.row, e.column, e.text) for e in extras if "名称" in (e.column or "")]
    assert sorted(names) == [
        (None, 0, "定义名称：回访号码", f'"{mobile}"'),
        (None, 0, "定义名称：客户!经办", '="王建华"'),
    ]
    (note,) = errors
    assert "xl/embeddings/Microsoft_Word_Document1.docx" in note and "嵌入" in note
    assert read(tmp_path / "n.xlsx")[1] == []


def test_a_workbook_without_those_parts_opens_none_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No chart, no link: no drawing, rels or chart part is read; the sheet is not read
    twice."""
    wb = Workbook()
    ws: Any = wb.active
    ws.append(["姓名", "手机"])
    ws.append(["张三", "x"])
    wb.save(tmp_path / "p.xlsx")
    opened: list[str] = []
    real = zipfile.ZipFile.read

    def spy(self: zipfile.ZipFile, name: Any, pwd: Any = None) -> bytes:
        opened.append(str(name))
        return real(self, name, pwd)

    src = open_source(tmp_path / "p.xlsx")
    list(src.batches())
    monkeypatch.setattr(zipfile.ZipFile, "read", spy)
    list(src.extras())
    assert not [n for n in opened if "sheet" in n or "drawing" in n or "chart" in n]
