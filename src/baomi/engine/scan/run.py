"""``scan_paths``: the scan of files and folders — partitions scanned by two threads (or worker
processes), findings written in order by a writer thread, the inventory merged and written."""

from __future__ import annotations

import io
import multiprocessing
import os
import secrets
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import polars as pl

from baomi.engine.contracts import codec
from baomi.engine.contracts.inventory import Inventory
from baomi.engine.documents.files import iter_files
from baomi.engine.inventory import InventoryMerger, PartialInventory
from baomi.engine.readers import Source, open_source
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.collector import write_ndjson
from baomi.engine.scan.findings_file import FindingsFile
from baomi.engine.scan.kernels import scan_partition, scan_text_batch
from baomi.engine.scan.model import (
    Partition,
    ProgressFn,
    ScanContext,
    ScanOptions,
    ScanResult,
)
from baomi.engine.scan.partitions import TEXT_PLAN, FilePartitions
from baomi.engine.scan.report import _inventory
from baomi.errors import UnreadableFileError

#: Threads scanning partitions in a one-process scan (the 2-core machine's cores).
SCAN_THREADS = 2
#: Rows per partition when a partition's columns are scanned side by side (the prose model
#: in one process): a 1 GB CSV peaked at 752 MiB with 32,768 rows, 671–684 MiB with these
#: (687 MiB column by column with 32,768), 7-9 % slower than 32,768 side by side and
#: ~10 % faster than column by column (bench/RESULTS.md "Default scan: columns side by side").
SIDE_BY_SIDE_ROWS = 24_576
#: With the prose model in one process, a partition of one column (a document's lines) gains
#: nothing from side-by-side columns; up to this size two such partitions are scanned at once
#: (a folder of contracts), larger ones one at a time as table partitions are.
SMALL_PARTITION_BYTES = 4 << 20
#: Documents' lines scanned in one call (:func:`~baomi.engine.scan.kernels.scan_text_batch`)
#: up to about this size: a document of a few hundred lines costs mostly a column scan's
#: fixed part, and batches this small still leave work for both scanning threads.
TEXT_BATCH_BYTES = 1 << 20

_WORKER: ScanContext | None = None


@dataclass(frozen=True, slots=True)
class NdjsonFindings:
    """A partition's findings already serialised as ``findings.jsonl`` lines (by a remote
    worker, so that the coordinator only appends bytes): the same bytes
    :meth:`FindingsFile.write_frame` writes, and how many findings they are."""

    text: bytes
    height: int


Scanned = tuple[pl.DataFrame | NdjsonFindings, PartialInventory]


class PendingScan(Protocol):
    """A partition's scan under way (a ``concurrent.futures`` or a Dask future)."""

    def result(self) -> Scanned: ...


class _Batched:
    """The scans of a batch of documents' partitions under way (one future)."""

    def __init__(self, future: Future[list[tuple[pl.DataFrame, PartialInventory]]]) -> None:
        self.future = future

    def results(self) -> list[Scanned]:
        scanned: list[Scanned] = [*self.future.result()]
        return scanned


class _One:
    def __init__(self, pending: PendingScan) -> None:
        self.pending = pending

    def results(self) -> list[Scanned]:
        return [self.pending.result()]


class RemoteEngine(Protocol):
    """Scans partitions elsewhere (e.g. :class:`baomi.engine.scan.distributed.DaskEngine`).

    ``start`` is called once per scan with what every worker needs; ``submit`` sends one
    partition; at most ``ahead`` partitions are in flight (read but not yet merged)."""

    ahead: int

    def start(self, registry: Registry, options: ScanOptions, seed: int) -> None: ...

    def submit(self, part: Partition) -> PendingScan: ...


def _init_worker(registry: Registry, options: ScanOptions, seed: int) -> None:
    global _WORKER
    _WORKER = ScanContext(registry, options, seed)


def _run_partition(part: Partition) -> Scanned:
    assert _WORKER is not None
    return scan_partition(part, _WORKER)


def _write_findings(
    found: pl.DataFrame | NdjsonFindings, sink: FindingsFile | io.BufferedWriter
) -> None:
    if isinstance(found, NdjsonFindings):
        sink.write(found.text)
    elif isinstance(sink, FindingsFile):
        sink.write_frame(found)
    else:
        write_ndjson(found, sink)


def _submit_to_pool(pool: ProcessPoolExecutor, part: Partition) -> Future[Scanned]:
    return pool.submit(_run_partition, part)


def new_record(rel: str, src: Source) -> dict[str, Any]:
    """A file's inventory record before its partitions are merged (``rows`` adds up)."""
    return {"path": rel, "kind": src.kind, "encoding": src.encoding, "rows": 0, "sheets": []}


