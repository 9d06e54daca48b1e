"""A page header's font-size code (``&14``) glued to the digits after it: openpyxl read
``&146222…`` as size 146222… and the text without the digits, so the scan missed a bank card
typed right after the size code and protect wrote it back inside the code. The size code is
read as at most two digits when more follow (no font size has four). Generated data only."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from baomi.engine.readers import open_source
from tests.engine.protect.conftest import make_card, make_mobile, protect_verified
from tests.engine.test_scan_extras import rewrite_zip


def header_workbook(path: Path, header: str) -> Path:
    """A workbook whose first sheet's odd-page header is ``header`` as written in the XML (no
    space after a size code, as other writers than Excel write it)."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名"])
    ws.append(["张三"])
    ws.oddHeader.center.text = "PLACEHOLDER"
    wb.save(path.with_suffix(".tmp"))
    escaped = header.replace("&", "&amp;").encode()
    rewrite_zip(
        path.with_suffix(".tmp"),
        path,
        lambda n: n.startswith("xl/worksheets/sheet"),
        lambda data: data.replace(b"&amp;CPLACEHOLDER", escaped),
    )
    return path


def test_digits_after_a_size_code_are_text(tmp_path: Path) -> None:
    rng = random.Random(41)
    card, mobile = make_card(rng), make_mobile(rng)
    path = header_workbook(tmp_path / "a.xlsx", f'&L&14{card}&C&"宋体"&12 {mobile}&R&100第&P页')
    src = open_source(path)
    list(src.batches())
    sides = {e.column: e.text for e in src.extras() if e.sheet == "客户"}
    assert sides == {"页眉：左": card, "页眉：中": mobile, "页眉：右": "第&P页"}


def test_protect_protects_digits_after_a_size_code(tmp_path: Path) -> None:
    rng = random.Random(42)
    card = make_card(rng)
    src = tmp_path / "in"
    src.mkdir()
    header_workbook(src / "卡.xlsx", f"&C&14{card}")
    (src / "卡.tmp").unlink()

    result = protect_verified(src, tmp_path / "out")

    with zipfile.ZipFile(tmp_path / "out" / "卡.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert card not in sheet and card[-4:] in sheet  # masked, its last four kept
    assert "&amp;14 " in sheet  # the size kept, written with its space
    assert {f.path: f.extras_changed for f in result.manifest.files} == {"卡.xlsx": 1}
