"""The value of a spreadsheet formula that only joins texts, computed: what Excel would show in
a formula cell that has no usable cached value.

A workbook written by a script holds formulas without cached values (openpyxl, pandas' openpyxl
writer) or with placeholders (XlsxWriter's ``0``). Reading such a cell as its formula text finds
a phone written whole in it (``="13812345678"``) but not one joined from pieces —
``="138"&"12345678"``, ``=CONCATENATE(D2,E2)``, ``=B2&"-"&C2`` — which Excel shows whole as soon
as the file is opened. This computes those formulas, and only those:

- text literals (``"电话 "``; a doubled quote inside one is a quote) and whole-number literals (``138``);
- references to a cell of the formula's own row on its own sheet (``D2``, ``$D$2``): its value,
  a number as Excel writes it in a text (whole numbers only), an empty cell as the empty text;
- ``&``, parentheses, and ``CONCATENATE``/``CONCAT`` over such arguments.

Anything else (another row or sheet, a range, arithmetic, any other function, a date or a
fraction in a reference) is not computed, and the caller keeps the formula text. The formula is
parsed by openpyxl's tokenizer (``openpyxl.formula.Tokenizer``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import column_index_from_string

#: a reference to one cell, without a sheet: column letters, row number (``$`` anchors allowed)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})")
_WHOLE = re.compile(r"[0-9]{1,15}")
_JOIN_FUNCTIONS = frozenset({"CONCATENATE(", "CONCAT(", "_XLFN.CONCAT("})
#: a text literal, and what a join may hold outside its literals: a cheap test before the
#: tokenizer (a formula with anything else — ``+``, ``:``, ``!``, another function — is not one)
_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_JOIN_CHARS = re.compile(r"[A-Za-z0-9$&(),\s._]*")
_CALLS = re.compile(r"([A-Za-z_.]+)\s*\(")

#: a parsed formula: a text, a reference ``(row, column)`` (1-based), or a join of parts
Node = str | tuple[int, int] | list["Node"]


class _NotComputed(Exception):
    """The formula does something this module does not compute."""


def _literal_text(token: Token) -> str:
    return str(token.value)[1:-1].replace('""', '"')


class _Parser:
    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = [t for t in tokens if t.type != Token.WSPACE]
        self.at = 0

    def _next(self) -> Token:
        if self.at >= len(self.tokens):
            raise _NotComputed
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def whole(self) -> Node:
        node = self.join()
        if self._peek() is not None:
            raise _NotComputed
        return node

    def join(self) -> Node:
        parts = [self.part()]
        while (token := self._peek()) is not None and token.type == Token.OP_IN:
            if token.value != "&":
                raise _NotComputed
            self.at += 1
            parts.append(self.part())
        return parts[0] if len(parts) == 1 else parts

    def part(self) -> Node:
        token = self._next()
        if token.type == Token.OPERAND:
            if token.subtype == Token.TEXT:
                return _literal_text(token)
            if token.subtype == Token.NUMBER and _WHOLE.fullmatch(token.value):
                return str(int(token.value))
            if token.subtype == Token.RANGE and (cell := _CELL.fullmatch(token.value)):
                return (int(cell[2]), column_index_from_string(cell[1].upper()))
            raise _NotComputed
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            node = self.join()
            close = self._next()
            if close.type != Token.PAREN or close.subtype != Token.CLOSE:
                raise _NotComputed
            return [node]
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            if str(token.value).upper() not in _JOIN_FUNCTIONS:
                raise _NotComputed
            args = [self.join()]
            while (sep := self._next()).type == Token.SEP:
                if sep.subtype != Token.ARG:
                    raise _NotComputed
                args.append(self.join())
            if sep.type != Token.FUNC or sep.subtype != Token.CLOSE:
                raise _NotComputed
            return args
        raise _NotComputed


@lru_cache(maxsize=4096)
def parse(formula: str) -> Node | None:
    """``formula`` (``=`` first) as a join of texts and references, or ``None`` when it does
    anything else."""
    if not formula.startswith("=") or len(formula) > 8192:
        return None
    rest = _LITERAL.sub("", formula[1:])
    if not _JOIN_CHARS.fullmatch(rest) or any(
        name.upper() + "(" not in _JOIN_FUNCTIONS for name in _CALLS.findall(rest)
    ):
        return None
    try:
        return _Parser(Tokenizer(formula).items).whole()
    except (_NotComputed, TokenizerError, ValueError, IndexError):
        return None


def as_text(value: Any) -> str | None:
    """A cell's value as a formula joining it sees it: ``None`` for a value whose text this
    module does not know (a date, a fraction, an error)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return None


def compute(formula: str, row: int, value_at: Callable[[int], Any]) -> str | None:
    """The text ``formula`` shows in a cell of sheet row ``row``, or ``None`` when it is not a
    join this module computes. ``value_at(column)``: the value of that row's cell in ``column``
    (1-based) — a cell's text, a number, ``None`` for an empty cell, or :data:`UNKNOWN` for a
    cell whose value is not known (itself a formula not computed)."""
    parts = pieces(formula, row, value_at)
    return None if parts is None else "".join(text for text, _ in parts)


def pieces(
    formula: str, row: int, value_at: Callable[[int], Any]
) -> list[tuple[str, int | None]] | None:
    """The text ``formula`` shows (as :func:`compute`), as the pieces it is joined from, in
    order: each piece's text and the column of the cell it comes from (``None``: a literal of
    the formula). ``None`` when it is not a join this module computes."""
    node = parse(formula)
    if node is None:
        return None
    parts: list[tuple[str, int | None]] = []
    try:
        _collect(node, row, value_at, parts)
    except _NotComputed:
        return None
    if isinstance(node, tuple) and not parts[0][0]:  # ``=A2`` alone: Excel shows 0 if empty
        return None
    return parts


#: what ``value_at`` returns for a cell whose value is not known
UNKNOWN = object()


def _resolve(ref: tuple[int, int], row: int, value_at: Callable[[int], Any]) -> str | None:
    if ref[0] != row:
        return None
    value = value_at(ref[1])
    return None if value is UNKNOWN else as_text(value)


def _collect(
    node: Node, row: int, value_at: Callable[[int], Any], parts: list[tuple[str, int | None]]
) -> None:
    if isinstance(node, str):
        parts.append((node, None))
    elif isinstance(node, tuple):
        text = _resolve(node, row, value_at)
        if text is None:
            raise _NotComputed
        parts.append((text, node[1]))
    else:
        for part in node:
            _collect(part, row, value_at, parts)
