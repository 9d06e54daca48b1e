"""The reader interface the scan consumes: table batches, text units and the ``Source`` protocol.

A reader opens one file read-only and returns a ``Source``. Table sources yield ``TableBatch``es
(every column ``pl.String``, empty cells null, unique header names); text sources yield one
``TextUnit`` per line, paragraph or page. ``batches()``/``units()`` re-read the file on each call
and reset ``skipped_rows``, ``undecodable_rows`` and ``errors``, so a source can be scanned twice
(for example scan, then protect).

What could not be read is never dropped silently: rows with the wrong number of fields are
counted in ``skipped_rows`` (their row numbers stay unused: a batch's rows keep their position in
the file), rows with bytes that do not decode are read with U+FFFD in their place and counted in
``undecodable_rows``, and a part that cannot be read at all (a corrupt worksheet, a file broken
after its first records) adds a reason to ``errors``. A file of which nothing can be read raises
``UnreadableFileError``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import polars as pl
import pyarrow as pa

from baomi.errors import UnreadableFileError
from baomi.i18n import tr, worded

Kind = Literal["table", "text"]


@dataclass(frozen=True, slots=True)
class TableBatch:
    """A slice of a table: ``frame`` row ``i`` is data row ``offset + i`` of ``sheet``.

    Batches of a sheet come in order; the next one may start after a gap (rows skipped).
    """

    sheet: str | None
    offset: int
    frame: pl.DataFrame


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One line (text), paragraph (.docx) or page (.pdf); ``row`` is its 0-based index."""

    row: int
    text: str


@dataclass(frozen=True, slots=True)
class Extra:
    """Text a file holds beside its rows or paragraphs — a cell's comment, a page header or
    footer, a document property — addressed as the scan reports it (docs/readers.md "Beside
    the cells"): ``column`` names the place (``批注：手机``, ``页眉：中``, ``文档属性：作者``;
    ``None`` in a text file), ``row`` follows the file's own rows."""

    sheet: str | None
    row: int
    column: str | None
    text: str
    #: the text is a person's name by where it is (who wrote or last saved the file)
    person: bool = False
    #: the text belongs to the record on its row (a comment on one of the row's cells), so
    #: its identifiers are that record's; else it stands apart (a page header, a property)
    on_row: bool = False
    #: a link's text on a data cell: (that cell's column, its text as the rows read it) —
    #: what the text finds of the cell's own identifiers is the cell's, counted there
    #: (:class:`baomi.engine.scan.model.LinkedCells`)
    cell: tuple[str, str] | None = None


class Source(Protocol):
    """What ``open_source`` returns; ``kind`` says which of the two iterators applies."""

    path: Path
    kind: Kind
    encoding: str | None
    skipped_rows: int
    undecodable_rows: int
    errors: list[str]

    def batches(self) -> Iterator[TableBatch]: ...

    def units(self) -> Iterator[TextUnit]: ...

    def extras(self) -> Iterator[Extra]: ...


class BaseSource:
    """What every reader's source holds: the path, the encoding and what could not be read."""

    kind: Kind

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = encoding
        self.skipped_rows = 0
        self.undecodable_rows = 0
        self.errors: list[str] = []

    def reset(self) -> None:
        """Start counting again: called when a pass over the file begins."""
        self.skipped_rows = 0
        self.undecodable_rows = 0
        self.errors = []

    def batches(self) -> Iterator[TableBatch]:
        raise TypeError(tr("文本文件没有表格批次", "a text source has no table batches"))

    def units(self) -> Iterator[TextUnit]:
        raise TypeError(tr("表格文件没有文本单元", "a table source has no text units"))

    def extras(self) -> Iterator[Extra]:
        """What the file holds beside its rows or paragraphs, read after ``batches()`` or
        ``units()`` (a table's rows fix where these go); parts that cannot be read add to
        ``errors``. None for most formats."""
        return iter(())


