from __future__ import annotations

import random

import polars as pl
import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.recognizers.cn.bank_card import BankCardRecognizer
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Validation
from tests.engine.recognizers.support import (
    bad_luhn,
    check_row,
    fullwidth,
    luhn,
    resident_id,
)

R = BankCardRecognizer()
UNIONPAY19 = luhn("622202123456789012")
UNIONPAY16 = luhn("622848001234567")
VISA = luhn("411111111111111")
MASTER = luhn("545454545454545")
MASTER2 = luhn("222100000000000")
JCB = luhn("353011133330000")
AMEX = luhn("37828224631000")
UNKNOWN = luhn("123456781234567")  # Luhn-valid, no known issuer
BAD = bad_luhn("411111111111111")  # Visa prefix, Luhn fails
BAD_UNIONPAY = bad_luhn("622202123456789012")


def grouped(number: str, sep: str = " ") -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (UNIONPAY19, [UNIONPAY19]),
        (UNIONPAY16, [UNIONPAY16]),
        (VISA, [VISA]),
        (MASTER, [MASTER]),
        (MASTER2, [MASTER2]),
        (JCB, [JCB]),
        (AMEX, [AMEX]),
        (f"卡号{UNIONPAY19}", [UNIONPAY19]),
        (f"银行卡号：{VISA}，", [VISA]),
        (grouped(UNIONPAY16), [grouped(UNIONPAY16)]),
        (grouped(UNIONPAY19, "-"), [grouped(UNIONPAY19, "-")]),
        (f"卡号{grouped(VISA)}已绑定", [grouped(VISA)]),
        (fullwidth(UNIONPAY19), [fullwidth(UNIONPAY19)]),
        (f"卡号{fullwidth(grouped(VISA))}", [fullwidth(grouped(VISA))]),
        (f"1{VISA}", []),  # inside a longer digit run
        (f"{UNIONPAY19}0", []),
        (f"1234 {grouped(VISA)}", []),  # a fifth group: not a card
        (BAD, []),  # Luhn fails, no context: not reported
        (f"卡号{BAD}", [BAD]),  # ... but with context it is (BANK-2)
        (f"card no. {BAD}", [BAD]),
        (BAD_UNIONPAY, []),  # UnionPay without Luhn keeps the pattern score only
        (f"账号{BAD_UNIONPAY}", [BAD_UNIONPAY]),
        (UNKNOWN, []),  # Luhn-valid, unknown issuer: needs context
        (f"卡号{UNKNOWN}", [UNKNOWN]),
        (resident_id(), []),  # a valid resident ID is not a card
        (f"卡号{resident_id()}", []),
        ("6222021234", []),  # too short
        (f"0.{VISA}", []),  # the digits of a decimal fraction (a score, a ratio), not a card
        (f"12.{UNIONPAY19}", []),
        (f"金额12.5元，卡号{VISA}", [VISA]),
    ],
)
def test_bank_card_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        (UNIONPAY19, True),
        (VISA, True),
        (AMEX, True),
        (UNKNOWN, None),
        (BAD_UNIONPAY, None),
        (BAD, False),
        (resident_id(), False),
        ("12345", False),
    ],
)
def test_validate_is_three_way(value: str, outcome: bool | None) -> None:
    assert R.validate(value) is outcome


def test_validated_card_scores_confirmed() -> None:
    (f,) = R.analyze(f"卡号{grouped(UNIONPAY19)}")
    assert f.score == 0.99
    assert f.value == UNIONPAY19
    assert f.explanation.validation is Validation.CONFIRMED


def test_resident_id_wins_over_card_in_the_analyzer() -> None:
    rid = resident_id()
    analyzer = TextAnalyzer(Registry.default(plugins=False))
    found = analyzer.analyze(f"卡号{rid}")
    assert [(f.entity, f.start, f.end) for f in found] == [("CN_RESIDENT_ID", 2, 20)]


def _generated(n: int) -> list[str]:
    rnd = random.Random(7)
    prefixes = [
        "62",
        "81",
        "4",
        "51",
        "55",
        "2221",
        "2720",
        "35",
        "3528",
        "34",
        "37",
        "6011",
        "1",
        "9",
    ]
    out: list[str] = []
    for _ in range(n):
        length = rnd.choice([13, 14, 15, 16, 17, 18, 19, 20])
        p = rnd.choice(prefixes)
        body = p + "".join(rnd.choice("0123456789") for _ in range(length - len(p) - 1))
        out.append(luhn(body) if rnd.random() < 0.5 else bad_luhn(body))
    out += [resident_id(), resident_id("44030619851231002"), "", "62220212345678901x"]
    return out


def test_vectorised_validation_agrees_with_per_value() -> None:
    values = _generated(4000)
    vectorised = R.validate_series(pl.Series(values)).to_list()
    per_value = [R.validate(v) for v in values]
    assert vectorised == per_value
    assert {True, False, None} <= set(per_value)  # every branch is exercised


def test_fast_cell_regex() -> None:
    cells = pl.Series([UNIONPAY19, grouped(VISA), fullwidth(VISA), AMEX])
    assert cells.str.contains(R.fast_cell_regex or "").to_list() == [True, True, False, False]
    # an 18-digit resident ID has a card's shape; the scan excludes it from the fast path
    assert pl.Series([resident_id()]).str.contains(R.fast_cell_regex or "").item()
    assert R.excluded_series(pl.Series([resident_id()])).item()


def test_excluded_series_agrees_with_excluded() -> None:
    values = _generated(500)
    assert R.excluded_series(pl.Series(values)).to_list() == [R.excluded(v) for v in values]
    assert R.excluded(resident_id()) and not R.excluded(UNIONPAY19)
