"""The round-trip document protect works on: a file as tables or text units, and the encoding
helpers its savers share (``writers.py`` loads and saves by format)."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from baomi.engine.readers.encoding import body_encoding

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".ndjson", ".parquet")
TEXT_SUFFIXES = (".txt", ".md", ".log", ".docx")
SUFFIXES = TABLE_SUFFIXES + TEXT_SUFFIXES
#: files protect reads in one format and writes in another: a legacy ``.xls`` becomes an
#: ``.xlsx``, a ``.doc`` a ``.docx`` (no maintained library writes the old formats)
CONVERTED = {".xls": ".xlsx", ".doc": ".docx"}
#: every file protect takes into a package
INPUT_SUFFIXES = SUFFIXES + tuple(CONVERTED)


@dataclass(slots=True)
class Table:
    """One table (a sheet for XLSX): every column a string column, empty cells null."""

    sheet: str | None
    frame: pl.DataFrame
    #: Row indices kept, in output order (``None``: all rows, original order).
    keep_rows: list[int] | None = None
    #: False when the first row is already a record (``readers.header.is_record``): the
    #: columns are named ``column_<n>`` and no header row is written back.
    header: bool = True
    #: XLSX: the sheet row (1-based) of data row 0 — the reader takes the first non-empty row
    #: (after any title rows) as the header, so a sheet with blank or title rows above its
    #: table starts lower; ``None``: row 2 (row 1 without a header row)
    first_row: int | None = None
    #: XLSX: the sheet rows (1-based) of the title rows above the header
    #: (``readers.header.title_rows``), whose text is protected as text beside the cells
    title_rows: tuple[int, ...] = ()
    #: rows the reader skipped (a CSV row with the wrong number of fields): not in ``frame``,
    #: so not written to the package; and rows holding bytes that did not decode (U+FFFD)
    skipped_rows: int = 0
    undecodable_rows: int = 0
    #: XLSX: formula cells read as the value they show — their cached value, or the text
    #: of a join the reader computes — not as their formula: (sheet row, column), 1-based,
    #: → that value. ``frame`` holds its text; a cell whose text protect changes is written
    #: as its new value, the formula dropped (``table_formats.save_xlsx``).
    shown: dict[tuple[int, int], Any] = field(default_factory=dict)


#: the savers by format, filled by ``writers.py`` (which imports the format modules)
SAVERS: dict[str, Callable[[Document, Path], None]] = {}


@dataclass(slots=True)
class Document:
    """A loaded file: ``tables`` for table formats, ``units`` for text formats."""

    path: Path
    format: str
    encoding: str | None
    tables: list[Table] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    state: Any = None
    #: the format the file was read in when its copy is written in another (a legacy
    #: ``.xls`` loaded and written as an ``.xlsx``: ``"xls"``); ``None`` when the same
    source_format: str | None = None
    #: a text file's lines holding bytes that did not decode, read (and written) as U+FFFD
    undecodable_units: int = 0

    @property
    def kind(self) -> str:
        return "table" if self.format in ("csv", "xlsx", "json", "jsonl", "parquet") else "text"

    def save(self, target: Path) -> None:
        SAVERS[self.format](self, target)


_GB_FAMILY = ("gbk", "gb2312", "cp936", "936", "ms936", "euc-cn", "gb18030")


def output_encoding(encoding: str | None) -> str:
    """The encoding to write: the input's, GBK/GB2312 widened to its superset GB 18030 (the
    same bytes for every GBK character, and able to carry the invisible marks); after a UTF-8
    byte-order mark (``gbk-sig``) too (``gb18030-sig``, whose encoder writes the mark)."""
    name = (encoding or "utf-8").lower().replace("_", "-")
    if name.removesuffix("-sig") in _GB_FAMILY:
        return "gb18030-sig" if name.endswith("-sig") else "gb18030"
    return encoding or "utf-8"


def leading_mark(encoding: str, head: str) -> tuple[bytes, str]:
    """How a text file read in ``encoding`` (its decoded start ``head``) starts, to write the
    copy the same way, and the encoding of the text after that: the UTF-8 byte-order mark a
    ``-sig`` codec took off (before UTF-8, GBK or GB 18030: the copy is the mark and the text
    in UTF-8 or GB 18030), or U+FEFF the codec kept (GB 18030's own mark, 84 31 95 33) in
    the text's encoding; else nothing."""
    body = body_encoding(encoding)
    if body != encoding:
        return codecs.BOM_UTF8, body
    if head.startswith("\ufeff"):
        try:
            return "\ufeff".encode(output_encoding(encoding)), encoding
        except UnicodeError:
            return b"", encoding
    return b"", encoding


def encode_text(text: str, encoding: str | None) -> bytes:
    """``text`` in ``encoding``; marks dropped (not garbled) where the encoding lacks them."""
    enc = output_encoding(encoding)
    try:
        return text.encode(enc)
    except UnicodeEncodeError:
        return text.replace("\u200b", "").replace("\u200c", "").encode(enc, errors="replace")
