"""``baomi scan DB-URL --engine dask``: a database's tables scanned on Dask workers, each
worker reading its own **key range** over its own connection.

The coordinator lists the tables and, for a table with a primary key scanned in full, reads its
first partition (the sample) exactly as a one-process scan does — the column names and plans,
and whether the key may be written (not when a key column holds PI) — then reads *only the key
columns* in key order and keeps every ``range_rows``-th key: range ``k`` is the rows after that
key (exclusive), ``range_rows`` of them, starting at row ``k × range_rows`` — the row numbers of
one process, which names rows by their position in key order. A worker opens its own
connection from the URL, reads its range in key order (keyset pagination, as one process does)
in a read-only transaction, scans it in partitions and adds each finding's primary key.
A table without a primary key, a ``--sample`` scan, and a table whose sample leaves a column
empty (one process classifies that column on a later partition) are scanned whole by one
worker, as one process scans them.

The results are merged and the findings appended in table and range order, so
``inventory.json`` and ``findings.jsonl`` are those of :func:`~baomi.databases.scan.
scan_database` (the ``created`` time aside) — as long as the tables do not change during the
scan: each range is its own read-only transaction, not one snapshot of the table.

**Credentials travel to the workers**: each task carries the database URL with its password
(from the URL, ``BAOMI_DB_PASSWORD`` or ``--password-file`` on the coordinator), so that the
worker can connect. It is never logged nor written; use ``tls://`` between machines and
workers trusted with that account (docs/scale.md "## Dask").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from baomi.databases.scan import (
    DatabaseSelection,
    _Keys,
    open_database,
    read_failure,
    scan_table,
    schema_notes,
    table_notes,
    table_record,
    with_keys,
)
from baomi.databases.source import Database, DatabaseError, DatabaseTable, TableRef, _raw, connect
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.distributed import (
    Coordinator,
    Unit,
    WholeScan,
    WorkerSetup,
    _context,
    _serialised,
)
from baomi.engine.scan.model import (
    ROW_COLUMN,
    Partition,
    ProgressFn,
    ScanContext,
    ScanOptions,
    ScanResult,
)
from baomi.engine.scan.ranges import Layout, RangeRead, RangeScan, first_partition, scan_read
from baomi.errors import UnreadableFileError

if TYPE_CHECKING:
    from distributed import Client

#: Rows per key range (in ``batch_rows`` units): a range is read and held by one worker.
RANGE_BATCHES = 2


@dataclass(frozen=True, slots=True)
class KeyRange:
    """Rows of a table after key ``after`` (``None``: from the first), ``count`` of them (0:
    to the end). ``url`` holds the credentials."""

    url: str
    lock_timeout: int
    ref: TableRef
    after: tuple[Any, ...] | None
    count: int


@dataclass(frozen=True, slots=True)
class TableLayout:
    """What every range of a table shares: the partitions' layout and how keys are written."""

    layout: Layout
    shown: tuple[str, ...] | None  # the key columns as the partitions name them; None: no key
    key_columns: tuple[str, ...]
    integer_keys: frozenset[str]


_LOCAL = threading.local()


def _database(url: str, lock_timeout: int) -> Database:
    """This worker thread's connection pool to ``url`` (opened once)."""
    held: dict[str, Database] = getattr(_LOCAL, "dbs", None) or {}
    _LOCAL.dbs = held
    if url not in held:
        held[url] = connect(url, lock_timeout=lock_timeout)
    return held[url]


def scan_table_on_worker(
    url: str, ref: TableRef, file_index: int, selection: DatabaseSelection, setup: WorkerSetup
) -> WholeScan:
    """The task for a table scanned whole: as one process scans it."""
    db = _database(url, selection.lock_timeout)
    scanned: list[Any] = []
    done = scan_table(
        db,
        ref,
        file_index,
        _context(setup),
        selection,
        lambda found, inv: scanned.append(_serialised((found, inv), setup)),
    )
    if "reason" in done:
        return WholeScan([], None, done["reason"])
    return WholeScan(scanned, done | {"rows": 0})  # the coordinator adds the rows up again


def scan_key_range_on_worker(
    task: KeyRange, offset: int, table: TableLayout, setup: WorkerSetup
) -> RangeScan:
    """The task for one key range of a table, its first row being row ``offset``."""
    ctx = _context(setup)
    layout = table.layout
    try:
        src = _database(task.url, task.lock_timeout).open_table(
            task.ref,
            batch_rows=ctx.options.batch_rows,
            sample_rows=ctx.options.sample_rows,
            limit=task.count,
        )
    except DatabaseError as exc:
        return RangeScan(failed=True, reason=exc.reason)
    src.after = task.after
    known = set(src.not_read)
    frames: list[pl.DataFrame] = []
    reason = None
    try:
        frames.extend(b.frame for b in src.batches())
    except UnreadableFileError as exc:
        reason = exc.reason
    frame = (
        pl.concat(frames, how="vertical")
        if frames
        else pl.DataFrame(schema=dict.fromkeys(layout.names, pl.String))
    )
    frame.columns = list(layout.names)
    done = scan_read(RangeRead(frame, frame.height), offset, layout, ctx)
    whole = Partition(layout.rel, layout.file_index, None, 0, offset, frame, layout.plans)
    done.scanned = [
        _serialised(
            (with_keys(found, whole, table.shown, table.key_columns, table.integer_keys), inv)
            if found.height
            else (found, inv),
            setup,
        )
        for found, inv in done.scanned
    ]
    done.notes = {k: v for k, v in src.not_read.items() if k not in known}
    done.failed, done.reason, done.rows = reason is not None, reason, src.rows_read
    return done


