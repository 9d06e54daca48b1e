"""What a workbook holds beside its cells, read from the zip with a streaming parser (openpyxl's
read-only mode does not load comments, and its full mode would load every cell): cell comments
(the comments parts ``[Content_Types].xml`` names, e.g. ``xl/comments1.xml``), page headers and
footers (the ``<headerFooter>`` element after a worksheet's rows) and the document properties
a person types (``docProps/core.xml``, ``docProps/app.xml``).

Where each text goes (docs/readers.md "Beside the cells"), per worksheet, the header being
Excel row ``top`` (0 when the first row is a record, :class:`SheetLayout`):

- a comment on a cell below the header: that cell's data row, column ``批注：<the cell's
  column>`` (``批注：手机``);
- then, from the first row after both the data and those comments: one row per Excel row of
  comments on the header row or above it (Excel row order), then one row per page header or
  footer that has text (odd-page header and footer, even-page, first-page: ``页眉：左``,
  ``页脚：中``, ``偶数页页眉：右``, ``首页页脚：左``…);
- the document properties: no sheet, row 0, column ``文档属性：作者`` and so on.

A part that cannot be read (a comments part cut short, an oversized comment, a chart sheet's
comments) adds a reason to ``errors`` — never file content — and the rest is read. A workbook
without comments costs one small XML part ([Content_Types].xml) beside the properties; its
page headers are taken from the sheet's XML as openpyxl reads it (:class:`SheetTail`), so the
rows are not inflated twice.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from baomi.engine.readers import xlsx_parts as parts
from baomi.engine.readers.base import Extra, embedded_note, pictures_note, unique_headers
from baomi.engine.readers.xlsx_cells import CellReader, cell_texts
from baomi.engine.readers.xml_parts import fromstring, iterparse
from baomi.i18n import worded

COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
#: A comment's text is read up to this many characters (Excel allows 32,767 in a cell).
MAX_COMMENT_CHARS = 1_000_000
#: What follows a sheet's rows is kept up to this size to find its page headers (merged
#: cells, hyperlinks and validations come first; a header is at most 255 characters).
MAX_TAIL_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20

#: page header and footer elements in a worksheet, with the name of their row's columns
HEADER_FOOTER = (
    ("oddHeader", "页眉"),
    ("oddFooter", "页脚"),
    ("evenHeader", "偶数页页眉"),
    ("evenFooter", "偶数页页脚"),
    ("firstHeader", "首页页眉"),
    ("firstFooter", "首页页脚"),
)
SIDES = (("left", "左"), ("center", "中"), ("right", "右"))
COMMENT_COLUMN = "批注：{}"

_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\s*/>")
_HEADER_PART = re.compile(
    rb"<(?:[\w.-]+:)?(oddHeader|oddFooter|evenHeader|evenFooter|firstHeader|firstFooter)"
    rb"(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?\1\s*>",
    re.DOTALL,
)
_HEADER_FOOTER = re.compile(
    rb"<(?:[\w.-]+:)?headerFooter[\s/>].*?(?:</(?:[\w.-]+:)?headerFooter\s*>|$)", re.DOTALL
)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, ParseError)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Where a worksheet's rows are, as its reader numbered them: data row ``r`` is Excel row
    ``top + 1 + r`` (``top`` the header's row; 0 without one), ``raw`` the header cells,
    ``rows`` the data rows."""

    top: int
    raw: tuple[str | None, ...]
    rows: int

    def column(self, index: int) -> str:
        """The name of the column at 0-based ``index``, as the reader names it."""
        width = max(index + 1, len(self.raw))
        return unique_headers(list(self.raw) + [None] * (width - len(self.raw)))[index]


