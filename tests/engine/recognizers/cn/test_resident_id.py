from __future__ import annotations

import random

import polars as pl
import pytest

from baomi.engine.recognizers.cn.resident_id import CnResidentIdRecognizer
from tests.engine.recognizers.support import bad_resident_id, check_row, fullwidth, resident_id

R = CnResidentIdRecognizer()
RID = resident_id("11010519900307123")
RID_X = next(
    resident_id(f"4403061985123100{i}")
    for i in range(10)
    if resident_id(f"4403061985123100{i}").endswith("X")
)
BAD = bad_resident_id("11010519900307123")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RID, [RID]),
        (f"身份证号{RID}", [RID]),
        (f"证件号码：{RID}。", [RID]),
        (RID_X, [RID_X]),
        (RID_X.lower(), [RID_X.lower()]),
        (fullwidth(RID), [fullwidth(RID)]),
        (BAD, []),  # wrong check character
        (f"身份证{BAD}", []),
        (f"1{RID}", []),  # inside a longer digit run
        (f"{RID}5", []),
        (RID[:6] + "19901307" + RID[14:], []),  # month 13
        # glued to an ASCII label written without a separator
        (f"ID{RID}", [RID]),
        (f"sfz{RID}", [RID]),
        (f"idcard{RID}", [RID]),
        (f"SO{RID}", []),  # an order code that contains an ID's shape
        (f"ID{RID}abc", []),
    ],
)
def test_resident_id_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_canonical_upper_case_x() -> None:
    (f,) = R.analyze(RID_X.lower())
    assert f.value == RID_X
    assert f.score == 0.99


def _generated(n: int) -> list[str]:
    rnd = random.Random(11)
    out = []
    for _ in range(n):
        body = rnd.choice(["11", "44", "65", "99"]) + "".join(
            rnd.choice("0123456789") for _ in range(4)
        )
        body += f"{rnd.randint(1900, 2030)}{rnd.randint(1, 13):02d}{rnd.randint(1, 31):02d}"
        body += f"{rnd.randint(0, 999):03d}"
        out.append(resident_id(body) if rnd.random() < 0.7 else bad_resident_id(body))
    return out


def test_vectorised_validation_agrees_with_per_value() -> None:
    values = _generated(3000)
    vectorised = R.validate_series(pl.Series(values)).to_list()
    assert vectorised == [R.validate(v) for v in values]
    assert True in vectorised and False in vectorised


def test_fast_cell_regex_is_ascii_only() -> None:
    cells = pl.Series([RID, RID_X.lower(), fullwidth(RID), RID + "1"])
    assert cells.str.contains(R.fast_cell_regex or "").to_list() == [True, True, False, False]
