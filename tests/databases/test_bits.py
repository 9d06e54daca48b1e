"""Bit columns (no server): MySQL's ``BIT(n)`` bytes read as PostgreSQL's ``'0101'``, and the
copy's bit type only while the values are still bits the target can hold."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from baomi.databases.protect import _bit_type
from baomi.databases.source import Bits, bit_text, bits_of


@pytest.mark.parametrize(
    ("value", "width", "text"),
    [
        (b"\x01", 1, "1"),
        (b"\x00", 1, "0"),
        (b"\x05", 4, "0101"),
        (b"\x01\x00", 12, "000100000000"),
        (b"\xff" * 8, 64, "1" * 64),
        (5, 4, "0101"),  # a driver that gives the number
        ("0101", 4, "0101"),  # PostgreSQL's driver gives the text
        (None, 4, None),
    ],
)
def test_bit_text(value: Any, width: int, text: str | None) -> None:
    assert bit_text(value, width) == text


@pytest.mark.parametrize(
    ("kind", "bits"),
    [
        (mysql.BIT(), Bits(1)),
        (mysql.BIT(12), Bits(12)),
        (postgresql.BIT(), Bits(1)),
        (postgresql.BIT(4), Bits(4)),
        (postgresql.BIT(8, varying=True), Bits(8, varying=True)),
        (postgresql.BIT(varying=True), Bits(0, varying=True)),
        (sa.LargeBinary(), None),
        (sa.Integer(), None),
    ],
)
def test_bits_of(kind: sa.types.TypeEngine[Any], bits: Bits | None) -> None:
    assert bits_of(sa.Column("c", kind)) == bits


def _compiled(bits: Bits, values: list[str | None], backend: str) -> str | None:
    kind = _bit_type(bits, pl.Series("c", values, dtype=pl.String), backend)
    if kind is None:
        return None
    dialect = {"postgresql": postgresql, "mysql": mysql, "sqlite": sqlite}[backend].dialect()
    return str(kind.dialect_impl(dialect).compile(dialect=dialect))


def test_bits_left_alone_are_copied_as_bits() -> None:
    assert _compiled(Bits(4), ["0101", None], "postgresql") == "BIT(4)"
    assert _compiled(Bits(4), ["0101", None], "mysql") == "BIT(4)"
    assert _compiled(Bits(4), ["0101", None], "sqlite") == "TEXT"  # SQLite has no bit type
    assert _compiled(Bits(8, varying=True), ["01"], "postgresql") == "BIT VARYING(8)"
    assert _compiled(Bits(0, varying=True), ["011"], "mysql") == "BIT(3)"


def test_bits_the_policy_changed_or_too_wide_are_text() -> None:
    assert _compiled(Bits(4), ["****", "0101"], "postgresql") is None
    assert _compiled(Bits(4), ["01", "0101"], "mysql") is None  # not the column's width
    assert _compiled(Bits(80), ["1" * 80], "mysql") is None  # MySQL's BIT holds 64
    assert _compiled(Bits(80), ["1" * 80], "postgresql") == "BIT(80)"
    assert _bit_type(None, pl.Series("c", ["0101"]), "postgresql") is None


def test_mysql_is_given_the_bits_as_a_number() -> None:
    kind = _bit_type(Bits(4), pl.Series("c", ["0101"]), "mysql")
    assert kind is not None
    assert kind.process_bind_param("0101", mysql.dialect()) == 5
    assert kind.process_bind_param("0101", postgresql.dialect()) == "0101"
    assert kind.process_bind_param(None, mysql.dialect()) is None
