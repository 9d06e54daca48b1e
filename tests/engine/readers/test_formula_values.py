"""The joins a formula cell without a usable cached value is read as (``readers/formula_values``):
texts and whole numbers, references to its own row, ``&``, ``CONCATENATE``/``CONCAT``; anything
else is not computed (``None``: the reader keeps the formula text)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from baomi.engine.readers.formula_values import UNKNOWN, as_text, compute, pieces

ROW = {1: "138", 2: 12345678, 3: None, 4: "张三", 5: True, 6: 1.5, 7: date(2024, 1, 2), 8: 3.0}


def value_at(column: int) -> Any:
    return ROW.get(column, UNKNOWN if column == 9 else None)


@pytest.mark.parametrize(
    ("formula", "shown"),
    [
        ('="13812345678"', "13812345678"),
        ('="138"&"12345678"', "13812345678"),
        ("=A2&B2", "13812345678"),
        ("=$A$2&$B2", "13812345678"),
        ("=a2&b2", "13812345678"),  # references in lower case
        ('=CONCATENATE("电话 ",A2, B2)', "电话 13812345678"),
        ('=_xlfn.CONCAT(A2,"-",B2)', "138-12345678"),
        ('=concat(D2,"（",A2,"）")', "张三（138）"),
        ('=(A2&"-")&(B2)', "138-12345678"),
        ('=CONCATENATE(CONCATENATE(A2,"x"),"y")', "138xy"),
        ('="say ""hi"""', 'say "hi"'),  # a doubled quote is a quote
        ("=138&12345678", "13812345678"),
        ("=0138&1", "1381"),  # a number literal as Excel writes it
        ('=A2&C2&"!"', "138!"),  # an empty cell joins as the empty text
        ('=E2&"/"&H2', "TRUE/3"),  # a logical value, a whole float
        ("=A2", "138"),
        ("=B2", "12345678"),
    ],
)
def test_joins_are_computed(formula: str, shown: str) -> None:
    assert compute(formula, 2, value_at) == shown


@pytest.mark.parametrize(
    "formula",
    [
        "=A3&B2",  # another row
        "=Sheet2!A2&B2",  # another sheet
        "=CONCAT(A2:B2)",  # a range
        "=A2+B2",  # arithmetic
        '=LEFT("13812345678",11)',  # another function
        '=TEXT(B2,"0")',
        '=F2&"x"',  # a fraction: Excel's text of it is not computed here
        '=G2&"x"',  # a date: Excel joins its serial number
        '=I2&"x"',  # a cell whose value is not known (a formula not computed)
        "=C2",  # an empty cell alone: Excel shows 0
        "=1.5&A2",
        "=-A2",
        '=A2&"x',  # broken: an unclosed quote
        "=CONCATENATE()",
        "=(A2",
        "=",
        "13812345678",  # not a formula
        "=" + "A2&" * 3000 + "A2",  # too long to be parsed
    ],
)
def test_other_formulas_are_not_computed(formula: str) -> None:
    assert compute(formula, 2, value_at) is None
    assert pieces(formula, 2, value_at) is None


def test_pieces_name_the_cells_they_come_from() -> None:
    assert pieces('=A2&"-"&B2', 2, value_at) == [("138", 1), ("-", None), ("12345678", 2)]
    assert pieces('=CONCATENATE("电话",A2)', 2, value_at) == [("电话", None), ("138", 1)]


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), ("x", "x"), (7, "7"), (7.0, "7"), (False, "FALSE"), (0.5, None), (1e16, None)],
)
def test_values_as_a_join_sees_them(value: Any, text: str | None) -> None:
    assert as_text(value) == text
