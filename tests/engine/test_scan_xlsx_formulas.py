"""A workbook written by a script holds formulas without cached values (``="13812345678"``):
the scan reads such a cell as the text it shows when the formula only joins texts of its row
(computed: ``="138"&"12345678"`` is a phone), and as its formula text otherwise — the text
protect rewrites, so the scan counts the personal information protect masks, at the
characters protect masks (docs/scan.md); a cell with a cached value is scanned by its value,
as before, and protect writes a changed one as its new value."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.scan import ScanOptions, scan_paths
from tests.engine.protect.conftest import make_id, make_mobile, protect_verified
from tests.engine.readers.test_xlsx_formulas import formula_book, with_sheet_data
from tests.engine.test_scan_extras import findings

PREFIX = '=CONCATENATE("电话 ","'
TRIM = '=TRIM("'
HEADER = ["手机", "备注", "身份证", "数", "拆开", "修整"]


def script_workbook(path: Path, rng: random.Random, n: int = 5) -> list[list[Any]]:
    """A customer list as a script writes it; its data rows as written."""
    rows: list[list[Any]] = []
    for _ in range(n):
        m1, m2, m3, m4 = (make_mobile(rng) for _ in range(4))
        rows.append(
            [
                f'="{m1}"',  # a string literal
                f'{PREFIX}{m2}")',  # the phone whole in one argument
                f'="{make_id(rng)}"',
                "=ROW()+1",  # a number: nothing to find, not computed
                f'=CONCATENATE("{m3[:3]}","{m3[3:]}")&""',  # cut in two: joined
                f'{TRIM}{m4}")',  # not a join: read as its formula text
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
            ("手机", "CN_MOBILE", 0, 11),  # ="13812345678": the text it shows
            ("备注", "CN_MOBILE", 3, 14),  # 电话 13812345678
            ("身份证", "CN_RESIDENT_ID", 0, 18),
            ("拆开", "CN_MOBILE", 0, 11),
            ("修整", "CN_MOBILE", len(TRIM), len(TRIM) + 11),  # in the formula's text
        )
    }
    assert {k: (f["entity"], f["start"], f["end"]) for k, f in found.items()} == expected
    assert all(f["sheet"] == "客户" and f["file"] == "客户.xlsx" for f in found.values())
    (entry,) = result.inventory.files
    assert entry.rows == len(rows) and not entry.errors
    columns = {c.name: c for c in entry.columns}
    assert columns["数"].matches == 0 and columns["数"].non_empty == len(rows)
    assert columns["手机"].entity == columns["拆开"].entity == "CN_MOBILE"
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
        (r, 0, 11) for r in range(3)
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
    trim = HEADER.index("修整")
    for (r, c), f in found.items():
        new = written[r][c]
        if c == trim:  # not computed: masked inside the formula, the text around it kept
            value = rows[r][c][f["start"] : f["end"]]
            assert value not in new
            assert new.startswith(TRIM) and new.endswith(rows[r][c][f["end"] :])
        else:  # a join computed: its new value, no formula to show the phone again
            assert not new.startswith("=") and len(new) >= f["end"]
    for r, c in found:  # the number the cell showed, joined from its literals: gone
        shown = "".join(re.findall(r'"([^"]*)"', rows[r][c]))
        assert re.sub(r"\D", "", shown) not in str(written[r][c])
    assert written[0][HEADER.index("数")] == "=ROW()+1"  # a formula with nothing: kept


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


def _joins(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(area code, local number, mobile) for ``n`` customers."""
    return [
        (rng.choice(["010", "021", "0755"]), str(rng.randrange(20_000_000, 89_999_999)), m)
        for m in (make_mobile(rng) for _ in range(n))
    ]


