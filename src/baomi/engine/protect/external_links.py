"""A workbook's external links, protected (:func:`protect_external_links`).

A formula that reads another workbook (``=[客户.xlsx]客户!B2``, a ``VLOOKUP`` into a CRM
export) makes Excel keep a copy of the cells it read in the workbook itself
(``xl/externalLinks/``: the ``<sheetDataSet>``), shown until the link is updated. openpyxl
carries that copy through as it was, so a package whose sheets were masked still held the other
workbook's customers. Each cached text or number is protected as a cell's text under its
sheet's name (``外部链接缓存：<sheet>``, as the scan reads it: ``readers/xlsx_parts.py``
``external_values``); a number that no longer reads as one is written as a text.
"""

from __future__ import annotations

import re
from typing import Any

from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, unit_findings
from baomi.engine.readers.xlsx_parts import EXTERNAL_COLUMN, written_number

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _cells(link: Any) -> dict[str, list[Any]]:
    """The cached cells of ``link`` holding a text or a number, by their sheet's name."""
    book = link.externalBook
    if book is None or book.sheetDataSet is None:
        return {}
    names = list(book.sheetNames.sheetName) if book.sheetNames is not None else []
    found: dict[str, list[Any]] = {}
    for data in book.sheetDataSet.sheetData:
        index = data.sheetId or 0
        sheet = names[index] if 0 <= index < len(names) else f"sheet_{index + 1}"
        for row in data.row:
            for cell in row.cell:
                if cell.v is not None and (cell.t or "n") not in ("e", "b") and cell.v.strip():
                    found.setdefault(sheet, []).append(cell)
    return found


def protect_external_links(run: ProtectRun, wb: Any) -> int:
    """Protect the cached cells of every external link of ``wb`` in place (module
    docstring); how many changed."""
    changed = 0
    for link in getattr(wb, "_external_links", ()):
        for sheet, cells in _cells(link).items():
            texts = [written_number(c.v) if (c.t or "n") == "n" else c.v for c in cells]
            column = EXTERNAL_COLUMN.format(sheet)
            for k, findings in unit_findings(run, texts, column).items():
                new = _protect_text(run, texts[k], findings=findings, in_table=True)[0]
                if new == texts[k]:
                    continue
                cell = cells[k]
                if (cell.t or "n") == "n" and not _NUMBER.fullmatch(new):
                    cell.t = "str"
                cell.v = new
                changed += 1
    return changed
