"""The scan's partitions run on Dask (``dask.distributed``): ``baomi scan --engine dask``.

The scan is a function over partitions plus a merge of partial inventories
(:mod:`baomi.engine.scan`); here the function runs on a Dask cluster's workers and the rest
stays where ``baomi scan`` runs (the *coordinator*). With :func:`scan_on_dask` (what
``--engine dask`` runs) the coordinator only plans: a large CSV/TSV is cut into byte ranges
and a Parquet file into row groups, which the workers read themselves while one of them
classifies the columns (its result sent with every range's scan), and any other file is read and
scanned whole by one worker (:mod:`baomi.engine.scan.ranges`; small files in a row several to
a task, :func:`scan_files_on_worker`); it then merges the
partial inventories and appends the findings in file and range order (workers send them as
``findings.jsonl`` lines, so the coordinator's share stays small) — :class:`Coordinator`, which
the database scan on Dask (:mod:`baomi.databases.distributed`) shares. So ``inventory.json``
(the individuals count included) and ``findings.jsonl`` are byte for byte those of a scan in
one process (the ``created`` time aside). :class:`DaskEngine` is the older shape: the
coordinator reads the partitions and sends their cells (``scan_paths(engine=…)``).

What a worker gets, once per scan (:class:`WorkerSetup`, scattered to every worker): the
recognizer registry, the options and the scan's *seed* — a random 63-bit number drawn for this
scan only that keys the in-memory value hashes (distinct counts, the individuals count); it is
not derived from any stored key and is worthless after the scan. No key of the installation is
sent. Per task a worker gets a path and a byte range (or row groups, or a database key range
with the database's URL and credentials) and reads the data itself, so it needs read access at
the same path; what it sends back (findings, keyed hashes) is derived from personal
information — use a ``tls://`` scheduler address on a network you do not control
(docs/scale.md "## Dask").

Worker functions are top-level and picklable; a worker keeps one scan context per thread (the
analyzer, and with ``--prose`` the model, are built once per scan, not once per partition).
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import shutil
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from baomi.engine.contracts.inventory import InventoryNote
from baomi.engine.documents.files import iter_files
from baomi.engine.inventory import InventoryMerger, PartialInventory
from baomi.engine.readers import open_source
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.collector import write_ndjson
from baomi.engine.scan.kernels import scan_partition, scan_text_batch
from baomi.engine.scan.model import (
    Partition,
    ProgressFn,
    ScanContext,
    ScanOptions,
    ScanResult,
)
from baomi.engine.scan.partitions import FilePartitions
from baomi.engine.scan.ranges import (
    CsvRange,
    CutFile,
    Guided,
    Layout,
    RangeScan,
    RowGroups,
    cut_file,
    has_titles,
    plan_layout,
    range_rows,
    read_part,
    scan_read,
    scan_titles,
)
from baomi.engine.scan.report import _inventory
from baomi.engine.scan.run import (
    TEXT_BATCH_BYTES,
    NdjsonFindings,
    Scanned,
    _document,
    _write_findings,
    discard,
    finish_record,
    new_record,
    publish,
)
from baomi.errors import UnreadableFileError

if TYPE_CHECKING:  # imported when used: Dask (and what it imports) only for --engine dask
    from distributed import Client, Future

#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT = 10
#: Partitions in flight per worker thread: one scanning, one queued (or in transit).
AHEAD_PER_THREAD = 2
#: Results that may wait on the workers for an earlier one to be merged, per task in flight.
HELD_PER_AHEAD = 2
#: A range is ``1 / (GUIDED_PER_THREAD × worker threads)`` of the file's bytes still to cut
#: (see :class:`~baomi.engine.scan.ranges.Guided`): large ranges first, small ones last.
GUIDED_PER_THREAD = 2
#: Bytes copied at a time when the coordinator appends a spooled partition's findings.
SPOOL_COPY_BYTES = 1024 * 1024
#: Polars threads of a local cluster's worker process (one Dask thread each).
WORKER_POLARS_THREADS = 1
#: The smallest range task (bytes): below it the per-task costs show.
MIN_RANGE_BYTES = 1024 * 1024
#: A file not cut and at most this size is a *small file*: small files in a row are scanned
#: by one task, up to :data:`~baomi.engine.scan.run.TEXT_BATCH_BYTES` of them
#: (:func:`scan_files_on_worker`): a folder of contracts is a few tasks, not one per file.
SMALL_FILE_BYTES = 256 * 1024


class SchedulerUnreachableError(Exception):
    """The scheduler at the given address did not answer (the reason is the message)."""


@dataclass(frozen=True)
class Spool:
    """A folder in the scan's output folder where a worker that sees it leaves its findings
    (``findings.jsonl`` lines, a file per partition) for the coordinator to append, instead of
    sending them: they are ~4× the input, and crossing the network costs both sides CPU.
    ``token`` is what the folder's :data:`PROBE` file holds: a worker that reads it there sees
    the coordinator's folder (the same machine, or a shared file system at the same path)."""

    path: str
    token: str


