"""Round trip of the table formats: CSV/TSV (encoding, byte-order mark, delimiter, quote and
line ending kept), XLSX (cells edited in place: formatting, widths and other sheets kept),
JSON / JSON Lines (records flattened to dotted paths, untouched values keep their JSON type),
Parquet (untouched columns keep their type)."""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from baomi.engine.protect.roundtrip import Document, Table, encode_text, leading_mark
from baomi.engine.readers.base import unique_headers, unreadable
from baomi.engine.readers.csv import open_csv
from baomi.engine.readers.encoding import decode_head, detect_file_encoding
from baomi.engine.readers.header import HEAD_BLANKS, TITLE_LOOKAHEAD, is_record, title_rows
from baomi.engine.readers.json import (
    literal_decoder,
    record_list,
    record_row,
    replaced_record,
    rows_frame,
    wrapped_records,
)
from baomi.engine.readers.xlsx import cell_text, shown_rows
from baomi.errors import UnreadableFileError

# --- CSV / TSV ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CsvState:
    #: the bytes the file starts with before its text (a byte-order mark: ``leading_mark``)
    mark: bytes
    delimiter: str
    quote: str
    newline: str
    #: the header row as written (the frame's columns are named as the CSV reader names them)
    header: tuple[str | None, ...] = ()
    #: the title rows above the header, their fields as written (protected as text)
    titles: tuple[tuple[str, ...], ...] = ()


def load_csv(path: Path, fmt: str) -> Document:
    """The rows and cells the CSV reader reads (``readers/csv.py``: its dialect, encoding,
    header naming; a row with the wrong number of fields skipped and counted, bytes that do not
    decode read as U+FFFD and counted), with how the file was written, to write it back."""
    source = open_csv(path)
    frames = [batch.frame for batch in source.batches()]
    frame = pl.concat(frames) if len(frames) > 1 else frames[0]
    encoding = str(source.encoding)
    _, sample = detect_file_encoding(path)
    head = decode_head(sample, encoding, 65536)
    mark, enc = leading_mark(encoding, head)
    newline = "\r\n" if "\r\n" in head else "\n"
    written = source.header_row or ()
    state = _CsvState(mark, source.delimiter, source.quote_char, newline, written, source.titles)
    table = Table(
        None,
        frame,
        header=source.header_row is not None,
        skipped_rows=source.skipped_rows,
        undecodable_rows=source.undecodable_rows,
    )
    enc = "utf-8" if enc.lower() == "utf8" else enc
    return Document(path, fmt, enc, [table], state=state)


def save_csv(doc: Document, target: Path) -> None:
    st: _CsvState = doc.state
    table = doc.tables[0]
    options: dict[str, Any] = {
        "include_header": False,
        "separator": st.delimiter,
        "quote_char": st.quote,
        "line_terminator": st.newline,
        "null_value": "",
    }
    text = table.frame.write_csv(**options)
    if table.header:  # the header row as it was, quoted as the rows are
        text = _csv_line(st.header, options) + text
    # the title rows above it, each with its own number of fields
    text = "".join(_csv_line(title, options) for title in st.titles) + text
    target.write_bytes(st.mark + encode_text(text, doc.encoding))


def _csv_line(cells: tuple[str | None, ...], options: dict[str, Any]) -> str:
    """One row written as the frame's rows are (quoted where needed, an empty field as an
    empty cell); empty for no cells."""
    head = [pl.Series(f"h{i}", [v or None], pl.String) for i, v in enumerate(cells)]
    return pl.DataFrame(head).write_csv(**options) if head else ""


# --- XLSX --------------------------------------------------------------------------------


def load_xlsx(path: Path, fmt: str) -> Document:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # unsupported extensions, missing styles — and a number under a date format no
            # date can hold, which openpyxl quotes (a phone number: restored below)
            warnings.simplefilter("ignore")
            wb = load_workbook(path)
    except Exception:  # openpyxl raises many types for a broken file
        raise unreadable(
            path,
            "不是有效的 XLSX 工作簿（已损坏、被截断或加密）",
            "not a valid XLSX workbook (corrupt, truncated or encrypted)",
        ) from None
    return _workbook_document(path, fmt, wb)


