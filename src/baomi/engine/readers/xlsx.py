"""Excel reader (.xlsx/.xlsm): every worksheet, cached values, every cell as its plain text.

openpyxl reads in ``read_only`` mode (rows streamed from the zip, bounded memory) with
``data_only=True`` (the values Excel last computed, not formulas); a formula cell with no
computed value — a workbook written by a script — is read as its formula text, the text
protect masks (:mod:`.xlsx_rows`). Per sheet the header is the
first non-empty row; ``row`` counts the rows after it (0-based), empty rows included, so row ``r``
is Excel row ``header_row + 1 + r`` (a first row that is a record, :mod:`.header`, is row 0). Trailing empty rows are dropped; cells right of the header
get ``column_<n>`` names. Numbers keep their plain digits (``13812345678``, never ``1.38e10`` or
``13812345678.0``), dates become ISO text, booleans ``TRUE``/``FALSE``. A corrupt worksheet
is reported in ``errors`` (with how many of its rows were read) and the other sheets are read.

``extras()`` gives what the workbook holds beside its cells — cell comments and hyperlinks
(but what a link only restates of its cell), page headers and footers, document properties… —
addressed after the rows ``batches()`` read (:mod:`.xlsx_extras`).
"""

from __future__ import annotations

import itertools
import warnings
import weakref
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError

import polars as pl

from baomi.engine.readers import xlsx_extras as ex
from baomi.engine.readers import xlsx_parts as xp
from baomi.engine.readers.base import (
    Extra,
    TableBatch,
    TableSource,
    file_head,
    string_frame,
    unique_headers,
    unreadable,
)
from baomi.engine.readers.header import (
    HEAD_BLANKS,
    TITLE_LOOKAHEAD,
    is_record,
    title_extras,
    title_rows,
)
from baomi.engine.readers.properties import COLUMN as PROPERTY_COLUMN
from baomi.engine.readers.properties import document_properties
from baomi.engine.readers.xlsx_cells import CellReader
from baomi.errors import UnreadableFileError
from baomi.i18n import worded, words_of

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # encrypted OOXML and legacy .xls are OLE files
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, ParseError)