class TableSource(BaseSource):
    """Base of the table readers: subclasses implement ``batches``."""

    kind: Kind = "table"
    #: columns are paths into nested records (JSON: ``buyer.phone``), whose objects may each
    #: describe a person of their own (:mod:`baomi.engine.scan.persons`)
    nested: bool = False


class TextSource(BaseSource):
    """Base of the text readers: subclasses implement ``units``."""

    kind: Kind = "text"


def file_head(path: Path, size: int = 8) -> bytes:
    """The first ``size`` bytes of a file, to tell its format; a file that cannot be opened or
    is empty is unreadable with that reason."""
    try:
        with path.open("rb") as handle:
            head = handle.read(size)
    except OSError:
        raise unreadable(path, "无法打开文件", "cannot open the file") from None
    if not head:
        raise unreadable(path, "空文件", "empty file")
    return head


def unreadable(path: Path, zh: str, en: str) -> UnreadableFileError:
    """The error for a file that cannot be read; the reason is short, Chinese first, PI-free."""
    return UnreadableFileError(str(path), worded(zh, en))


def embedded_note(names: Sequence[str], folder: str) -> str | None:
    """The note that a workbook's or Word file's embedded objects (its zip's ``names`` under
    ``folder``: ``xl/embeddings/``, ``word/embeddings/`` — a workbook, a Word file, an OLE
    object inside it) were not scanned (protect leaves them out); ``None`` without any."""
    found = sorted(n for n in names if n.startswith(folder) and not n.endswith("/"))
    if not found:
        return None
    return worded(
        f"嵌入的对象未扫描（{len(found)} 个）：{'、'.join(found)}",
        f"{len(found)} embedded objects were not scanned: {', '.join(found)}",
    )


def pictures_note(names: Sequence[str], folder: str) -> str | None:
    """The note that a workbook's or Word file's pictures (its zip's ``names`` under
    ``folder``: ``xl/media/``, ``word/media/``) were not scanned — an ID card's photo or a
    signature is personal information no text scan sees (protect leaves them out:
    ``protect/images.py``); ``None`` without any."""
    found = sorted(n for n in names if n.startswith(folder) and not n.endswith("/"))
    if not found:
        return None
    shown = found[:5]
    more = " …" if len(found) > len(shown) else ""
    return worded(
        f"图片未扫描（{len(found)} 张）：{'、'.join(shown)}{more}",
        f"{len(found)} pictures were not scanned: {', '.join(shown)}{more}",
    )


def arrow_file(path: Path) -> pa.NativeFile:
    """``path`` opened for Arrow by its bytes: Arrow takes a ``str`` path as UTF-8 and fails on
    a name that is not (a GBK name copied from Windows, surrogate-escaped by Python)."""
    return pa.OSFile(os.fsencode(path))


def unique_headers(raw: Sequence[str | None]) -> list[str]:
    """Header names made usable: blank → ``column_<n>`` (1-based), repeats → ``name (2)``, ...

    >>> unique_headers(["姓名", None, "电话", "电话", " "])
    ['姓名', 'column_2', '电话', '电话 (2)', 'column_5']
    """
    names: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(raw, start=1):
        base = value if value is not None and value.strip() else f"column_{index}"
        name, copy = base, 1
        while name in seen:
            copy += 1
            name = f"{base} ({copy})"
        seen.add(name)
        names.append(name)
    return names


def string_frame(columns: Sequence[str], rows: Sequence[Sequence[str | None]]) -> pl.DataFrame:
    """A frame of ``pl.String`` columns from row tuples (short rows are padded with null)."""
    width = len(columns)
    data: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for i in range(width):
            data[i].append(row[i] if i < len(row) else None)
    return pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=pl.String)
            for name, values in zip(columns, data, strict=True)
        }
    )


def sliced(
    sheet: str | None, offset: int, frame: pl.DataFrame, batch_rows: int
) -> Iterator[TableBatch]:
    """Cut ``frame`` into batches of at most ``batch_rows`` rows, ``offset`` being its first row."""
    for start in range(0, frame.height, batch_rows):
        yield TableBatch(sheet, offset + start, frame.slice(start, batch_rows))
