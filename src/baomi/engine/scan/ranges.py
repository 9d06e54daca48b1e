"""Partitions a worker reads itself: a file cut into byte ranges (CSV/TSV) or row groups
(Parquet), or read whole by one worker (any other file, and a small one).

The coordinator only *cuts* a splittable file (:func:`cut_file`), without parsing it:

* CSV/TSV — byte ranges cut after a record's end. One pass over the bytes (NumPy, no
  parsing) counts the quote characters: a line break after an even number of them (from the
  file's first byte on) ends a record, so a quoted value holding line breaks is never cut.
  Only encodings in which the quote and line-break bytes cannot be part of a multi-byte
  character are cut (UTF-8 with or without BOM, GBK, GB18030, those two after a UTF-8 BOM);
  a file with an odd number of quotes (a stray one), or in another encoding, is read whole.
  Only the range from the file's first byte holds the mark: the later ones are read in the
  encoding without it (:func:`~baomi.engine.readers.encoding.body_encoding`), so a record that
  happens to start with the mark's bytes keeps them.
* Parquet — runs of whole row groups.

The column names and plans come from the file's first partition read as one process reads it
(:func:`plan_layout`, so they are those of one process); on Dask a worker plans them while the
others already read the ranges (:mod:`baomi.engine.scan.distributed`). :func:`plan_file` does
both in a row.

A worker reads its range (:func:`read_part`: the file's own reader; the first range starts at
byte 0 and finds the header row as one process does, the later ones name the columns by
position, and :func:`scan_read` gives them the layout's names). Each range is read twice: first
by a small task that keeps only how many row numbers it used (:func:`range_rows`), which the
coordinator adds up so that the next range's first row number is known before that range is
scanned, then by the task that scans it. So a scan depends on nothing bigger than a number and
runs on whichever worker is free: a scan that took a read's rows as its input had to run where
they were read, and waited behind that worker's scan while another worker sat idle (reading is
a few percent of scanning). Row numbers are therefore exactly those of one process. Findings are
written row by row within a partition (:meth:`baomi.engine.scan.collector.Collector.finish`),
so the findings file does not depend on where the ranges are cut.

A file whose first partition leaves a column empty is read whole: one process classifies such
a column on a later partition, which a range cannot know.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl

from baomi.engine.columns import ColumnPlan
from baomi.engine.inventory import PartialInventory
from baomi.engine.readers import open_source
from baomi.engine.readers.base import Source, arrow_file, unique_headers, unreadable
from baomi.engine.readers.csv import CsvSource, FileBytes
from baomi.engine.readers.encoding import body_encoding
from baomi.engine.scan.kernels import scan_partition
from baomi.engine.scan.model import ROW_COLUMN, Partition, ScanContext
from baomi.engine.scan.partitions import FilePartitions
from baomi.errors import UnreadableFileError

#: Bytes of a file per range task (a smaller file is read whole by one worker).
RANGE_BYTES = 16 * 1024 * 1024
#: Bytes examined at a time when the cut points are found.
CUT_CHUNK = 8 * 1024 * 1024
#: Encodings whose quote and line-break bytes never occur inside a multi-byte character.
SPLIT_ENCODINGS = frozenset(
    {"utf-8", "utf-8-sig", "gbk", "gbk-sig", "gb18030", "gb18030-sig", "ascii"}
)
_CR, _LF = 13, 10


@dataclass(frozen=True, slots=True)
class Layout:
    """What every partition of a split file shares (planned on its first partition)."""

    rel: str
    file_index: int
    sheet: str | None
    names: tuple[str, ...]  # the columns as the scan names them
    plans: tuple[ColumnPlan, ...]
    categories: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CsvRange:
    """Bytes ``[start, end)`` of a CSV/TSV file, whole records; ``names`` empty: the range
    starts the file, and its reader finds the header row (or none) as one process does."""

    path: Path
    encoding: str
    delimiter: str
    quote_char: str
    width: int
    start: int
    end: int
    names: tuple[str, ...]
    batch_rows: int
    block_size: int


@dataclass(frozen=True, slots=True)
class RowGroups:
    """Row groups of a Parquet file, read in order."""

    path: Path
    groups: tuple[int, ...]
    batch_rows: int


@dataclass(slots=True)
class RangeRead:
    """A range as a worker read it: its rows (numbered from 0 within the range, with a
    ``ROW_COLUMN`` when rows were skipped), how many row numbers it used, what it could not
    read, and whether the reader failed part-way (after ``rows``)."""

    frame: pl.DataFrame
    rows: int
    skipped: int = 0
    undecodable: int = 0
    failed: bool = False


@dataclass(slots=True)
class RangeScan:
    """A range's scan: its partitions' findings (as ``Scanned``) and what its read counted."""

    scanned: list[tuple[Any, PartialInventory]] = field(default_factory=list)
    skipped: int = 0
    undecodable: int = 0
    failed: bool = False
    rows: int = 0
    #: columns a worker found it could not read (a database's binary values), with why: the
    #: code of the note the inventory gives them (``binary_values``)
    notes: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # why the reading failed, when the worker knows it
    unplanned: bool = False  # the file's columns cannot be planned on its first partition
    #: plans of columns beside the cells it scanned (a title row's: ``标题：姓名``)
    plans: dict[str, ColumnPlan] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SplitFile:
    """A file cut into tasks; ``src`` is the coordinator's opened source (for the record)."""

    src: Source
    layout: Layout
    tasks: tuple[CsvRange | RowGroups, ...]