@dataclass(frozen=True, slots=True)
class _Plan:
    src: DatabaseTable
    keys: _Keys
    table: TableLayout
    tasks: tuple[KeyRange, ...]


def plan_table(
    db: Database,
    url: str,
    ref: TableRef,
    file_index: int,
    ctx: ScanContext,
    selection: DatabaseSelection,
    range_rows: int,
) -> _Plan | None:
    """A table's key ranges, or ``None``: one worker scans it whole (see the module)."""
    if selection.sample:
        return None
    name = db.source(ref)
    try:
        src = db.open_table(
            ref, batch_rows=ctx.options.batch_rows, sample_rows=ctx.options.sample_rows
        )
    except DatabaseError:
        return None
    if not src.key_columns or not src.columns:
        return None
    first, parts = first_partition(src, name, file_index, ctx)
    if first is None or not first.frame.height:
        return None
    if any(p.mode == "skip" and p.note == "empty" for p in first.plans):
        return None
    keys = _Keys(src, parts)
    shown = keys.shown()
    names = tuple(c for c in first.frame.columns if c != ROW_COLUMN)
    layout = Layout(name, file_index, None, names, first.plans, first.categories)
    table = TableLayout(
        layout,
        None if shown is None else tuple(shown),
        tuple(src.key_columns),
        frozenset(src.integer_keys),
    )
    try:
        starts = _key_starts(src, range_rows)
    except sa.exc.SQLAlchemyError:
        return None  # one worker reads it and reports why, as one process does
    tasks = tuple(
        KeyRange(url, selection.lock_timeout, ref, after, range_rows if i < len(starts) - 1 else 0)
        for i, after in enumerate(starts)
    )
    return _Plan(src, keys, table, tasks)


def _key_starts(src: DatabaseTable, range_rows: int) -> list[tuple[Any, ...] | None]:
    """``None`` and every ``range_rows``-th key in key order (only the key columns read)."""
    keys = [src.table.c[k] for k in src.key_columns]
    starts: list[tuple[Any, ...] | None] = [None]
    with src.db.engine.connect() as conn, conn.begin():
        src.db.read_only(conn)
        result = conn.execution_options(stream_results=True).execute(
            sa.select(*(_raw(k) for k in keys)).order_by(*keys)
        )
        try:
            end: tuple[Any, ...] | None = None  # a full range's last key: a start if more follow
            while rows := result.fetchmany(range_rows):
                if end is not None:
                    starts.append(end)
                end = tuple(rows[-1]) if len(rows) == range_rows else None
        finally:
            result.close()
    return starts


def _range_failure(rows: int, result: RangeScan) -> str:
    reason = result.reason or ""
    return read_failure(reason, rows) if rows else reason  # nothing read: the table is skipped


def _table_errors(plan: _Plan, unit: Unit, failures: list[str]) -> list[str]:
    """The table's read failures; its notes (information) go in the record's ``notes``."""
    for column, why in unit.notes.items():
        plan.src.not_read.setdefault(column, why)
    if unit.record is not None:
        unit.record["notes"] = table_notes(plan.src, plan.keys)
    return failures


def scan_database_dask(
    url: str,
    client: Client,
    *,
    out_dir: Path | None = None,
    registry: Registry | None = None,
    options: ScanOptions | None = None,
    selection: DatabaseSelection | None = None,
    progress: ProgressFn | None = None,
    range_rows: int | None = None,
    ahead: int | None = None,
) -> ScanResult:
    """:func:`~baomi.databases.scan.scan_database` on Dask: the tables in key ranges, each
    read by a worker over its own connection (see the module docstring). A database that
    cannot be opened raises :class:`DatabaseError` before anything is written."""
    selection = selection or DatabaseSelection()
    db = open_database(url, selection)
    secret = db.url.render_as_string(hide_password=False)  # for the workers only
    try:
        refs = db.tables(selection.schemas, selection.tables, selection.exclude)
        with Coordinator(client, registry, options, out_dir, ahead) as run:
            ctx, setup = run.ctx, run.setup
            step = range_rows or RANGE_BATCHES * ctx.options.batch_rows
            for file_index, ref in enumerate(refs):
                name = db.source(ref)
                if progress:
                    progress(name, file_index, len(refs))
                unit = run.unit(name)
                plan = plan_table(db, secret, ref, file_index, ctx, selection, step)
                if plan is None:
                    run.submit(
                        unit, scan_table_on_worker, secret, ref, file_index, selection, setup
                    )
                    continue
                unit.record = table_record(name) | {"errors": []}
                unit.record["plans"] = {
                    None: dict(zip(plan.table.layout.names, plan.table.layout.plans, strict=True))
                }
                unit.failure = _range_failure
                unit.errors = partial(_table_errors, plan)
                for i, task in enumerate(plan.tasks):
                    run.submit(unit, scan_key_range_on_worker, task, i * step, plan.table, setup)
            return run.finish(progress, len(refs), schema_notes(db, selection))
    finally:
        db.close()
