from __future__ import annotations

import pytest

from baomi.engine.recognizers.cn.passport import CnPassportRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = CnPassportRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("护照号E12345678", ["E12345678"]),
        ("护照EA1234567", ["EA1234567"]),
        ("passport: ej7654321", ["ej7654321"]),
        ("护照号码DE1234567", ["DE1234567"]),
        ("护照K12345678", ["K12345678"]),
        ("护照MA1234567", ["MA1234567"]),
        ("护照G12345678", ["G12345678"]),  # pre-2012 series, with context
        (f"护照{fullwidth('E12345678')}", [fullwidth("E12345678")]),
        ("E12345678", []),  # no context: below the threshold
        ("护照EI1234567", []),  # I is not used after E
        ("护照EO1234567", []),
        ("护照E123456789", []),  # a longer digit run
        ("护照XE12345678", []),  # glued to another letter
        ("护照E1234567", []),  # 7 digits after E alone
    ],
)
def test_passport_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_context_dependent_score_and_upper_case_value() -> None:
    (plain,) = R.analyze("ea1234567")
    (ctx,) = R.analyze("护照ea1234567")
    assert plain.score < 0.5 <= ctx.score
    assert ctx.value == "EA1234567"
