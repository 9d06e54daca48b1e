"""Phone numbers of other countries and regions, written with their country code: found,
checked against their numbering plan (``phonenumbers``), masked and pseudonymised with the
country kept. The numbers are of the ranges kept for fiction and documentation (555-01xx in
North America, Ofcom's 020 7946 0xxx) or made up."""

from __future__ import annotations

import random
import re

import polars as pl
import pytest

from baomi.engine.masking import mask_value
from baomi.engine.protect.operators.pseudonym import pseudonym_value
from baomi.engine.protect.params import PseudonymParams
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.recognizers.generic.phone import (
    LocalPhoneRecognizer,
    LocalPhoneZhRecognizer,
    PhoneRecognizer,
    parsed,
)
from tests.engine.recognizers.support import spans_in_cell

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


# -- numbers written without their country code ----------------------------------------------

L = LocalPhoneRecognizer()
Z = LocalPhoneZhRecognizer()


_local = spans_in_cell


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Called Ernest Richards at 954.632.3194x875 about the invoice.", "954.632.3194x875"),
        ("Called Karl-Peter Bonbach at (03786) 579754 about it", "(03786) 579754"),
        ("Tel: (0191) 496 0528", "(0191) 496 0528"),
        ("香港客户电话 9123 4567，周一回访", "9123 4567"),
        ("客户手机：(0191) 496 0528", "(0191) 496 0528"),
        ("call 080-1993-5181 after 5pm", "080-1993-5181"),
        ("phone 0997543231", "0997543231"),
        ("mobile (415) 555-0132 ext. 12", "(415) 555-0132 ext. 12"),
        ("phone 4155550132", "4155550132"),  # North America's ten digits in one run
        ("phone 001-415-555-0132", "001-415-555-0132"),  # the international prefix
        ("phone +44 28 9018 148", "+44 28 9018 148"),  # no valid number of its plan
        ("Called April Lin DVM at 1-403-269-9102 about it", "1-403-269-9102"),  # 1 and ten
        ("Called Helena van Formbach-Lutterveld at (047) 0174681", "(047) 0174681"),
        # a verb of reaching someone; a Chinese word right after the number (a contact list)
        ("Diana Lowery can be reached on 626.661.6630", "626.661.6630"),
        ("Ships to Justin West, reach at 03.6616.6304", "03.6616.6304"),
        ("0477 913 788（手机）Zachary Lester，周一回访", "0477 913 788"),
        ("客户 (0114) 496 0772 (电话)", "(0114) 496 0772"),
    ],
)
def test_a_local_number_beside_a_phone_word(text: str, span: str) -> None:
    assert _local(text) == [(span, "PHONE_NUMBER")]
    assert any(pl.Series([text]).str.contains(str(r.prefilter)).item() for r in (L, Z))


def test_the_chinese_words_prefilter_lets_every_number_through() -> None:
    """Random notes of Chinese phone words, numbers of every kind and other characters:
    wherever the recognizer reads a number, its prefilter lets the note through (the
    prefilter reads the raw text, the recognizer the normalised one)."""
    rng = random.Random(8)
    pieces = [
        *("电话", "手机", "致电", "来电", "传真", "联系方式", "：", ":", " ", "，", "（", "）"),
        *("号", "1", "2", "9", "0", "(", ")", "+", "-", ".", "x", "a", "号码为", "香港"),
        *("9123 4567", "(0191) 496 0528", "13812345678", "0755-61303416", "2024-03-15"),
        *("１２３４ ５６７８", "＋４４ ２０ ７９４６ ０９５８", "12345678"),
    ]
    checked = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        if Z.analyze(text):
            checked += 1
            assert pl.Series([text]).str.contains(str(Z.prefilter)).item(), text
    assert checked > 200


@pytest.mark.parametrize(
    "text",
    [
        "9123 4567",  # no word naming a phone
        "invoice 954.632.3194",
        "call on 2024-03-15",  # a date
        "电话回访，订单号 20240315001",  # one run of eleven digits: an order's number
        "tel: 192.168.1.20",  # an address of the internet
        "电话 123456",  # six digits
        "电话 1234 5678 9012 3456",  # sixteen: a card's
        "phone 123456789",  # one run of nine: of no phone's usual length
    ],
)
def test_no_local_number(text: str) -> None:
    assert [e for _, e in _local(text) if e == "PHONE_NUMBER"] == []


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("电话 13812345678", "CN_MOBILE"),
        ("电话 138-1234-5678", "CN_MOBILE"),
        ("电话 0755-61303416", "CN_LANDLINE"),
        ("电话 010 8230 5566", "CN_LANDLINE"),
        ("tel +852 9123 4567", "PHONE_NUMBER"),  # the country code's recognizer, confirmed
    ],
)
def test_mainland_numbers_stay_the_mainland_recognizers(text: str, entity: str) -> None:
    found = _local(text)
    assert [e for _, e in found] == [entity]


def test_under_a_phone_header_a_cell_needs_no_word() -> None:
    assert _local("9123 4567", header="Phone") == [("9123 4567", "PHONE_NUMBER")]
    assert _local("(0161) 496 0603", header="联系电话") == [("(0161) 496 0603", "PHONE_NUMBER")]
    assert _local("9123 4567", header="Order No") == []
    assert L.prefilter_for("Phone") == L.header_prefilter and L.prefilter_for("备注") == L.prefilter


def test_a_local_number_is_masked_to_its_last_digits() -> None:
    assert mask_value("(0191) 496 0528", "PHONE_NUMBER") == "(****) *** 0528"
    out = pseudonym_value("(0191) 496 0528", "PHONE_NUMBER", b"k" * 32, PseudonymParams())
    assert re.fullmatch(r"\(\d{4}\) \d{3} \d{4}", out) and out != "(0191) 496 0528"