class SheetTail:
    """What follows a worksheet's ``<sheetData>`` in its XML, collected as the bytes go by
    (fed by openpyxl's own read of the sheet, or by :func:`sheet_tail`): ``tail`` is the bytes
    once the XML was read to its end, ``None`` before (or when too large: ``too_large``)."""

    def __init__(self) -> None:
        self._carry = b""
        self._parts: list[bytes] | None = None
        self._size = 0
        self.too_large = False
        self.tail: bytes | None = None

    def feed(self, data: bytes) -> None:
        if self.tail is not None or self.too_large:
            return
        if not data:  # the end of the XML
            self.tail = b"".join(self._parts or [])
            return
        if self._parts is None:
            buf = self._carry + data
            end = _data_end(buf)
            if end < 0:
                self._carry = buf[-64:]
                return
            self._parts, data = [], buf[end:]
        self._size += len(data)
        if self._size > MAX_TAIL_BYTES:
            self.too_large, self._parts = True, None
            return
        self._parts.append(data)


def _data_end(buf: bytes) -> int:
    """The index after ``</sheetData>`` (or ``<sheetData/>``) in ``buf``, else -1: found by a
    plain search for the name (a regular expression would stop at every ``<`` of the rows);
    a ``<`` cannot occur in XML text, so a tag found so is a tag."""
    i = buf.find(b"sheetData")
    while i >= 0:
        lt = buf.rfind(b"<", max(0, i - 40), i)
        if lt >= 0 and (m := _DATA_END.match(buf, lt)) is not None:
            return m.end()
        i = buf.find(b"sheetData", i + 1)
    return -1


def header_footer_block(tail: bytes) -> bytes:
    """The ``<headerFooter>`` element of a sheet's tail (empty without one): all that is kept
    of the tail."""
    m = _HEADER_FOOTER.search(tail)
    return m.group() if m else b""


class _Watched:
    """A sheet's XML stream as openpyxl reads it, fed to a :class:`SheetTail` on the way."""

    def __init__(self, stream: IO[bytes], tail: SheetTail) -> None:
        self._stream, self._tail = stream, tail

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._tail.feed(data)
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> _Watched:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def watch_sheet(sheet: Any) -> list[SheetTail]:
    """Make openpyxl's read-only ``sheet`` feed a new :class:`SheetTail` each time it opens its
    XML (it opens it for the rows and may open it for the dimensions); the list fills as it
    does. Without the hook (another openpyxl), nothing is fed and :func:`sheet_tail` reads
    the XML again."""
    tails: list[SheetTail] = []
    get = getattr(sheet, "_get_source", None)
    if not callable(get):
        return tails

    def opened() -> _Watched:
        tail = SheetTail()
        tails.append(tail)
        return _Watched(get(), tail)

    sheet._get_source = opened
    return tails


def sheet_tail(zf: zipfile.ZipFile, member: str) -> SheetTail:
    """The tail of a worksheet's XML, inflated from the zip (when openpyxl's read was not
    watched to its end)."""
    tail = SheetTail()
    with zf.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            tail.feed(chunk)
            if not chunk or tail.too_large:
                break
    return tail


#: a font-size code's digits (``&14``): at most three when no digit follows them (a size of 1
#: to 409 points), else two (``&146222…``: size 14, then the text ``6222…``; no size has four
#: digits). openpyxl took every digit (size 146222…), so a card typed right after the code was
#: read as no text and written back inside the code.
SIZE_CODE = r"&(?P<size>(?:\d{1,3}(?!\d)|\d{2}(?=\d\d))\s?)"


def read_size_codes() -> None:
    """Make openpyxl read a page header's font-size code as :data:`SIZE_CODE` says (its
    ``FORMAT_REGEX``, used when a header is parsed: by the scan here, by protect when it
    loads a workbook). Idempotent; called before a header is parsed, never at import."""
    from openpyxl.worksheet import header_footer as hf

    if getattr(hf.FORMAT_REGEX, "pattern", "").endswith(SIZE_CODE):
        return
    hf.FORMAT_REGEX = re.compile(f"{hf.FONT_PATTERN}|{hf.COLOR_PATTERN}|{SIZE_CODE}")


