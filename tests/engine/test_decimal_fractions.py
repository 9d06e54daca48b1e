"""A decimal number's fraction is not an identifier. A workbook's averages and ratios carry
floating-point digits (``95010.15999999997``, ``0.443073830409357``); eleven of them after
the point read as a mobile, fifteen as an old resident ID: a seller's accounts were counted as
customers' phones, and protect masked the numbers (found on Apache POI's test workbooks)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths

FRACTIONS = [
    "95010.15999999997",  # 11 digits after the point: a "mobile"
    "38036.18598382749",
    "0.443073830409357",  # 15: a "resident ID" of the old kind
    "1234.6222021234567894",  # a "bank card" (Luhn-valid) after the point
]
#: identifiers beside a point that is no decimal point, still found
KEPT = ["Tel.13812345678", "电话.13912345678", "13712345678.0", "第5. 13612345678", "a.13512345678"]


def test_the_digits_after_a_decimal_point_are_no_identifier() -> None:
    analyzer = TextAnalyzer(Registry.default())
    for text in FRACTIONS:
        assert analyzer.analyze(f"人均收入 {text} 元") == [], text
    for text in KEPT:
        assert [f.entity for f in analyzer.analyze(text) if f.entity == "CN_MOBILE"] == [
            "CN_MOBILE"
        ], text


@pytest.mark.parametrize("prose", [False, True])
def test_a_column_of_decimal_numbers_holds_no_pi(tmp_path: Path, prose: bool) -> None:
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["学校", "人均收入", "备注"])
        for i, value in enumerate(FRACTIONS * 50):
            writer.writerow([f"第{i}校", value, f"均值 {value}；联系 Tel.13812345678"])
    result = scan_paths([path], options=ScanOptions(prose=prose))
    (found,) = result.inventory.files
    by_column = {c.name: dict(c.entities) for c in found.columns}
    assert by_column.get("人均收入", {}) == {}
    assert by_column["备注"].get("CN_MOBILE") == len(FRACTIONS) * 50
    assert "CN_RESIDENT_ID" not in by_column["备注"] and "BANK_CARD" not in by_column["备注"]