#: The file in a :class:`Spool` folder by which a worker knows it sees the coordinator's folder.
PROBE = ".probe"


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker needs for one scan (sent once, by ``scatter``): no installation key."""

    scan: str  # this scan's id: a worker thread rebuilds its context when it changes
    registry: Registry
    options: ScanOptions
    seed: int  # the per-scan random hash seed (see the module docstring)
    spool: Spool | None = None  # where findings may be left instead of sent


@dataclass(frozen=True)
class SpooledFindings:
    """A partition's findings left by a worker in the scan's :class:`Spool` folder (``name``)
    as ``findings.jsonl`` lines, and how many findings they are."""

    name: str
    height: int


#: A partition's result as a worker gives it back to the :class:`Coordinator`.
Sent = tuple[pl.DataFrame | NdjsonFindings | SpooledFindings, PartialInventory]

_LOCAL = threading.local()


def _context(setup: WorkerSetup) -> ScanContext:
    """This worker thread's context for ``setup``'s scan (one at a time, built once)."""
    held: tuple[str, ScanContext] | None = getattr(_LOCAL, "held", None)
    if held is None or held[0] != setup.scan:
        held = (setup.scan, ScanContext(setup.registry, setup.options, setup.seed))
        _LOCAL.held = held
    return held[1]


def _spool(setup: WorkerSetup) -> Path | None:
    """``setup``'s spool folder if this worker sees it (checked once per scan and thread)."""
    held: tuple[str, Path | None] | None = getattr(_LOCAL, "spool", None)
    if held is None or held[0] != setup.scan:
        folder = None
        if setup.spool is not None:
            try:
                probe = Path(setup.spool.path, PROBE).read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError):  # not there: another machine
                probe = ""
            if secrets.compare_digest(probe, setup.spool.token):
                folder = Path(setup.spool.path)
        held = (setup.scan, folder)
        _LOCAL.spool = held
    return held[1]


def _serialised(scanned: tuple[pl.DataFrame, PartialInventory], setup: WorkerSetup) -> Sent:
    """A partition's findings as ``findings.jsonl`` lines (the coordinator only appends them):
    left in the scan's spool folder when this worker sees it, else sent."""
    found, inv = scanned
    if not found.height:
        return NdjsonFindings(b"", 0), inv
    folder = _spool(setup)
    if folder is None:
        text = io.BytesIO()
        write_ndjson(found, text)  # type: ignore[arg-type]
        return NdjsonFindings(text.getvalue(), found.height), inv
    name = f"{secrets.token_hex(12)}.jsonl"
    with open(folder / name, "wb") as part:
        write_ndjson(found, part)  # type: ignore[arg-type]
    return SpooledFindings(name, found.height), inv


def scan_on_worker(part: Partition, setup: WorkerSetup) -> Scanned:
    """The task a worker runs for a partition the coordinator read: its findings and
    partial inventory."""
    found, inv = _serialised(scan_partition(part, _context(setup)), setup)
    assert not isinstance(found, SpooledFindings), "this engine's setup has no spool"
    return found, inv


