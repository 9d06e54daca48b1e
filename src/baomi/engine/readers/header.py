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
a validated identifier (data rows hold those) — or be a one-column table's header (below).

A one-column header (``手机号`` over a list of phones) is as wide as a title, so width cannot tell
them apart; the row below the header can. Under title rows, a row of one filled cell is the
header when that cell is a short label naming an identifier (a recognizer's ``named_by``:
``手机号``, ``联系电话``, ``邮箱``, ``身份证号``), the next row holds, whole and in the same
column, a validated identifier of that kind (or one in its default display mask,
``139****5678``: an export already masked, a protected package read back) — data of the
header's kind — and a title row reads as a title (:data:`TITLE_WORDS`, or a figure: ``2024年``,
an export date). A one-column table whose first row is its header keeps it (the row below is
then a record, not a label), and one without a header is read as before (its first row a record,
or a value over values naming no identifier).

A list of names has no check digit to go by, so a **name label** is told by the name column's
own words instead: under title rows as above, a one-cell row is the header when its cell is a
short label naming people (the name recognizer's ``named_by``: ``姓名``, ``客户姓名``,
``联系人``) and the next row holds, whole, a Chinese name as the name recognizer confirms it
(2–4 Han characters from a common surname of its lexicon, not a placeholder or a place) or one
in the mask protect writes (``张*``, ``张*明``, ``欧**月``, or ``张**``: the surname shown) — and
not itself a header word (a name never is ``负责人``). A title over names without such a label
(``客户名单`` / ``张三`` / ``李四``) keeps its title as the header, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from baomi.engine.checksums import is_luhn_valid
from baomi.engine.masking import mask_value
from baomi.engine.prose.lexicon import surnames
from baomi.engine.readers.base import Extra, unique_headers
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.recognizers.cn.cell import HAN
from baomi.engine.recognizers.cn.person_name import PersonNameRecognizer
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


def _identifier(cell: str | None) -> Recognizer | None:
    """The recognizer of which ``cell`` is, whole, a validated identifier (``None``: none)."""
    text = (cell or "").strip()
    if not text or len(text) > MAX_IDENTIFIER:
        return None
    for r in _recognizers():
        if any(f.start == 0 and f.end == len(text) and _validated(f) for f in r.analyze(text)):
            return r
    return None


def is_record(cells: Sequence[str | None]) -> bool:
    """True when a cell of ``cells`` (a table's first non-empty row) is, whole, a validated
    identifier: the row is a record, and the table has no header row."""
    return any(_identifier(cell) is not None for cell in cells)


#: At most this many title rows above a header (a title, an export date, a unit line).
MAX_TITLE_ROWS = 3
#: How many non-empty rows :func:`title_rows` needs to see (the titles, the header and the
#: first data row: a one-column header is told by the row below it).
TITLE_LOOKAHEAD = MAX_TITLE_ROWS + 2
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


#: Words of a title (a list, a register, a report, a date), lower-case: a one-column header
#: (``手机号``) has none of them, a title (``客户手机号清单``, ``2024年客户名单``) has one or a
#: figure.
TITLE_WORDS = (
    "清单",
    "名单",
    "名册",
    "列表",
    "一览",
    "明细",
    "汇总",
    "统计",
    "台账",
    "通讯录",
    "表",
    "导出",
    "年",
    "月",
    "日期",
    "时间",
    "list",
    "report",
    "export",
)


def _titled(rows: Sequence[Sequence[str | None]]) -> bool:
    """Whether a row of ``rows`` (title rows) holds a title's word or a figure."""
    text = "".join(text for row in rows for text in _filled(row)).lower()
    return any(c.isdigit() for c in text) or any(w in text for w in TITLE_WORDS)


def _one_column_header(
    titles: Sequence[Sequence[str | None]],
    cells: Sequence[str | None],
    below: Sequence[str | None],
) -> bool:
    """Whether ``cells``, under ``titles``, is the header of a one-column table: its one
    filled cell a short label naming an identifier (``手机号``), the row ``below`` it holding,
    whole and in that column, a validated identifier of that kind (or one in its default
    display mask) — or a label naming people (``姓名``) over a Chinese name (or a masked one:
    :func:`_person_name`) — and the titles reading as titles (a one-column table's own header
    over a value naming its kind has none of them)."""
    filled = [(j, text) for j, cell in enumerate(cells) if (text := (cell or "").strip())]
    if len(filled) != 1 or is_record(cells):
        return False
    j, label = filled[0]
    if not _header_cell(label) or j >= len(below) or not _titled(titles):
        return False
    kind = _identifier(below[j])
    if kind is not None:
        return kind.named_by(label)
    if any(r.named_by(label) and _masked(below[j], r.entity) for r in _recognizers()):
        return True
    return _names().named_by(label) and _person_name(below[j])


#: The character of the default display mask (``138****5678``: :mod:`baomi.engine.masking`).
MASK_CHAR = "*"


def _masked(cell: str | None, entity: str) -> bool:
    """Whether ``cell`` is an identifier of ``entity`` in its default display mask
    (``139****5678``, ``110101********1234``, ``z***@example.com``): at least three mask
    characters, each where the mask puts them (an export already masked, a protected package
    read back)."""
    text = (cell or "").strip()
    if text.count(MASK_CHAR) < 3 or len(text) > MAX_IDENTIFIER:
        return False
    return mask_value(text.replace(MASK_CHAR, "0"), entity, MASK_CHAR) == text


@cache
def _names() -> PersonNameRecognizer:
    """The name column's recognizer: its header words and its surname test."""
    return PersonNameRecognizer()


#: A name in the masks protect writes: the first character (the surname) shown, then one to
#: three mask characters, maybe the last character shown (``张*``, ``张**``, ``张*明``,
#: ``黄***强``: the convention's ``张*明`` / ``王*`` in the renderings a package chooses among,
#: ``protect/renderings.py``).
_MASKED_NAME = re.compile(f"([{HAN}]){re.escape(MASK_CHAR)}{{1,3}}[{HAN}]?")


def _person_name(cell: str | None) -> bool:
    """Whether ``cell`` is, whole, a Chinese name — 2–4 Han characters from a common surname,
    as the name recognizer confirms it (not a placeholder such as ``未知`` nor a place such as
    ``武汉``) — or one in a mask protect writes, its surname shown (``张*``, ``张*明``), and
    not a header word naming people (a name never is ``经办人``)."""
    text = (cell or "").strip()
    names = _names()
    if not text or names.named_by(text):
        return False
    masked = _MASKED_NAME.fullmatch(text)
    if masked is None:
        return names.validate(text) is True
    single, compound = surnames()
    first = masked.group(1)
    return first in single or any(c.startswith(first) for c in compound)


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
        if n + 1 < len(rows) and _one_column_header(rows[:n], rows[n], rows[n + 1]):
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
    "TITLE_WORDS",
    "is_blank",
    "is_record",
    "title_extras",
    "title_rows",
]
