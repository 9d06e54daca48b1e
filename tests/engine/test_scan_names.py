"""Column names, JSON paths and sheet names in the scan outputs never carry a raw identifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from baomi.engine.checksums import luhn_check_digit, resident_id_check_char
from baomi.engine.scan import ScanOptions, scan_paths

ID_BODY, ID2_BODY = "11010119900307123", "31010419851111456"
ID, ID2 = (b + resident_id_check_char(b) for b in (ID_BODY, ID2_BODY))
CARD_BODY = "622202123456789012"
CARD = CARD_BODY + luhn_check_digit(CARD_BODY)
ROWS = [
    ["张三", "13812345678", ID, "zhangsan@example.com"],
    ["李四", "13987654321", ID2, "lisi@example.com"],
]
RAW = ("13812345678", ID, "zhangsan@example.com", "13987654321", ID2, "lisi@example.com", CARD)


def _outputs(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    inv_text = (out / "inventory.json").read_text(encoding="utf-8")
    find_text = (out / "findings.jsonl").read_text(encoding="utf-8")
    findings = [json.loads(line) for line in find_text.splitlines()]
    return json.loads(inv_text), findings, inv_text + find_text


def _scan(root: Path, out: Path) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    scan_paths([root], out_dir=out, options=ScanOptions(explain=True, prose=False))
    return _outputs(out)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_without_a_header_row_is_scanned_from_its_first_record(
    tmp_path: Path, suffix: str
) -> None:
    root = tmp_path / "in"
    root.mkdir()
    if suffix == ".csv":
        (root / "f.csv").write_text("\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    else:
        book = Workbook()
        for r in ROWS:
            book.active.append(r)  # type: ignore[union-attr]
        book.save(root / "f.xlsx")
    inv, findings, blob = _scan(root, tmp_path / "out")
    (record,) = inv["files"]
    assert record["rows"] == 2
    assert [c["name"] for c in record["columns"]][:4] == [
        "column_1",
        "column_2",
        "column_3",
        "column_4",
    ]
    first = {(f["column"], f["entity"]) for f in findings if f["row"] == 0}
    assert {
        ("column_2", "CN_MOBILE"),
        ("column_3", "CN_RESIDENT_ID"),
        ("column_4", "EMAIL"),
    } <= first
    assert not [r for r in RAW if r in blob]