def header_footer_texts(tail: bytes) -> list[tuple[str, list[tuple[str, str]]]]:
    """The page headers and footers with text in a sheet's tail: (part's label, [(column,
    text)]), in :data:`HEADER_FOOTER` order; each side's text as openpyxl (and protect) reads
    it."""
    block = _HEADER_FOOTER.search(tail)
    if block is None:
        return []
    found: dict[str, bytes] = {}
    for m in _HEADER_PART.finditer(block.group()):
        found.setdefault(m.group(1).decode(), m.group(2))
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for name, label in HEADER_FOOTER:
        raw = found.get(name)
        if not raw:
            continue
        sides = header_footer_sides(name, label, fromstring(b"<t>" + raw + b"</t>").text)
        if sides:
            out.append((label, sides))
    return out


def header_footer_sides(name: str, label: str, text: str | None) -> list[tuple[str, str]]:
    """One page header's or footer's text (``&L…&C…&R…``, the codes of Excel's format) as
    (column, text) per side with text, as openpyxl (and protect) reads it: ``页眉：左`` …;
    ``name`` its element (``oddHeader``), ``label`` its row's name (``页眉``). Shared by the
    workbook readers (:mod:`.xls` reads the same string from its HEADER record)."""
    from openpyxl.worksheet.header_footer import HeaderFooterItem

    read_size_codes()
    node = Element(name)
    node.text = text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Cannot parse header or footer": handled below
        item = HeaderFooterItem.from_tree(node)
    sides = [
        (f"{label}：{side_label}", side_text)
        for side, side_label in SIDES
        if item is not None and typed(side_text := getattr(item, side).text)
    ]
    if not sides and typed(node.text):
        # openpyxl cannot split it (no &L/&C/&R, or out of order) and drops it on save;
        # the file still holds it: scanned whole, codes and all
        sides = [(label, node.text or "")]
    return sides


#: Excel's header codes: a font (``&"Arial,Bold"``), a size, a colour, or one letter (``&P``
#: the page, ``&N`` the pages, ``&D`` the date, ``&F`` the file's name …)
_HEADER_CODE = re.compile(r'&(?:"[^"]*"|\d+|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|.)', re.DOTALL)


def typed(text: str | None) -> bool:
    """Whether a header's text holds something typed, not only codes (``&P``, ``&D``: the
    page number, the date, which Excel fills in)."""
    return bool(_HEADER_CODE.sub("", text or "").strip())


# --- the package's parts ------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of ``part``'s internal relationships."""
    return [(i, t, p) for i, t, p, ext in parts.relationships(zf, part) if not ext]


def sheet_parts(
    zf: zipfile.ZipFile, book: parts.BookXml | None = None
) -> list[tuple[str, str, bool]]:
    """(sheet name, XML part, is a chart sheet) in the workbook's order (``book``: the
    workbook part, read here without it)."""
    book = book or parts.book_xml(zf)
    targets = book.targets(zf)
    out = []
    for node in book.root.iter():
        if _local(node.tag) != "sheet":
            continue
        kind, part = targets.get(parts.r_id(node), ("", ""))
        if part:
            out.append((node.get("name") or "", part, kind.endswith("/chartsheet")))
    return out


def kept_tail(tail: bytes) -> bytes:
    """What is kept of a sheet's XML after its rows: its hyperlinks and data validations
    (:func:`.xlsx_parts.blocks`) and its ``<headerFooter>`` element (empty without any)."""
    return parts.blocks(tail) + header_footer_block(tail)


def comment_parts(zf: zipfile.ZipFile, types: dict[str, str] | None = None) -> set[str]:
    """The comments parts [Content_Types].xml declares (none: no comment to read; ``types``:
    :func:`.xlsx_parts.content_types`, read here without it)."""
    types = parts.content_types(zf) if types is None else types
    return {p for p, t in types.items() if t == COMMENTS_TYPE}


def comments_of(zf: zipfile.ZipFile, part: str) -> list[str]:
    """The comments parts related to a worksheet ``part``."""
    return [p for _, t, p in _rels(zf, part) if t.endswith("/comments")]