def finish_record(
    record: dict[str, Any], src: Source, file_parts: FilePartitions, errors: list[str]
) -> None:
    """What a file's record holds once its partitions were read: what could not be read, its
    sheets and column plans."""
    record["skipped_rows"] = src.skipped_rows
    record["undecodable_rows"] = src.undecodable_rows
    record["errors"] = [*src.errors, *errors]
    record["sheets"] = [s for s in file_parts.sheets if s is not None]
    if src.kind == "table":
        record["plans"] = {s: file_parts.planner.plans.get(s, {}) for s in file_parts.sheets}


def scan_paths(
    paths: Sequence[Path],
    *,
    out_dir: Path | None = None,
    registry: Registry | None = None,
    workers: int = 1,
    options: ScanOptions | None = None,
    progress: ProgressFn | None = None,
    engine: RemoteEngine | None = None,
) -> ScanResult:
    """Scan files and directories; write ``inventory.json`` and ``findings.jsonl`` to ``out_dir``.

    Both outputs are written to temporary names and renamed when complete. With ``engine``
    the partitions are scanned there (``workers`` is then the engine's business); the files
    are read, the partial inventories merged and the findings written here, in the same
    order, so the outputs are those of a scan in this process.
    """
    options = options or ScanOptions()
    registry = registry or Registry.default()
    # One partition at a time with the prose model, its columns side by side (below): two
    # columns' working sets at once, so smaller partitions keep the peak memory where it was.
    side_by_side = (
        engine is None and workers <= 1 and options.prose and any(r.model_based for r in registry)
    )
    if side_by_side:
        options = replace(options, batch_rows=min(options.batch_rows, SIDE_BY_SIDE_ROWS))
    seed = secrets.randbits(63)
    ctx = ScanContext(registry, options, seed)
    files = list(iter_files(paths, exclude=out_dir))  # not this scan's own outputs
    total = sum(p.stat().st_size for p, _ in files if p.is_file())
    done = 0
    merger = InventoryMerger()
    records: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    findings = 0
    sink: FindingsFile | None = None
    tmp_findings: Path | None = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp_findings = out_dir / ".findings.jsonl.partial"
        sink = FindingsFile(tmp_findings)  # closed in finally
    pool = (
        ProcessPoolExecutor(
            workers,
            # Polars' thread pool does not survive fork(); spawn a clean interpreter.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(registry, options, seed),
        )
        if workers > 1 and engine is None
        else None
    )
    submit: Callable[[Partition], PendingScan] | None = None
    ahead = 0
    if engine is not None:
        engine.start(registry, options, seed)
        submit, ahead = engine.submit, engine.ahead
    elif pool is not None:
        submit, ahead = partial(_submit_to_pool, pool), workers * 2
    # scans in flight, in order: each the records of its partitions' files (a batch of
    # documents is several) and its results
    pending: deque[tuple[list[dict[str, Any]], _One | _Batched]] = deque()
    batch: list[tuple[dict[str, Any], Partition]] = []  # documents' partitions not yet sent
    # In one process, two threads scan partitions while this one reads the next and writes
    # the findings (Polars releases the GIL, and most of a partition's work is in Polars).
    # Not with the prose model: its decoder already uses the cores for each partition's
    # texts, and a second scanning thread gained ~8 % for ~150 MB more memory; there the
    # columns of one partition are scanned side by side instead (the other columns while
    # the notes are tagged: bench/RESULTS.md "Default scan: columns side by side").
    # Small partitions of one column (a folder of documents) are the exception: they have no
    # columns to put side by side, so two of them are scanned at once (_small).
    threads = (
        ThreadPoolExecutor(SCAN_THREADS)
        if submit is None and (side_by_side or not any(r.model_based for r in ctx.registry))
        else None
    )
    if side_by_side:
        ctx.column_pool = ThreadPoolExecutor(SCAN_THREADS)
    elif threads is not None:
        # Without the model: a partition's longest columns (free text — the notes, ~40 % of
        # its work — names, addresses) are found in threads of their own while its scanning
        # thread does the other columns: 15 % less wall time and 7 % less CPU on the unique
        # CSV, ~30 MB more at its peak (bench/RESULTS.md, session 29). As many as the
        # scanning threads: a table of notes alone keeps both cores.
        ctx.text_pool = ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="baomi-text")

    # One writer thread appends findings in partition order, so that the last partitions'
    # findings are written while the inventory (the individuals count) is computed.
    writer = ThreadPoolExecutor(1) if sink is not None else None
    writes: deque[Future[None]] = deque()

    def consume(
        record: dict[str, Any],
        found: pl.DataFrame | NdjsonFindings,
        inv: PartialInventory,
        backlog: int,
    ) -> None:
        nonlocal findings
        merger.add(inv)
        record["rows"] += inv.rows
        if found.height:
            findings += found.height
            if sink is not None and writer is not None:
                # Straight into the file: an in-memory NDJSON buffer cost 3× its size.
                writes.append(writer.submit(_write_findings, found, sink))
                while len(writes) > backlog:  # bounded memory; a write error surfaces here
                    writes.popleft().result()

    def drain(limit: int, backlog: int = 1) -> None:
        while len(pending) > limit:
            recs, fut = pending.popleft()
            for rec, scanned in zip(recs, fut.results(), strict=True):
                consume(rec, *scanned, backlog=backlog)

    def send_batch() -> None:
        if batch and threads is not None:
            work = [p for _, p in batch]
            pending.append(
                ([r for r, _ in batch], _Batched(threads.submit(scan_text_batch, work, ctx)))
            )
            batch.clear()
            drain(SCAN_THREADS)

    try:
        for file_index, (path, rel) in enumerate(files):
            size = path.stat().st_size if path.is_file() else 0
            if progress:
                progress(rel, done, total)
            try:
                src = open_source(path, batch_rows=options.batch_rows)
            except UnreadableFileError as exc:
                skipped.append({"path": rel, "reason": exc.reason})
                done += size
                continue
            record = new_record(rel, src)
            file_parts = FilePartitions(src, rel, file_index, ctx)
            errors: list[str] = []
            parts = 0
            try:
                seen = 0  # bytes of the partitions read so far: the bar moves within a file
                for part in file_parts:
                    parts += 1
                    if progress:
                        seen += int(part.frame.estimated_size())
                        progress(rel, done + min(seen, size), total)
                    if submit is not None:
                        pending.append(([record], _One(submit(part))))
                        drain(ahead)
                    elif threads is not None and _document(part):
                        batch.append((record, part))
                        if sum(p.frame.estimated_size() for _, p in batch) >= TEXT_BATCH_BYTES:
                            send_batch()
                    elif threads is not None and (not side_by_side or _small(part)):
                        send_batch()
                        pending.append(([record], _One(threads.submit(scan_partition, part, ctx))))
                        drain(SCAN_THREADS)
                    else:
                        send_batch()
                        drain(0)  # in order: the partitions in flight before this one
                        consume(record, *scan_partition(part, ctx), backlog=1)
                # The file's partitions stay in flight while the next file is read: its record
                # needs only what was read (the plans, the reader's counts), and a folder of
                # small files (one partition each) keeps every scanning thread busy. Findings
                # and rows are consumed in order, file after file, as before.
            except UnreadableFileError as exc:
                if not parts:  # nothing could be read: the file is skipped, not scanned
                    skipped.append({"path": rel, "reason": exc.reason})
                    done += size
                    continue
                errors.append(exc.reason)  # read in part: what was read is scanned
            finish_record(record, src, file_parts, errors)
            records.append(record)
            done += size
        send_batch()
        drain(0, backlog=SCAN_THREADS + 1)
        if progress:
            progress("", total, total)
        inventory = _inventory(records, skipped, merger, ctx, findings)
        while writes:
            writes.popleft().result()
    except BaseException:
        if writer is not None:
            writer.shutdown(cancel_futures=True)  # waits for a write in progress
        discard(sink, out_dir)
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if threads is not None:
            threads.shutdown(cancel_futures=True)
        if ctx.column_pool is not None:
            ctx.column_pool.shutdown(cancel_futures=True)
        if ctx.text_pool is not None:
            ctx.text_pool.shutdown(cancel_futures=True)
        if writer is not None:
            writer.shutdown(cancel_futures=True)
        if sink is not None:
            sink.close()
    return publish(out_dir, inventory, findings)