def cell_text(value: Any) -> str | None:
    """The text of a cell value as Excel shows it without number formats; empty → ``None``.
    A formula (the scan's cell without a cached value, :mod:`.xlsx_rows`; every formula cell
    protect loads) is its text, ``=`` included; an array formula's too."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if not isinstance(value, str | int):
        from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

        if isinstance(value, ArrayFormula):  # protect loads formulas: its text, ``=`` included
            return value.text or None
        if isinstance(value, DataTableFormula):  # a what-if table's cell: no text of its own
            return None
    text = str(value)
    return text or None


class XlsxSource(TableSource):
    """An Excel workbook: one table per worksheet, ``sheet`` being its name."""

    def __init__(self, path: Path, *, batch_rows: int) -> None:
        super().__init__(path, None)
        self.batch_rows = batch_rows
        #: per worksheet, where its rows were and its ``<headerFooter>`` element as openpyxl
        #: read it (``None``: not seen; read again from the zip): set by ``batches()``
        self._layouts: dict[str, tuple[ex.SheetLayout, bytes | None]] | None = None
        #: per worksheet, the title rows above its header (set by ``batches()``)
        self._titles: dict[str, list[list[str | None]]] = {}
        #: a cell's text from its XML as the rows read it, set by ``batches()`` when a sheet
        #: has hyperlinks (it holds the shared strings): what a link restates of its cell
        #: is left out of ``extras()`` (:func:`.xlsx_extras.linked_cells`)
        self._read_cell: CellReader | None = None
        #: the workbook :func:`open_xlsx` loaded to check the file, kept for the first read:
        #: a load parses every shared string (a workbook of 250,000 took 1.8 s a load, and
        #: the scan loaded it twice); closed when the source is collected if never read
        self._loaded: list[tuple[Any, BinaryIO]] = []
        weakref.finalize(self, _close_loaded, self._loaded)

    def _load(self) -> tuple[Any, BinaryIO]:
        """The workbook and the file it reads from (the caller closes both): the one
        :func:`open_xlsx` loaded, the first time."""
        if self._loaded:
            return self._loaded.pop()
        from openpyxl import load_workbook

        handle = self.path.open("rb")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unsupported extensions, missing styles
                return load_workbook(handle, read_only=True, data_only=True), handle
        except Exception:  # openpyxl raises many kinds of error on a broken file
            handle.close()  # openpyxl leaves its zip open when it fails
            raise unreadable(self.path, "Excel 文件已损坏", "corrupt Excel file") from None

    def batches(self) -> Iterator[TableBatch]:
        from baomi.engine.readers.xlsx_rows import sheet_values

        self.reset()
        workbook, handle = self._load()
        recalculated = _recalculated_on_load(self.path)
        found = False
        try:
            try:
                sheets = list(workbook.worksheets)
            except _BROKEN:
                raise unreadable(self.path, "Excel 文件已损坏", "corrupt Excel file") from None
            layouts: dict[str, tuple[ex.SheetLayout, bytes | None]] = {}
            titles: dict[str, list[list[str | None]]] = {}
            for sheet in sheets:
                state = _SheetState()
                tails = ex.watch_sheet(sheet)
                try:
                    rows = sheet_values(sheet, recalculated=recalculated)
                    for batch in self._sheet(sheet.title, rows, state):
                        found = True
                        yield batch
                except _BROKEN:
                    # One corrupt worksheet: the rows read before it broke were yielded;
                    # the other worksheets are still read.
                    self.errors.append(_sheet_error(sheet.title, state.rows_read))
                seen = next((t.tail for t in reversed(tails) if t.tail is not None), None)
                layouts[sheet.title] = (
                    ex.SheetLayout(state.top, tuple(state.raw), state.rows),
                    None if seen is None else ex.kept_tail(seen),
                )
                titles[sheet.title] = state.titles
            self._layouts, self._titles = layouts, titles
            linked = any(b is None or xp.has_links(b) for _, b in layouts.values())
            self._read_cell = _cell_reader(workbook, sheets, recalculated) if linked else None
        finally:
            workbook.close()
            handle.close()
        if not found:
            raise no_rows(self.path, self.errors)

    def _sheet(
        self, title: str, rows: Iterator[Sequence[Any]], state: _SheetState
    ) -> Iterator[TableBatch]:
        raw: list[str | None] | None = None
        names: list[str] = []
        buffer: list[list[str | None]] = []
        offset, pending_empty = 0, 0
        try:
            head = _head(rows, state)  # read ahead: title rows above the header?
            titles = title_rows([cells for cells in head if cells])
            replay = itertools.chain(head, (_cells(v, state) for v in rows))
            for excel_row, cells in enumerate(replay, start=1):
                if raw is None:
                    if not cells:
                        continue
                    if len(state.titles) < titles:
                        state.titles.append(cells)
                        continue
                    if not is_record(cells):
                        raw = state.raw = cells
                        names = unique_headers(raw)
                        state.top = excel_row
                        continue
                    raw = []  # no header row: columns are column_<n>, this row is data row 0
                    names = unique_headers([None] * len(cells))
                    state.top = excel_row - 1
                if not cells:
                    pending_empty += 1  # kept only if a non-empty row follows
                    continue
                if len(cells) > len(names):
                    names = unique_headers(raw + [None] * (len(cells) - len(raw)))
                buffer.extend([[]] * pending_empty)
                buffer.append(cells)
                state.rows += pending_empty + 1
                pending_empty = 0
                while len(buffer) >= self.batch_rows:
                    yield TableBatch(title, offset, string_frame(names, buffer[: self.batch_rows]))
                    offset += self.batch_rows
                    del buffer[: self.batch_rows]
        except _BROKEN:
            if buffer:  # the rows read before the sheet broke are not lost
                yield TableBatch(title, offset, string_frame(names, buffer))
            raise
        if raw is None:
            return
        if buffer or offset == 0:
            frame = string_frame(names, buffer) if buffer else _empty(names)
            yield TableBatch(title, offset, frame)

    def extras(self) -> Iterator[Extra]:
        """Each worksheet's comments and links, then its page headers and footers, data
        validations and charts (after its rows), in the workbook's order; then the document
        properties, defined names and pivot caches (:mod:`.xlsx_extras`). Parts that cannot
        be read add to ``errors`` (and so do embedded objects, not read); the others are
        read."""
        if self._layouts is None:  # the rows fix where the comments go: read them first
            for _ in self.batches():
                pass
        layouts = self._layouts or {}
        try:
            with zipfile.ZipFile(self.path) as zf:
                types = xp.content_types(zf)
                comments = ex.comment_parts(zf, types)
                charts = xp.CHART_TYPE in types.values()
                book = xp.book_xml(zf)
                sheets = ex.sheet_parts(zf, book)
                for title, part, chart in sheets:
                    if chart:
                        if note := ex.chart_sheet_note(zf, title, part, comments):
                            self.errors.append(note)
                        if charts:
                            yield from ex.chart_extras(zf, title, part, 0, self.errors)
                        continue
                    if title not in layouts:
                        continue
                    layout, block = layouts[title]
                    last = -1  # the sheet's last row of extras: its title rows come after
                    for extra in ex.sheet_extras(
                        zf,
                        title,
                        part,
                        layout,
                        block,
                        comments,
                        self.errors,
                        charts,
                        self._read_cell,
                        xp.TABLE_TYPE in types.values(),
                    ):
                        last = max(last, extra.row)
                        yield extra
                    yield from title_extras(
                        title, layout.rows, self._titles.get(title, ()), layout.raw, last + 1
                    )
                try:
                    found = document_properties(zf)
                except _BROKEN:
                    found = []
                    self.errors.append(
                        worded(
                            "文档属性已损坏，未读取",
                            "the document properties are corrupt and were not read",
                        )
                    )
                for _, prop, text in found:
                    yield Extra(None, 0, PROPERTY_COLUMN.format(prop.label), text, prop.person)
                yield from ex.book_extras(zf, book, [t for t, _, _ in sheets], self.errors)
        except _BROKEN:
            self.errors.append(
                worded(
                    "批注、页眉页脚或文档属性已损坏，未全部读取",
                    "comments, page headers or document properties are corrupt; not all were read",
                )
            )


def shown_rows(path: Path) -> dict[str, list[Sequence[Any]]]:
    """Every worksheet's rows as the scan reads them (:func:`.xlsx_rows.sheet_values`: a
    formula cell as its cached value, or the text of a join computed, or its formula text),
    by sheet title; row *i* of a list is sheet row *i* + 1. For protect, which loads formulas
    and must see what the scan saw in them."""
    from openpyxl import load_workbook

    from baomi.engine.readers.xlsx_rows import sheet_values

    recalculated = _recalculated_on_load(path)
    with path.open("rb") as handle, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions, missing styles
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            return {
                sheet.title: list(sheet_values(sheet, recalculated=recalculated))
                for sheet in workbook.worksheets
            }
        finally:
            workbook.close()


def _recalculated_on_load(path: Path) -> bool:
    """Whether the workbook at ``path`` asks to be recalculated on opening
    (:func:`.xlsx_parts.recalculated_on_load`); ``False`` when its workbook part cannot be
    read (openpyxl read the rest, or said why not)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return xp.recalculated_on_load(xp.book_xml(zf))
    except (OSError, zipfile.BadZipFile, KeyError, ParseError, ValueError):
        return False


