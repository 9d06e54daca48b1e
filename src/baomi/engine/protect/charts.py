"""A workbook's charts, protected (:func:`protect_charts`).

openpyxl reads a worksheet's charts and writes them back, with the texts they hold: their
titles (a chart of one customer's spending named after them) and the cached copies of the
cells they plot — the category labels (customers' names) and the series names. A package whose
sheets were masked still showed those in the chart's XML. Each such text is protected as a
document's text is, without zero-width marks; Excel redraws a chart from its (protected) cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, unit_findings


def _texts(obj: Any, seen: set[int]) -> Iterator[tuple[Any, str]]:
    """(holder, attribute) of every text under chart part ``obj``: cached strings (``StrVal.v``)
    and the runs of titles and labels (``RegularTextRun.t``), found through the objects'
    attributes (openpyxl's chart classes do not all list their children)."""
    from openpyxl.chart.data_source import StrVal
    from openpyxl.descriptors.serialisable import Serialisable
    from openpyxl.drawing.text import RegularTextRun

    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, StrVal):
        yield obj, "v"
    elif isinstance(obj, RegularTextRun):
        yield obj, "t"
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from _texts(item, seen)
    elif isinstance(obj, Serialisable):
        for value in vars(obj).values():
            if isinstance(value, Serialisable | list | tuple):
                yield from _texts(value, seen)


def protect_charts(run: ProtectRun, wb: Any) -> int:
    """Protect the titles and cached texts of every chart of ``wb`` in place (module
    docstring); how many texts changed."""
    holders = [
        (holder, name)
        for ws in (*wb.worksheets, *wb.chartsheets)  # a chart sheet's charts too
        for chart in getattr(ws, "_charts", ())
        for holder, name in _texts(chart, set())
        if isinstance(getattr(holder, name), str) and getattr(holder, name).strip()
    ]
    if not holders:
        return 0
    texts = [getattr(holder, name) for holder, name in holders]
    changed = 0
    for k, findings in unit_findings(run, texts).items():
        new = _protect_text(run, texts[k], findings=findings, in_table=True)[0]
        if new != texts[k]:
            holder, name = holders[k]
            setattr(holder, name, new)
            changed += 1
    return changed