def _small(part: Partition) -> bool:
    """A partition of one column within :data:`SMALL_PARTITION_BYTES` (a document's lines)."""
    return len(part.plans) < 2 and part.frame.estimated_size() <= SMALL_PARTITION_BYTES


def _document(part: Partition) -> bool:
    """A small partition of a text file's lines (:data:`TEXT_PLAN`), or of what a file holds
    beside its rows (a DOCX's properties): batched with others, so that a folder of DOCX
    contracts, each with its properties after its paragraphs, is still scanned in batches."""
    small = part.frame.estimated_size() <= SMALL_PARTITION_BYTES
    return small and (part.plans == TEXT_PLAN or part.extra)


def discard(sink: FindingsFile | BinaryIO | None, out_dir: Path | None) -> None:
    """Close and remove the findings being written: no half-written findings are left."""
    if sink is not None and out_dir is not None:
        sink.close()
        (out_dir / ".findings.jsonl.partial").unlink(missing_ok=True)


def publish(out_dir: Path | None, inventory: Inventory, findings: int) -> ScanResult:
    """Rename the complete findings (``.findings.jsonl.partial``) and write the inventory."""
    findings_path = None
    try:
        if out_dir is not None:
            findings_path = out_dir / "findings.jsonl"
            os.replace(out_dir / ".findings.jsonl.partial", findings_path)
            codec.dump(inventory, out_dir / "inventory.json")
    except BaseException:
        if out_dir is not None:  # no half-written output is left behind
            for name in (".findings.jsonl.partial", ".inventory.json.partial"):
                (out_dir / name).unlink(missing_ok=True)
        raise
    return ScanResult(inventory, findings_path, findings)
