"""Excel reader, the workbook's other parts: protect rewrote a customer's mobile in a ``tel:``
link, a data validation's list, a chart's cached labels and a pivot cache, and ``--verify``
checked them, but the scan did not read them, so the inventory missed PI found only there.
Each is now an extra addressed as docs/readers.md says; defined names' constants too, and
embedded objects are named in ``errors``. Generated data only."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from baomi.engine.readers import open_source
from baomi.engine.readers import xlsx_parts as xp
from baomi.engine.readers.base import Extra
from tests.engine.protect.conftest import make_mobile
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
    ws["B2"].hyperlink = "mailto:a@example.com"
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
        ("客户", 0, "链接：邮箱", "mailto:a@example.com", True),
        ("客户", 0, "批注：手机", "回访", True),
        ("客户", 1, "链接：手机", f"tel:{m[1]}", True),
        ("客户", 1, "链接提示：手机", f"拨打 {m[1]}", True),
        ("客户", 2, "链接：手机", f"tel:{m[2]}", False),
        ("客户", 3, "页眉：中", "客户名单", False),
        ("客户", 4, "数据验证：公式1", f'"{m[3]},{m[4]}"', False),
        ("客户", 4, "数据验证：输入信息", "请选择", False),
        (None, 0, "文档属性：作者", "openpyxl", False),
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