def load_xls(path: Path, fmt: str) -> Document:
    """A legacy ``.xls`` workbook as the ``.xlsx`` its copy is written as: a new workbook of
    its sheets' values (xlrd, as the scan reads them: ``readers/xls.py``), its cell comments
    and hyperlinks — what the scan reads beside the cells, protected as a workbook's are;
    formatting and the last saver's name are not carried (``Document.source_format``
    ``xls``). An ``.xlsx`` saved under the old name is loaded as what it is; a web page saved
    so (a web system's 导出 Excel), as a workbook of its tables (``source_format`` ``html``)."""
    from baomi.engine.readers.xls import HtmlTableSource, XlsSource, legacy_workbook, open_xls

    source = open_xls(path)
    if isinstance(source, XlsSource | HtmlTableSource):
        doc = _workbook_document(path, "xlsx", legacy_workbook(source))
    else:  # a zip: an .xlsx under the old name
        doc = load_xlsx(path, "xlsx")
    doc.source_format = "html" if isinstance(source, HtmlTableSource) else "xls"
    return doc


def _workbook_document(path: Path, fmt: str, wb: Any) -> Document:
    """The tables of a loaded openpyxl workbook, as the XLSX reader takes them."""
    tables = []
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    # formula cells: what the scan read in them (a cached value, a join computed), when a
    # workbook has any — a second, streamed read of the sheets
    views: dict[str, list[Sequence[Any]]] = {}
    if any(map(_has_formula, sheets.values())) or any(map(_has_no_date, sheets.values())):
        try:
            views = shown_rows(path)
        except Exception:  # openpyxl raises many types: the formulas' texts, as before
            views = {}
    for ws in wb.worksheets:
        rows = _numbers_restored(ws, sheets[ws.title], views.get(ws.title, []))
        shown = _shown(rows, views.get(ws.title, []))
        if shown:
            rows = [
                tuple(shown.get((r, c), v) for c, v in enumerate(row, start=1))
                for r, row in enumerate(rows, start=1)
            ]
        # the header is the first non-empty row, as the XLSX reader takes it (blank rows above
        # a table are common): the columns the policy names and the scan reports
        # the first non-empty rows, as far as the XLSX reader looks for title rows above the
        # header (readers/header.py)
        near: list[int] = []
        filled = (i for i, r in enumerate(rows) if any(cell_text(v) for v in r))
        for k, i in enumerate(filled):
            if k >= TITLE_LOOKAHEAD or (near and i - near[0] - k > HEAD_BLANKS):
                break
            near.append(i)
        if not near:
            continue
        titles = near[: title_rows([[cell_text(v) for v in rows[i]] for i in near])]
        first = near[len(titles)]
        rows = rows[first:]
        has_header = not is_record([cell_text(v) for v in rows[0]])
        # named as the XLSX reader names them (the first row a record: column_1, column_2 …)
        width = max(len(r) for r in rows)
        header = unique_headers([cell_text(v) for v in rows[0]] if has_header else [None] * width)
        body = rows[1:] if has_header else rows
        data = {
            h: pl.Series(h, [cell_text(r[i]) if i < len(r) else None for r in body], pl.String)
            for i, h in enumerate(header)
        }
        start = first + (2 if has_header else 1)
        tables.append(
            Table(
                ws.title,
                pl.DataFrame(data),
                header=has_header,
                first_row=start,
                title_rows=tuple(i + 1 for i in titles),
                shown=shown,
            )
        )
    return Document(path, fmt, None, tables, state=wb)


@cache
def _formula_types() -> tuple[type, ...]:
    """openpyxl's formula objects (imported when a workbook is loaded, not at start-up)."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    return (ArrayFormula, DataTableFormula)


def _is_formula(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return isinstance(value, _formula_types())


def _has_formula(rows: list[tuple[Any, ...]]) -> bool:
    kinds = (str, *_formula_types())
    return any(
        isinstance(v, kinds) and _is_formula(v) for row in rows for v in row if v is not None
    )


#: what openpyxl loads a number under a date format no date can hold as (a phone number in
#: a column a template formats as dates; the scan reads the number: ``readers/xlsx_rows.py``)
_NO_DATE = "#VALUE!"


def _has_no_date(rows: list[tuple[Any, ...]]) -> bool:
    return any(v == _NO_DATE for row in rows for v in row)


def _numbers_restored(
    ws: Any, rows: list[tuple[Any, ...]], views: list[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` (a sheet as loaded) with each cell openpyxl loaded as ``#VALUE!`` where the
    scan read a number (``views``) holding that number again, in the sheet too: protected as
    the scan finds it, and written back as it was when the policy leaves it."""
    if not views or not _has_no_date(rows):
        return rows
    out = []
    for r, (row, view) in enumerate(zip(rows, [*views, *[()] * len(rows)], strict=False), 1):
        fixed = list(row)
        for c, value in enumerate(row, start=1):
            shown = view[c - 1] if c <= len(view) else None
            if value == _NO_DATE and isinstance(shown, int | float) and not isinstance(shown, bool):
                fixed[c - 1] = ws.cell(row=r, column=c).value = shown
        out.append(tuple(fixed))
    return out