def _cell_reader(
    workbook: Any, sheets: Sequence[Any], recalculated: bool = False
) -> CellReader | None:
    """A cell's text from its XML element, as ``batches()`` read it: the rows' own parse of a
    cell (:class:`.xlsx_rows.CellParser`: cached values, a formula without one as its text;
    the shared strings the read-only sheets read them from — the workbook's, one list for
    every sheet — its date formats and epoch), then :func:`cell_text`. ``None`` when openpyxl
    keeps them elsewhere (another version)."""
    from openpyxl.xml.constants import SHEET_MAIN_NS

    from baomi.engine.readers.xlsx_rows import CellParser

    strings = next((s._shared_strings for s in sheets if hasattr(s, "_shared_strings")), None)
    if strings is None:
        return None
    parser = CellParser.of(None, strings, workbook, recalculated=recalculated)

    inline, plain = f"{{{SHEET_MAIN_NS}}}is", f"{{{SHEET_MAIN_NS}}}t"

    def read(element: Element) -> str | None:
        if element.get("t") == "inlineStr":  # openpyxl's own strings: its Text is slow
            text = element.find(inline)
            if text is not None and len(text) == 1 and text[0].tag == plain:
                return cell_text(text[0].text or "")
        return cell_text(parser.parse_cell(element)["value"])

    return read


