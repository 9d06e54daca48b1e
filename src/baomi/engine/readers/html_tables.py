"""The tables of a web page saved as ``.xls`` — what many web systems' 导出 Excel buttons write
(an HTML ``<table>``, often in GBK, which Excel and WPS open as a workbook).

The page is streamed with lxml's HTML parser (``iterparse``, each row dropped once read, so a
large export is not held as a tree). Each top-level ``<table>`` is a sheet named ``表1``,
``表2`` … (a page has no sheet names; a table nested in a cell is that cell's text). A row is
its ``<td>``/``<th>`` cells in order, placed as a browser places them: a cell spanning columns
(``colspan``) leaves the columns it covers empty, one spanning rows (``rowspan``) the cells
below it. A cell's text is its text content with runs of white space read as one blank (as a
browser shows them; ``&nbsp;`` too) and ``<br>`` as a line break; an empty cell is ``None``.
The encoding is the page's own (a byte-order mark, else the ``charset`` its ``<meta>`` names,
else detected as a text file's). Text outside the tables (a heading above the table) is not
read."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from baomi.engine.readers.base import unreadable
from baomi.engine.readers.encoding import bom_encoding, detect_file_encoding

#: the name of the ``n``-th table's sheet (1-based)
SHEET_NAME = "表{}"

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_SPACES = re.compile(r"\s+")
_BREAK = "\ue000"  # a <br> while the blanks are folded


def page_encoding(path: Path) -> str:
    """The encoding a browser would read the page in."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if mark := bom_encoding(head):
        name = mark
    elif m := _CHARSET.search(head):
        name = m.group(1).decode("ascii")
    else:
        name = detect_file_encoding(path)[0]
    try:
        name = codecs.lookup(name).name
    except LookupError:
        raise unreadable(path, "网页编码无法识别", "unknown encoding of the web page") from None
    # the parser's names: GBK text read as its superset, a byte-order mark skipped by it
    return {"gb2312": "gb18030", "gbk": "gb18030", "utf-8-sig": "utf-8"}.get(name, name)


def _text(cell: Any) -> str | None:
    for br in cell.iter("br"):
        br.tail = _BREAK + (br.tail or "")
    text = _SPACES.sub(" ", "".join(cell.itertext())).strip(" ").replace(_BREAK, "\n")
    text = "\n".join(line.strip(" ") for line in text.split("\n")).strip("\n")
    return text or None


def _span(cell: Any, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name) or 1), 1000))
    except ValueError:
        return 1


class _Rows:
    """One table's rows, placed as a browser places its cells (spans), from the page's
    stream."""

    def __init__(self) -> None:
        self.below: dict[int, int] = {}  # column → rows a rowspan above still covers

    def place(self, tr: Any) -> list[str | None]:
        row: list[str | None] = []
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while self.below.get(len(row), 0) > 0:
                self.below[len(row)] -= 1
                row.append(None)
            across, down = _span(cell, "colspan"), _span(cell, "rowspan")
            for k in range(across):
                if down > 1:
                    self.below[len(row)] = down - 1
                row.append(_text(cell) if k == 0 else None)
        for col, left in self.below.items():  # covered columns right of the row's last cell
            if col >= len(row) and left > 0:
                self.below[col] = left - 1
        while row and row[-1] is None:
            row.pop()
        return row


def html_tables(path: Path) -> Iterator[tuple[str, Iterator[list[str | None]]]]:
    """Each top-level table of the page: (its sheet name, its rows). A table's rows must be
    read before the next table is asked for (one stream)."""
    from lxml import etree

    encoding = page_encoding(path)
    handle = path.open("rb")
    try:
        stream = iter(
            etree.iterparse(
                handle, events=("start", "end"), html=True, encoding=encoding, recover=True
            )
        )
    except (LookupError, ValueError):
        handle.close()
        raise unreadable(path, "网页编码无法识别", "unknown encoding of the web page") from None
    depth = 0
    count = 0

    def rows() -> Iterator[list[str | None]]:
        nonlocal depth
        placed = _Rows()
        for event, node in stream:
            tag = node.tag if isinstance(node.tag, str) else ""
            if event == "start":
                depth += tag == "table"
                continue
            if tag == "table":
                depth -= 1
                if depth == 0:
                    node.clear()
                    return
            elif tag == "tr" and depth == 1:
                yield placed.place(node)
                node.clear()
                parent = node.getparent()
                while parent is not None and node.getprevious() is not None:
                    del parent[0]

    try:
        for event, node in stream:
            if event == "start" and node.tag == "table":
                depth = 1
                count += 1
                yield SHEET_NAME.format(count), rows()
    except (etree.LxmlError, LookupError):
        raise unreadable(path, "网页表格已损坏", "the web page's table is corrupt") from None
    finally:
        handle.close()


__all__ = ["SHEET_NAME", "html_tables", "page_encoding"]
