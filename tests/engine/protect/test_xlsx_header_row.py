"""A sheet whose table does not start on row 1 (blank rows left above it, a margin column):
the XLSX reader takes the first non-empty row as the header, and protect took row 1. The
policy's column rules then named no column, so a `客户编号: hash` rule left every customer
number in clear (a QA pass), and the header became a data row. Generated data only."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from baomi.engine.protect.policy import load_policy_text
from baomi.engine.readers import open_source

from .conftest import make_mobile, protect_verified

POLICY = load_policy_text(
    "version: 1\nname: t\nentities:\n  CN_MOBILE: {operator: mask}\n"
    "columns:\n  客户编号: {operator: hash}\n"
)


def test_column_rules_apply_below_blank_rows(tmp_path: Path) -> None:
    rng = random.Random(81)
    codes = [f"KH{20240000 + i}" for i in range(6)]
    mobiles = [make_mobile(rng) for _ in codes]
    src = tmp_path / "in"
    src.mkdir()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws["B3"], ws["C3"], ws["D3"] = "客户编号", "手机", f"备用{mobiles[0]}"
    for i, (code, mobile) in enumerate(zip(codes, mobiles, strict=True)):
        ws.cell(row=4 + i, column=2, value=code)
        ws.cell(row=4 + i, column=3, value=mobile)
    wb.save(src / "客户.xlsx")
    scanned = [c for b in open_source(src / "客户.xlsx").batches() for c in b.frame.columns]

    result = protect_verified(src, tmp_path / "out", POLICY)

    with zipfile.ZipFile(tmp_path / "out" / "客户.xlsx") as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert [v for v in [*codes, *mobiles] if v in text] == []
    (table,) = result.manifest.files[0].tables
    assert table.rows_in == table.rows_out == len(codes)
    names = [c.name for c in table.columns]
    assert names[:3] == scanned[:3] == ["column_1", "客户编号", "手机"]  # as the scan names them
    assert names[3].startswith("备用") and mobiles[0] not in names[3]
    assert {c.name: c.operator for c in table.columns}["客户编号"] == "hash"
    out = load_workbook(tmp_path / "out" / "客户.xlsx")["客户"]
    assert [out["B3"].value, out["C3"].value] == ["客户编号", "手机"]  # the header where it was
    assert str(out["D3"].value).startswith("备用")  # a header's identifier protected in place
    assert out["A1"].value is None and out["B4"].value != codes[0]
