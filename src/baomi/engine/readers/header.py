"""Is the first row of a table its header, or already a record?

Raw exports often have no header row. Taking their first record as the header would lose that
record's PI and turn its values into column names, which reach every output. A first row one of
whose cells is, whole, a *validated* identifier is a record: the readers then name the columns
``column_<n>`` (1-based, as blank headers are named) and read the row as data row 0.

The identifiers (:data:`RECORD_ENTITIES`) are found by the registry's built-in recognizers
(``BUILTIN_RECOGNIZERS``, the one list of them) and accepted only where their check passes — a
header never holds one:

* resident ID — GB 11643-1999 check character, province and birth date;
* mobile — an allocated prefix (PIPL-RULES §6 MOB-1);
* e-mail — RFC 5321 syntax;
* bank card — the Luhn check digit (ISO/IEC 7812-1), and not a valid resident ID.

Chinese exports often start with a **title row** above the header (a merged cell
``2024年客户名单``, maybe an export date beside it). :func:`title_rows` says how many of a table's
first non-empty rows are such titles, so that the readers take the row after them as the header
(and read the titles' text beside the cells). It is conservative: a title row has one or two
filled cells (the second holding a figure: a date) and is not a record; the row after it must look like a header — at least two filled
cells, more than the title has, each a short distinct text that is neither a number or a date nor
a validated identifier (data rows hold those). A one-column table (a list of phones under
``手机号``) therefore never loses its header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from baomi.engine.checksums import is_luhn_valid
from baomi.engine.readers.base import Extra, unique_headers
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.types import Finding, Validation

#: No identifier cell is longer (an e-mail address: 64 + 1 + 255 characters, RFC 5321).
MAX_IDENTIFIER = 320


#: The identifiers whose validated presence makes a first row a record.
RECORD_ENTITIES = frozenset({"CN_RESIDENT_ID", "CN_MOBILE", "EMAIL", "BANK_CARD"})


@cache
def _recognizers() -> tuple[Recognizer, ...]:
    from baomi.engine.recognizers.registry import Registry

    return tuple(Registry.builtins(RECORD_ENTITIES))


def _validated(f: Finding) -> bool:
    if f.entity == "BANK_CARD":
        return is_luhn_valid(f.value)
    if f.entity == "CN_RESIDENT_ID":
        return f.explanation.validation is Validation.CONFIRMED
    return f.explanation.validation is not Validation.REJECTED


def is_record(cells: Sequence[str | None]) -> bool:
    """True when a cell of ``cells`` (a table's first non-empty row) is, whole, a validated
    identifier: the row is a record, and the table has no header row."""
    for cell in cells:
        text = (cell or "").strip()
        if not text or len(text) > MAX_IDENTIFIER:
            continue
        for r in _recognizers():
            if any(f.start == 0 and f.end == len(text) and _validated(f) for f in r.analyze(text)):
                return True
    return False


#: At most this many title rows above a header (a title, an export date, a unit line).
MAX_TITLE_ROWS = 3
#: How many non-empty rows :func:`title_rows` needs to see (the titles and the header).
TITLE_LOOKAHEAD = MAX_TITLE_ROWS + 1
#: Blank rows looked past, after a table's first non-empty row, in search of its header.
HEAD_BLANKS = 64
#: A title row has at most this many filled cells (the title, and maybe a date).
MAX_TITLE_CELLS = 2
#: A header cell is at most this long (a title or a note is longer).
MAX_HEADER_CELL = 40
#: A cell of digits, signs, separators and currency only: a number, a date, an amount.
_NUMERIC = re.compile(r"[\d\s.,:/+\-_%()（）：，。￥¥$#*]+")


def _filled(cells: Sequence[str | None]) -> list[str]:
    return [text for cell in cells if (text := (cell or "").strip())]


def _header_cell(text: str) -> bool:
    return (
        len(text) <= MAX_HEADER_CELL
        and _NUMERIC.fullmatch(text) is None
        and any(c.isalpha() for c in text)
    )


def _header_like(cells: Sequence[str | None], above: int) -> bool:
    """Whether ``cells`` look like a header under title rows of up to ``above`` filled cells."""
    filled = _filled(cells)
    return (
        len(filled) >= 2
        and len(filled) > above
        and len(set(filled)) == len(filled)
        and all(_header_cell(text) for text in filled)
        and not is_record(cells)
    )


def _title_like(cells: Sequence[str | None]) -> bool:
    """One filled cell, or the title and a date (or another figure) beside it; not a record."""
    filled = _filled(cells)
    if not filled or len(filled) > MAX_TITLE_CELLS:
        return False
    if len(filled) > 1 and not any(c.isdigit() for c in "".join(filled[1:])):
        return False  # two words side by side: a header's shape, not a title's
    return not is_record(cells)


def title_rows(rows: Sequence[Sequence[str | None]]) -> int:
    """How many of ``rows`` — a table's first non-empty rows in order (at least
    :data:`TITLE_LOOKAHEAD` of them when the table has that many), blank rows left out — are
    title rows above its header; 0 when the first row is the header (or a record)."""
    widest = 0
    for n, row in enumerate(rows[:MAX_TITLE_ROWS], start=1):
        if not _title_like(row):
            return 0
        widest = max(widest, len(_filled(row)))
        if n < len(rows) and _header_like(rows[n], widest):
            return n
    return 0


#: The column a title cell is read under: the column of the table it stands above.
TITLE_COLUMN = "标题：{}"


def title_extras(
    sheet: str | None,
    rows: int,
    titles: Sequence[Sequence[str | None]],
    header: Sequence[str | None],
    first: int = -1,
) -> list[Extra]:
    """The title rows' filled cells as text beside the cells: title row ``i`` is read at row
    ``rows + i`` (after the table's ``rows`` data rows, or after ``first - 1`` when that is
    later: after the sheet's other texts), each cell under ``标题：<the column below it>``
    (``标题：姓名``, ``标题：column_7`` right of the header), standing apart from the records."""
    width = max([len(header), *(len(t) for t in titles)])
    names = unique_headers([*header, *[None] * (width - len(header))])
    at = max(rows, first)
    return [
        Extra(sheet, at + i, TITLE_COLUMN.format(names[j]), cell)
        for i, cells in enumerate(titles)
        for j, cell in enumerate(cells)
        if cell and cell.strip()
    ]


def is_blank(cells: Sequence[str | None]) -> bool:
    """Whether a row has no filled cell (a blank line, or only delimiters)."""
    return not _filled(cells)


__all__ = [
    "HEAD_BLANKS",
    "MAX_TITLE_ROWS",
    "TITLE_COLUMN",
    "TITLE_LOOKAHEAD",
    "is_blank",
    "is_record",
    "title_extras",
    "title_rows",
]