@dataclass
class WholeScan:
    """A file read and scanned whole by one worker: its partitions' results in order and its
    inventory record, or why it was skipped."""

    scanned: list[Sent]
    record: dict[str, Any] | None
    skipped: str | None = None


def scan_file_on_worker(path: Path, rel: str, file_index: int, setup: WorkerSetup) -> WholeScan:
    """The task for a file that is not cut: read and scanned as one process does it."""
    ctx = _context(setup)
    try:
        src = open_source(path, batch_rows=ctx.options.batch_rows)
    except UnreadableFileError as exc:
        return WholeScan([], None, exc.reason)
    record = new_record(rel, src)
    file_parts = FilePartitions(src, rel, file_index, ctx)
    scanned: list[Sent] = []
    errors: list[str] = []
    try:
        for part in file_parts:
            scanned.append(_serialised(scan_partition(part, ctx), setup))
    except UnreadableFileError as exc:
        if not scanned:  # nothing could be read: the file is skipped
            return WholeScan([], None, exc.reason)
        errors.append(exc.reason)
    finish_record(record, src, file_parts, errors)
    return WholeScan(scanned, record)


def scan_files_on_worker(
    jobs: Sequence[tuple[Path, str, int]], setup: WorkerSetup
) -> list[WholeScan]:
    """The task for small files in a row (``jobs``: each file's path, name and index): each
    read and scanned as :func:`scan_file_on_worker` does, with the documents' lines in a row
    found together as one process finds them (:func:`~baomi.engine.scan.kernels.scan_text_batch`:
    the same findings, a fixed cost per batch instead of per document)."""
    ctx = _context(setup)
    out: list[WholeScan] = []
    parts: list[tuple[WholeScan, Partition]] = []  # every file's partitions, in order
    for path, rel, file_index in jobs:
        try:
            src = open_source(path, batch_rows=ctx.options.batch_rows)
        except UnreadableFileError as exc:
            out.append(WholeScan([], None, exc.reason))
            continue
        whole = WholeScan([], new_record(rel, src))
        file_parts = FilePartitions(src, rel, file_index, ctx)
        errors: list[str] = []
        read: list[Partition] = []
        try:
            read.extend(file_parts)
        except UnreadableFileError as exc:
            if not read:  # nothing could be read: the file is skipped
                out.append(WholeScan([], None, exc.reason))
                continue
            errors.append(exc.reason)
        assert whole.record is not None
        finish_record(whole.record, src, file_parts, errors)
        out.append(whole)
        parts.extend((whole, part) for part in read)
    batch: list[tuple[WholeScan, Partition]] = []

    def flush() -> None:
        found = scan_text_batch([part for _, part in batch], ctx)
        for (owner, _), scanned in zip(batch, found, strict=True):
            owner.scanned.append(_serialised(scanned, setup))
        batch.clear()

    for owner, part in parts:
        if _document(part):
            batch.append((owner, part))
            if sum(p.frame.estimated_size() for _, p in batch) >= TEXT_BATCH_BYTES:
                flush()
            continue
        if batch:
            flush()
        owner.scanned.append(_serialised(scan_partition(part, ctx), setup))
    if batch:
        flush()
    return out


def layout_on_worker(path: Path, rel: str, file_index: int, setup: WorkerSetup) -> Layout | None:
    """The task classifying a cut file's columns on its first partition (``None``: the file is
    read whole after all), while other workers read its ranges."""
    ctx = _context(setup)
    try:
        src = open_source(path, batch_rows=ctx.options.batch_rows)
    except UnreadableFileError:
        return None
    return plan_layout(src, rel, file_index, ctx)


def scan_range_on_worker(
    task: CsvRange | RowGroups, offset: int, layout: Layout | None, setup: WorkerSetup
) -> RangeScan:
    """The task reading and scanning a range, its first row being data row ``offset``
    (``layout`` ``None``: the file is read whole instead, nothing is read or scanned here)."""
    if layout is None:
        return RangeScan(unplanned=True)
    done = scan_read(read_part(task), offset, layout, _context(setup))
    done.scanned = [_serialised(s, setup) for s in done.scanned]
    return done


