"""The vectorised check-digit functions agree with the scalar ones on generated values."""

from __future__ import annotations

import random

import polars as pl

from baomi.engine.checksums import (
    is_luhn_valid,
    is_valid_uscc,
    luhn_valid_many,
    resident_id_check_char,
    resident_id_check_ok_many,
    uscc_check_char,
    uscc_valid_many,
    uscc_valid_series,
)


def test_luhn_many_agrees_with_scalar() -> None:
    rng = random.Random(11)
    values = [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 19))) for _ in range(5000)
    ]
    assert luhn_valid_many(values).tolist() == [is_luhn_valid(v) for v in values]
    assert 300 < sum(luhn_valid_many(values).tolist()) < 700  # about one in ten passes


def test_resident_id_check_many_agrees_with_scalar() -> None:
    rng = random.Random(12)
    values = []
    for _ in range(5000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        last = resident_id_check_char(body) if rng.random() < 0.5 else rng.choice("0123456789Xx")
        values.append(body + last)
    expected = [resident_id_check_char(v[:17]) == v[17].upper() for v in values]
    assert resident_id_check_ok_many(values).tolist() == expected


def test_uscc_many_agrees_with_scalar() -> None:
    rng = random.Random(13)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    values = []
    for _ in range(3000):
        body = "".join(rng.choice(alphabet) for _ in range(17))
        last = uscc_check_char(body) if rng.random() < 0.5 else rng.choice(alphabet + "IOZ")
        values.append(body + last if rng.random() < 0.95 else body)
    values += ["91110000600037341l", "", "９１"]
    assert uscc_valid_many(values).tolist() == [is_valid_uscc(v) for v in values]
    shaped = [v for v in values if len(v.encode()) == 18]  # the Arrow-buffer path
    lowered = [v.lower() for v in shaped] + ["９１一二三四", "ß" + shaped[0][:16]]
    for series in (shaped, lowered, values):
        expected = [is_valid_uscc(v) for v in series]
        assert uscc_valid_series(pl.Series(series)).tolist() == expected
    assert uscc_valid_series(pl.Series([shaped[0], None])).tolist() == [
        is_valid_uscc(shaped[0]),
        False,
    ]


def test_series_and_list_inputs_give_the_same_digits() -> None:
    import polars as pl

    from baomi.engine.checksums import digit_matrix

    values = ["6222021234567890123", "12", "", "４５６", None]
    as_list = digit_matrix([v or "" for v in values], 19)
    as_series = digit_matrix(pl.Series(values, dtype=pl.String), 19)
    assert as_series.tolist() == as_list.tolist()
    sliced = pl.Series(["1" * 19, "2" * 19, "3" * 19]).slice(1, 2)
    assert digit_matrix(sliced, 19)[:, -1].tolist() == [2, 3]


def test_resident_id18_many_agrees_with_scalar() -> None:
    # Province, calendar date (leap years, month lengths, 1900 and today as bounds) and check
    # character: valid IDs and near misses on each part.
    import datetime as dt

    import polars as pl

    from baomi.engine.checksums import is_valid_resident_id, resident_id18_valid_many

    rng = random.Random(14)
    today = dt.date(2026, 11, 30)
    values = []
    for _ in range(6000):
        area = rng.choice(["110101", "440305", "650102", "990000", "000000", "710000"])
        year = rng.choice([1899, 1900, 1996, 2000, 1900, 2024, 2026, 2027, rng.randint(1901, 2025)])
        month = rng.choice([0, 1, 2, 4, 12, 13, rng.randint(1, 12)])
        day = rng.choice([0, 1, 28, 29, 30, 31, 32, rng.randint(1, 28)])
        body = f"{area}{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
        last = resident_id_check_char(body) if rng.random() < 0.7 else rng.choice("0123456789Xx")
        values.append(body + (last.lower() if rng.random() < 0.1 else last))
    got = resident_id18_valid_many(pl.Series(values), today).tolist()
    expected = [is_valid_resident_id(v, today) for v in values]
    assert got == expected
    assert 500 < sum(expected) < 5500  # both outcomes well represented