def iter_comments(
    zf: zipfile.ZipFile, part: str, too_long: Callable[[str], None]
) -> Iterator[tuple[int, int, str]]:
    """(Excel row, 0-based column, text) of each comment of a comments part, streamed; the
    text as openpyxl reads it (the plain text, then each run's, phonetic runs left out).
    ``too_long(ref)`` is told of a comment cut at :data:`MAX_COMMENT_CHARS`."""
    with parts.open_part(zf, part) as stream:
        for _, node in iterparse(stream, events=("end",)):
            if _local(node.tag) != "comment":
                continue
            m = _REF.match(node.get("ref") or "")
            text_node = next((c for c in node if _local(c.tag) == "text"), None)
            if m and text_node is not None:
                pieces = [c.text or "" for c in text_node if _local(c.tag) == "t"]
                for run in text_node:
                    if _local(run.tag) == "r":
                        pieces += [t.text or "" for t in run if _local(t.tag) == "t"]
                text = "".join(pieces)
                if len(text) > MAX_COMMENT_CHARS:
                    too_long(node.get("ref") or "")
                    text = text[:MAX_COMMENT_CHARS]
                if text and not text.isspace():
                    yield int(m.group(2)), _column_index(m.group(1)), text
            node.clear()


def _column_index(letters: str) -> int:
    n = 0
    for c in letters.upper():
        n = n * 26 + ord(c) - 64
    return n - 1


# --- the extras of a workbook ---------------------------------------------------------------


#: a comment or a link found on a sheet: (Excel row, 0-based column, kind — 0 a comment, 1 a
#: link —, its column's label, ``批注：{}``, its text, the text of the cell a link is on)
Placed = tuple[int, int, int, str, str, str | None]


def placed(title: str, layout: SheetLayout, found: Sequence[Placed]) -> tuple[list[Extra], int]:
    """The comments and links of a sheet as extras, and the row after the last: those on a
    data row at that row (``on_row``, a link with the cell it is on), by row, column and
    kind; then those on the header row or above it, one row per Excel row, after the data
    rows. Shared by the workbook readers (:mod:`.xls` too)."""
    below: list[Placed] = []
    above: list[Placed] = []
    for row, col, kind, label, text, cell in found:
        column = label.format(layout.column(col))
        if row > layout.top:
            below.append((row - layout.top - 1, col, kind, column, text, cell))
        else:
            above.append((row, col, kind, column, text, None))
    below.sort(key=lambda c: c[:3])
    above.sort(key=lambda c: c[:3])
    out: list[Extra] = []
    for row, col, _, column, text, cell in below:
        of = None if cell is None else (layout.column(col), cell)
        out.append(Extra(title, row, column, text, on_row=True, cell=of))
    row = max([layout.rows] + [c[0] + 1 for c in below])
    for excel_row in sorted({c[0] for c in above}):
        for _, _, _, column, text, _ in (c for c in above if c[0] == excel_row):
            out.append(Extra(title, row, column, text))
        row += 1
    return out, row