def scan_titles_on_worker(
    path: Path, rel: str, file_index: int, rows: int, layout: Layout | None, setup: WorkerSetup
) -> RangeScan:
    """The task scanning a cut file's title rows after its ranges (``rows``: the data row
    numbers they used; ``layout`` ``None``: the file is read whole instead)."""
    if layout is None:
        return RangeScan(unplanned=True)
    done = scan_titles(path, rel, file_index, rows, _context(setup))
    done.scanned = [_serialised(s, setup) for s in done.scanned]
    return done


class DaskEngine:
    """A :class:`~baomi.engine.scan.run.RemoteEngine` on a Dask client's workers."""

    def __init__(self, client: Client, *, ahead: int | None = None) -> None:
        self.client = client
        threads = sum(client.nthreads().values()) or 1  # type: ignore[no-untyped-call]
        self.ahead = ahead or AHEAD_PER_THREAD * threads
        self._setup: Future[WorkerSetup] | None = None

    def start(self, registry: Registry, options: ScanOptions, seed: int) -> None:
        setup = WorkerSetup(secrets.token_hex(8), registry, options, seed)
        self._setup = self.client.scatter(  # type: ignore[no-untyped-call]
            setup, broadcast=True, hash=False
        )

    def submit(self, part: Partition) -> Future[Scanned]:
        assert self._setup is not None, "start() first"
        # pure=False: no hashing of the frame to name the task (each partition is new work)
        return self.client.submit(scan_on_worker, part, self._setup, pure=False)


