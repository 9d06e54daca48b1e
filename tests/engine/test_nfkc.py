"""Cells that NFKC would change, found in Polars (baomi.engine.nfkc)."""

from __future__ import annotations

import random
import unicodedata

import polars as pl
import pytest

from baomi.engine import nfkc


@pytest.mark.skipif(
    unicodedata.unidata_version != nfkc.UNIDATA_VERSION, reason="table for another Unicode"
)
def test_table_is_this_unicode_version() -> None:
    assert nfkc.compute_ranges() == nfkc.RANGES


def _expected(cells: list[str | None]) -> list[bool]:
    return [c is not None and not unicodedata.is_normalized("NFKC", c) for c in cells]


def test_the_mask_is_is_normalized() -> None:
    cells: list[str | None] = [
        None,
        "",
        "plain ascii",
        "张三，电话13812345678",  # full-width comma: not NFKC
        "张三,电话",
        "e\u0301",  # decomposed: NFKC composes it
        "\u00e9",
        "\u00e9\u0301",
        "\u1100\u1161",  # Hangul jamo that compose
        "\uac00",
        "\uac00\u11a8",  # LV + T composes
        "\u2026",  # … is ... in NFKC
        "Ⅱ",
        "\u0958",  # composition exclusion
        "a\u0323\u0307",
        "a\u0307\u0323",  # marks out of canonical order
        "\U0002f800",  # CJK compatibility ideograph
        "\u4e00\u9fa5",
    ]
    got = nfkc.not_nfkc(pl.Series(cells, dtype=pl.String))
    assert got.tolist() == _expected(cells)


def test_random_texts_agree() -> None:
    rng = random.Random(7)
    pools = [
        [chr(c) for c in range(0x20, 0x7F)],
        [chr(c) for c in range(0x4E00, 0x4E40)],
        [chr(c) for c in range(0x300, 0x370)],  # combining marks
        [chr(c) for c in range(0x1100, 0x1200)],  # Hangul jamo
        [chr(c) for c in range(0xAC00, 0xAC40)],
        [chr(c) for c in range(0xFF00, 0xFF70)],
        [chr(c) for c in range(0xC0, 0x250)],
        [chr(c) for c in range(0x900, 0x980)],
        [chr(c) for c in range(0x3040, 0x3100)],  # kana and their voicing marks
    ]
    cells: list[str | None] = []
    for _ in range(3000):
        n = rng.randint(1, 6)
        cells.append("".join(rng.choice(rng.choice(pools)) for _ in range(n)))
    got = nfkc.not_nfkc(pl.Series(cells, dtype=pl.String))
    assert got.tolist() == _expected(cells)
    assert any(got) and not all(got)
