"""``scan_database``: the scan of a database's tables and views, written as the file scan writes
(DESIGN.md "Scan output"): ``inventory.json`` with one entry per table, ``findings.jsonl``.

A table read in batches becomes the same partitions as a CSV file (:class:`FilePartitions`:
column names, the column decision on the first batch — the sample — and the same kernels), so a
table is classified exactly as its CSV export would be. Findings name the source
``db://HOST/DB/SCHEMA.TABLE``; ``row`` is the row's position in key order and ``key`` its
primary key (``{"id": 42}``), left out for a table without one and when a key column holds PI.
A table that cannot be read is reported with why (``skipped``) and the scan goes on with the
others; one that fails part-way has what was read scanned and the failure in its ``errors``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from baomi.databases.source import (
    LOCK_TIMEOUT,
    Database,
    DatabaseError,
    DatabaseTable,
    TableRef,
    connect,
)
from baomi.engine.contracts import codec, notes
from baomi.engine.contracts.inventory import InventoryNote
from baomi.engine.documents.names import mask_identifiers
from baomi.engine.inventory import InventoryMerger, PartialInventory
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.findings_file import FindingsFile
from baomi.engine.scan.kernels import scan_partition
from baomi.engine.scan.model import Partition, ProgressFn, ScanContext, ScanOptions, ScanResult
from baomi.engine.scan.partitions import FilePartitions
from baomi.engine.scan.report import _inventory
from baomi.errors import UnreadableFileError
from baomi.i18n import worded, words_of


@dataclass(frozen=True, slots=True)
class DatabaseSelection:
    """Which tables a database scan reads and how: ``schemas``/``tables``/``exclude`` are
    patterns (``*``, ``?``; a table pattern matches ``name`` or ``schema.name``); ``sample``
    stops each table after that many rows (0: read it all)."""

    schemas: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sample: int = 0
    password_file: Path | None = None
    lock_timeout: int = LOCK_TIMEOUT


def open_database(url: str, selection: DatabaseSelection) -> Database:
    """Connect as the selection says (a :class:`DatabaseError` names what failed)."""
    return connect(url, password_file=selection.password_file, lock_timeout=selection.lock_timeout)


def with_keys(
    found: pl.DataFrame,
    part: Partition,
    shown: Sequence[str] | None,
    key_columns: Sequence[str],
    integer_keys: Collection[str],
) -> pl.DataFrame:
    """``found`` with each finding's primary key (``key``): the key columns ``key_columns``,
    named ``shown`` in the partition (``None``: no usable key, ``found`` as it is)."""
    if shown is None:
        return found
    raw = dict(zip(shown, key_columns, strict=True))
    idx = found.get_column("row") - part.offset
    keys = part.frame.select(
        (_integers(part.frame[s]) if raw[s] in integer_keys else pl.col(s)).alias(raw[s])
        for s in shown
    )[idx]
    return found.with_columns(key=keys.to_struct())


def _integers(column: pl.Series) -> pl.Series:
    """An integer key's text as integers: ``Int64``, or ``UInt64`` for a MySQL ``BIGINT
    UNSIGNED`` past 2**63 (written as the same JSON number)."""
    for dtype in (pl.Int64, pl.UInt64):
        try:
            return column.cast(dtype, strict=True)
        except pl.exceptions.InvalidOperationError:
            continue
    return column.cast(pl.Int64, strict=False)


class _Keys:
    """Adds each finding's primary key (``key``) from its partition's key columns."""

    def __init__(self, src: DatabaseTable, parts: FilePartitions) -> None:
        self.src, self.parts = src, parts
        self.pi_key = False

    def shown(self) -> list[str] | None:
        """The key columns as the partitions name them; ``None`` when there is no usable key."""
        if not self.src.key_columns:
            return None
        names = self.parts.names.columns.get(None, {})
        plans = self.parts.planner.plans.get(None, {})
        shown = [names.get(k, k) for k in self.src.key_columns]
        if any(s not in plans for s in shown):
            return None
        if any(plans[s].mode == "entity" for s in shown):  # a PI key is never written
            self.pi_key = True
            return None
        return shown

    def add(self, found: pl.DataFrame, part: Partition) -> pl.DataFrame:
        return with_keys(found, part, self.shown(), self.src.key_columns, self.src.integer_keys)

    def note(self) -> list[InventoryNote]:
        return [notes.pi_key()] if self.pi_key else []


def table_notes(src: DatabaseTable, keys: _Keys) -> list[InventoryNote]:
    """How the table was read (:meth:`DatabaseTable.notes`, a key that holds PI), a column
    named as the outputs name it: an identifier in its name masked (:class:`Names`), like the
    inventory's columns."""
    names = keys.parts.names
    out = []
    for note in [*src.notes(), *keys.note()]:
        if note.column is not None:
            shown = names.shown(None, note.column)
            if shown is None:  # left out: no partition named it
                (shown,) = mask_identifiers([note.column], names.recognizers)
            note = replace(note, column=shown)
        out.append(note)
    return out


