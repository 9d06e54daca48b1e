from __future__ import annotations

import polars as pl
import pytest

from baomi.engine.recognizers.generic.date_of_birth import DateOfBirthRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = DateOfBirthRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("出生日期1990-03-07", ["1990-03-07"]),
        ("生日：1990/3/7", ["1990/3/7"]),
        ("出生于1990年3月7日", ["1990年3月7日"]),
        ("DOB 1990.03.07", ["1990.03.07"]),
        ("出生日期19900307", ["19900307"]),  # compact only with context
        (f"出生{fullwidth('1990-03-07')}", [fullwidth("1990-03-07")]),
        ("1990-03-07", []),  # a date alone is not a birth date
        ("19900307", []),
        ("出生1990-02-30", []),  # not a calendar date
        ("出生1990-03/07", []),  # mixed separators
        ("出生日期2990-03-07", []),
        ("出生119900307", []),  # inside a longer digit run
        ("出生日期1990-03-071", []),
    ],
)
def test_date_of_birth_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("生日1990/3/7", "1990-03-07"),
        ("出生1990年12月1日", "1990-12-01"),
        ("dob 19900307", "1990-03-07"),
    ],
)
def test_canonical_iso_date(text: str, value: str) -> None:
    (f,) = R.analyze(text)
    assert f.value == value


def test_date_scores_low_without_context() -> None:
    (f,) = R.analyze("1990-03-07")
    assert f.score < 0.5


@pytest.mark.parametrize(
    "values",
    [
        ["1990-03-07", "2001-12-31", "1900-01-01"],  # a date column: left as it is
        ["1990-03-07", "1990/3/7", None, "19900307", "1990年12月1日"],
        ["1990-3-07", "1990-03-07"],
    ],
)
def test_canonical_series_is_canonical(values: list[str | None]) -> None:
    got = R.canonical_series(pl.Series(values, dtype=pl.String)).to_list()
    assert got == [None if v is None else R.canonical(v) for v in values]
