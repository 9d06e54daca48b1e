"""Legacy Excel reader (.xls: Excel 97–2003, BIFF, an OLE compound file), with xlrd.

Customer lists exported by older CRMs and accounting systems, and workbooks saved by WPS or by
Excel in compatibility mode, are ``.xls``. Each worksheet is one table as in an ``.xlsx``
(:mod:`.xlsx`: the same header, title-row and empty-row rules, the same cell texts — numbers
keep their digits, dates become ISO text, booleans ``TRUE``/``FALSE``, an error cell its
``#N/A``), built from the values Excel last computed (a formula's cached result: the format
keeps no other). ``extras()`` reads the cell comments (notes) and hyperlinks, placed as a
workbook's are (:func:`.xlsx_extras.placed`: a link that only restates its cell is left out),
the title rows, and the document properties (:func:`.properties.ole_properties`: title,
author …; who last saved the file from the workbook's own record when they do not say).

A file named ``.xls`` that is a zip is an ``.xlsx`` saved under the old name (Excel opens it):
it is read by :func:`.xlsx.open_xlsx`. A web page or an XML file under that name (what many
web systems' "导出 Excel" write) and an encrypted workbook are refused with that reason.
The page header and footer are read from the sheet's own records (xlrd leaves them), as a
workbook's (``页眉：中`` …); even-page and first-page ones, charts and drawings are not read
(docs/readers.md).
"""

from __future__ import annotations

import re
import struct
import weakref
import zipfile
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

from xlrd.biffh import XLRDError
from xlrd.formula import FormulaError

from baomi.engine.readers import xlsx_extras as ex
from baomi.engine.readers import xlsx_parts as xp
from baomi.engine.readers.base import Extra, TableBatch, file_head, unreadable
from baomi.engine.readers.header import title_extras
from baomi.engine.readers.html_tables import html_tables
from baomi.engine.readers.properties import COLUMN as PROPERTY_COLUMN
from baomi.engine.readers.properties import ole_properties
from baomi.engine.readers.xlsx import (
    OLE_MAGIC,
    XlsxSource,
    _sheet_error,
    _SheetState,
    cell_text,
    no_rows,
    open_xlsx,
)
from baomi.i18n import worded

#: what xlrd raises on a broken file: its own errors (a record where another was expected, a
#: formula it cannot parse), the struct and index errors of a record cut short, and the
#: recursion of a compound file's directory tree that loops
_BROKEN = (
    RecursionError,
    XLRDError,
    FormulaError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AssertionError,
    struct.error,
    EOFError,
)

#: the start of a web page or an XML file saved under ``.xls`` (bytes after a BOM and blanks)
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|table|\?xml|meta|head)", re.I)
#: a web page: markup that is not an XML file (Excel 2003's XML spreadsheet is refused)
_PAGE = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|meta|head|body)",
    re.I | re.S,
)


def _open_book(path: Path) -> Any:
    """The workbook, sheets loaded on demand; a clear error for what xlrd cannot read."""
    import xlrd
    from xlrd.compdoc import CompDocError

    try:
        return xlrd.open_workbook(str(path), on_demand=True, logfile=_Quiet())
    except xlrd.XLRDError as exc:
        message = str(exc)
        if "encrypted" in message:
            raise unreadable(
                path, "文件已加密，无法读取", "encrypted workbook, cannot be read"
            ) from None
        if "Can't find workbook" in message:  # an OLE file without a workbook: encrypted .xlsx
            raise unreadable(
                path,
                "文件已加密（或不是 Excel 工作簿），无法读取",
                "encrypted workbook (or not an Excel workbook), cannot be read",
            ) from None
        raise unreadable(path, "Excel 97-2003 文件已损坏", "corrupt Excel 97-2003 file") from None
    except FormulaError:  # a defined name's formula xlrd does not parse (the file may be fine)
        raise unreadable(
            path,
            "Excel 97-2003 文件中的定义名称公式无法解析，未读取：请另存为 .xlsx 后再处理",
            "a defined name's formula in the Excel 97-2003 file cannot be parsed; not read: "
            "save it as .xlsx first",
        ) from None
    except (CompDocError, *_BROKEN):
        raise unreadable(path, "Excel 97-2003 文件已损坏", "corrupt Excel 97-2003 file") from None