def _shown(rows: list[tuple[Any, ...]], views: list[Sequence[Any]]) -> dict[tuple[int, int], Any]:
    """The formula cells of ``rows`` (a sheet loaded with its formulas) that the scan read as
    another text (``views``: :func:`.xlsx.shown_rows`): (sheet row, column) → that value."""
    shown: dict[tuple[int, int], Any] = {}
    for r, (row, view) in enumerate(zip(rows, views, strict=False), start=1):
        for c, value in enumerate(row, start=1):
            if _is_formula(value) and c <= len(view) and cell_text(view[c - 1]) != cell_text(value):
                shown[(r, c)] = view[c - 1]
    return shown


def _typed(value: str | None, old: Any) -> Any:
    """A changed cell's new value: a number again when the original cell held a number and
    the new text reads back as exactly that text (a pseudonymised mobile stored as a number);
    text otherwise (``138****5678``, full-width digits, leading zeros). An array formula stays
    one, over the same cells, when its new text is still a formula."""
    if value is None or isinstance(old, bool) or not isinstance(old, int | float):
        from openpyxl.worksheet.formula import ArrayFormula

        if isinstance(old, ArrayFormula) and value is not None and value.startswith("="):
            return ArrayFormula(old.ref, value)
        return value
    try:
        number = type(old)(value)
    except ValueError:
        return value
    if isinstance(number, float) and not math.isfinite(number):
        return value
    return number if cell_text(number) == value else value