def scan_database(
    url: str,
    *,
    out_dir: Path | None = None,
    registry: Registry | None = None,
    options: ScanOptions | None = None,
    selection: DatabaseSelection | None = None,
    progress: ProgressFn | None = None,
) -> ScanResult:
    """Scan the tables and views of the database at ``url``; write ``inventory.json`` and
    ``findings.jsonl`` to ``out_dir`` (temporary names, renamed when complete). A database
    that cannot be opened raises :class:`DatabaseError` before anything is written."""
    import secrets

    options = options or ScanOptions()
    selection = selection or DatabaseSelection()
    ctx = ScanContext(registry or Registry.default(), options, secrets.randbits(63))
    db = open_database(url, selection)
    merger = InventoryMerger()
    records: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    findings = 0
    tmp = out_dir / ".findings.jsonl.partial" if out_dir is not None else None
    sink = None

    def emit(found: pl.DataFrame, inv: PartialInventory) -> None:
        nonlocal findings
        merger.add(inv)
        if found.height:
            findings += found.height
            if sink is not None:
                sink.write_frame(found)

    try:
        refs = db.tables(selection.schemas, selection.tables, selection.exclude)
        if out_dir is not None and tmp is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            sink = FindingsFile(tmp)  # closed in finally
        for file_index, ref in enumerate(refs):
            if progress:
                progress(db.source(ref), file_index, len(refs))
            done = scan_table(db, ref, file_index, ctx, selection, emit)
            if "reason" in done:
                skipped.append(done)
            else:
                records.append(done)
        if progress:
            progress("", len(refs), len(refs))
        inventory = _inventory(
            records, skipped, merger, ctx, findings, notes=schema_notes(db, selection)
        )
    except BaseException:
        if sink is not None:
            sink.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if sink is not None:
            sink.close()
        db.close()
    findings_path = None
    if out_dir is not None and tmp is not None:
        if not tmp.exists():
            tmp.touch()
        findings_path = out_dir / "findings.jsonl"
        os.replace(tmp, findings_path)
        codec.dump(inventory, out_dir / "inventory.json")
    return ScanResult(inventory, findings_path, findings)


#: What :func:`scan_table` hands on per partition: findings (keys added) and partial inventory.
Emit = Callable[[pl.DataFrame, PartialInventory], None]


def scan_table(
    db: Database,
    ref: TableRef,
    file_index: int,
    ctx: ScanContext,
    selection: DatabaseSelection,
    emit: Emit,
) -> dict[str, Any]:
    """Scan one table in one process, handing each partition's results to ``emit`` in order:
    the table's inventory record, or ``{"path", "reason"}`` when it could not be read."""
    name = db.source(ref)
    try:
        src = db.open_table(
            ref,
            batch_rows=ctx.options.batch_rows,
            sample_rows=ctx.options.sample_rows,
            limit=selection.sample,
        )
    except DatabaseError as exc:
        return {"path": name, "reason": exc.reason}
    record: dict[str, Any] = table_record(name)
    parts = FilePartitions(src, name, file_index, ctx)
    keys = _Keys(src, parts)
    errors: list[str] = []
    count = 0
    try:
        for part in parts:
            count += 1
            found, inv = scan_partition(part, ctx)
            record["rows"] += inv.rows
            emit(keys.add(found, part) if found.height else found, inv)
    except UnreadableFileError as exc:
        if not count:
            return {"path": name, "reason": exc.reason}
        errors.append(read_failure(exc.reason, src.rows_read))
    record["errors"] = errors
    record["notes"] = table_notes(src, keys)
    record["plans"] = {None: parts.planner.plans.get(None, {})}
    return record


def table_partitions(
    db: Database, refs: Sequence[TableRef]
) -> Callable[[ScanContext], Iterator[Partition]]:
    """The partitions of the tables ``refs`` as the scan reads them, for a context given later
    (the people of a provision: :func:`baomi.engine.scan.linkage.people_in_partitions`). A
    table that cannot be read, or stops part-way, raises :class:`DatabaseError` naming it: the
    people of a provision are counted from every row provided or not at all."""

    def read(ctx: ScanContext) -> Iterator[Partition]:
        for file_index, ref in enumerate(refs):
            src = db.open_table(
                ref, batch_rows=ctx.options.batch_rows, sample_rows=ctx.options.sample_rows
            )
            try:
                yield from FilePartitions(src, db.source(ref), file_index, ctx)
            except UnreadableFileError as exc:
                raise DatabaseError(
                    db.source(ref), read_failure(exc.reason, src.rows_read)
                ) from None

    return read


def table_record(name: str) -> dict[str, Any]:
    """A table's inventory record before its partitions are merged (``rows`` adds up)."""
    return {
        "path": name,
        "kind": "table",
        "encoding": None,
        "rows": 0,
        "sheets": [],
        "skipped_rows": 0,
        "undecodable_rows": 0,
    }


def schema_notes(db: Database, selection: DatabaseSelection) -> list[InventoryNote]:
    """The inventory's note naming the schemas a scan without ``--schema`` did not read (none
    when schemas were chosen); worded with the option that reads them."""
    if selection.schemas:
        return []
    found = db.other_schemas()
    if not found:
        return []
    names = sorted(found)
    named = {s: found[s] for s in names[:MAX_SCHEMAS_NAMED]}
    return [notes.other_schemas(named, max(0, len(names) - MAX_SCHEMAS_NAMED))]


#: How many unread schemas the note names (a MySQL server can hold hundreds of databases).
MAX_SCHEMAS_NAMED = 10


def read_failure(reason: str, rows: int) -> str:
    """Why a table's reading stopped after ``rows`` rows (none: the reason alone)."""
    if not rows:
        return reason
    zh, en = words_of(reason)
    return worded(f"{zh}（已扫描前 {rows} 行）", f"{en} (after {rows} rows)")
