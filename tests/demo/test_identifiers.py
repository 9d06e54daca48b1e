"""Single generated identifiers: valid check digits, messy forms, decoys that fail."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import pytest

from baomi.demo import identifiers as ids
from baomi.demo.divisions import load_divisions
from baomi.engine.checksums import (
    is_luhn_valid,
    is_valid_resident_id,
    resident_id_check_char,
)

TODAY = dt.date(2026, 1, 1)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(42)


def test_resident_ids_are_valid_and_encode_sex(rng: random.Random) -> None:
    codes = [d.code for d in load_divisions()]
    for _ in range(2000):
        male = rng.random() < 0.5
        born = ids.birth_date(rng, 0, 90, TODAY)
        value = ids.resident_id(rng, rng.choice(codes), born, male)
        assert is_valid_resident_id(value, today=TODAY)
        assert value[6:14] == f"{born:%Y%m%d}"
        assert int(value[16]) % 2 == (1 if male else 0)


def test_birth_date_gives_the_requested_age(rng: random.Random) -> None:
    for _ in range(500):
        born = ids.birth_date(rng, 6, 13, TODAY)
        age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
        assert 6 <= age <= 13


def test_bank_cards_are_unionpay_luhn_valid_and_not_resident_ids(rng: random.Random) -> None:
    for _ in range(3000):
        card = ids.bank_card(rng)
        assert card.startswith("62")
        assert 16 <= len(card) <= 19
        assert is_luhn_valid(card)
        assert not is_valid_resident_id(card)


def test_decoy_order_numbers_always_fail_gb11643(rng: random.Random) -> None:
    codes = tuple(d.code for d in load_divisions())
    for _ in range(5000):
        value = ids.decoy_order_number(rng, codes)
        assert len(value) == 18 and value.isdigit()
        assert resident_id_check_char(value[:17]) != value[17]
        assert not is_valid_resident_id(value)
        assert ids.is_decoy_order_number(value)


def test_serial_numbers_pass_luhn_only_by_chance(rng: random.Random) -> None:
    values = [ids.serial_number(rng) for _ in range(5000)]
    assert all(len(v) == 16 and v.isdigit() for v in values)
    share = sum(is_luhn_valid(v) for v in values) / len(values)
    assert 0.07 < share < 0.13


def test_member_numbers_never_have_a_mobile_prefix(rng: random.Random) -> None:
    for _ in range(1000):
        value = ids.member_number(rng)
        assert len(value) == 11 and value[:2] in ("10", "11", "12")


def test_mobile_forms_keep_the_eleven_digits(rng: random.Random) -> None:
    forms: set[str] = set()
    for _ in range(2000):
        number = ids.mobile_number(rng)
        assert number[:3] in ids.MOBILE_PREFIXES and len(number) == 11
        written = ids.format_mobile(rng, number)
        digits = "".join(c for c in unicodedata.normalize("NFKC", written) if c.isdigit())
        assert digits.removeprefix("86") == number
        if written.startswith("+86-"):
            forms.add("+86-")
        elif written.startswith("(+86)"):
            forms.add("(+86)")
        elif " " in written:
            forms.add("spaced")
        elif not written.isascii():
            forms.add("full-width")
        elif written.isdigit():
            forms.add("plain")
    assert forms == {"+86-", "(+86)", "spaced", "full-width", "plain"}


def test_grouped_card_and_lowercase_x(rng: random.Random) -> None:
    card = "6222021234567890123"
    grouped = {ids.format_bank_card(rng, card) for _ in range(200)}
    assert "6222 0212 3456 7890 123" in grouped and card in grouped
    assert {ids.format_resident_id(rng, "11010519491231002X") for _ in range(100)} == {
        "11010519491231002X",
        "11010519491231002x",
    }


def test_divisions_are_real_county_level_codes() -> None:
    divisions = load_divisions()
    assert len(divisions) > 2500
    by_code = {d.code: d for d in divisions}
    assert by_code["110105"].full_name == "北京市朝阳区"
    assert by_code["440305"].full_name == "广东省深圳市南山区"
    assert all(not d.code.endswith("00") and "市辖区" not in d.full_name for d in divisions)
