"""The vectorised check-digit functions agree with the scalar ones on generated values."""

from __future__ import annotations

import random

from baomi.engine.checksums import (
    is_luhn_valid,
    is_valid_uscc,
    luhn_valid_many,
    resident_id_check_char,
    resident_id_check_ok_many,
    uscc_check_char,
    uscc_valid_many,
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


def test_series_and_list_inputs_give_the_same_digits() -> None:
    import polars as pl

    from baomi.engine.checksums import digit_matrix

    values = ["6222021234567890123", "12", "", "４５６", None]
    as_list = digit_matrix([v or "" for v in values], 19)
    as_series = digit_matrix(pl.Series(values, dtype=pl.String), 19)
    assert as_series.tolist() == as_list.tolist()
    sliced = pl.Series(["1" * 19, "2" * 19, "3" * 19]).slice(1, 2)
    assert digit_matrix(sliced, 19)[:, -1].tolist() == [2, 3]