def _kept(old: str, new: str) -> set[int]:
    """The positions of ``old`` its replacement ``new`` still shows: the two's common start
    and common end (a mask keeps ``138`` and ``5678`` of ``13812345678``, whatever it puts
    between them). Nothing in the middle counts, where a pseudonym may match by chance."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return set(range(start)) | set(range(len(old) - end, len(old)))


def _masked_pieces(
    table: Table,
    src: tuple[Any, ...],
    sheet_row: int,
    formulas: list[int],
    values: tuple[str | None, ...],
) -> dict[int, str]:
    """The cells of a row that hold pieces of a value protect changed in a formula joining
    them (``=D2&E2`` showing a phone whose first three digits are in D2, the rest in E2):
    column → the cell's text with the characters the change did not keep masked (``*``). The
    formula is written as its new value, and without this its cells would still hold the
    phone in pieces. Cells the policy changed itself are left to it. ``src``: the row as
    loaded (formulas); ``formulas``: its columns in ``table.shown``; ``values``: its new
    texts."""
    from baomi.engine.readers.formula_values import UNKNOWN, pieces

    def value_at(column: int) -> Any:
        if (sheet_row, column) in table.shown:
            return table.shown[(sheet_row, column)]
        value = src[column - 1] if column <= len(src) else None
        return UNKNOWN if _is_formula(value) else value

    masks: dict[int, set[int]] = {}
    for c in formulas:
        old, new = cell_text(table.shown[(sheet_row, c)]), values[c - 1]
        formula = src[c - 1] if c <= len(src) else None
        if new == old or old is None or not isinstance(formula, str):
            continue
        parts = pieces(formula, sheet_row, value_at)
        if parts is None or "".join(text for text, _ in parts) != old:
            continue  # not a join computed here, or its cached value is not the join's
        kept = _kept(old, new or "")
        at = 0
        for text, column in parts:
            if column is not None and column != c:
                lost = {i - at for i in range(at, at + len(text)) if i not in kept}
                if lost:
                    masks.setdefault(column, set()).update(lost)
            at += len(text)
    out: dict[int, str] = {}
    for column, lost in masks.items():
        text = cell_text(value_at(column)) or ""
        if column > len(values) or values[column - 1] != text:
            continue  # changed by the policy (or not in the table): left as protect wrote it
        out[column] = "".join("*" if i in lost else ch for i, ch in enumerate(text))
    return out


def _take_comments(ws: Any, top: int) -> dict[int, list[tuple[int, Any]]]:
    """The comments on the data rows of ``ws`` (from sheet row ``top``), taken off their
    cells: data row → (column, comment)."""
    notes: dict[int, list[tuple[int, Any]]] = {}
    for row in ws.iter_rows(min_row=top):
        for cell in row:
            if cell.comment is not None:
                notes.setdefault(cell.row - top, []).append((cell.column, cell.comment))
                cell.comment = None
    return notes


def write_exact_numbers() -> None:
    """Make openpyxl write a number as the digits that read back as it: it writes every
    number with ``%.16g``, 16 significant digits, which changes a double Excel stored with 17
    (``14752.183486238531`` → ``14752.18348623853``, where the scan then finds a mobile the
    original has not, and ``--verify`` refuses the package) and an integer of 17 digits or
    more. A float is written as its ``repr`` (the shortest exact digits), an integer as its
    digits; anything else as openpyxl writes it. Idempotent; called before a workbook is
    saved, never at import."""
    from openpyxl.cell import _writer

    if getattr(_writer.safe_string, "exact", False):
        return
    inexact = _writer.safe_string

    def exact(value: Any) -> str:
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return str(inexact(value))

    exact.exact = True  # type: ignore[attr-defined]
    _writer.safe_string = exact


def save_xlsx(doc: Document, target: Path) -> None:
    write_exact_numbers()
    wb = doc.state
    for table in doc.tables:
        ws = wb[table.sheet]
        top = table.first_row or (2 if table.header else 1)  # the sheet row of data row 0
        original = list(ws.iter_rows(min_row=top, values_only=True))
        frame = table.frame
        order = table.keep_rows if table.keep_rows is not None else range(frame.height)
        # rows dropped or added: the data rows' cell comments go with their records (a
        # deleted record's comment with it), not left on the sheet row another record takes
        notes = _take_comments(ws, top) if table.keep_rows is not None else {}
        computed: dict[int, list[int]] = {}  # sheet row → its formula cells read as values
        for r, c in table.shown:
            computed.setdefault(r, []).append(c)
        for out_row, (src_row, values) in enumerate(zip(order, frame.iter_rows(), strict=True)):
            for col, note in notes.get(src_row, ()):
                ws.cell(row=out_row + top, column=col).comment = note
            src = original[src_row] if src_row >= 0 else ()  # -1: a row protect added
            for col, value in enumerate(values):
                old = src[col] if col < len(src) else None
                cell = ws.cell(row=out_row + top, column=col + 1)
                # a formula read as the value it shows: changed, that value is written in
                # its place — the formula would show the original again when opened
                base = table.shown.get((src_row + top, col + 1), old) if src_row >= 0 else old
                if value != cell_text(base):
                    cell.value = _typed(value, base)
                elif out_row != src_row:
                    cell.value = old
            if src_row + top in computed:
                masked = _masked_pieces(table, src, src_row + top, computed[src_row + top], values)
                for col, piece in masked.items():
                    ws.cell(row=out_row + top, column=col).value = _typed(piece, src[col - 1])
        for extra in range(frame.height + top, len(original) + top):  # dropped records
            for col in range(1, ws.max_column + 1):
                ws.cell(row=extra, column=col).value = None
    wb.save(target)


# --- JSON / JSON Lines -------------------------------------------------------------------

_PATH = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _set_path(obj: Any, path: str, value: Any) -> None:
    parts: list[str | int] = [int(idx) if idx else key for key, idx in _PATH.findall(path)]
    for part in parts[:-1]:
        obj = obj[part]
    obj[parts[-1]] = value


@dataclass(slots=True)
class _JsonState:
    #: the document as parsed, JSON types kept (edited in place where a cell changed)
    data: Any
    #: the table's rows: the array's items, a wrapped list's items, or the one document
    records: list[Any]
    #: the table as loaded (the readers' flattening), to find the cells that changed
    original: pl.DataFrame
    #: key path of a wrapped list of records (``{"data": [...]}``: ``["data"]``), else None
    wrapped: list[str] | None
    indent: int | None
    newline: str
    #: how the source was written, so that the output is written the same way
    separators: tuple[str, str]
    ensure_ascii: bool
    final_newline: bool
    #: JSON Lines: the source lines, and the record on each (None for a blank line)
    lines: list[str] = field(default_factory=list)
    slots: list[int | None] = field(default_factory=list)
    #: object keys to write under another name (identifiers in keys, ``labels.py``)
    renames: dict[str, str] = field(default_factory=dict)
    #: the bytes the file starts with before its text (a byte-order mark: ``leading_mark``)
    mark: bytes = b""

    def object_keys(self) -> set[str]:
        """Every object key in the document."""
        found: set[str] = set()
        _walk_keys(self.data, found)
        return found

    def set_cell(self, row: int, path: str, value: str | None) -> None:
        """Write ``value`` at the place the reader's ``path`` of record ``row`` names."""
        if self.wrapped is not None:  # absolute paths: [*] is the record's index
            _set_path(self.data, path.replace("[*]", f"[{row}]", 1), "" if value is None else value)
        elif isinstance(self.records[row], dict):
            _set_path(self.records[row], path, "" if value is None else value)
        else:  # a record that is not an object is read under "value"
            box = {"value": self.records[row]}
            _set_path(box, path, value if path == "value" or value is not None else "")
            self.records[row] = box["value"]


