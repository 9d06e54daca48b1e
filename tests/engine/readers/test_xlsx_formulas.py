"""Formula cells: a cell with a cached value (``<v>``, what Excel always writes) reads as that
value, as it always did; a formula cell without one (openpyxl, pandas' openpyxl writer and
many exporters write ``<f>"13812345678"</f>`` and no value) reads as the text it shows when it
only joins texts of its row (``readers/formula_values.py``), else as its formula text, ``=``
included — the text protect loads and rewrites (docs/readers.md "Excel")."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import fromstring

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from baomi.engine.protect.table_formats import load_xlsx
from baomi.engine.readers import open_source
from baomi.engine.readers.xlsx import XlsxSource, cell_text
from tests.engine.protect.conftest import make_id, make_mobile
from tests.engine.readers.conftest import ReadTable

#: the sheet's namespace, for cell elements written by hand
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def formula_book(path: Path, rows: list[list[Any]]) -> Path:
    """A workbook as a script writes it (openpyxl: formulas with no cached value)."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def with_calc(path: Path, *, recalculate: bool) -> Path:
    """``path`` with its workbook part's ``<calcPr>`` as Excel writes it (no
    ``fullCalcOnLoad``: the values were computed), or with ``recalculate`` as XlsxWriter does
    (``fullCalcOnLoad="1"``: the cached values are placeholders)."""
    calc = '<calcPr calcId="191029"/>'
    if recalculate:
        calc = '<calcPr calcId="124519" fullCalcOnLoad="1"/>'
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "xl/workbook.xml":
                data = re.sub(r"<calcPr[^>]*/>", calc, data.decode()).encode()
            z.writestr(info, data)
    return path


def with_sheet_data(path: Path, rows_xml: str, *, recalculate: bool = False) -> Path:
    """``path`` with its first worksheet's ``<sheetData>`` replaced by ``rows_xml`` (cells
    written by hand: cached values, shared formulas) and no ``<dimension>``; its ``<calcPr>``
    as Excel writes it, or with ``recalculate`` as XlsxWriter does (:func:`with_calc`)."""
    with_calc(path, recalculate=recalculate)
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"<dimension [^>]*/>", "", data.decode())
                text = re.sub(
                    r"<sheetData>.*</sheetData>|<sheetData/>",
                    lambda _: f"<sheetData>{rows_xml}</sheetData>",
                    text,
                    flags=re.DOTALL,
                )
                data = text.encode()
            z.writestr(info, data)
    return path


def _header(*names: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{n}</t></is></c>' for i, n in enumerate(names)
    )
    return f'<row r="1">{cells}</row>'


def as_protect_loads(path: Path) -> list[tuple[Any, ...]]:
    (table,) = load_xlsx(path, "xlsx").tables
    return table.frame.rows()


def test_formulas_without_a_cached_value_read_as_what_they_show_or_their_text(
    tmp_path: Path, read_table: ReadTable
) -> None:
    rng = random.Random(7)
    m1, m2, m3, pid = make_mobile(rng), make_mobile(rng), make_mobile(rng), make_id(rng)
    rows: list[list[Any]] = [
        ["手机", "备注", "身份证", "数", "拆开"],
        [f'="{m1}"', f'=CONCATENATE("电话 ","{m2}")', f'="{pid}"', "=ROW()+1", "=A2&B2"],
        [f"={m3}", None, "张三", 5, f'=CONCATENATE("{m3[:3]}","{m3[3:]}")'],
    ]
    path = formula_book(tmp_path / "f.xlsx", rows)
    frame, _ = read_table(open_source(path))
    assert frame.columns == rows[0]
    assert frame.rows() == [
        # joins computed (=A2&B2 of two formula cells), =ROW()+1 not: its text
        (m1, f"电话 {m2}", pid, "=ROW()+1", f"{m1}电话 {m2}"),
        (m3, None, "张三", "5", m3),
    ]
    assert frame.rows() == as_protect_loads(path)  # the very texts protect rewrites


def test_a_cached_value_is_read_as_before(tmp_path: Path, read_table: ReadTable) -> None:
    rng = random.Random(8)
    m1, m2, m3 = make_mobile(rng), make_mobile(rng), make_mobile(rng)
    path = formula_book(tmp_path / "f.xlsx", [["x"]])
    with_sheet_data(
        path,
        _header("文本", "数", "空文本", "无值", "空值", "内联")
        + '<row r="2">'
        # Excel's cached results: a text, a number, the empty text of IF(…,"",…)
        + f'<c r="A2" t="str"><f>"{m1}"</f><v>{m1}</v></c>'
        + f'<c r="B2"><f>{m2}+0</f><v>{m2}</v></c>'
        + '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c>'
        # no cached value: none at all, or openpyxl's empty <v> on a cell typed as a number
        + f'<c r="D2"><f>"{m3}"</f></c>'
        + '<c r="E2"><f>"x"&amp;D2</f><v></v></c>'
        # a writer's result as an inline string: a cached value too
        + '<c r="F2" t="inlineStr"><f>"y"</f><is><t>y</t></is></c>'
        + "</row>",
    )
    frame, _ = read_table(open_source(path))
    # D2 and E2 have none: computed, E2 from D2's computed text
    assert frame.rows() == [(m1, m2, None, m3, f"x{m3}", "y")]
    assert frame.rows() == as_protect_loads(path)


