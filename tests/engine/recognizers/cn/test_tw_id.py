"""Taiwan identity card numbers: the check digit, where they are found (beside a context word
or under an identity card's header), and what a package makes of them. Every number is
generated with a computed check digit (the textbook ``A123456789`` included)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from baomi.engine.checksums import is_valid_tw_id, tw_id_check_digit
from baomi.engine.masking import mask_value
from baomi.engine.protect.operators.pseudonym import pseudonym_value
from baomi.engine.protect.params import PseudonymParams
from baomi.engine.recognizers.cn.tw_id import TwIdRecognizer
from tests.engine.recognizers.support import assert_column_counted_and_protected

R = TwIdRecognizer()


def tw_id(rng: random.Random) -> str:
    first9 = (
        rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO") + rng.choice("12") + f"{rng.randrange(10**7):07d}"
    )
    return first9 + tw_id_check_digit(first9)


def test_the_check_digit() -> None:
    assert tw_id_check_digit("A12345678") == "9"
    assert is_valid_tw_id("A123456789") and is_valid_tw_id("a123456789")
    assert is_valid_tw_id(
        "A" + "82345678" + tw_id_check_digit("A82345678")
    )  # a resident certificate's (8 or 9 second)
    assert not is_valid_tw_id("A123456788") and not is_valid_tw_id("A323456789")
    # every letter's value counts: changing the letter breaks most numbers
    assert sum(is_valid_tw_id(c + "123456789") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ") < 6


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("台湾客户身分證 A123456789", "A123456789"),
        ("身份证号：a123456789（台湾）", "a123456789"),
        ("ID No. A123456789", "A123456789"),
        ("订单 A123456789", None),  # no context: an order code as likely
        ("身分證 A123456788", None),  # the check fails
        ("身分證 A1234567890", None),  # longer
    ],
)
def test_found_beside_a_context_word(text: str, found: str | None) -> None:
    spans = [(text[f.start : f.end], f.score) for f in R.analyze(text)]
    assert spans == ([] if found is None else [(found, 0.99)])


def test_mask_and_pseudonym() -> None:
    assert mask_value("A123456789", "TW_ID") == "A12*****89"
    key = b"k" * 32
    out = pseudonym_value("A123456789", "TW_ID", key, PseudonymParams())
    assert out != "A123456789" and out[:2] == "A1" and is_valid_tw_id(out)
    assert out == pseudonym_value("A123456789", "TW_ID", key, PseudonymParams())


def test_a_column_under_an_identity_card_header_is_counted_and_protected(tmp_path: Path) -> None:
    rng = random.Random(886)
    ids = [tw_id(rng) for _ in range(10)]
    assert_column_counted_and_protected(tmp_path, "身分證字號", ids, "TW_ID")
