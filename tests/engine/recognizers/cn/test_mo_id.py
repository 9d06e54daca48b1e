"""Macao identity card numbers: no published check, so only beside a context word or under a
header that names the card; masked with the brackets kept. The numbers are made up."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from baomi.engine.masking import mask_value
from baomi.engine.recognizers.cn.mo_id import MoIdRecognizer
from tests.engine.recognizers.support import assert_column_counted_and_protected

R = MoIdRecognizer()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("澳门身份证 1234567(8)", "1234567(8)"),
        ("澳门客户，身份证号码 7123456（1）", "7123456（1）"),
        ("BIR: 51234567", "51234567"),
        ("编号 1234567(8)", None),  # no context: a reference's shape too
        ("澳门身份证 2234567(8)", None),  # cards start 1, 5 or 7
        ("澳门身份证 12345678(9)", None),  # longer
    ],
)
def test_found_beside_a_context_word(text: str, found: str | None) -> None:
    spans = [text[f.start : f.end] for f in R.analyze(text)]
    assert spans == ([] if found is None else [found])
    assert all(f.score >= 0.5 for f in R.analyze(text))


def test_canonical_mask_and_prefilter() -> None:
    assert R.canonical("51234567") == "5123456(7)"
    assert mask_value("1234567(8)", "MO_ID") == "123****(*)"
    cells = ["澳门身份证 1234567(8)", "ＢＩＲ １２３４５６７（８）", "x:51234567"]
    assert pl.Series(cells).str.contains(str(R.prefilter)).all()
    assert not pl.Series(["C2026000000", "11234567890"]).str.contains(str(R.prefilter)).any()


def test_a_column_under_its_header_is_counted_and_protected(tmp_path: Path) -> None:
    ids = [f"{k}{n:06d}({n % 10})" for k, n in zip("157157", range(123450, 123456), strict=True)]
    assert_column_counted_and_protected(tmp_path, "澳门身份证", ids, "MO_ID")