def test_shared_formulas_read_as_protect_reads_them(tmp_path: Path, read_table: ReadTable) -> None:
    path = formula_book(tmp_path / "f.xlsx", [["x"]])
    with_sheet_data(
        path,
        _header("号", "甲", "乙")
        + '<row r="2"><c r="A2"><v>1</v></c>'
        + '<c r="B2"><f t="shared" ref="B2:B4" si="0">A2&amp;"号"</f></c>'
        + '<c r="C2" t="str"><f t="shared" ref="C2:C4" si="1">"乙"&amp;A2</f><v>乙1</v></c></row>'
        + '<row r="3"><c r="A3"><v>2</v></c>'
        + '<c r="B3"><f t="shared" si="0"/></c>'
        + '<c r="C3"><f t="shared" si="1"/></c></row>'
        + '<row r="4"><c r="A4"><v>3</v></c>'
        + '<c r="B4"><f t="shared" si="0"/></c>'
        + '<c r="C4" t="str"><f t="shared" si="1"/><v>乙3</v></c></row>',
    )
    frame, _ = read_table(open_source(path))
    # a shared formula's cells without a value are translated from its first cell, whether
    # that one has a value (乙) or not (甲)
    # that one has a value (乙) or not (甲) — and then computed with their rows
    assert frame.rows() == [("1", "1号", "乙1"), ("2", "2号", "乙2"), ("3", "3号", "乙3")]
    protect = load_workbook(path)["客户"]
    assert [protect[f"B{r}"].value for r in (2, 3, 4)] == ['=A2&"号"', '=A3&"号"', '=A4&"号"']
    assert protect["C3"].value == '="乙"&A3'
    assert as_protect_loads(path) == frame.rows()  # protect sees what the scan read


def test_an_array_formula_reads_as_its_text(tmp_path: Path, read_table: ReadTable) -> None:
    mobile = make_mobile(random.Random(9))
    wb = Workbook()
    ws: Any = wb.active
    ws.append(["手机", "数"])
    ws["A2"] = ArrayFormula("A2", f'={{"{mobile}"}}')
    ws["B2"] = 1
    wb.save(tmp_path / "f.xlsx")
    frame, _ = read_table(open_source(tmp_path / "f.xlsx"))
    assert frame.rows() == [(f'={{"{mobile}"}}', "1")]
    assert frame.rows() == as_protect_loads(tmp_path / "f.xlsx")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (ArrayFormula("A1:A3", '={"a";"b";"c"}'), '={"a";"b";"c"}'),
        (ArrayFormula("A1"), None),
        (DataTableFormula(ref="B2:C4", r1="A1"), None),  # no text of its own
    ],
)
def test_cell_text_of_formula_objects(value: Any, text: str | None) -> None:
    assert cell_text(value) == text


def test_a_long_sheet_is_streamed_with_its_formula_texts(
    tmp_path: Path, read_table: ReadTable
) -> None:
    rng = random.Random(10)
    mobiles = [make_mobile(rng) for _ in range(9)]
    rows: list[list[Any]] = [["手机", "数"]] + [[f'="{m}"', "=ROW()"] for m in mobiles]
    path = formula_book(tmp_path / "f.xlsx", rows)
    frame, batches = read_table(open_source(path, batch_rows=2))
    assert [b.offset for b in batches] == [0, 2, 4, 6, 8]
    assert frame.rows() == [(m, "=ROW()") for m in mobiles]


def test_the_cells_read_again_for_links_read_formulas_as_the_rows_do(tmp_path: Path) -> None:
    mobile = make_mobile(random.Random(11))
    path = formula_book(tmp_path / "f.xlsx", [["手机"], [f'="{mobile}"']])
    wb = load_workbook(path)
    wb["客户"]["A2"].hyperlink = f"tel:{mobile}"
    wb.save(path)
    source = open_source(path)
    assert isinstance(source, XlsxSource)
    list(source.batches())
    assert source._read_cell is not None  # a sheet with links: its cells are read again
    element = fromstring(f'<c xmlns="{MAIN}" r="A2"><f>"{mobile}"</f><v></v></c>')
    assert source._read_cell(element) == f'="{mobile}"'
    cached = fromstring(f'<c xmlns="{MAIN}" r="A2" t="str"><f>"{mobile}"</f><v>{mobile}</v></c>')
    # openpyxl's workbook asks to be recalculated: a cached value is a placeholder
    assert source._read_cell(cached) == f'="{mobile}"'
    excel = open_source(with_calc(path, recalculate=False))  # as Excel saves it
    assert isinstance(excel, XlsxSource)
    list(excel.batches())
    assert excel._read_cell is not None and excel._read_cell(cached) == mobile


def test_a_shared_formula_that_does_not_translate_reads_as_its_own_text(
    tmp_path: Path, read_table: ReadTable
) -> None:
    """Carried from C2 to A3, ``A2`` would leave the sheet on the left: openpyxl cannot
    translate it; the cell reads as the text it holds and the sheet is read on."""
    path = formula_book(tmp_path / "f.xlsx", [["x"]])
    with_sheet_data(
        path,
        _header("甲", "乙", "丙")
        + '<row r="2"><c r="C2"><f t="shared" ref="A2:C3" si="0">A2</f></c></row>'
        + '<row r="3"><c r="A3"><f t="shared" si="0"/></c><c r="B3"><v>7</v></c></row>',
    )
    source = open_source(path)
    frame, _ = read_table(source)
    assert frame.rows() == [(None, None, "=A2"), ("=", "7", None)]
    assert source.errors == []


def test_formulas_joining_each_other_in_a_cycle_read_as_their_text(
    tmp_path: Path, read_table: ReadTable
) -> None:
    path = formula_book(
        tmp_path / "f.xlsx",
        [["甲", "乙", "丙", "丁"], ['=B2&"x"', '=A2&"y"', '="z"&D2', "=ROW()"]],
    )
    frame, _ = read_table(open_source(path))
    # 丙 joins a formula that is not computed (=ROW()): its text too
    assert frame.rows() == [('=B2&"x"', '=A2&"y"', '="z"&D2', "=ROW()")]
    assert frame.rows() == as_protect_loads(path)
