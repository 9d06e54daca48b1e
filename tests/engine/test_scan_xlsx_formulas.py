"""A workbook written by a script holds formulas without cached values (``="13812345678"``):
the scan reads such a cell as its formula text, the text protect rewrites, so the scan counts
the personal information protect masks, at the characters protect masks (docs/scan.md); a
cell with a cached value is scanned by its value, as before."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from baomi.engine.scan import ScanOptions, scan_paths
from tests.engine.protect.conftest import make_id, make_mobile, protect_verified
from tests.engine.readers.test_xlsx_formulas import formula_book, with_sheet_data
from tests.engine.test_scan_extras import findings

PREFIX = '=CONCATENATE("电话 ","'
HEADER = ["手机", "备注", "身份证", "数", "拆开"]


def script_workbook(path: Path, rng: random.Random, n: int = 5) -> list[list[Any]]:
    """A customer list as a script writes it; its data rows as written."""
    rows: list[list[Any]] = []
    for _ in range(n):
        m1, m2, m3 = make_mobile(rng), make_mobile(rng), make_mobile(rng)
        rows.append(
            [
                f'="{m1}"',  # a string literal
                f'{PREFIX}{m2}")',  # the phone whole in one argument
                f'="{make_id(rng)}"',
                "=ROW()+1",  # a number: nothing to find
                f'=CONCATENATE("{m3[:3]}","{m3[3:]}")',  # cut in two: read by neither
            ]
        )
    formula_book(path, [HEADER, *rows])
    return rows


def _scan(root: Path, out: Path, batch_rows: int = 32768) -> Any:
    return scan_paths([root], out_dir=out, options=ScanOptions(prose=False, batch_rows=batch_rows))


@pytest.mark.parametrize("batch_rows", [32768, 2])
def test_pi_in_formulas_without_a_cached_value_is_found(tmp_path: Path, batch_rows: int) -> None:
    root = tmp_path / "data"
    root.mkdir()
    rows = script_workbook(root / "客户.xlsx", random.Random(1))
    result = _scan(root, tmp_path / "out", batch_rows)
    found = {(f["row"], f["column"]): f for f in findings(tmp_path / "out")}
    expected = {
        (r, column): (entity, start, end)
        for r in range(len(rows))
        for column, entity, start, end in (
            ("手机", "CN_MOBILE", 2, 13),  # ="13812345678": the digits inside the quotes
            ("备注", "CN_MOBILE", len(PREFIX), len(PREFIX) + 11),
            ("身份证", "CN_RESIDENT_ID", 2, 20),
        )
    }
    assert {k: (f["entity"], f["start"], f["end"]) for k, f in found.items()} == expected
    assert all(f["sheet"] == "客户" and f["file"] == "客户.xlsx" for f in found.values())
    (entry,) = result.inventory.files
    assert entry.rows == len(rows) and not entry.errors
    columns = {c.name: c for c in entry.columns}
    assert columns["数"].matches == 0 and columns["数"].non_empty == len(rows)
    assert columns["手机"].entity == "CN_MOBILE"
    # no value in the outputs
    text = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8")
    assert not any(row[0][2:13] in text for row in rows)


def test_a_cached_value_is_scanned_as_the_value(tmp_path: Path) -> None:
    """A formula cell Excel saved (its value cached) gives the findings the same workbook
    holding the values as plain cells gives."""
    rng = random.Random(2)
    mobiles = [make_mobile(rng) for _ in range(3)]
    cached, plain = tmp_path / "cached", tmp_path / "plain"
    cached.mkdir()
    plain.mkdir()
    formula_book(plain / "客户.xlsx", [["手机", "备注"]] + [[m, f"电话 {m}"] for m in mobiles])
    formula_book(cached / "客户.xlsx", [["x"]])
    with_sheet_data(
        cached / "客户.xlsx",
        '<row r="1"><c r="A1" t="inlineStr"><is><t>手机</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>备注</t></is></c></row>'
        + "".join(
            f'<row r="{i + 2}"><c r="A{i + 2}"><f>{m}+0</f><v>{m}</v></c>'
            f'<c r="B{i + 2}" t="str"><f>"电话 "&amp;A{i + 2}</f><v>电话 {m}</v></c></row>'
            for i, m in enumerate(mobiles)
        ),
    )
    _scan(plain, tmp_path / "out-plain")
    _scan(cached, tmp_path / "out-cached")
    assert findings(tmp_path / "out-cached") == findings(tmp_path / "out-plain")
    assert [(f["start"], f["end"]) for f in findings(tmp_path / "out-cached")][:2] == [
        (0, 11),
        (3, 14),
    ]


def test_placeholders_of_a_workbook_to_be_recalculated_are_not_its_values(tmp_path: Path) -> None:
    """XlsxWriter (pandas' writer when it is installed) caches ``0`` for every formula and asks
    Excel to recalculate on opening (``fullCalcOnLoad="1"``): the ``0`` is no value, and the
    cells are scanned as their formula texts — what protect masks — as in a workbook with no
    cached values; the same cells under Excel's ``<calcPr>`` keep their cached value."""
    rng = random.Random(4)
    mobiles = [make_mobile(rng) for _ in range(3)]
    rows_xml = '<row r="1"><c r="A1" t="inlineStr"><is><t>手机</t></is></c>'
    rows_xml += '<c r="B1" t="inlineStr"><is><t>数</t></is></c></row>'
    rows_xml += "".join(
        f'<row r="{i + 2}"><c r="A{i + 2}"><f>"{m}"</f><v>0</v></c>'
        f'<c r="B{i + 2}"><f>ROW()</f><v>0</v></c></row>'
        for i, m in enumerate(mobiles)
    )
    written, uncached, excel = tmp_path / "xlsxwriter", tmp_path / "openpyxl", tmp_path / "excel"
    for folder in (written, uncached, excel):
        folder.mkdir()
    formula_book(written / "客户.xlsx", [["x"]])
    with_sheet_data(written / "客户.xlsx", rows_xml, recalculate=True)
    formula_book(
        uncached / "客户.xlsx", [["手机", "数"]] + [[f'="{m}"', "=ROW()"] for m in mobiles]
    )
    formula_book(excel / "客户.xlsx", [["x"]])
    with_sheet_data(excel / "客户.xlsx", rows_xml)  # the same cells, saved as Excel does
    for folder in (written, uncached, excel):
        _scan(folder, tmp_path / f"out-{folder.name}")
    assert findings(tmp_path / "out-xlsxwriter") == findings(tmp_path / "out-openpyxl")
    assert [(f["row"], f["start"], f["end"]) for f in findings(tmp_path / "out-xlsxwriter")] == [
        (r, 2, 13) for r in range(3)
    ]
    assert findings(tmp_path / "out-excel") == []  # Excel computed 0: that is the value


def test_protect_masks_in_the_formulas_what_the_scan_found(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    rows = script_workbook(root / "客户.xlsx", random.Random(3))
    _scan(root, tmp_path / "out")
    found = {(f["row"], HEADER.index(f["column"])): f for f in findings(tmp_path / "out")}
    result = protect_verified(root, tmp_path / "pkg")
    assert result.leaks == []  # --verify scanned the package's formulas: nothing left
    ws = load_workbook(tmp_path / "pkg" / "客户.xlsx")["客户"]
    written = [[c.value for c in r] for r in ws.iter_rows(min_row=2, values_only=False)]
    changed = {
        (r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if written[r][c] != v
    }
    assert changed == set(found)  # protect changed the cells the scan found PI in, only
    for (r, c), f in found.items():
        value = rows[r][c][f["start"] : f["end"]]
        new = written[r][c]
        assert value not in new
        # the text around the span is kept: still the formula, with its quotes
        assert new.startswith(rows[r][c][: f["start"]]) and new.endswith(rows[r][c][f["end"] :])


def test_an_array_formula_is_masked_where_the_scan_found_its_phone(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    rng = random.Random(4)
    mobiles = [make_mobile(rng) for _ in range(4)]
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["手机"])
    for i, mobile in enumerate(mobiles, start=2):
        ws[f"A{i}"] = ArrayFormula(f"A{i}", f'={{"{mobile}"}}')
    wb.save(root / "客户.xlsx")
    _scan(root, tmp_path / "out")
    assert [(f["row"], f["start"], f["end"]) for f in findings(tmp_path / "out")] == [
        (r, 3, 14) for r in range(len(mobiles))
    ]
    assert protect_verified(root, tmp_path / "pkg").leaks == []
    out = load_workbook(tmp_path / "pkg" / "客户.xlsx")["客户"]
    for i, mobile in enumerate(mobiles, start=2):
        cell = out[f"A{i}"].value
        assert isinstance(cell, ArrayFormula) and cell.ref == f"A{i}"
        assert cell.text.startswith('={"') and mobile not in cell.text
