from __future__ import annotations

import pytest

from baomi.engine.recognizers.cn.landline import CnLandlineRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = CnLandlineRecognizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话010-62345678", ["010-62345678"]),
        ("座机：021 23456789", ["021 23456789"]),
        ("tel (0755)2345678", ["(0755)2345678"]),
        ("电话0571-87654321转123", ["0571-87654321转123"]),
        ("电话010-62345678-8001", ["010-62345678-8001"]),
        ("固话01062345678", ["01062345678"]),
        ("电话：010-6552 1234", ["010-6552 1234"]),  # local number split 4 + 4
        ("传真0571-876-5432", ["0571-876-5432"]),  # split 3 + 4
        ("电话 6222 0512 3456 7890", []),  # groups of a longer number are no landline
        (f"电话{fullwidth('010-62345678')}", [fullwidth("010-62345678")]),
        ("010-62345678", []),  # no context: below the threshold
        ("电话9010-62345678", []),  # inside a longer digit run
        ("电话010-623456789", []),  # 9-digit local number
        ("电话010-12345678", []),  # a local number never starts with 1
        ("电话13812345678", []),  # a mobile, not a landline
    ],
)
def test_landline_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


def test_plain_landline_scores_low_and_context_lifts_it() -> None:
    (plain,) = R.analyze("010-62345678")
    (ctx,) = R.analyze("座机010-62345678")
    assert plain.score < 0.5 <= ctx.score
    assert ctx.value == "01062345678"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("(0755)2345678", "07552345678"),
        ("0571-87654321转123", "057187654321"),
        ("010-6552 1234", "01065521234"),
    ],
)
def test_canonical_drops_separators_and_extension(raw: str, canonical: str) -> None:
    assert R.canonical(raw) == canonical
