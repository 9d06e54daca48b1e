"""A file's reader output cut into partitions: table batches joined to about ``batch_rows``
rows (row numbers kept across gaps), text units framed, and the column plans per sheet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

from baomi.engine.columns import ColumnPlan, classify_column
from baomi.engine.readers import TableBatch
from baomi.engine.scan.model import ROW_COLUMN, TEXT_COLUMN, ScanContext
from baomi.errors import UnreadableFileError


class Planner:
    """Column plans per (file, sheet), classified on the first batch that has data."""

    def __init__(self, ctx: ScanContext) -> None:
        self.ctx = ctx
        self.plans: dict[str | None, dict[str, ColumnPlan]] = {}

    def plans_for(self, sheet: str | None, frame: pl.DataFrame) -> tuple[ColumnPlan, ...]:
        current = self.plans.setdefault(sheet, {})
        names = [n for n in frame.columns if n != ROW_COLUMN]
        for name in names:
            old = current.get(name)
            if old is None or (old.mode == "skip" and old.note == "empty"):
                current[name] = classify_column(
                    name, frame.get_column(name), self.ctx.registry, self.ctx.options.sample_rows
                )
        return tuple(current[n] for n in names)


def coalesce(
    batches: Iterator[TableBatch], rows: int
) -> Iterator[tuple[str | None, int, pl.DataFrame]]:
    """Join a reader's small batches (one per parsed block) into partitions of about ``rows``.

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
        for b in batches:
            if frames and (b.sheet != sheet or size + b.frame.height > rows or first):
                first = False
                yield sheet, offset, joined()
                frames, starts, size = [], [], 0
            if not frames:
                sheet, offset = b.sheet, b.offset
            frames.append(b.frame)
            starts.append(b.offset)
            size += b.frame.height
    except UnreadableFileError:
        if frames:
            yield sheet, offset, joined()
        raise
    if frames:
        yield sheet, offset, joined()


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


TEXT_PLAN = (ColumnPlan(TEXT_COLUMN, "text", None, 1.0),)
