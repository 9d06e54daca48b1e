"""A worksheet's ``<dimension>`` is what its writer claimed, not what it holds: some tools
write a stale one (``A1:B2`` over a longer sheet). openpyxl's read-only rows stop at it, so the
scan lost every row and column past it while protect, which loads the whole sheet, masked
them (openpyxl's docs: "Read-only mode relies on ... the dimensions. Some applications set
this incorrectly")."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

from baomi.engine.scan import ScanOptions, scan_paths
from tests.engine.protect.conftest import make_mobile
from tests.engine.test_scan_extras import findings


def _stale_dimension(path: Path, ref: str) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", f'<dimension ref="{ref}"/>'.encode(), data)
            z.writestr(info, data)


def test_rows_and_columns_past_a_stale_dimension_are_scanned(tmp_path: Path) -> None:
    rng = random.Random(8)
    root = tmp_path / "in"
    root.mkdir()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "手机", "备注", "备用电话"])
    phones = []
    for i in range(6):
        phone, spare = make_mobile(rng), make_mobile(rng)
        phones.append((i, phone, spare))  # data row i (0-based)
        ws.append([f"客户{i}", phone, "无", spare])
    wb.save(root / "名单.xlsx")
    _stale_dimension(root / "名单.xlsx", "A1:B2")  # one data row, two columns, it says

    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    found = {
        (f["column"], f["row"]) for f in findings(tmp_path / "out") if f["entity"] == "CN_MOBILE"
    }
    assert found == {("手机", r) for r, _, _ in phones} | {("备用电话", r) for r, _, _ in phones}
    assert result.inventory.files[0].rows == 6