def _joined_book(path: Path, people: list[tuple[str, str, str]], *, cached: bool) -> None:
    """A customer list whose 电话 and 手机 are formulas joining other cells of their row
    (``=A2&"-"&B2``, ``=C2&D2``): saved by Excel (``cached``: each formula's value kept) or
    by a script (no values)."""
    # the pieces' headers name no phone: eight digits under 手机 are a phone number of their
    # own (a Hong Kong mobile), protected as one (tests/engine/recognizers/generic/test_phone.py)
    header = ["区号", "号码", "前三位", "后八位", "电话", "手机", "序号"]
    if not cached:
        formula_book(
            path,
            [header]
            + [
                [a, b, m[:3], m[3:], f'=A{i}&"-"&B{i}', f"=C{i}&D{i}", "=ROW()-1"]
                for i, (a, b, m) in enumerate(people, start=2)
            ],
        )
        return
    formula_book(path, [["x"]])
    cells = "".join(
        f'<c r="{chr(65 + k)}1" t="inlineStr"><is><t>{h}</t></is></c>' for k, h in enumerate(header)
    )
    rows = [f'<row r="1">{cells}</row>']
    for i, (a, b, m) in enumerate(people, start=2):
        texts = "".join(
            f'<c r="{col}{i}" t="inlineStr"><is><t>{v}</t></is></c>'
            for col, v in zip("ABCD", (a, b, m[:3], m[3:]), strict=True)
        )
        rows.append(
            f'<row r="{i}">{texts}'
            f'<c r="E{i}" t="str"><f>A{i}&amp;"-"&amp;B{i}</f><v>{a}-{b}</v></c>'
            f'<c r="F{i}" t="str"><f>C{i}&amp;D{i}</f><v>{m}</v></c>'
            f'<c r="G{i}"><f>ROW()-1</f><v>{i - 1}</v></c></row>'
        )
    with_sheet_data(path, "".join(rows))


@pytest.mark.parametrize("cached", [True, False], ids=["excel", "script"])
def test_a_phone_joined_from_cells_is_protected_whole_and_in_pieces(
    tmp_path: Path, cached: bool
) -> None:
    """Excel shows ``=C2&D2`` as the mobile the two cells hold in pieces. The scan finds it
    (the cached value, or the join computed); protect writes the formula as its masked value —
    kept, the formula would show the phone again when the package is opened — and masks, in
    the cells it joins, the characters its new value does not keep. A formula with nothing to
    protect stays a formula."""
    root = tmp_path / "data"
    root.mkdir()
    people = _joins(random.Random(5), 4)
    _joined_book(root / "客户.xlsx", people, cached=cached)
    _scan(root, tmp_path / "out")
    found = {(f["row"], f["column"]): f["entity"] for f in findings(tmp_path / "out")}
    for r in range(len(people)):
        assert found[(r, "电话")] == "CN_LANDLINE" and found[(r, "手机")] == "CN_MOBILE"
    result = protect_verified(root, tmp_path / "pkg")
    assert result.leaks == []
    ws = load_workbook(tmp_path / "pkg" / "客户.xlsx")["客户"]
    for i, (area, local, mobile) in enumerate(people, start=2):
        row = [ws.cell(row=i, column=c).value for c in range(1, 8)]
        assert not any(str(v).startswith("=") for v in row[4:6])  # values, not formulas
        assert row[6] == "=ROW()-1"
        joined = "".join(str(v) for v in row)  # however the cells are put together
        assert mobile not in joined and mobile[3:] not in joined and local not in joined
        assert row[0] == area and row[2] == mobile[:3]  # the characters the masks keep
        assert "*" in row[1] and "*" in row[3]
        assert row[3].endswith(mobile[-4:]) and row[5].replace(" ", "").replace("-", "") == (
            mobile[:3] + "****" + mobile[-4:]
        )


def test_pieces_of_a_pseudonymised_phone_keep_only_what_its_pseudonym_shows(
    tmp_path: Path,
) -> None:
    """A pseudonym replaces the whole number; the cells it was joined from keep only the
    characters the pseudonym shows at the same place from its start or its end."""
    root = tmp_path / "data"
    root.mkdir()
    people = _joins(random.Random(6), 6)
    _joined_book(root / "客户.xlsx", people, cached=True)
    policy = load_policy_text(
        DEFAULT_POLICY.replace("CN_MOBILE: {operator: mask}", "CN_MOBILE: {operator: pseudonym}")
    )
    assert protect_verified(root, tmp_path / "pkg", policy).leaks == []
    ws = load_workbook(tmp_path / "pkg" / "客户.xlsx")["客户"]
    for i, (_, _, mobile) in enumerate(people, start=2):
        head, tail, joined = (ws.cell(row=i, column=c).value for c in (3, 4, 6))
        assert joined != mobile and "*" not in joined and not joined.startswith("=")
        old = mobile[:3] + mobile[3:]
        start = next((k for k in range(len(old)) if old[k] != joined[k]), len(old))
        end = next(k for k in range(len(old)) if old[-1 - k] != joined[-1 - k])
        shown = {k for k in range(len(old)) if k < start or k >= len(old) - end}
        pieces = str(head) + str(tail)
        assert [k for k, ch in enumerate(pieces) if ch != "*"] == sorted(shown)
