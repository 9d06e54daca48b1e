"""Phone numbers of other countries and regions, written with their country code: found,
checked against their numbering plan (``phonenumbers``), masked and pseudonymised with the
country kept. The numbers are of the ranges kept for fiction and documentation (555-01xx in
North America, Ofcom's 020 7946 0xxx) or made up."""

from __future__ import annotations

import re

import polars as pl
import pytest

from baomi.engine.masking import mask_value
from baomi.engine.protect.operators.pseudonym import pseudonym_value
from baomi.engine.protect.params import PseudonymParams
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.recognizers.generic.phone import PhoneRecognizer, parsed

R = PhoneRecognizer()


def _found(text: str) -> list[tuple[str, float, str]]:
    return [(text[f.start : f.end], f.score, f.value or "") for f in R.analyze(text)]


@pytest.mark.parametrize(
    ("text", "span", "e164"),
    [
        ("+852 9123 4567", "+852 9123 4567", "+85291234567"),
        ("客户香港手机：(+852) 9123 4567，周一联系", "(+852) 9123 4567", "+85291234567"),
        ("call +44 20 7946 0958 after 5pm", "+44 20 7946 0958", "+442079460958"),
        ("US office +1 (415) 555-0132.", "+1 (415) 555-0132", "+14155550132"),
        ("＋８５３ ６６１２ ３４５６", "＋８５３ ６６１２ ３４５６", "+85366123456"),  # full-width
        ("Taiwan +886-912-345-678", "+886-912-345-678", "+886912345678"),
    ],
)
def test_numbers_with_a_country_code(text: str, span: str, e164: str) -> None:
    assert _found(text) == [(span, 0.99, e164)]


@pytest.mark.parametrize(
    "text",
    [
        "+86 138 1234 5678",  # the mainland mobile recognizer's
        "+8613812345678",
        "+7 123",  # too short for any plan
        "+1 123 456 7890",  # no North American area code starts with 1
        "score +12 points",
        "9123 4567",  # no country code: cannot be told from other digits
        "订单号 A+1234567890",  # after a letter
    ],
)
def test_no_phone_number(text: str) -> None:
    assert _found(text) == []


def test_the_prefilter_lets_every_found_number_through() -> None:
    cells = [
        "+852 9123 4567",
        "（＋８５３）６６１２ ３４５６",
        "x+44 20 7946 0958",
        "+1 (415) 555-0132",
    ]
    assert pl.Series(cells).str.contains(str(R.prefilter)).all()
    assert (
        not pl.Series(["+86 138 1234 5678", "+8613812345678"]).str.contains(str(R.prefilter)).any()
    )


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+852 9123 4567", "+852 **** 4567"),
        ("+1 (415) 555-0132", "+1 (***) ***-0132"),
        ("+44 20 7946 0958", "+44 ** **** 0958"),
    ],
)
def test_mask_shows_the_country_code_and_the_last_four(value: str, masked: str) -> None:
    assert mask_value(value, "PHONE_NUMBER") == masked


def test_pseudonym_keeps_the_country_the_layout_and_the_kind_of_number() -> None:
    key = b"k" * 32
    out = pseudonym_value("+852 9123 4567", "PHONE_NUMBER", key, PseudonymParams())
    assert re.fullmatch(r"\+852 9\d{3} \d{4}", out) and out != "+852 9123 4567"
    assert out == pseudonym_value("+852 9123 4567", "PHONE_NUMBER", key, PseudonymParams())
    # one number however written: one pseudonym (joins on the column still work)
    other = pseudonym_value("+852-9123-4567", "PHONE_NUMBER", key, PseudonymParams())
    assert re.sub(r"\D", "", other) == re.sub(r"\D", "", out)
    assert pseudonym_value("+852 9123 4567", "PHONE_NUMBER", b"j" * 32, PseudonymParams()) != out


def test_a_policy_without_a_rule_treats_them_as_mobile_numbers() -> None:
    """Policies written before this entity existed name no rule for it: the mobile's applies
    (the numbers were left in the package)."""
    old = DEFAULT_POLICY.replace("  PHONE_NUMBER: {operator: mask}", "  # (none)")
    assert "PHONE_NUMBER:" not in old
    policy = load_policy_text(
        old.replace("CN_MOBILE: {operator: mask}", "CN_MOBILE: {operator: pseudonym}")
    )
    rule = policy.rule_for_entity("PHONE_NUMBER")
    assert rule is not None and rule.operator == "pseudonym"
    own = load_policy_text(
        DEFAULT_POLICY.replace("PHONE_NUMBER: {operator: mask}", "PHONE_NUMBER: {operator: redact}")
    )
    assert own.rule_for_entity("PHONE_NUMBER").operator == "redact"  # type: ignore[union-attr]


def test_parsed_is_the_numbering_plans_verdict() -> None:
    assert parsed("+852 9123 4567") == (852, "+85291234567")
    assert parsed("+39 06 1234 5678") == (39, "+390612345678")  # Rome: its leading 0 kept
    assert parsed("+852 1234 5678") is None  # no Hong Kong number starts with 1
    assert parsed("not a number") is None
