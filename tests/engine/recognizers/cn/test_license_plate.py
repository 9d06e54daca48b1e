from __future__ import annotations

import pytest

from baomi.engine.recognizers.cn.license_plate import CnLicensePlateRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = CnLicensePlateRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("京A12345", ["京A12345"]),
        ("车牌号粤B1C234已登记", ["粤B1C234"]),
        ("沪A·12345", ["沪A·12345"]),
        ("车牌浙A 12345", ["浙A 12345"]),
        ("苏E12345挂失", ["苏E12345"]),  # 挂 after five characters belongs to the text
        ("苏E1234挂", ["苏E1234挂"]),  # trailer
        ("粤BD12345", ["粤BD12345"]),  # new energy, small vehicle
        ("京A12345F", ["京A12345F"]),  # new energy, large vehicle
        (f"车牌{'京' + fullwidth('A12345')}", ["京" + fullwidth("A12345")]),
        ("京AB1234", ["京AB1234"]),
        ("京ABCDEF", []),  # no digits: a word, not a plate
        ("京AI2345", []),  # I is not a city letter
        ("京A123456789", []),  # a longer run
        ("北京A12345X", []),  # glued to another letter
        ("A12345", []),  # no province
    ],
)
def test_license_plate_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_canonical_drops_the_separator() -> None:
    (f,) = R.analyze("沪A·12345")
    assert f.value == "沪A12345"
