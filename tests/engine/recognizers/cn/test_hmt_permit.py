from __future__ import annotations

import pytest

from baomi.engine.recognizers.cn.hmt_permit import CnHmtPermitRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = CnHmtPermitRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("回乡证H12345678", ["H12345678"]),
        ("港澳通行证M1234567890", ["M1234567890"]),
        ("通行证h12345678", ["h12345678"]),
        ("台胞证12345678", ["12345678"]),  # 8 digits only with context (TW-1)
        (f"回乡证{fullwidth('H12345678')}", [fullwidth("H12345678")]),
        ("H12345678", []),  # no context: below the threshold
        ("12345678", []),  # a bare 8-digit number is not a permit
        ("订单号12345678", []),
        ("回乡证H123456789", []),  # 9 digits
        ("回乡证AH12345678", []),  # glued to a letter
        ("台胞证123456789", []),  # inside a longer digit run
    ],
)
def test_hmt_permit_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_bare_eight_digits_give_no_finding_at_all() -> None:
    assert R.analyze("12345678") == []