class _SheetState:
    """How far a worksheet was read: Excel rows parsed (the header and empty rows included),
    the header's Excel row (``top``; 0 without one) and cells, the title rows above it, data
    rows read."""

    def __init__(self) -> None:
        self.rows_read = 0
        self.top = 0
        self.raw: list[str | None] = []
        self.titles: list[list[str | None]] = []
        self.rows = 0


def _cells(values: Sequence[Any], state: _SheetState) -> list[str | None]:
    """A row's cells as text, trailing empty cells dropped (one more Excel row read)."""
    state.rows_read += 1
    cells = [cell_text(v) for v in values]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _head(rows: Iterator[Sequence[Any]], state: _SheetState) -> list[list[str | None]]:
    """A sheet's first rows, read ahead until :data:`TITLE_LOOKAHEAD` non-empty ones (or
    :data:`~.header.HEAD_BLANKS` blank rows after the first): enough to tell title rows."""
    head: list[list[str | None]] = []
    filled = blanks = 0
    for values in rows:
        cells = _cells(values, state)
        head.append(cells)
        filled += bool(cells)
        blanks += bool(filled) and not cells
        if filled >= TITLE_LOOKAHEAD or blanks > HEAD_BLANKS:
            break
    return head


def no_rows(
    path: Path, errors: Sequence[str], what: tuple[str, str] = ("Excel 文件", "Excel file")
) -> UnreadableFileError:
    """The error of a workbook that yielded no rows: corrupt (its sheets' ``errors`` said
    why) or every sheet empty."""
    if errors:
        return unreadable(
            path,
            f"{what[0]}已损坏：" + "；".join(words_of(e)[0] for e in errors),
            f"corrupt {what[1]}: " + "; ".join(words_of(e)[1] for e in errors),
        )
    return unreadable(path, "所有工作表都为空", "every sheet is empty")


def _sheet_error(title: str, rows_read: int) -> str:
    if rows_read:
        return worded(
            f"工作表“{title}”已损坏，只读取了前 {rows_read} 行",
            f"worksheet '{title}' is corrupt; only its first {rows_read} rows were read",
        )
    return worded(
        f"工作表“{title}”已损坏，未读取", f"worksheet '{title}' is corrupt and was not read"
    )


def _empty(names: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(names, pl.String))


def open_xlsx(path: Path, *, batch_rows: int = 65536) -> XlsxSource:
    """Open an .xlsx/.xlsm workbook; refuse empty, encrypted (OLE) and corrupt files at once."""
    head = file_head(path)
    if head == OLE_MAGIC:
        raise unreadable(
            path,
            "文件已加密（或为旧版 .xls 格式），无法读取",
            "encrypted (or legacy .xls) workbook, cannot be read",
        )
    if not zipfile.is_zipfile(path):
        raise unreadable(path, "Excel 文件已损坏（不是 zip）", "corrupt Excel file (not a zip)")
    source = XlsxSource(path, batch_rows=batch_rows)
    source._loaded.append(source._load())  # fail now, not in the middle of a scan
    return source


def _close_loaded(loaded: list[tuple[Any, BinaryIO]]) -> None:
    """Close a workbook loaded and never read (its zip, then its file)."""
    while loaded:
        book, stream = loaded.pop()
        book.close()
        stream.close()