@contextmanager
def dask_client(
    scheduler: str | None = None, *, workers: int = 2, processes: bool = True
) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler`` (``tcp://HOST:8786``, ``tls://…``), or of a
    ``LocalCluster`` of ``workers`` one-thread workers on this machine (``processes=False``:
    threads of this process, for tests). A local cluster is shut down on leaving."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except (OSError, ValueError) as exc:  # refused, timed out, a malformed address
            raise SchedulerUnreachableError(str(exc) or type(exc).__name__) from exc
        with client:
            yield client
        return
    cluster_options: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": processes,
        # the scheduler's status pages on a free port of this machine only (never 8787:
        # another cluster may hold it)
        "dashboard_address": "127.0.0.1:0",
    }
    if processes:
        # each worker's Polars pool sized to its one thread, as Dask sizes OpenMP's and the
        # BLAS libraries' (distributed.nanny.pre-spawn-environ): a pool per core in every
        # worker had the workers' threads contend for the same cores
        cluster_options["env"] = {"POLARS_MAX_THREADS": str(WORKER_POLARS_THREADS)}
    with (
        LocalCluster(**cluster_options) as cluster,  # type: ignore[no-untyped-call]
        # results fetched from the workers directly: by default a client asks the scheduler,
        # which here runs in this process, so every findings byte crossed it three times
        Client(cluster, direct_to_workers=True) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


@dataclass
class Unit:
    """A file (or database table) of the scan as the coordinator merges it, in order.

    A unit cut into ranges has its ``record`` from the start; ``failure`` names why its reading
    stopped after ``rows`` row numbers (the failing range's result given), and ``errors``
    (called once all ranges are merged, with the notes the workers sent) its record's errors.
    """

    rel: str
    record: dict[str, Any] | None = None
    skipped: dict[str, str] | None = None
    rows: int = 0  # row numbers of a unit in ranges merged so far
    failed: bool = False  # its reading failed: later ranges are dropped
    #: columns the workers could not read, with why (a note's code), in range order
    notes: dict[str, str] = field(default_factory=dict)
    failure: Callable[[int, RangeScan], str] | None = None
    errors: Callable[[Unit, list[str]], list[str]] | None = None
    failures: list[str] = field(default_factory=list)
    #: called with the unit on its first range's result: sets its record (its columns were
    #: planned while the ranges were read), or gives the file read whole instead
    start: Callable[[Unit], WholeScan | None] | None = None


class Coordinator:
    """The coordinator's side of a scan on Dask: what every worker needs sent once, at most
    ``ahead`` tasks in flight, the results merged and the findings appended in order, the
    outputs written at the end (none when the scan fails)."""

    def __init__(
        self,
        client: Client,
        registry: Registry | None,
        options: ScanOptions | None,
        out_dir: Path | None,
        ahead: int | None = None,
    ) -> None:
        options = options or ScanOptions()
        registry = registry or Registry.default()
        seed = secrets.randbits(63)
        self.client = client
        self.ctx = ScanContext(registry, options, seed)
        self.out_dir = out_dir
        self.spool: Spool | None = None
        self.sink: io.BufferedWriter | None = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.sink = open(out_dir / ".findings.jsonl.partial", "wb")  # noqa: SIM115
            self.spool = _new_spool(out_dir)
        self.setup = client.scatter(  # type: ignore[no-untyped-call]
            WorkerSetup(secrets.token_hex(8), registry, options, seed, self.spool),
            broadcast=True,
            hash=False,
        )
        self.threads = sum(client.nthreads().values()) or 1  # type: ignore[no-untyped-call]
        self.ahead = ahead or AHEAD_PER_THREAD * self.threads
        self.merger = InventoryMerger()
        self.units: list[Unit] = []
        #: tasks in flight, in order: each with its unit, or the units of a task that
        #: scans small files (its result a list of :class:`WholeScan`, one per unit)
        self.pending: deque[tuple[Unit | list[Unit], Future[Any]]] = deque()
        self.findings = 0
        self.submitted = 0  # tasks submitted by :meth:`submit`

    def __enter__(self) -> Coordinator:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            for _unit, fut in self.pending:
                fut.cancel()  # type: ignore[no-untyped-call]
            discard(self.sink, self.out_dir)
        if self.sink is not None:
            self.sink.close()
        if self.spool is not None:  # what a cancelled task may have left
            shutil.rmtree(self.spool.path, ignore_errors=True)

    def unit(self, rel: str) -> Unit:
        self.units.append(Unit(rel))
        return self.units[-1]

    def submit(
        self, unit: Unit, fn: Callable[..., Any], *args: Any, key: str | None = None
    ) -> None:
        """Run ``fn(*args)`` on a worker (``key``: the task's name, unique); its result (a
        :class:`WholeScan` or a :class:`RangeScan`) is merged into ``unit`` in submission
        order. Tasks run in submission order too (a falling priority: Dask otherwise may
        start a later range first, whose result then waits for the earlier one's merge), after
        the small tasks they wait for (the columns' layout, the row counts: priority 0)."""
        self.submitted += 1
        task = self.client.submit(fn, *args, key=key, priority=-self.submitted, pure=False)
        self.pending.append((unit, task))
        self.drain(self.ahead)

    def submit_files(self, units: list[Unit], jobs: list[tuple[Path, str, int]]) -> None:
        """Scan small files in a row (``jobs``, one per unit in ``units``) in one task
        (:func:`scan_files_on_worker`)."""
        if not jobs:
            return
        self.submitted += 1
        task = self.client.submit(
            scan_files_on_worker, jobs, self.setup, priority=-self.submitted, pure=False
        )
        self.pending.append((units, task))
        self.drain(self.ahead)

    def drain(self, limit: int) -> None:
        """Merge the results that are back, in submission order, until at most ``limit``
        tasks are still running (and at most :data:`HELD_PER_AHEAD` × ``limit`` results wait
        on the workers for an earlier one): a slow task does not keep the other workers
        idle, and what waits stays bounded."""
        from distributed import wait

        while self.pending:
            while self.pending and self.pending[0][1].done():  # type: ignore[no-untyped-call]
                self._next()
            running = [f for _u, f in self.pending if not f.done()]  # type: ignore[no-untyped-call]
            if len(running) <= limit and len(self.pending) <= HELD_PER_AHEAD * limit:
                return
            if limit and len(self.pending) <= HELD_PER_AHEAD * limit:
                wait(running, return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
            else:
                self._next()

    def _next(self) -> None:
        """Merge the oldest task's result (waiting for it)."""
        units, fut = self.pending.popleft()
        result = fut.result()
        if isinstance(units, list):
            for unit, whole in zip(units, result, strict=True):
                self._consume(unit, whole)
        else:
            self._consume(units, result)

    def _merge(self, unit: Unit, scanned: list[Sent]) -> None:
        assert unit.record is not None
        for found, inv in scanned:
            self.merger.add(inv)
            unit.record["rows"] += inv.rows
            self.findings += found.height
            if isinstance(found, SpooledFindings):
                self._append_spooled(found)
            elif self.sink is not None and found.height:
                _write_findings(found, self.sink)

    def _append_spooled(self, found: SpooledFindings) -> None:
        assert self.spool is not None and self.sink is not None
        part = Path(self.spool.path, found.name)
        if self.out_dir is not None and not self.sink.tell() and _own(part):
            # the first findings: the spooled file becomes the findings file, not copied
            self.sink.close()
            sink_path = self.out_dir / ".findings.jsonl.partial"
            os.replace(part, sink_path)
            self.sink = reopen_at_end(sink_path)
            return
        with part.open("rb") as lines:
            append_file(lines, self.sink)
        part.unlink()

    def _consume(self, unit: Unit, result: WholeScan | RangeScan) -> None:
        if isinstance(result, WholeScan):
            if result.skipped is not None:
                unit.skipped = {"path": unit.rel, "reason": result.skipped}
            else:
                unit.record = result.record
                self._merge(unit, result.scanned)
            return
        if unit.start is not None:
            start, unit.start = unit.start, None
            whole = start(unit)
            if whole is not None:  # read whole instead: its ranges are dropped
                unit.failed, unit.errors = True, None
                self._consume(unit, whole)
                return
        if unit.failed or unit.record is None:
            return
        self._merge(unit, result.scanned)
        if result.plans:  # columns beside the cells (a title row's), after the table's
            unit.record["plans"].setdefault(None, {}).update(result.plans)
        unit.record["skipped_rows"] += result.skipped
        unit.record["undecodable_rows"] += result.undecodable
        for name, why in result.notes.items():
            unit.notes.setdefault(name, why)
        unit.rows += result.rows
        if result.failed and unit.failure is not None:
            # as one process: what was read counts, nothing after it
            unit.failed = True
            reason = unit.failure(unit.rows, result)
            if not unit.rows and not unit.record["rows"]:
                unit.record, unit.skipped = None, {"path": unit.rel, "reason": reason}
            else:
                unit.failures.append(reason)

    def finish(
        self,
        progress: ProgressFn | None = None,
        total: int = 0,
        notes: Sequence[InventoryNote] = (),
    ) -> ScanResult:
        """Merge what is in flight and write the outputs (``notes``: the inventory's)."""
        self.drain(0)
        if progress:
            progress("", total, total)
        for unit in self.units:
            if unit.record is not None and unit.errors is not None:
                unit.record["errors"] = unit.errors(unit, unit.failures)
        records = [u.record for u in self.units if u.record is not None]
        skipped = [u.skipped for u in self.units if u.skipped is not None]
        inventory = _inventory(records, skipped, self.merger, self.ctx, self.findings, notes=notes)
        if self.sink is not None:
            self.sink.close()
        return publish(self.out_dir, inventory, self.findings)


def _own(path: Path) -> bool:
    """Whether this process's user owns ``path`` (a worker on another machine may not be
    the same user: its file is copied, not taken over)."""
    return not hasattr(os, "getuid") or path.stat().st_uid == os.getuid()


def reopen_at_end(path: Path) -> io.BufferedWriter:
    """``path`` opened to write after its last byte — not in append mode: into a file opened
    with ``O_APPEND`` the kernel copies nothing (``copy_file_range`` fails with EBADF,
    ``sendfile`` with EINVAL), and :func:`append_file` would copy through Python buffers."""
    sink = io.BufferedWriter(io.FileIO(path, "r+"))
    sink.seek(0, os.SEEK_END)
    return sink


def append_file(source: io.BufferedReader, sink: io.BufferedWriter) -> None:
    """Append ``source`` (from its start) to ``sink``: copied by the kernel where it can
    (``os.copy_file_range``, else ``os.sendfile``), so no byte of it passes through Python;
    else by :func:`shutil.copyfileobj`."""
    sink.flush()  # what is buffered goes first
    size = os.fstat(source.fileno()).st_size
    out = sink.fileno()
    done = 0
    for copy in _KERNEL_COPIES:
        try:
            while done < size:
                n = copy(source.fileno(), out, size - done, done)
                if not n:  # the file is shorter than it was: nothing more to copy
                    break
                done += n
            sink.seek(0, os.SEEK_END)  # the buffered writer's position, past the copied bytes
            return
        except OSError as exc:
            if done or exc.errno not in _NO_KERNEL_COPY:
                raise
    shutil.copyfileobj(source, sink, SPOOL_COPY_BYTES)


def _copy_file_range(src: int, dst: int, count: int, offset: int) -> int:
    return os.copy_file_range(src, dst, count, offset)


def _sendfile(src: int, dst: int, count: int, offset: int) -> int:
    return os.sendfile(dst, src, offset, count)


#: The kernel's ways of copying between files, tried in turn (where the OS has them).
_KERNEL_COPIES: tuple[Callable[[int, int, int, int], int], ...] = tuple(
    copy
    for name, copy in (("copy_file_range", _copy_file_range), ("sendfile", _sendfile))
    if hasattr(os, name)
)
#: Errors by which a kernel copy says it cannot copy between these files (then the next way).
_NO_KERNEL_COPY = frozenset(
    {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF}
)


def _new_spool(out_dir: Path) -> Spool:
    """A new spool folder in ``out_dir``, with the probe by which workers know they see it."""
    token = secrets.token_hex(16)
    folder = out_dir / f".findings-spool-{token[:12]}"
    folder.mkdir()
    (folder / PROBE).write_text(token, encoding="ascii")
    return Spool(str(folder), token)


def _split_record(rel: str, cut: CutFile, layout: Layout) -> dict[str, Any]:
    record = new_record(rel, cut.src)
    record |= {"skipped_rows": 0, "undecodable_rows": 0, "errors": []}
    record["plans"] = {layout.sheet: dict(zip(layout.names, layout.plans, strict=True))}
    return record


def _file_errors(unit: Unit, failures: list[str]) -> list[str]:
    return failures


def _split_failure(cut: CutFile, rows: int, result: RangeScan) -> str:
    return cut.failure_reason(rows)


@dataclass
class _SplitStart:
    """How a cut file's unit starts once its first range is back: its record from the
    layout the workers planned, or (no layout) the file scanned whole by one worker."""

    client: Client
    cut: CutFile
    layout: Layout | None
    whole: tuple[Any, ...]  # scan_file_on_worker's arguments

    def __call__(self, unit: Unit) -> WholeScan | None:
        layout = self.layout
        if layout is None:
            task = self.client.submit(scan_file_on_worker, *self.whole, pure=False)
            result: WholeScan = task.result()
            return result
        unit.record = _split_record(unit.rel, self.cut, layout)
        unit.failure = partial(_split_failure, self.cut)
        unit.errors = _file_errors
        return None


def cut_for_workers(
    path: Path, batch_rows: int, threads: int, range_bytes: int | None = None
) -> CutFile | None:
    """How :func:`scan_on_dask` cuts ``path`` for ``threads`` worker threads: ranges of
    ``range_bytes``, or by default guided (:class:`~baomi.engine.scan.ranges.Guided`: each
    range ``1 / (GUIDED_PER_THREAD × threads)`` of what is left, at least
    :data:`MIN_RANGE_BYTES`), so that the workers finish together."""
    if range_bytes:
        return cut_file(path, batch_rows, range_bytes)
    guided = Guided(GUIDED_PER_THREAD * max(1, threads))
    return cut_file(path, batch_rows, MIN_RANGE_BYTES, guided)


def scan_on_dask(
    paths: Sequence[Path],
    client: Client,
    *,
    out_dir: Path | None = None,
    registry: Registry | None = None,
    options: ScanOptions | None = None,
    progress: ProgressFn | None = None,
    range_bytes: int | None = None,
    ahead: int | None = None,
) -> ScanResult:
    """:func:`~baomi.engine.scan.run.scan_paths` with the workers reading their own
    partitions (:mod:`baomi.engine.scan.ranges`): here the files are only cut (a worker
    classifies a cut file's columns on its first partition while the others read the ranges),
    and the results merged and written in order. The outputs are byte for byte those of a
    one-process scan.

    ``range_bytes``: bytes per range task; by default ranges that shrink toward the end of
    the file (:func:`cut_for_workers`)."""
    files = list(iter_files(paths, exclude=out_dir))  # not this scan's own outputs
    total = sum(p.stat().st_size for p, _ in files if p.is_file())
    done = 0
    with Coordinator(client, registry, options, out_dir, ahead) as run:
        ctx, setup = run.ctx, run.setup
        # small files in a row, not yet sent: one task scans them (scan_files_on_worker)
        units: list[Unit] = []
        jobs: list[tuple[Path, str, int]] = []
        held = 0  # their bytes
        for file_index, (path, rel) in enumerate(files):
            if progress:
                progress(rel, done, total)
            size = path.stat().st_size if path.is_file() else 0
            cut = cut_for_workers(path, ctx.options.batch_rows, run.threads, range_bytes)
            done += size
            if cut is None and size <= SMALL_FILE_BYTES:
                units.append(run.unit(rel))
                jobs.append((path, rel, file_index))
                held += size
                if held >= TEXT_BATCH_BYTES:
                    run.submit_files(units, jobs)
                    units, jobs, held = [], [], 0
                continue
            run.submit_files(units, jobs)
            units, jobs, held = [], [], 0
            unit = run.unit(rel)
            whole = (path, rel, file_index, setup)
            if cut is None:
                run.submit(unit, scan_file_on_worker, *whole)
                continue
            # the columns are classified on a worker while the others count the ranges' rows
            layout = client.submit(layout_on_worker, *whole, pure=False)
            counts = [client.submit(range_rows, task, pure=False) for task in cut.tasks]
            # The scans take the layout and their first row numbers as values (the counts are
            # done by the time the layout is): a scan then waits on nothing a worker holds, and
            # the scheduler hands the scans out in order as workers come free. Scans waiting
            # on a worker's results were sent two to a worker, which could start the second
            # one first while the file's largest range waited behind it.
            plan = layout.result()
            unit.start = _SplitStart(client, cut, plan, whole)
            first = 0  # the range's first data row number
            for i, (task, rows) in enumerate(zip(cut.tasks, counts, strict=True)):
                # named by file and range (the task streams and dashboard show which it is)
                key = f"scan_range_on_worker-{file_index}.{i}-{secrets.token_hex(8)}"
                run.submit(unit, scan_range_on_worker, task, first, plan, setup, key=key)
                first += rows.result()
            if has_titles(cut):  # read beside the cells after the rows, as one process does
                run.submit(unit, scan_titles_on_worker, *whole[:3], first, plan, setup)
        run.submit_files(units, jobs)
        return run.finish(progress, total)


def scan_paths_dask(
    paths: Sequence[Path],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
    **scan: Any,
) -> ScanResult:
    """:func:`scan_on_dask` (``scan``: its ``out_dir``, ``registry``, ``options``,
    ``progress``, ``range_bytes``) on the scheduler at ``scheduler``, or on a LocalCluster of
    ``workers`` workers (see :func:`dask_client`)."""
    with dask_client(scheduler, workers=workers, processes=processes) as client:
        return scan_on_dask(paths, client, **scan)
