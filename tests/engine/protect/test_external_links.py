"""A formula that reads another workbook makes Excel keep a copy of the cells it read
(``xl/externalLinks/``, ``<sheetDataSet>``), shown until the link is updated. The scan did not
read that copy and protect carried it through: a package whose sheets were masked still held
the other workbook's customers, and ``--verify`` passed. The scan now reads it (``外部链接缓存：
<sheet>``) and protect protects it as it protects a cell's text."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import make_id, make_mobile, protect_verified


def linked_workbook(path: Path, mobiles: list[str], ids: list[str]) -> None:
    """A report whose cells read a CRM export (``[1]客户!B2`` …), with Excel's cached copy of
    the cells read: the mobiles as numbers (as Excel caches a number) and the IDs as texts."""
    from openpyxl.packaging.relationship import Relationship
    from openpyxl.workbook.external_link.external import (
        ExternalBook,
        ExternalCell,
        ExternalLink,
        ExternalRow,
        ExternalSheetData,
        ExternalSheetDataSet,
        ExternalSheetNames,
    )

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "报表"
    ws.append(["序号", "金额"])
    rows = []
    for i, (mobile, rid) in enumerate(zip(mobiles, ids, strict=True), start=2):
        ws.append([i - 1, f"=[1]客户!B{i}"])
        cells = [
            ExternalCell(r=f"A{i}", v=str(100 * i)),  # an amount: nothing to protect
            ExternalCell(r=f"B{i}", v=mobile),
            ExternalCell(r=f"C{i}", t="str", v=rid),
            ExternalCell(r=f"D{i}", t="e", v="#N/A"),
        ]
        rows.append(ExternalRow(r=i, cell=cells))
    book = ExternalBook(
        sheetNames=ExternalSheetNames(sheetName=["说明", "客户"]),
        sheetDataSet=ExternalSheetDataSet(sheetData=[ExternalSheetData(sheetId=1, row=rows)]),
    )
    link = ExternalLink(externalBook=book)
    link.file_link = Relationship(
        type="externalLinkPath", Target="crm/客户.xlsx", TargetMode="External"
    )
    wb._external_links.append(link)  # type: ignore[attr-defined]
    wb.save(path)


def test_an_external_links_cached_cells_are_scanned_and_protected(tmp_path: Path) -> None:
    rng = random.Random(37)
    mobiles = [make_mobile(rng) for _ in range(3)]
    ids = [make_id(rng) for _ in range(3)]
    src = tmp_path / "in"
    src.mkdir()
    linked_workbook(src / "报表.xlsx", mobiles, ids)

    scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    lines = (tmp_path / "scan" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = [json.loads(line) for line in lines]
    assert {(f["column"], f["entity"], f["row"]) for f in found} == {
        ("外部链接缓存：客户", entity, 3 * k + place)
        for k in range(3)
        for place, entity in ((1, "CN_MOBILE"), (2, "CN_RESIDENT_ID"))
    }
    assert all(f["sheet"] is None for f in found)

    result = protect_verified(src, tmp_path / "out")
    assert result.leaks == []
    with zipfile.ZipFile(tmp_path / "out" / "报表.xlsx") as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert not [v for v in [*mobiles, *ids] if v in text]
    link = load_workbook(tmp_path / "out" / "报表.xlsx")._external_links[0]  # type: ignore[attr-defined]
    (data,) = link.externalBook.sheetDataSet.sheetData
    cells = [[(c.t, c.v) for c in row.cell] for row in data.row]
    for i, (row, mobile) in enumerate(zip(cells, mobiles, strict=True), start=2):
        assert row[0] == (None, str(100 * i))  # untouched, still a number
        assert row[1][0] == "str" and row[1][1].endswith(mobile[-4:])  # masked: now a text
        assert row[2][0] == "str" and "*" in row[2][1]
        assert row[3] == ("e", "#N/A")
    assert link.file_link.Target == "crm/客户.xlsx"  # the link itself is kept
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"报表.xlsx": 6}
