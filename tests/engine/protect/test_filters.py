"""A list filtered by a customer's name or phone keeps the values it was filtered by in the
workbook (``<autoFilter>``: ``<filter val>``, ``<customFilter val>``; a table's own filter in
``xl/tables/``). The scan did not read them and protect left them, so ``--verify`` failed
every package of such a workbook (its check of the raw XML found the phone). Both now treat
each value as a cell's text under ``筛选：<header>``."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.filters import (
    AutoFilter,
    CustomFilter,
    CustomFilters,
    FilterColumn,
    Filters,
)
from openpyxl.worksheet.table import Table

from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import make_mobile, protect_verified

NAMES = ["张伟明", "李秀英", "赵建国"]


def filtered_workbook(path: Path, mobiles: list[str]) -> None:
    """A customer sheet filtered by a phone and by a name pattern (its header in row 2, under
    a title row, the table from column B), and an order sheet formatted as a table filtered
    by a phone."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["客户名单"])
    ws.append([None, "姓名", "手机", "金额"])
    for name, mobile in zip(NAMES, mobiles, strict=True):
        ws.append([None, name, mobile, 100])
    ws.auto_filter.ref = "B2:D5"
    ws.auto_filter.filterColumn.append(FilterColumn(colId=1, filters=Filters(filter=[mobiles[0]])))
    ws.auto_filter.filterColumn.append(
        FilterColumn(
            colId=0,
            customFilters=CustomFilters(
                customFilter=[CustomFilter(operator="equal", val="*李秀英*")]
            ),
        )
    )
    ws.auto_filter.filterColumn.append(FilterColumn(colId=2, filters=Filters(filter=["100"])))
    orders: Any = wb.create_sheet("订单")
    orders.append(["客户", "电话"])
    orders.append([NAMES[2], mobiles[2]])
    table = Table(displayName="订单表", ref="A1:B2")
    table.autoFilter = AutoFilter(
        ref="A1:B2", filterColumn=[FilterColumn(colId=1, filters=Filters(filter=[mobiles[2]]))]
    )
    orders.add_table(table)
    wb.save(path)


def test_the_values_a_filter_selects_are_scanned_and_protected(tmp_path: Path) -> None:
    rng = random.Random(41)
    mobiles = [make_mobile(rng) for _ in NAMES]
    src = tmp_path / "in"
    src.mkdir()
    filtered_workbook(src / "客户.xlsx", mobiles)

    scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=True))
    lines = (tmp_path / "scan" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = {(f["sheet"], f["column"], f["entity"]) for f in map(json.loads, lines)}
    assert {f for f in found if f[1].startswith("筛选")} == {
        ("客户", "筛选：手机", "CN_MOBILE"),
        ("客户", "筛选：姓名", "PERSON_NAME"),
        ("订单", "筛选：电话", "CN_MOBILE"),
    }

    result = protect_verified(src, tmp_path / "out")
    assert result.leaks == []  # the raw XML check failed this package before
    with zipfile.ZipFile(tmp_path / "out" / "客户.xlsx") as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert not [v for v in [*mobiles, *NAMES] if v in text]
    wb = load_workbook(tmp_path / "out" / "客户.xlsx")
    columns = {c.colId: c for c in wb["客户"].auto_filter.filterColumn}
    assert columns[1].filters.filter[0].endswith(mobiles[0][-4:])  # masked, not dropped
    assert columns[0].customFilters.customFilter[0].val.startswith("*李")
    assert columns[2].filters.filter == ["100"]  # an amount: kept
    (table,) = wb["订单"].tables.values()
    assert table.autoFilter.filterColumn[0].filters.filter[0].endswith(mobiles[2][-4:])
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"客户.xlsx": 3}