def first_partition(
    src: Source, rel: str, file_index: int, ctx: ScanContext
) -> tuple[Partition | None, FilePartitions]:
    """A source's first partition as one process reads it (``None``: nothing could be read),
    and its partitions' state (names, plans); the reading is closed after it."""
    parts = FilePartitions(src, rel, file_index, ctx)
    reading = cast(Generator[Partition, None, None], iter(parts))
    try:
        return next(reading, None), parts
    except UnreadableFileError:
        return None, parts
    finally:
        reading.close()  # the reader's file (or a database's transaction) is let go now


@dataclass(frozen=True, slots=True)
class CutFile:
    """A file cut into tasks before its columns are classified (the cut needs no parsing);
    ``src`` is the coordinator's opened source (for the record)."""

    src: Source
    tasks: tuple[CsvRange | RowGroups, ...]

    def failure_reason(self, done: int) -> str:
        """The reason a reader gives when the file fails after data row ``done``."""
        if isinstance(self.src, CsvSource):
            return self.src._unreadable(done).reason
        return unreadable(self.src.path, "Parquet 文件已损坏", "corrupt Parquet file").reason


@dataclass(frozen=True, slots=True)
class Guided:
    """Range sizes that shrink toward the end of a file (*guided* scheduling): each range is
    ``1 / divisor`` of the bytes still to cut, between ``range_bytes`` (the smallest) and
    :data:`RANGE_BYTES`. The first ranges are large (few per-task costs) and the last ones
    small, so the workers run out of ranges together instead of one finishing a full-size
    range while the others wait.

    With a ``unit`` (the bytes of one partition, :func:`partition_bytes`) every range is a
    whole number of units: a range ending mid-partition would be scanned as one more,
    smaller partition, and each partition costs the same queries whatever its size
    (bench/RESULTS.md "Scan on Dask: ranges of whole partitions")."""

    divisor: int
    unit: int = 0

    def size(self, left: int, smallest: int) -> int:
        if self.unit:
            units = max(1, round(left / (max(1, self.divisor) * self.unit)))
            return min(units, max(1, RANGE_BYTES // self.unit)) * self.unit
        return min(max(RANGE_BYTES, smallest), max(smallest, left // max(1, self.divisor)))


#: A unit is this share of a partition's estimated bytes, so that a range of whole units
#: rarely holds a few rows more than its partitions (one more, tiny partition).
UNIT_MARGIN = 0.97


def partition_bytes(path: Path, start: int, batch_rows: int, parts: int, smallest: int) -> int:
    """The bytes of ``path`` from ``start`` that hold one partition (``batch_rows`` rows), or
    ``1 / parts`` of them when that is less (at least ``parts`` ranges for the workers), at
    most :data:`RANGE_BYTES` (a range is read whole) and never below ``smallest``: estimated
    from the line breaks of its first :data:`CUT_CHUNK` bytes (a quoted value's breaks make
    the estimate a little small)."""
    size = path.stat().st_size - start
    with path.open("rb") as handle:
        handle.seek(start)
        head = handle.read(CUT_CHUNK)
    breaks = max(1, head.count(b"\n") or head.count(b"\r"))
    per_row = len(head) / breaks
    unit = UNIT_MARGIN * min(batch_rows * per_row, size / max(1, parts))
    return max(smallest, min(RANGE_BYTES, int(unit)))


def cut_file(
    path: Path, batch_rows: int, range_bytes: int = RANGE_BYTES, guided: Guided | None = None
) -> CutFile | None:
    """How ``path`` is cut, or ``None``: one worker reads it whole (see the module docstring).
    Ranges of ``range_bytes``, or (``guided``) of at least that many bytes, shrinking toward
    the end. The tasks name the columns by position; :func:`plan_layout` names and
    classifies them."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".parquet") or not path.is_file():
        return None
    if path.stat().st_size < 2 * range_bytes:
        return None
    try:
        src = open_source(path, batch_rows=batch_rows)
    except UnreadableFileError:
        return None
    if isinstance(src, CsvSource) and src.encoding not in SPLIT_ENCODINGS:
        return None
    tasks: list[CsvRange | RowGroups] = []
    if isinstance(src, CsvSource):
        if guided is not None:  # ranges of whole partitions
            unit = partition_bytes(path, src.start, batch_rows, guided.divisor, range_bytes)
            guided, range_bytes = Guided(guided.divisor, unit), unit
        tasks.extend(_csv_ranges(src, range_bytes, guided))
    else:
        tasks.extend(_row_groups(path, batch_rows, range_bytes, guided))
    if len(tasks) < 2:
        return None
    return CutFile(src, tuple(tasks))


def plan_layout(src: Source, rel: str, file_index: int, ctx: ScanContext) -> Layout | None:
    """A cut file's column names and plans from its first partition, read as one process
    reads it; ``None``: the file is read whole after all (nothing read, or a column the first
    partition leaves empty: one process classifies it on a later partition)."""
    first, _ = first_partition(src, rel, file_index, ctx)
    if first is None or not first.frame.height:
        return None
    if any(p.mode == "skip" and p.note == "empty" for p in first.plans):
        return None
    names = tuple(c for c in first.frame.columns if c != ROW_COLUMN)
    return Layout(rel, file_index, first.sheet, names, first.plans, first.categories)


def plan_file(
    path: Path, rel: str, file_index: int, ctx: ScanContext, range_bytes: int = RANGE_BYTES
) -> SplitFile | None:
    """:func:`cut_file` and :func:`plan_layout` one after the other (``None``: read whole)."""
    cut = cut_file(path, ctx.options.batch_rows, range_bytes)
    if cut is None:
        return None
    layout = plan_layout(cut.src, rel, file_index, ctx)
    return None if layout is None else SplitFile(cut.src, layout, cut.tasks)


def _positional(width: int) -> tuple[str, ...]:
    """Column names by position (a range's reader renames nothing: :func:`scan_read` gives
    the names of the file's layout)."""
    return tuple(f"f{i}" for i in range(width))


def _csv_ranges(src: CsvSource, range_bytes: int, guided: Guided | None) -> list[CsvRange]:
    """Byte ranges from the header's first byte (the file's, or the one after its title rows):
    the first range's reader finds the header row (or none) as one process does; the later
    ones read records only, named by position."""
    quote = src.quote_char.encode("ascii", "ignore")
    if len(quote) != 1:
        return []
    cuts = record_cuts(src.path, src.start, range_bytes, quote[0], guided)
    if cuts is None:
        return []
    positional = _positional(src.width)
    encoding = str(src.encoding)
    return [
        CsvRange(
            src.path,
            encoding if a == 0 else body_encoding(encoding),  # the mark is at byte 0 only
            src.delimiter,
            src.quote_char,
            src.width,
            a,
            b,
            positional if a > src.start else (),
            src.batch_rows,
            src.block_size,
        )
        for a, b in itertools.pairwise(cuts)
    ]


def record_cuts(
    path: Path, start: int, step: int, quote: int, guided: Guided | None = None
) -> list[int] | None:
    """Cut points ``[start, …, size]`` about ``step`` bytes apart (``guided``: at least
    ``step``, shrinking toward the end), each just after a line break outside quotes; ``None``
    when the file holds an odd number of quote characters.

    The pass only counts quote bytes (NumPy, about the speed of reading the file); the quote
    state is looked at byte by byte only in a small window after each target."""
    size = path.stat().st_size

    def next_target(at: int) -> int:
        if guided is None:
            return at + step
        target = at + guided.size(size - at, step)
        return size if size - target < step // 2 else target  # no sliver of a last range

    cuts = [start]
    target = next_target(start)
    parity = 0  # quote characters in [start, pos), modulo 2
    pos = start
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(CUT_CHUNK):
            data = np.frombuffer(chunk, dtype=np.uint8)
            end = pos + len(chunk)
            at, odd = 0, parity  # quote parity at data[at]
            while target < end:
                i = max(target - pos, at)
                odd = (odd + int(np.count_nonzero(data[at:i] == quote))) & 1
                at = i
                cut = _break_after(data, i, odd, quote)
                if cut is None:  # the chunk ends inside a quoted value: on in the next
                    target = end
                    break
                if pos + cut < size:
                    cuts.append(pos + cut)
                odd = (odd + int(np.count_nonzero(data[i:cut] == quote))) & 1
                at = cut
                target = next_target(pos + cut)
            parity = (odd + int(np.count_nonzero(data[at:] == quote))) & 1
            pos = end
    if parity:
        return None
    cuts.append(size)
    return cuts


def _break_after(data: np.ndarray[Any, Any], i: int, odd: int, quote: int) -> int | None:
    """The index just after the first line break at or after ``i`` outside quotes (``odd``:
    the quote parity at ``i``; a CRLF is one line break), or ``None`` when ``data`` has none
    (or ends with the CR of one)."""
    width = 64 * 1024
    while True:
        window = data[i : i + width]
        quotes = (window == quote).astype(np.int64)
        before = (np.cumsum(quotes) - quotes + odd) & 1
        breaks = np.flatnonzero(((window == _LF) | (window == _CR)) & (before == 0))
        if breaks.size:
            at = i + int(breaks[0])
            if data[at] != _CR:
                return at + 1
            # a CR: the cut goes after the LF that follows it (a range must not start with
            # the LF of a CRLF, its reader would see one more line than one process does)
            if at + 1 >= len(data):  # the LF (or not) is in the next chunk
                return None
            return at + 2 if data[at + 1] == _LF else at + 1
        if i + width >= len(data):
            return None
        width *= 8


def _row_groups(
    path: Path, batch_rows: int, range_bytes: int, guided: Guided | None
) -> list[RowGroups]:
    import pyarrow.parquet as pq

    with arrow_file(path) as handle, pq.ParquetFile(handle) as parquet:
        meta = parquet.metadata
        sizes = [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]
    tasks: list[RowGroups] = []
    run: list[int] = []
    held = 0
    left = sum(sizes)  # bytes of the row groups not yet in a task
    for i, size in enumerate(sizes):
        run.append(i)
        held += size
        if held >= (range_bytes if guided is None else guided.size(left, range_bytes)):
            tasks.append(RowGroups(path, tuple(run), batch_rows))
            left -= held
            run, held = [], 0
    if run:
        tasks.append(RowGroups(path, tuple(run), batch_rows))
    return tasks


def _joined(frames: Sequence[tuple[int, pl.DataFrame]], names: Sequence[str]) -> pl.DataFrame:
    """The batches of a range as one frame (``ROW_COLUMN``: the rows' numbers when there are
    gaps, within the range)."""
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    frame = pl.concat([f for _, f in frames], how="vertical")
    rows = 0
    contiguous = True
    for offset, f in frames:
        contiguous = contiguous and offset == rows
        rows = offset + f.height
    if contiguous:
        return frame
    numbers = pl.concat(
        [pl.int_range(a, a + f.height, eager=True, dtype=pl.Int64) for a, f in frames]
    )
    return frame.with_columns(numbers.alias(ROW_COLUMN))


class _RangeCsvSource(CsvSource):
    """A CSV reader of one byte range: no header row when the names are given."""

    def __init__(self, task: CsvRange) -> None:
        super().__init__(
            task.path,
            task.encoding,
            task.delimiter,
            task.quote_char,
            task.width,
            batch_rows=task.batch_rows,
            block_size=task.block_size,
        )
        self.start, self.end = task.start, task.end
        self.names = list(task.names) or None

    #: a range may end before the file does (a file with an open quote is never cut)
    to_end = False

    def _open_bytes(self) -> Any:
        return io.BufferedReader(FileBytes(self.path, self.start, self.end))


def read_part(task: CsvRange | RowGroups) -> RangeRead:
    """A worker reads one range (rows numbered from 0 within it)."""
    frames: list[tuple[int, pl.DataFrame]] = []
    failed = False
    if isinstance(task, CsvRange):
        src = _RangeCsvSource(task)
        try:
            frames.extend((b.offset, b.frame) for b in src.batches())
        except UnreadableFileError:
            failed = True
        frame = _joined(frames, task.names or _positional(task.width))
        rows = frames[-1][0] + frames[-1][1].height if frames else 0
        if not failed and src.rows_numbered is not None:
            # broken rows after its last good row have numbers too (one process counts them
            # before the next range's); a failed range stops the file after its last row read
            rows = src.rows_numbered
        return RangeRead(frame, rows, src.skipped_rows, src.undecodable_rows, failed)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from baomi.engine.readers.parquet import batch_frame

    rows = 0
    names: list[str] = []
    try:
        with arrow_file(task.path) as handle, pq.ParquetFile(handle) as parquet:
            raw = names = unique_headers(parquet.schema_arrow.names)
            for batch in parquet.iter_batches(
                batch_size=task.batch_rows, row_groups=list(task.groups)
            ):
                frame = batch_frame(batch, raw)
                frames.append((rows, frame))
                rows += batch.num_rows
    except (pa.ArrowException, OSError):
        failed = True
    return RangeRead(_joined(frames, names), rows, failed=failed)


def range_rows(task: CsvRange | RowGroups) -> int:
    """How many row numbers a range uses (sent to the coordinator, not the rows): a CSV range
    read as :func:`read_part` reads it, only the count kept; Parquet row groups counted from
    the file's metadata (a range whose reading fails part-way stops the file there, so a later
    range's first row number is never used then)."""
    if isinstance(task, RowGroups):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            with arrow_file(task.path) as handle, pq.ParquetFile(handle) as parquet:
                meta = parquet.metadata
                return sum(meta.row_group(g).num_rows for g in task.groups)
        except (pa.ArrowException, OSError):
            pass  # read as the scan reads it
    return read_part(task).rows


def scan_read(read: RangeRead, offset: int, layout: Layout, ctx: ScanContext) -> RangeScan:
    """Scan a range read on this worker, its first row being data row ``offset`` of the
    file: in partitions of at most ``batch_rows`` rows, findings as one process writes them."""
    frame = read.frame
    if frame.height:  # named as the layout names them (the reader names them by position)
        data = (c for c in frame.columns if c != ROW_COLUMN)
        shown = dict(zip(data, layout.names, strict=True))
        frame.columns = [shown.get(c, c) for c in frame.columns]
    if ROW_COLUMN in frame.columns:
        frame = frame.with_columns(pl.col(ROW_COLUMN) + offset)
    out = RangeScan(
        skipped=read.skipped, undecodable=read.undecodable, failed=read.failed, rows=read.rows
    )
    step = ctx.options.batch_rows
    for at in range(0, frame.height, step):
        piece = frame.slice(at, step)
        part = Partition(
            layout.rel,
            layout.file_index,
            layout.sheet,
            0,
            offset + at,
            piece,
            layout.plans,
            layout.categories,
        )
        out.scanned.append(scan_partition(part, ctx))
    return out


def has_titles(cut: CutFile) -> bool:
    """Whether a cut file has title rows above its header (read beside the cells, after its
    rows: :func:`scan_titles`)."""
    return isinstance(cut.src, CsvSource) and bool(cut.src.titles)


def scan_titles(path: Path, rel: str, file_index: int, rows: int, ctx: ScanContext) -> RangeScan:
    """A cut CSV file's title rows scanned as one process scans them after the file's rows
    (``rows``: the data row numbers its ranges used, so the titles' row is one process's),
    the columns named as one process names them (on the file's first partition)."""
    out = RangeScan()
    try:
        src = open_source(path, batch_rows=ctx.options.batch_rows)
    except UnreadableFileError:
        return out
    if not isinstance(src, CsvSource):
        return out
    _, parts = first_partition(src, rel, file_index, ctx)
    src.rows_numbered = rows
    for part in parts._extras(True):
        out.scanned.append(scan_partition(part, ctx))
        out.plans.update((p.name, p) for p in part.plans)
    return out
