"""A worksheet's rows as the scan reads them: openpyxl's read-only rows (streamed from the zip,
bounded memory), each cell its cached value — and a formula cell that has none, its formula.

openpyxl's ``data_only`` parse gives a formula cell's cached value (``<v>``) and drops the
formula. Excel always writes that value; a workbook written by a script — openpyxl, pandas'
openpyxl writer and many exporters — does not (``<c><f>"13812345678"</f></c>``, or openpyxl's
empty ``<v></v>``), so its formula cells read as empty, while protect, which loads formulas
(``protect/table_formats.load_xlsx``), finds and masks the phone inside ``="13812345678"``.
Here such a cell reads as the very text protect loads and rewrites: the formula as openpyxl
gives it, ``=`` included (a shared formula's other cells translated from its first cell, an
array formula's text), so a finding's offsets point at the characters protect masks.

A cell has *no cached value* when it has no ``<v>`` (nor an inline string), or an empty one
on a cell not typed as text: Excel writes an empty ``<v>`` only for a formula whose result is
the empty text, on a cell typed ``t="str"`` — that cell stays empty, as it was. A formula cell
with a cached value is read as before — unless the workbook asks to be recalculated when it
is opened (``fullCalcOnLoad``, :func:`.xlsx_parts.recalculated_on_load`): XlsxWriter caches
``0`` for every formula and sets that flag, and such placeholders are no values, so there
every formula cell reads as its formula text.

A number under a date format that no date can hold (a phone number in a column a template
formats as dates) is read as the number: openpyxl would read it as ``#VALUE!`` — the phone
not found — after a warning quoting it.

:class:`CellParser` is openpyxl's cell parser with those two changes; :func:`sheet_values` is
openpyxl's ``iter_rows(values_only=True)`` of a read-only sheet (the same rows, the same
bounds from the sheet's ``<dimension>``) over it. Nothing of openpyxl is patched: the sheet's
own ``_get_source`` is used, so :func:`.xlsx_extras.watch_sheet` still sees the XML go by.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any
from xml.etree.ElementTree import Element

from openpyxl.formula.tokenizer import TokenizerError
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from baomi.engine.readers.formula_values import UNKNOWN, compute

#: what openpyxl raises for a shared formula it cannot carry to a cell (a reference moved off
#: the sheet, a formula it cannot tokenize, a cell without an address)
_UNTRANSLATED = (TranslatorError, TokenizerError, TypeError, ValueError)
#: the key that marks a cell read as its formula text, to be computed with its row
_UNCOMPUTED = "baomi_uncomputed"


#: Serial numbers every date format holds (up to the year 7375): larger ones are tried first.
_SURE_DATE = 2_000_000


def _empty_text(element: Element) -> bool:
    """Whether a cell holds the empty text as its computed value (Excel's ``t="str"`` with an
    empty ``<v>``), not an empty ``<v>`` for no value."""
    return element.get("t") == "str" and element.find(VALUE_TAG) is not None


class CellParser(WorkSheetParser):  # type: ignore[misc]  # openpyxl is untyped
    """openpyxl's cell parser (``data_only``: cached values), a formula cell without a cached
    value read as its formula text instead of as empty. ``recalculated``: the workbook asks
    to be recalculated on opening (:func:`.xlsx_parts.recalculated_on_load`), so its cached
    values are its writer's placeholders (XlsxWriter's ``0``): every formula cell is read as
    its formula text."""

    def __init__(self, *args: Any, recalculated: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, data_only=True, **kwargs)
        self.recalculated = recalculated
        #: the first cell of each shared formula that had a cached value: (text, coordinate)
        self._shared_firsts: dict[str | None, tuple[str, str | None]] = {}

    def _no_date(self, element: Element) -> bool:
        """Whether ``element`` is a number under a date format that no date can hold."""
        style = element.get("s")
        if not style or element.get("t", "n") != "n" or int(style) not in self.date_formats:
            return False
        try:
            serial = float(element.findtext(VALUE_TAG) or "0")
        except ValueError:
            return False
        if abs(serial) < _SURE_DATE:
            return False
        try:
            from_excel(serial, self.epoch, timedelta=int(style) in self.timedelta_formats)
        except (OverflowError, ValueError):
            return True
        return False

    @classmethod
    def of(
        cls, source: Any, strings: Any, workbook: Any, *, recalculated: bool = False
    ) -> CellParser:
        """A parser of ``source`` (a sheet's XML stream; ``None`` to parse single cells) with
        the read-only ``workbook``'s shared strings, epoch and date formats."""
        return cls(
            source,
            strings,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
            recalculated=recalculated,
        )

    def parse_cell(self, element: Element) -> dict[str, Any]:
        if self._no_date(element):  # parsed as the number, without its date style
            style = element.attrib.pop("s")
            try:
                cell: dict[str, Any] = super().parse_cell(element)
            finally:
                element.set("s", style)
            cell["style_id"] = int(style)
        else:
            cell = super().parse_cell(element)
        formula = element.find(FORMULA_TAG)
        if formula is None:
            return cell
        shared = formula.get("t") == "shared"
        cached = cell["value"] is not None or _empty_text(element)
        if cached and not self.recalculated:  # a cached value, computed
            if shared and formula.text:  # its other cells may have no value: keep its text
                self._shared_firsts.setdefault(formula.get("si"), (formula.text, element.get("r")))
            return cell
        if shared and not formula.text:
            index = formula.get("si")
            if index not in self.shared_formulae and index in self._shared_firsts:
                text, origin = self._shared_firsts[index]
                with contextlib.suppress(*_UNTRANSLATED):
                    self.shared_formulae[index] = Translator("=" + text, origin)
        try:
            cell["value"] = self.parse_formula(element)
        except _UNTRANSLATED:  # a shared formula that does not translate to this cell
            cell["value"] = "=" + (formula.text or "")
        if isinstance(cell["value"], str):  # not an array formula: computed with its row
            cell[_UNCOMPUTED] = True
        return cell


def sheet_values(sheet: Any, *, recalculated: bool = False) -> Iterator[Sequence[Any]]:
    """The values of a read-only ``sheet``'s rows, each cell parsed by :class:`CellParser`: a
    row each (a row the XML leaves out: empty), each as wide as its last cell.

    Not bounded by the sheet's ``<dimension>``: it is what the writer claimed, and some write a
    stale one. openpyxl's read-only rows stop at it, and the rows and columns past it were
    lost to the scan while protect, which loads the whole sheet, masked them; here the rows
    are read as the XML holds them (openpyxl's ``reset_dimensions``). A sheet that does not
    expose openpyxl's read-only internals (another version) is read by ``iter_rows`` itself,
    its dimensions reset first. ``recalculated``: see :class:`CellParser`."""
    strings = getattr(sheet, "_shared_strings", None)
    if strings is None or not callable(getattr(sheet, "_get_source", None)):
        if callable(getattr(sheet, "reset_dimensions", None)):
            sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
        return
    counter = 1
    with sheet._get_source() as src:
        parser = CellParser.of(src, strings, sheet.parent, recalculated=recalculated)
        for idx, cells in parser.parse():
            while counter < idx:  # rows the XML leaves out
                counter += 1
                yield ()
            if counter <= idx:
                counter += 1
                yield _values(cells)


def _values(cells: list[dict[str, Any]]) -> tuple[Any, ...]:
    """A row's values by column, 1 to its last cell's (cells in any order); a formula cell
    without a cached value that joins texts of its row, the text it shows
    (:func:`computed`)."""
    if not cells:
        return ()
    row: list[Any] = [None] * max(cell["column"] for cell in cells)
    formulas: dict[int, str] = {}
    for cell in cells:
        if cell["column"] >= 1:
            row[cell["column"] - 1] = cell["value"]
            if cell.get(_UNCOMPUTED):
                formulas[cell["column"]] = cell["value"]
    if formulas:
        computed(row, formulas, cells[0]["row"])
    return tuple(row)


def computed(row: list[Any], formulas: dict[int, str], number: int) -> None:
    """Put in ``row`` (sheet row ``number``'s values by column) the text each formula of
    ``formulas`` (column → formula text, cells without a cached value) shows, where it is a
    join :mod:`.formula_values` computes; the others keep their formula text. A formula may
    join another formula cell's text; a cycle is not computed."""
    done: dict[int, Any] = {}

    def value_at(column: int) -> Any:
        if column not in formulas:
            return row[column - 1] if column <= len(row) else None
        if column not in done:
            done[column] = UNKNOWN  # while it is computed: a cycle reads as unknown
            text = compute(formulas[column], number, value_at)
            done[column] = UNKNOWN if text is None else text
        return done[column]

    for column in formulas:
        value = value_at(column)
        if value is not UNKNOWN:
            row[column - 1] = value