def _json_style(text: str, indent: int | None) -> tuple[tuple[str, str], bool]:
    """Separators and ``ensure_ascii`` that reproduce how ``text`` was written."""
    spaced = re.search(r'"\s*:\s', text) is not None
    comma = "," if indent is not None or not re.search(r",\s", text) else ", "
    return (comma, ": " if spaced else ":"), re.search(r"\\u[0-9a-fA-F]{4}", text) is not None


def _bad_json(path: Path, line: int) -> UnreadableFileError:
    return unreadable(path, f"JSON 格式错误（第 {line} 行）", f"broken JSON (line {line})")


def load_json(path: Path, fmt: str) -> Document:
    """The records as the JSON readers read them (the same records, paths and texts: a wrapped
    list's items are records with ``data[*].phone`` columns), and the document with its JSON
    types to write back."""
    encoding, _ = detect_file_encoding(path)
    try:
        text, stray = path.read_text(encoding=encoding), False
    except UnicodeDecodeError:  # as the JSON readers read them: U+FFFD, the records counted
        text, stray = path.read_text(encoding=encoding, errors="replace"), True
    mark, body = leading_mark(encoding, text[:1])  # written back as it was (CSV and TXT too)
    text = text.removeprefix("\ufeff")
    literal = literal_decoder()
    lines: list[str] = []
    slots: list[int | None] = []
    wrapped: list[str] | None = None
    try:
        if fmt == "jsonl":
            lines = text.splitlines()
            records: list[Any] = []
            rows = []
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    slots.append(len(records))
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError:  # the file's line, not the record's first
                        raise _bad_json(path, number) from None
                    rows.append(record_row(literal.decode(line)))
                else:
                    slots.append(None)
            data: Any = records
        else:
            data = json.loads(text)
            shown = literal.decode(text)
            found = None if isinstance(data, list) else record_list(data)
            if isinstance(data, list):
                records, rows = data, [record_row(r) for r in shown]
            elif found is not None:
                (wrapped, records), rows = found, [record_row(r) for r in wrapped_records(shown)]
            else:
                records, rows = [data], [record_row(shown)]
    except json.JSONDecodeError as exc:
        raise _bad_json(path, exc.lineno) from None
    except RecursionError:  # deeper than Python's parser goes; the JSON readers say the same
        raise unreadable(path, "JSON 嵌套过深", "JSON nested too deeply") from None
    indent = None
    if fmt == "json":
        m = re.search(r"\n( +)\S", text)
        indent = len(m.group(1)) if m else None
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    first = next((line for line in lines if line.strip()), text)
    separators, ascii_only = _json_style(first, indent)
    frame = rows_frame(rows)
    state = _JsonState(
        data,
        records,
        frame,
        wrapped,
        indent,
        newline,
        separators,
        ascii_only,
        text.endswith("\n"),
        lines,
        slots,
        mark=mark,
    )
    table = Table(None, frame)
    if stray:
        table.undecodable_rows = sum(map(replaced_record, rows))
    return Document(path, fmt, body, [table], state=state)


