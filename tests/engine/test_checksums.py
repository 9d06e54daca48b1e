from __future__ import annotations

import datetime as dt
import random

import pytest
from stdnum import luhn as stdnum_luhn
from stdnum.cn import ric, uscc

from baomi.engine.checksums import (
    is_luhn_valid,
    is_valid_resident_id,
    is_valid_uscc,
    luhn_check_digit,
    resident_id_check_char,
    uscc_check_char,
    valid_birth_date,
)

RND = random.Random(5)
DIGITS = "0123456789"


def _digits(n: int) -> str:
    return "".join(RND.choice(DIGITS) for _ in range(n))


def test_resident_id_check_char_agrees_with_stdnum_ric() -> None:
    for _ in range(2000):
        body = (
            "110105"
            + f"{RND.randint(1950, 2010)}{RND.randint(1, 12):02d}{RND.randint(1, 28):02d}"
            + _digits(3)
        )
        assert resident_id_check_char(body) == ric.calc_check_digit(body + "0")  # takes 18 chars
        number = body + resident_id_check_char(body)
        assert is_valid_resident_id(number) is ric.is_valid(number) is True
        assert not is_valid_resident_id(body + RND.choice("0123456789X".replace(number[-1], "")))


def test_luhn_agrees_with_stdnum() -> None:
    for _ in range(2000):
        payload = _digits(RND.randint(12, 18))
        assert luhn_check_digit(payload) == stdnum_luhn.calc_check_digit(payload)
        number = payload + _digits(1)
        assert is_luhn_valid(number) is stdnum_luhn.is_valid(number)


def test_uscc_agrees_with_stdnum() -> None:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        body = "91" + _digits(6) + "".join(RND.choice(alphabet) for _ in range(9))
        assert uscc_check_char(body) == uscc.calc_check_digit(body)
        assert is_valid_uscc(body + uscc_check_char(body))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("19000101", True),
        ("19891231", True),
        ("20000229", True),
        ("19000229", False),  # not a leap year
        ("18991231", False),
        ("19901301", False),
        ("19900230", False),
        ("2100101", False),
    ],
)
def test_valid_birth_date(value: str, ok: bool) -> None:
    assert valid_birth_date(value, today=dt.date(2025, 1, 1)) is ok


def test_birth_date_in_the_future_is_invalid() -> None:
    assert not valid_birth_date("20250102", today=dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("110105900307123", True),  # legacy 15 digits
        ("990105900307123", False),  # no such province
        ("110105901307123", False),  # month 13
        ("1101059003071", False),
        ("", False),
    ],
)
def test_legacy_and_malformed_ids(value: str, ok: bool) -> None:
    assert is_valid_resident_id(value) is ok


@pytest.mark.parametrize("value", ["", "1", "12a4", "0" * 5 + "x"])
def test_luhn_rejects_non_numbers(value: str) -> None:
    assert not is_luhn_valid(value)


def test_uscc_rejects_excluded_letters_and_lengths() -> None:
    body = "91110108MA01ABCD1"
    code = body + uscc_check_char(body)
    assert is_valid_uscc(code.lower())
    assert not is_valid_uscc(code[:-1])
    assert not is_valid_uscc(code.replace("A", "I"))
