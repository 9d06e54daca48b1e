"""The scan's partitions run on Dask (``dask.distributed``): ``baomi scan --engine dask``.

The scan is a function over partitions plus a merge of partial inventories
(:mod:`baomi.engine.scan`); here the function runs on a Dask cluster's workers and the rest
stays where ``baomi scan`` runs (the *coordinator*): it lists and reads the files, cuts them into
partitions as a one-process scan does (:class:`~baomi.engine.scan.partitions.FilePartitions`:
the same readers, column plans and row numbers), sends each partition to a worker, merges the
partial inventories in partition order and appends the findings in partition order (a worker
sends them as ``findings.jsonl`` lines, so the coordinator's share stays small). So
``inventory.json`` (the individuals count included) and ``findings.jsonl`` are byte for byte
those of a scan in one process (the ``created`` time aside).

What a worker gets, once per scan (:class:`WorkerSetup`, scattered to every worker): the
recognizer registry, the options and the scan's *seed* — a random 63-bit number drawn for this
scan only that keys the in-memory value hashes (distinct counts, the individuals count); it is
not derived from any stored key and is worthless after the scan. No key of the installation is
sent. Per task a worker gets one partition: a frame of cells, i.e. personal information — use a
``tls://`` scheduler address on a network you do not control (docs/scale.md "## Dask").

Worker functions are top-level and picklable; a worker keeps one scan context per thread (the
analyzer, and with ``--prose`` the model, are built once per scan, not once per partition).
"""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.collector import write_ndjson
from baomi.engine.scan.kernels import scan_partition
from baomi.engine.scan.model import Partition, ScanContext, ScanOptions, ScanResult
from baomi.engine.scan.run import NdjsonFindings, Scanned, scan_paths

if TYPE_CHECKING:  # imported when used: Dask (and what it imports) only for --engine dask
    from distributed import Client, Future

#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT = 10
#: Partitions in flight per worker thread: one scanning, one queued (or in transit).
AHEAD_PER_THREAD = 2


class SchedulerUnreachableError(Exception):
    """The scheduler at the given address did not answer (the reason is the message)."""


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker needs for one scan (sent once, by ``scatter``): no installation key."""

    scan: str  # this scan's id: a worker thread rebuilds its context when it changes
    registry: Registry
    options: ScanOptions
    seed: int  # the per-scan random hash seed (see the module docstring)


_LOCAL = threading.local()


def _context(setup: WorkerSetup) -> ScanContext:
    """This worker thread's context for ``setup``'s scan (one at a time, built once)."""
    held: tuple[str, ScanContext] | None = getattr(_LOCAL, "held", None)
    if held is None or held[0] != setup.scan:
        held = (setup.scan, ScanContext(setup.registry, setup.options, setup.seed))
        _LOCAL.held = held
    return held[1]


def scan_on_worker(part: Partition, setup: WorkerSetup) -> Scanned:
    """The task a worker runs: one partition's findings (as ``findings.jsonl`` lines: the
    coordinator only appends them) and partial inventory."""
    found, inv = scan_partition(part, _context(setup))
    text = io.BytesIO()
    if found.height:
        write_ndjson(found, text)  # type: ignore[arg-type]
    return NdjsonFindings(text.getvalue(), found.height), inv


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
    with (
        LocalCluster(**cluster_options) as cluster,  # type: ignore[no-untyped-call]
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def scan_paths_dask(
    paths: Sequence[Path],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
    **scan: Any,
) -> ScanResult:
    """:func:`~baomi.engine.scan.run.scan_paths` (``scan``: its ``out_dir``, ``registry``,
    ``options``, ``progress``) with the partitions scanned on Dask: on the scheduler at
    ``scheduler``, or on a LocalCluster of ``workers`` workers (see :func:`dask_client`)."""
    with dask_client(scheduler, workers=workers, processes=processes) as client:
        return scan_paths(paths, engine=DaskEngine(client), **scan)
