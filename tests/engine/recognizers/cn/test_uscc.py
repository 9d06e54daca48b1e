from __future__ import annotations

import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from baomi.engine.checksums import is_valid_uscc, uscc_check_char
from baomi.engine.recognizers.cn.uscc import CnUsccRecognizer
from tests.engine.recognizers.support import check_row, fullwidth, uscc

R = CnUsccRecognizer()
CODE = uscc("91110108MA01ABCD1")
SOLE = uscc("92440300L12345678")
BAD = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CODE, [CODE]),
        (f"统一社会信用代码：{CODE}", [CODE]),
        (f"税号{SOLE}，", [SOLE]),
        (CODE.lower(), [CODE.lower()]),
        (fullwidth(CODE), [fullwidth(CODE)]),
        (BAD, []),  # wrong check character: dropped
        (f"信用代码{BAD}", []),
        (f"A{CODE}", []),  # glued to another letter
        (f"{CODE}9", []),
        (CODE.replace("MA", "MI"), []),  # I is not in the alphabet
    ],
)
def test_uscc_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_validated_code_is_confirmed() -> None:
    (f,) = R.analyze(CODE.lower())
    assert f.score == 0.99
    assert f.value == CODE


def test_check_char_agrees_with_python_stdnum() -> None:
    rnd = random.Random(3)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        body = (
            rnd.choice("159")
            + rnd.choice("123")
            + "".join(rnd.choice("0123456789") for _ in range(6))
        )
        body += "".join(rnd.choice(alphabet) for _ in range(9))
        assert uscc_check_char(body) == stdnum_uscc.calc_check_digit(body)
        code = body + uscc_check_char(body)
        assert is_valid_uscc(code) is stdnum_uscc.is_valid(code)
        wrong = body + rnd.choice(alphabet.replace(code[-1], ""))
        assert is_valid_uscc(wrong) is stdnum_uscc.is_valid(wrong) is False
