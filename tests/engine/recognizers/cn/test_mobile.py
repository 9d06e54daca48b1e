from __future__ import annotations

import pytest

from baomi.engine.recognizers.cn.mobile import ALLOCATED_PREFIXES, CnMobileRecognizer
from tests.engine.recognizers.support import check_row, fullwidth

R = CnMobileRecognizer()
M = "13812345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (M, [M]),
        (f"手机{M}", [M]),
        (f"联系电话：{M}。", [M]),
        (f"请拨{M}或{'15900001111'}", [M, "15900001111"]),
        ("138 1234 5678", ["138 1234 5678"]),
        ("138-1234-5678", ["138-1234-5678"]),
        ("+86-138-1234-5678", ["+86-138-1234-5678"]),
        (f"(+86){M}", [f"(+86){M}"]),
        (f"+86 {M}", [f"+86 {M}"]),
        (f"0086{M}", [f"0086{M}"]),
        (f"86{M}", [f"86{M}"]),
        (fullwidth(M), [fullwidth(M)]),
        (f"电话{fullwidth('+86 138 1234 5678')}", [fullwidth("+86 138 1234 5678")]),
        (
            "手机\u3000138\u30001234\uff0d5678",
            ["138\u30001234\uff0d5678"],
        ),  # ideographic space, full-width dash
        (f"9{M}", []),  # inside a longer digit run
        (f"{M}0", []),
        (f"123{M}456", []),
        ("12812345678", []),  # 12x is not a mobile prefix
        ("1381234567", []),  # 10 digits
        ("SO13812345678", []),  # glued to an ASCII code
        (f"Tel{M}", [M]),  # ... but a phone label written without a separator is one
        (f"mobile{M}", [M]),
        (f"TEL+86{M}", [f"+86{M}"]),
        ("14012345678", []),  # unallocated prefix, no context: low score
        ("手机14012345678", ["14012345678"]),  # ... but reported with context
    ],
)
def test_mobile_table(text: str, expected: list[str]) -> None:
    check_row(R, text, expected)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("+86-138-1234-5678", M),
        ("(+86) 138 1234 5678", M),
        ("0086 13812345678", M),
        (M, M),
    ],
)
def test_canonical_is_eleven_digits(raw: str, canonical: str) -> None:
    assert R.canonical(raw) == canonical


def test_plain_mobile_scores_over_threshold_alone_and_higher_with_context() -> None:
    (plain,) = R.analyze(M)
    (ctx,) = R.analyze(f"手机{M}")
    assert 0.5 <= plain.score < ctx.score
    assert ctx.explanation.context_word == "手机"
    assert plain.value == M


@pytest.mark.parametrize("prefix", ["130", "145", "166", "170", "192", "199"])
def test_allocated_prefixes_from_mob1(prefix: str) -> None:
    assert prefix in ALLOCATED_PREFIXES
    assert R.validate(prefix + "12345678") is None


@pytest.mark.parametrize("prefix", ["140", "154", "160", "179", "194"])
def test_unallocated_prefixes_are_rejected(prefix: str) -> None:
    assert R.validate(prefix + "12345678") is False


def test_fast_cell_regex_and_repr_hide_the_value() -> None:
    import polars as pl

    # The column fast path takes a whole cell written as people write one number (+86, spaces,
    # dashes); unallocated prefixes and full-width digits go to the per-cell path.
    cells = pl.Series([M, "+8613812345678", "(+86)138 1234 5678", "12812345678", fullwidth(M)])
    expected = [True, True, True, False, False]
    assert cells.str.contains(R.fast_cell_regex or "").to_list() == expected
    (f,) = R.analyze(M)
    assert M not in repr(f)
