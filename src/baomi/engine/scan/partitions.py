"""A file's reader output cut into partitions: table batches joined to about ``batch_rows``
rows and at most :data:`PARTITION_BYTES` (row numbers kept across gaps), text units framed, and
the column plans per sheet."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from baomi.engine.categories import category_for_header
from baomi.engine.columns import ColumnPlan, classify_columns
from baomi.engine.documents.names import Names
from baomi.engine.readers import Extra, TableBatch
from baomi.engine.scan.model import (
    EXTRA_NOTE,
    ROW_COLUMN,
    TEXT_COLUMN,
    LinkedCells,
    Partition,
    ScanContext,
)
from baomi.errors import UnreadableFileError

TEXT_PLAN = (ColumnPlan(TEXT_COLUMN, "text", None, 1.0),)
#: the entity of a text that names a person by its place (a document's author)
NAME_ENTITY = "PERSON_NAME"
#: Columns classified side by side from this many on, in this many threads.
CLASSIFY_SIDE_BY_SIDE = 4
CLASSIFY_THREADS = 2
#: A table partition's most bytes in memory (Polars' estimate), whatever its rows: a wide
#: table's 32,768 rows would otherwise be one partition of tens of MB, scanned on one core
#: (issue 17: a 150-column CSV of 64 MB was two partitions, 1 GB peak). The bench's CSVs of
#: 9–15 columns stay under it at ``batch_rows`` (9.5 MB a partition).
PARTITION_BYTES = 12 << 20


class Planner:
    """Column plans per (file, sheet), classified on the first batch that has data."""

    def __init__(self, ctx: ScanContext) -> None:
        self.ctx = ctx
        self.plans: dict[str | None, dict[str, ColumnPlan]] = {}

    def plans_for(self, sheet: str | None, frame: pl.DataFrame) -> tuple[ColumnPlan, ...]:
        current = self.plans.setdefault(sheet, {})
        names = [n for n in frame.columns if n != ROW_COLUMN]
        todo = [
            n
            for n in names
            if (old := current.get(n)) is None or (old.mode == "skip" and old.note == "empty")
        ]

        # The scan waits for the first partition's plans: its columns are classified together
        # (their samples' regex tests in one query) and side by side (Polars releases the
        # GIL in its queries), each column's plan as alone.
        found = classify_columns(
            [(n, frame.get_column(n)) for n in todo],
            self.ctx.registry,
            self.ctx.options.sample_rows,
            threads=CLASSIFY_THREADS if len(todo) >= CLASSIFY_SIDE_BY_SIDE else 1,
        )
        current.update(zip(todo, found, strict=True))
        return tuple(current[n] for n in names)


def coalesce(
    batches: Iterator[TableBatch], rows: int, max_bytes: int = PARTITION_BYTES
) -> Iterator[tuple[str | None, int, pl.DataFrame]]:
    """Join a reader's small batches (one per parsed block) into partitions of about ``rows``
    and at most about ``max_bytes`` (a batch larger than that is cut by rows first).

    Per-partition costs (classification calls, Polars plans) then stay small against the
    per-row work; batches of one sheet come in order. The first partition is the first batch
    alone, so that scanning starts while the reader parses the next blocks. When the batches
    of a partition leave gaps (rows the reader skipped), the frame gets a ``ROW_COLUMN`` with
    each row's number, so findings keep the file's row numbers.

    A reader that fails part-way (``UnreadableFileError``) first has the rows it gave scanned:
    the partition being gathered is yielded, then the error is raised.
    """
    sheet: str | None = None
    offset = 0
    frames: list[pl.DataFrame] = []
    starts: list[int] = []
    size = 0
    nbytes = 0
    first = True

    def joined() -> pl.DataFrame:
        frame = pl.concat(frames, how="diagonal_relaxed")
        if all(b - a == f.height for a, b, f in zip(starts, starts[1:], frames, strict=False)):
            return frame
        numbers = pl.concat(
            [
                pl.int_range(a, a + f.height, eager=True, dtype=pl.Int64)
                for a, f in zip(starts, frames, strict=True)
            ]
        )
        return frame.with_columns(numbers.alias(ROW_COLUMN))

    try:
        for b in _within(batches, max_bytes):
            weight = int(b.frame.estimated_size())
            if frames and (
                b.sheet != sheet
                or size + b.frame.height > rows
                or nbytes + weight > max_bytes
                or first
            ):
                first = False
                yield sheet, offset, joined()
                frames, starts, size, nbytes = [], [], 0, 0
            if not frames:
                sheet, offset = b.sheet, b.offset
            frames.append(b.frame)
            starts.append(b.offset)
            size += b.frame.height
            nbytes += weight
    except UnreadableFileError:
        if frames:
            yield sheet, offset, joined()
        raise
    if frames:
        yield sheet, offset, joined()


def _within(batches: Iterator[TableBatch], max_bytes: int) -> Iterator[TableBatch]:
    """``batches`` with each one larger than ``max_bytes`` cut into consecutive pieces of
    rows of about equal size, each about that size or less (a Parquet row group or a sheet of
    a wide table)."""
    for b in batches:
        weight = int(b.frame.estimated_size())
        if weight <= max_bytes or b.frame.height < 2:
            yield b
            continue
        pieces = -(-weight // max_bytes)
        step = -(-b.frame.height // pieces)
        for start in range(0, b.frame.height, step):
            yield TableBatch(b.sheet, b.offset + start, b.frame.slice(start, step))


def text_partitions(src: Any, batch_rows: int) -> Iterator[pl.DataFrame]:
    rows: list[int] = []
    texts: list[str] = []
    for unit in src.units():
        rows.append(unit.row)
        texts.append(unit.text)
        if len(rows) >= batch_rows:
            yield pl.DataFrame(
                {ROW_COLUMN: rows, TEXT_COLUMN: texts},
                schema={ROW_COLUMN: pl.Int64, TEXT_COLUMN: pl.String},
            )
            rows, texts = [], []
    if rows:
        yield pl.DataFrame(
            {ROW_COLUMN: rows, TEXT_COLUMN: texts},
            schema={ROW_COLUMN: pl.Int64, TEXT_COLUMN: pl.String},
        )


class FilePartitions:
    """The partitions of one opened file (``src``, from :func:`baomi.engine.readers.open_source`)
    in order: sheets and columns named as the scan reports them, column plans and sensitive
    categories per sheet. ``sheets`` and ``planner.plans`` fill in as it is iterated; a reader
    that fails part-way raises :class:`UnreadableFileError` after the partitions it gave."""

    def __init__(self, src: Any, rel: str, file_index: int, ctx: ScanContext) -> None:
        self.src, self.rel, self.file_index, self.ctx = src, rel, file_index, ctx
        self.planner = Planner(ctx)
        self.names = Names(ctx.name_recognizers)
        self.sheets: dict[str | None, int] = {}

    def __iter__(self) -> Iterator[Partition]:
        rows = self.ctx.options.batch_rows
        table = self.src.kind == "table"
        batches: Iterator[tuple[str | None, int, pl.DataFrame]] = (
            coalesce(self.src.batches(), rows, PARTITION_BYTES)
            if table
            else ((None, 0, f) for f in text_partitions(self.src, rows))
        )
        for sheet, offset, frame in batches:
            plans: tuple[ColumnPlan, ...] = TEXT_PLAN
            cats: tuple[tuple[str, str], ...] = ()
            if table:
                sheet = self.names.sheet(sheet)
                frame = self.names.frame(sheet, frame)
                plans = self.planner.plans_for(sheet, frame)
                cats = tuple(
                    (c, cat)
                    for c in frame.columns
                    if c != ROW_COLUMN and (cat := category_for_header(c))
                )
            sheet_index = self.sheets.setdefault(sheet, len(self.sheets))
            yield Partition(
                self.rel,
                self.file_index,
                sheet,
                sheet_index,
                offset,
                frame,
                plans,
                cats,
                nested=table and getattr(self.src, "nested", False),
            )
        yield from self._extras(table)

    def _extras(self, table: bool) -> Iterator[Partition]:
        """What the file holds beside its rows (:meth:`Source.extras`), after them: per sheet
        (a text file: its notes, then the names of who wrote it), in partitions of at most
        ``batch_rows`` rows, each text scanned as free text — a person's name by its place
        (the author) as a name column — and not counted as rows."""
        groups: dict[tuple[str | None, bool, bool], list[Extra]] = {}
        for extra in self.src.extras():
            key = (extra.sheet, extra.on_row, extra.person and not table)
            groups.setdefault(key, []).append(extra)
        rows = self.ctx.options.batch_rows
        for (raw_sheet, on_row, _), items in groups.items():
            sheet = self.names.sheet(raw_sheet) if table else None
            numbers = sorted({e.row for e in items})
            for start in range(0, len(numbers), rows):
                chunk = set(numbers[start : start + rows])
                yield self._extra_partition(
                    sheet, [e for e in items if e.row in chunk], sorted(chunk), on_row
                )

    def _extra_partition(
        self, sheet: str | None, items: list[Extra], numbers: list[int], on_row: bool
    ) -> Partition:
        at = {row: i for i, row in enumerate(numbers)}
        columns: dict[str, list[str | None]] = {}
        person: set[str] = set()
        # links' texts on data cells: per column of those cells, the cells' texts by row and
        # the columns of the links' texts (each once, in order)
        linked: dict[str, tuple[list[str | None], dict[str, None]]] = {}
        for e in items:
            name = TEXT_COLUMN if e.column is None else e.column
            cells = columns.setdefault(name, [None] * len(numbers))
            cells[at[e.row]] = e.text
            if e.person:
                person.add(name)
            if e.cell is not None:
                texts, links = linked.setdefault(e.cell[0], ([None] * len(numbers), {}))
                texts[at[e.row]] = e.cell[1]
                links[name] = None
        frame = pl.DataFrame(
            {
                ROW_COLUMN: pl.Series(ROW_COLUMN, numbers, dtype=pl.Int64),
                **{n: pl.Series(n, v, dtype=pl.String) for n, v in columns.items()},
            }
        )
        renamed = {n: n for n in frame.columns}
        if sheet is not None or self.src.kind == "table":
            shown = self.names.frame(sheet, frame)
            renamed = dict(zip(frame.columns, shown.columns, strict=True))
            frame, person = shown, {renamed[n] for n in person}
        cells_of = self._linked_cells(sheet, linked, renamed)
        plans = tuple(
            ColumnPlan(n, "entity", NAME_ENTITY, 1.0, True, EXTRA_NOTE)
            if n in person
            else ColumnPlan(n, "text", None, 1.0, note=EXTRA_NOTE)
            for n in frame.columns
            if n != ROW_COLUMN
        )
        if self.src.kind == "table":
            self.planner.plans.setdefault(sheet, {}).update((p.name, p) for p in plans)
        sheet_index = self.sheets.setdefault(sheet, len(self.sheets))
        return Partition(
            self.rel,
            self.file_index,
            sheet,
            sheet_index,
            numbers[0],
            frame,
            plans,
            extra=True,
            bound=on_row,
            linked=cells_of,
        )

    def _linked_cells(
        self,
        sheet: str | None,
        linked: dict[str, tuple[list[str | None], dict[str, None]]],
        renamed: dict[str, str],
    ) -> tuple[LinkedCells, ...]:
        """The data cells links' texts are on (:class:`LinkedCells`), with the plan the rows'
        scan gave their column; a column no rows' partition had (no plan) is left out: its
        links' texts count whole, as before."""
        plans = self.planner.plans.get(sheet, {})
        out = []
        for column, (texts, links) in linked.items():
            shown = self.names.shown(sheet, column)
            plan = None if shown is None else plans.get(shown)
            if plan is None or plan.note == EXTRA_NOTE:
                continue
            series = pl.Series(shown, texts, dtype=pl.String)
            out.append(LinkedCells(plan, series, tuple(renamed[n] for n in links)))
        return tuple(out)


def read_partitions(paths: Sequence[Path], ctx: ScanContext) -> Iterator[Partition]:
    """The partitions of every file under ``paths``, read as the scan reads them: an unreadable
    file gives none, a file read in part gives what was read."""
    from baomi.engine.documents.files import iter_files
    from baomi.engine.readers import open_source

    for file_index, (path, rel) in enumerate(iter_files(paths)):
        try:
            src = open_source(path, batch_rows=ctx.options.batch_rows)
        except UnreadableFileError:
            continue
        with contextlib.suppress(UnreadableFileError):  # what was read counts
            yield from FilePartitions(src, rel, file_index, ctx)