class _Quiet:
    """xlrd's log: it writes warnings about a file's records there, dropped (they can quote
    a cell's bytes)."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _value(cell: Any, datemode: int) -> Any:
    """A cell as the value :func:`.xlsx.cell_text` reads: text, a float, a bool, a date."""
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_TEXT:
        return value or None
    if kind == xlrd.XL_CELL_NUMBER:
        return float(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            if 0 <= value < 1:  # a time of day without a date
                return time(*xlrd.xldate_as_tuple(value, datemode)[3:])
            return xlrd.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return float(value)  # no date Excel could show: its serial number
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value)
    return None


class XlsSource(XlsxSource):
    """An Excel 97–2003 workbook: one table per worksheet, ``sheet`` being its name."""

    def __init__(self, path: Path, *, batch_rows: int) -> None:
        super().__init__(path, batch_rows=batch_rows)
        #: per worksheet: where its rows are and the comments and links on it, set by
        #: ``batches()``
        self._sheets: dict[str, tuple[ex.SheetLayout, list[ex.Placed]]] | None = None
        #: per worksheet: its page header and footer (:func:`page_headers`)
        self._headers: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
        self._saved_by = ""
        #: the workbook :func:`open_xls` opened to check the file, kept for the first read
        #: (xlrd reads the workbook's globals and every shared string at each open);
        #: released when the source is collected if never read
        self._opened: list[Any] = []
        weakref.finalize(self, _release_books, self._opened)

    def batches(self) -> Iterator[TableBatch]:
        self.reset()
        book = self._opened.pop() if self._opened else _open_book(self.path)
        found = False
        sheets: dict[str, tuple[ex.SheetLayout, list[ex.Placed]]] = {}
        titles: dict[str, list[list[str | None]]] = {}
        try:
            self._saved_by = (book.user_name or "").strip()
            for index, name in enumerate(book.sheet_names()):
                state = _SheetState()
                try:
                    sheet = book.sheet_by_index(index)
                except _BROKEN:
                    self.errors.append(_sheet_error(name, 0))
                    continue
                rows = (
                    [_value(c, book.datemode) for c in sheet.row(r)] for r in range(sheet.nrows)
                )
                try:
                    for batch in self._sheet(name, rows, state):
                        found = True
                        yield batch
                except _BROKEN:
                    self.errors.append(_sheet_error(name, state.rows_read))
                layout = ex.SheetLayout(state.top, tuple(state.raw), state.rows)
                sheets[name] = (layout, _notes_and_links(sheet, layout))
                titles[name] = state.titles
                try:
                    if book.biff_version >= 80:  # BIFF5's HEADER holds another string form
                        self._headers[name] = page_headers(book.mem, book._sh_abs_posn[index])
                except (struct.error, IndexError, UnicodeDecodeError):
                    self.errors.append(
                        worded(
                            f"工作表“{name}”的页眉页脚已损坏，未读取",
                            f"the page headers of worksheet '{name}' are corrupt and were not read",
                        )
                    )
                book.unload_sheet(index)
        finally:
            book.release_resources()
        self._sheets, self._titles = sheets, titles
        if not found:
            raise no_rows(self.path, self.errors, ("Excel 97-2003 文件", "Excel 97-2003 file"))

    def extras(self) -> Iterator[Extra]:
        """Each worksheet's comments and links, its page header and footer, then its title
        rows; then who last saved the workbook."""
        if self._sheets is None:  # the rows fix where the comments go: read them first
            for _ in self.batches():
                pass
        for title, (layout, found) in (self._sheets or {}).items():
            extras, row = ex.placed(title, layout, found)
            yield from extras
            for _, sides in self._headers.get(title, ()):  # after the links, as in a .xlsx
                headers = [Extra(title, row, column, text) for column, text in sides]
                extras += headers
                yield from headers
                row += 1
            last = max((e.row for e in extras), default=-1)
            yield from title_extras(
                title, layout.rows, self._titles.get(title, ()), layout.raw, last + 1
            )
        try:
            props = ole_properties(self.path)
        except OSError:
            props = []
        for _, prop, text in props:
            yield Extra(None, 0, PROPERTY_COLUMN.format(prop.label), text, prop.person)
        saved = any(prop.key == "lastModifiedBy" for _, prop, _ in props)
        if self._saved_by and not saved:  # who saved it, from the workbook's own record
            yield Extra(None, 0, PROPERTY_COLUMN.format("最后修改者"), self._saved_by, True)


class HtmlTableSource(XlsxSource):
    """A web page saved as ``.xls``: one table per top-level ``<table>`` (:mod:`.html_tables`),
    its rows read as a worksheet's (header, title rows, empty rows); ``extras()`` gives the
    title rows."""

    def __init__(self, path: Path, *, batch_rows: int) -> None:
        super().__init__(path, batch_rows=batch_rows)
        self._sheets: dict[str, ex.SheetLayout] | None = None

    def batches(self) -> Iterator[TableBatch]:
        from lxml.etree import LxmlError

        self.reset()
        found = False
        sheets: dict[str, ex.SheetLayout] = {}
        titles: dict[str, list[list[str | None]]] = {}
        for name, rows in html_tables(self.path):
            state = _SheetState()
            try:
                for batch in self._sheet(name, rows, state):
                    found = True
                    yield batch
            except (LxmlError, *_BROKEN):
                self.errors.append(_sheet_error(name, state.rows_read))
                break  # one stream: what follows a broken table is not read
            sheets[name] = ex.SheetLayout(state.top, tuple(state.raw), state.rows)
            titles[name] = state.titles
        self._sheets, self._titles = sheets, titles
        if not found:
            if not self.errors:
                raise unreadable(self.path, "网页中没有表格", "the web page holds no table")
            raise no_rows(self.path, self.errors, ("网页表格", "web page table"))

    def extras(self) -> Iterator[Extra]:
        if self._sheets is None:
            for _ in self.batches():
                pass
        for title, layout in (self._sheets or {}).items():
            yield from title_extras(title, layout.rows, self._titles.get(title, ()), layout.raw)


#: BIFF8 record types: a substream's start and end, and a worksheet's page header and footer
_BOF, _EOF, _HEADER, _FOOTER = 0x0809, 0x000A, 0x0014, 0x0015


def page_headers(mem: bytes, start: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """The page header and footer of the worksheet whose substream starts at ``start`` in the
    workbook stream ``mem`` ([MS-XLS] 2.4.136 Header, 2.4.124 Footer: an XLUnicodeString),
    as :func:`.xlsx_extras.header_footer_texts` gives a ``.xlsx``'s (xlrd does not read them).
    A chart's substream inside the sheet is passed over; even-page and first-page headers
    (Excel 2007's HeaderFooter record) are not read."""
    found: dict[int, str] = {}
    depth, pos = 0, start
    while pos + 4 <= len(mem):
        code, size = struct.unpack_from("<HH", mem, pos)
        data = mem[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if code == _BOF:
            depth += 1
        elif code == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif code in (_HEADER, _FOOTER) and depth == 1 and size >= 3:
            count, wide = struct.unpack_from("<HB", data)
            raw = data[3 : 3 + (2 * count if wide & 1 else count)]
            found[code] = raw.decode("utf-16-le" if wide & 1 else "latin-1")
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for code, (name, label) in ((_HEADER, ex.HEADER_FOOTER[0]), (_FOOTER, ex.HEADER_FOOTER[1])):
        sides = ex.header_footer_sides(name, label, found.get(code))
        if sides:
            out.append((label, sides))
    return out


def _notes_and_links(sheet: Any, layout: ex.SheetLayout) -> list[ex.Placed]:
    """A sheet's comments and the texts of its hyperlinks, as :func:`.xlsx_extras.placed`
    takes them; a link's text that only restates the data cell it is on is left out, one
    that says more carries that cell's text (as in a workbook)."""
    found: list[ex.Placed] = []
    for (row, col), note in sorted(sheet.cell_note_map.items()):
        text = (note.text or "")[: ex.MAX_COMMENT_CHARS]
        if text.strip():
            found.append((row + 1, col, 0, ex.COMMENT_COLUMN, text, None))
    for link in sheet.hyperlink_list:
        texts = tuple(zip(LINK_LABELS, _link_texts(link), strict=True))
        row, col = link.frowx, link.fcolx
        cell = None
        if row + 1 > layout.top and row < sheet.nrows and col < sheet.ncols:
            cell = cell_text(_value(sheet.cell(row, col), sheet.book.datemode))
        for label, text in texts:
            if not text or text.isspace():
                continue
            if cell is not None and xp.restates(text, cell):
                continue  # the cell's own PI, found and counted in the cell
            found.append((row + 1, col, 1, label, text, cell))
    return found


#: a link's texts in :func:`_link_texts`' order, under the columns a workbook's are read under
LINK_LABELS = tuple(label for _, label in xp.LINK_COLUMNS)


def _link_texts(link: Any) -> tuple[str, str, str]:
    """A hyperlink's address, the text it shows and its screen tip, as an ``.xlsx`` link's
    (the place in a workbook it may go to, ``#客户!A1``, is not read there either)."""
    return (
        (link.url_or_path or "").rstrip("\x00"),
        (link.desc or "").rstrip("\x00"),
        (link.quicktip or "").rstrip("\x00"),
    )


def _put_text(cell: Any, text: str) -> None:
    """``text`` into an openpyxl cell as a text, even one that starts with ``=``; the
    characters a workbook cannot hold (C0 controls) dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def legacy_workbook(source: XlsSource | HtmlTableSource) -> Any:
    """The opened ``.xls`` (:func:`open_xls`) as a new openpyxl workbook, for protect to
    write its copy as ``.xlsx``: each worksheet's values as the rows read them (texts as
    :func:`_put_text` writes them), its cell comments and hyperlinks; a web page's tables,
    one sheet each. Formatting, the last saver's name and whatever the reader does not read
    are not carried (docs/protect.md)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.comments import Comment
    from openpyxl.worksheet.hyperlink import Hyperlink

    path = source.path
    out = Workbook()
    out.remove(out.active)
    if isinstance(source, HtmlTableSource):
        for name, rows in html_tables(path):
            ws = out.create_sheet(name)
            for r, cells in enumerate(rows, start=1):
                for c, text in enumerate(cells, start=1):
                    if text is not None:
                        _put_text(ws.cell(row=r, column=c), text)
        return out
    book = _open_book(path)
    try:
        for index, name in enumerate(book.sheet_names()):
            try:
                sheet = book.sheet_by_index(index)
            except _BROKEN:
                raise unreadable(
                    path, "Excel 97-2003 文件已损坏", "corrupt Excel 97-2003 file"
                ) from None
            ws = out.create_sheet(name)
            for r in range(sheet.nrows):
                for c, cell in enumerate(sheet.row(r)):
                    value = _value(cell, book.datemode)
                    if value is None:
                        continue
                    target = ws.cell(row=r + 1, column=c + 1)
                    if isinstance(value, str):
                        _put_text(target, value)
                        continue
                    target.value = value
                    if isinstance(value, datetime) and value.time() == time(0):
                        target.number_format = "yyyy-mm-dd"  # a date shown as one
                    elif isinstance(value, time):
                        target.number_format = "hh:mm:ss"
            for (r, c), note in sheet.cell_note_map.items():
                if (note.text or "").strip():
                    text = ILLEGAL_CHARACTERS_RE.sub("", note.text)
                    ws.cell(row=r + 1, column=c + 1).comment = Comment(text, "")
            for link in sheet.hyperlink_list:
                url, shown, tip = (ILLEGAL_CHARACTERS_RE.sub("", t) for t in _link_texts(link))
                if not (url or shown or tip):
                    continue
                cell = ws.cell(row=link.frowx + 1, column=link.fcolx + 1)
                cell.hyperlink = Hyperlink(
                    ref=cell.coordinate,
                    target=url or None,
                    display=shown or None,
                    tooltip=tip or None,
                )
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return out


def is_web_page(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a web page (read as an ``.xls`` of tables)."""
    return _PAGE.match(head) is not None


def open_xls(path: Path, *, batch_rows: int = 65536) -> XlsxSource:
    """Open an .xls workbook; refuse empty, encrypted, corrupt and disguised files at once (an
    .xlsx under the old name is read as one)."""
    head = file_head(path, 512)
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        return open_xlsx(path, batch_rows=batch_rows)
    if not head.startswith(OLE_MAGIC):
        if _PAGE.match(head):  # a web system's 导出 Excel: an HTML table
            if next(html_tables(path), None) is None:  # fail now, not in the scan
                raise unreadable(path, "网页中没有表格", "the web page holds no table")
            return HtmlTableSource(path, batch_rows=batch_rows)
        if _MARKUP.match(head):
            raise unreadable(
                path,
                "不是 Excel 97-2003 文件：内容是 XML 表格（Excel 2003 XML），请在 Excel 或 WPS "
                "中另存为 .xlsx 或 .csv 后再处理",
                "not an Excel 97-2003 file: it holds an XML table (Excel 2003 XML); save it "
                "as .xlsx or .csv in Excel or WPS first",
            )
        raise unreadable(path, "Excel 97-2003 文件已损坏", "corrupt Excel 97-2003 file")
    source = XlsSource(path, batch_rows=batch_rows)
    source._opened.append(_open_book(path))  # fail now, not in the middle of a scan
    return source


def _release_books(opened: list[Any]) -> None:
    """Release the memory of workbooks opened and never read."""
    while opened:
        opened.pop().release_resources()


__all__ = ["HtmlTableSource", "XlsSource", "legacy_workbook", "open_xls"]