def sheet_extras(
    zf: zipfile.ZipFile,
    title: str,
    part: str,
    layout: SheetLayout,
    tail: bytes | None,
    comments: set[str],
    errors: list[str],
    charts: bool = False,
    read_cell: CellReader | None = None,
    has_tables: bool = False,
) -> Iterator[Extra]:
    """A worksheet's comments and hyperlinks, page headers and footers, data validations,
    filters (``has_tables``: the workbook has tables, whose own filters are read too) and
    charts (``charts``: the workbook has any), addressed as the module says. ``read_cell``:
    a cell's text as the rows read it, to leave out what a link on a data cell only restates
    of that cell (:func:`linked_cells`) and to hand the cell with a link text that says more
    (``Extra.cell``); without it every link text is read, with no cell."""
    on_cells: list[Placed] = []

    def place(
        row: int, col: int, kind: int, label: str, text: str, cell: str | None = None
    ) -> None:
        on_cells.append((row, col, kind, label, text, cell))

    for name in comments_of(zf, part) if comments else ():

        def cut(ref: str) -> None:
            errors.append(
                worded(
                    f"工作表“{title}”单元格 {ref} 的批注过长，只读取了前 "
                    f"{MAX_COMMENT_CHARS} 个字符",
                    f"the comment of cell {ref} of worksheet '{title}' is too long; only its "
                    f"first {MAX_COMMENT_CHARS} characters were read",
                )
            )

        try:
            for row, col, text in iter_comments(zf, name, cut):
                place(row, col, 0, COMMENT_COLUMN, text)
        except _BROKEN:
            errors.append(
                worded(
                    f"工作表“{title}”的批注已损坏，未全部读取",
                    f"the comments of worksheet '{title}' are corrupt; not all were read",
                )
            )
    tail, too_large = _tail(zf, part, tail)
    if tail is not None and parts.has_links(tail):
        try:
            targets = parts.link_targets(zf, part)
        except _BROKEN:
            targets = {}
            errors.append(
                worded(
                    f"工作表“{title}”的链接地址已损坏，未读取",
                    f"the link addresses of worksheet '{title}' are corrupt and were not read",
                )
            )
        links = parts.links(tail, targets)
        cells = linked_cells(zf, part, layout, links, read_cell)
        for link in links:
            cell = cells.get((link.row, link.col))
            for label, text in link.texts:
                if cell is not None and parts.restates(text, cell):
                    continue  # the cell's own PI, found and counted in the cell
                # a text that says more: what it finds of the cell's own is not counted
                # again (the scan compares: :class:`baomi.engine.scan.model.LinkedCells`)
                place(link.row, link.col, 1, label, text, cell)
    extras, row = placed(title, layout, on_cells)
    yield from extras
    if too_large:
        errors.append(
            worded(
                f"工作表“{title}”的页眉页脚未读取（工作表末尾过大）",
                f"the page headers of worksheet '{title}' were not read (too much data)",
            )
        )
    if tail is not None:
        try:
            found = header_footer_texts(tail)
        except (ParseError, ValueError, TypeError):
            found = []
            errors.append(
                worded(
                    f"工作表“{title}”的页眉页脚已损坏，未读取",
                    f"the page headers of worksheet '{title}' are corrupt and were not read",
                )
            )
        for _, sides in found:
            for column, text in sides:
                yield Extra(title, row, column, text)
            row += 1
        for texts in parts.validations(tail):
            for column, text in texts:
                yield Extra(title, row, column, text)
            row += 1
        for column, text in parts.conditional_texts(tail):
            yield Extra(title, row, column, text)
            row += 1
        tables = _table_filters(zf, title, part, errors) if has_tables else []
        for col, text in parts.filter_values(tail) + tables:
            yield Extra(title, row, parts.FILTER_COLUMN.format(layout.column(col)), text)
            row += 1
    if charts:
        yield from chart_extras(zf, title, part, row, errors)


def linked_cells(
    zf: zipfile.ZipFile,
    part: str,
    layout: SheetLayout,
    links: list[parts.Link],
    read_cell: CellReader | None,
) -> dict[tuple[int, int], str]:
    """The texts of the data cells ``links`` are on, (Excel row, column) → text, read again
    from the sheet's XML (:func:`.xlsx_cells.cell_texts`): only cells of the data rows the
    rows' reader read (not the header, a title, or what follows a break in a corrupt
    sheet). None without ``read_cell``, or when the XML cannot be read again (the rows'
    reader said why): the links are then read whole, as before."""
    if read_cell is None:
        return {}
    on_data = {
        (link.row, link.col) for link in links if 0 <= link.row - layout.top - 1 < layout.rows
    }
    if not on_data:
        return {}
    try:
        return cell_texts(zf, part, on_data, read_cell)
    except _BROKEN:
        return {}


def _tail(zf: zipfile.ZipFile, part: str, tail: bytes | None) -> tuple[bytes | None, bool]:
    """The kept tail of a worksheet (:func:`kept_tail`): the one openpyxl's read
    gave, else read from the zip (``None`` when the sheet is corrupt or its tail too large,
    which the second value says)."""
    if tail is not None:
        return tail, False
    try:
        found = sheet_tail(zf, part)
    except _BROKEN:
        return None, False  # the worksheet itself is corrupt: its reader said so
    return (None if found.tail is None else kept_tail(found.tail)), found.too_large


