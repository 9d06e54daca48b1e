"""Korean addresses in Hangul in notes (road-name addresses): a province, districts, a road and
its building number. They were kept in clear. Addresses made up in the layout."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from baomi.engine.recognizers.generic.korean_address import KoreanAddressRecognizer

R = KoreanAddressRecognizer()


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("地址 강원도 삼척시 테헤란8로 988-58", "강원도 삼척시 테헤란8로 988-58"),
        (
            "寄到 제주특별자치도 예산군 강남대길 71-35 (진호김김면)",
            "제주특별자치도 예산군 강남대길 71-35 (진호김김면)",
        ),
        (
            "new address 대전광역시 강동구 서초대거리 577 (준호홍리); mobile",
            "대전광역시 강동구 서초대거리 577 (준호홍리)",
        ),
        ("광주광역시 동작구 서초중앙로 지하981", "광주광역시 동작구 서초중앙로 지하981"),
        ("lives at 경상북도 홍천군 압구정거리 816 and", "경상북도 홍천군 압구정거리 816"),
        ("서울특별시 강남구 테헤란로 123", "서울특별시 강남구 테헤란로 123"),
    ],
)
def test_korean_addresses_in_text(text: str, span: str) -> None:
    assert [text[f.start : f.end] for f in R.analyze(text)] == [span]
    assert pl.Series([text]).str.contains(str(R.prefilter)).item()


@pytest.mark.parametrize(
    "text",
    [
        "이번 주에 회의가 있습니다",  # a sentence
        "테헤란로 123",  # a road without its province
        "客户地址：北京市朝阳区建国路88号",  # the Chinese address recognizer's
    ],
)
def test_no_korean_address(text: str) -> None:
    assert R.analyze(text) == []


def test_pseudonym_keeps_the_province_and_districts() -> None:
    from baomi.engine.protect.operators.pseudonym import pseudonym_value
    from baomi.engine.protect.params import PseudonymParams

    key = b"k" * 32
    out = pseudonym_value("강원도 삼척시 테헤란8로 988-58", "ADDRESS", key, PseudonymParams())
    assert out.startswith("강원도 삼척시 ") and "테헤란" not in out and "988" not in out
    assert out == pseudonym_value(
        "강원도 삼척시 테헤란8로 988-58", "ADDRESS", key, PseudonymParams()
    )


def test_a_column_of_them_under_its_header(tmp_path: Path) -> None:
    """A Korean export's 주소 column: every cell is the shape's whole (the fast path) and the
    column is an address column."""
    import csv

    from baomi.engine.contracts.codec import to_dict
    from baomi.engine.scan import ScanOptions, scan_paths

    cells = [
        "강원도 삼척시 테헤란8로 988-58",
        "서울특별시 강남구 테헤란로 123",
        "광주광역시 동작구 서초중앙로 지하981",
    ]
    assert pl.Series(cells).str.contains(str(R.fast_cell_regex)).all()
    root = tmp_path / "in"
    root.mkdir()
    with (root / "c.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["이름", "주소"], *[[f"고객{i}", c] for i, c in enumerate(cells)]]
        )
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    col = to_dict(result.inventory)["files"][0]["columns"][1]
    assert (col["entity"], col["matches"]) == ("ADDRESS", len(cells))
