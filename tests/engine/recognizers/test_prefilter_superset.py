"""A recognizer's Rust prefilter must accept every cell its Python patterns find something in
(the batched scan analyses only the cells the prefilter accepts). Random cells built from the
characters that matter at the edges: digits in both widths, separators, country codes, X, letters,
Chinese text and non-ASCII digits."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from baomi.engine.checksums import resident_id_check_char
from baomi.engine.recognizers.cn.mobile import CnMobileRecognizer
from baomi.engine.recognizers.cn.resident_id import CnResidentIdRecognizer

EDGES = [
    "",
    "+86",
    "0086",
    "(+86)",
    "86",
    "８６",
    "(86) ",
    "-",
    " ",
    "\u3000",
    "－",
    "x",
    "X",
    "ｘ",
    "a",
    "号",
    "电话",
    "身份证",
    "٣",
    "１",
    "7",
    "0",
    "+",
    ")",
]


def _fullwidth(s: str, mask: int) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if c.isdigit() and mask >> (i % 16) & 1 else c for i, c in enumerate(s)
    )


def _mobile(digits: str) -> str:
    return "1" + "3456789"[int(digits[0]) % 7] + digits[1:10]


@st.composite
def cells(draw: st.DrawFn) -> str:
    digits = draw(st.text("0123456789", min_size=17, max_size=17))
    core = draw(
        st.sampled_from(
            [
                _mobile(digits),
                _mobile(digits)[:3] + " " + _mobile(digits)[3:7] + "-" + _mobile(digits)[7:],
                "110101" + "19" + digits[:9],
                "440305" + "1990" + "0101" + digits[:3] + "X",
                digits[:15],
                digits,
            ]
        )
    )
    if len(core) == 18 and core[-1] != "X":
        core = core[:17] + resident_id_check_char(core[:17])
    core = _fullwidth(core, draw(st.integers(0, 2**16 - 1)))
    before = draw(st.lists(st.sampled_from(EDGES), max_size=3))
    after = draw(st.lists(st.sampled_from(EDGES), max_size=3))
    return "".join(before) + core + "".join(after)


@settings(max_examples=600, deadline=None)
@given(cells())
def test_prefilters_accept_every_cell_with_a_finding(cell: str) -> None:
    for r in (CnMobileRecognizer(), CnResidentIdRecognizer()):
        if r.analyze(cell):
            assert pl.Series([cell]).str.contains(r.prefilter or "").item(), (r.name, cell)