def _table_filters(
    zf: zipfile.ZipFile, title: str, part: str, errors: list[str]
) -> list[tuple[int, str]]:
    """The values the filters of a worksheet's tables (Insert → Table: ``xl/tables/``)
    select (:func:`.xlsx_parts.filter_values`)."""
    found: list[tuple[int, str]] = []
    try:
        for _, kind, table in _rels(zf, part):
            if kind.endswith("/table"):
                with parts.open_part(zf, table) as stream:
                    found += parts.filter_values(stream.read())
    except _BROKEN:
        errors.append(
            worded(
                f"工作表“{title}”的表格已损坏，其筛选条件未读取",
                f"the tables of worksheet '{title}' are corrupt; their filters were not read",
            )
        )
    return found


def chart_extras(
    zf: zipfile.ZipFile, title: str, part: str, row: int, errors: list[str]
) -> Iterator[Extra]:
    """The texts of a sheet's charts (:func:`.xlsx_parts.chart_texts`), one row each from
    ``row``, the charts in their drawings' order."""
    try:
        found = [t for chart in parts.charts_of(zf, part) for t in parts.chart_texts(zf, chart)]
    except _BROKEN:
        errors.append(
            worded(
                f"工作表“{title}”的图表已损坏，未读取",
                f"the charts of worksheet '{title}' are corrupt and were not read",
            )
        )
        return
    for offset, (column, text) in enumerate(found):
        yield Extra(title, row + offset, column, text)


def chart_sheet_note(zf: zipfile.ZipFile, title: str, part: str, comments: set[str]) -> str | None:
    """Why a chart sheet's comments are not read, when it has any (a chart sheet has no cells
    for them to belong to)."""
    if any(p in comments for p in comments_of(zf, part)):
        return worded(
            f"图表工作表“{title}”的批注未读取",
            f"the comments of chart sheet '{title}' were not read",
        )
    return None


def _cached_values(
    zf: zipfile.ZipFile,
    found: list[str],
    values: Callable[[zipfile.ZipFile, str], Iterator[tuple[str, int, str]]],
    column: str,
    broken: tuple[str, str],
    errors: list[str],
) -> Iterator[Extra]:
    """The values of the workbook parts ``found`` (pivot caches, external links), each
    ``(name, place, text)`` from ``values``, under ``column`` formatted with the name: row the
    value's place among the values so named, the parts one after another. A broken part adds
    ``broken`` (Chinese, English) to ``errors``; the others are read."""
    rows: dict[str, int] = {}
    for part in found:
        start = dict(rows)
        try:
            for name, place, text in values(zf, part):
                label = column.format(name)
                row = start.get(label, 0) + place
                rows[label] = max(rows.get(label, 0), row + 1)
                yield Extra(None, row, label, text)
        except _BROKEN:
            errors.append(worded(*broken))


def book_extras(
    zf: zipfile.ZipFile, book: parts.BookXml, sheets: list[str], errors: list[str]
) -> Iterator[Extra]:
    """What the workbook holds beside its sheets, after the document properties: the
    constants of defined names (no sheet, row 0, ``定义名称：<name>``), then the values of its
    pivot caches (no sheet, ``数据透视表缓存：<field>``, row: the value's place among the
    values of fields so named, the caches one after another), then what its external links
    cache of other workbooks' cells (no sheet, ``外部链接缓存：<sheet>``, rows likewise); its
    embedded objects are named in ``errors`` (not read)."""
    for name in parts.defined_names(book, sheets):
        yield Extra(None, 0, name.column, name.text)
    yield from _cached_values(
        zf,
        parts.book_parts(zf, book, "pivotCache"),
        parts.pivot_values,
        parts.PIVOT_COLUMN,
        ("数据透视表缓存已损坏，未全部读取", "a pivot cache is corrupt; not all of it was read"),
        errors,
    )
    yield from _cached_values(
        zf,
        parts.book_parts(zf, book, "externalReference"),
        parts.external_values,
        parts.EXTERNAL_COLUMN,
        (
            "外部链接缓存已损坏，未全部读取",
            "an external link's cached values are corrupt; not all of them were read",
        ),
        errors,
    )
    for note in (
        pictures_note(zf.namelist(), "xl/media/"),
        embedded_note(zf.namelist(), parts.EMBEDDINGS),
    ):
        if note:
            errors.append(note)