def _walk_keys(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        found.update(k for k in value if isinstance(k, str))
        for v in value.values():
            _walk_keys(v, found)
    elif isinstance(value, list):
        for v in value:
            _walk_keys(v, found)


def _renamed(value: Any, renames: dict[str, str]) -> tuple[Any, bool]:
    """``value`` with its object keys renamed (order kept), and whether any was."""
    if isinstance(value, dict):
        out, any_ = {}, False
        for k, v in value.items():
            v2, inner = _renamed(v, renames)
            key = renames.get(k, k)
            out[key] = v2
            any_ = any_ or inner or key != k
        return out, any_
    if isinstance(value, list):
        items = [_renamed(v, renames) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    return value, False


def save_json(doc: Document, target: Path) -> None:
    st: _JsonState = doc.state
    table = doc.tables[0]
    changed: set[int] = set()
    for name in table.frame.columns:
        new, old = table.frame[name].to_list(), st.original[name].to_list()
        for i, (n, o) in enumerate(zip(new, old, strict=True)):
            if n != o:
                st.set_cell(i, name, n)
                changed.add(i)
    if st.renames:  # keys written under their protected names, once the values are set
        for i, record in enumerate(st.records):
            st.records[i], touched = _renamed(record, st.renames)
            if touched:
                changed.add(i)
        if st.wrapped is None and not isinstance(st.data, list):
            st.data = st.records[0]
        elif st.wrapped is None:
            st.data = st.records
        else:
            st.data, _ = _renamed(
                st.data, {k: v for k, v in st.renames.items() if k not in st.wrapped}
            )
    kept = set(table.keep_rows) if table.keep_rows is not None else None
    enc = doc.encoding or "utf-8"

    def dump(value: Any, indent: int | None = None, like: str | None = None) -> str:
        separators, ascii_only = (
            (st.separators, st.ensure_ascii) if like is None else _json_style(like, None)
        )
        return json.dumps(value, ensure_ascii=ascii_only, indent=indent, separators=separators)

    end = st.newline if st.final_newline else ""
    if doc.format == "jsonl":
        # untouched records and blank lines are written back as they were; a changed record
        # in the style of its own line
        out = [
            line if slot is None or slot not in changed else dump(st.records[slot], like=line)
            for line, slot in zip(st.lines, st.slots, strict=True)
            if slot is None or kept is None or slot in kept
        ]
        target.write_bytes(st.mark + encode_text(st.newline.join(out) + end, enc))
    else:
        records = st.records if kept is None else [st.records[i] for i in sorted(kept)]
        if st.wrapped is not None:  # the wrapped list holds the records kept
            *parents, key = st.wrapped
            holder = st.data
            for part in parents:
                holder = holder[part]
            holder[key] = records
            data = st.data
        else:
            data = records if isinstance(st.data, list) else records[0]
        target.write_bytes(st.mark + encode_text(dump(data, st.indent) + end, enc))


# --- Parquet -----------------------------------------------------------------------------


def load_parquet(path: Path, fmt: str) -> Document:
    from polars.exceptions import PanicException  # a BaseException: not caught as Exception

    try:
        with path.open("rb") as handle:  # by the handle: Polars fails on a non-UTF-8 name
            original = pl.read_parquet(handle)
    except (Exception, PanicException):  # pyarrow / polars raise many types for a broken file
        raise unreadable(path, "Parquet 文件已损坏", "corrupt Parquet file") from None
    simple = [
        c for c, t in original.schema.items() if not isinstance(t, pl.List | pl.Struct | pl.Array)
    ]
    frame = original.select(pl.col(c).cast(pl.String) for c in simple)
    return Document(path, fmt, None, [Table(None, frame)], state=original)


def save_parquet(doc: Document, target: Path) -> None:
    original: pl.DataFrame = doc.state
    table = doc.tables[0]
    base = original if table.keep_rows is None else original[table.keep_rows]
    as_text = base.select(pl.col(c).cast(pl.String) for c in table.frame.columns)
    changed = [c for c in table.frame.columns if not table.frame[c].equals(as_text[c])]
    out = base.with_columns(table.frame[c] for c in changed)
    out.write_parquet(target)
