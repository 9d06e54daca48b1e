"""The scan on Dask with 1 and 2 workers: throughput, speed-up, per-partition times and what
8 workers would give (issue 17).

    python bench/dask_bench.py --csv bench/out/customers.csv [--results bench/RESULTS.md]

Each run starts a LocalCluster of N one-thread worker processes, warms the workers up (baomi
imported, the scan context built on a small scan) and then times
:func:`~baomi.engine.scan.distributed.scan_on_dask` on the whole file (the workers read their
own byte ranges); cluster start-up is not counted, and each wall time is the fastest of
``--repeat`` scans on the warmed-up cluster (3 by default). Per-task times are the workers'
compute times from Dask's task stream (a range's row count plus its read and scan). The
projection for 8 workers cuts the file as for 8 workers (ranges shrinking toward the end),
times each range at the 1-worker run's compute seconds per byte (one range per core, the least
contended measurement), replays them in order on 8 workers (each range to the first free
worker) and adds the coordinator's part that did not overlap the worker at 1 worker (its wall
time less the tasks' sum); it cannot be faster than the coordinator cutting the file (finding
the cut points, measured alone; the columns are classified on a worker, the first task, which
the replay counts before the ranges' scans). The 2-worker run's task sum against the 1-worker
run's shows how much the cores were contended. All outputs are also checked to be
byte-identical to each other (``created`` aside).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import get_task_stream

import baomi.cli.main  # noqa: F401 - the environment `baomi` sets before Polars (engine, allocator)
from baomi.engine.scan import ScanOptions
from baomi.engine.scan.distributed import cut_for_workers, dask_client, scan_on_dask
from baomi.engine.scan.ranges import CsvRange

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_section import write_section  # noqa: E402

SECTION = "Scan on Dask (issue 17)"
PROSE_SECTION = "Scan on Dask with the prose model (issue 17)"
PROSE_NOTE = (
    "With the prose model one worker's decoder already uses every core of its machine "
    "(threads over text batches), so on 2 cores a second worker has no core of its own: here "
    "the 1-worker run is the 2-core figure, workers scale by machines, and the 8-worker "
    "projection is 8 such machines."
)
TARGET = 1.7  # issue 17: 2 workers at least 1.7x one
CREATED = re.compile(rb'"created": "[^"]*"')


@dataclass
class Run:
    workers: int
    seconds: float
    partitions: list[float] = field(default_factory=list)  # compute seconds, in order
    layout: float = 0.0  # compute seconds of the task classifying the columns (on a worker)
    outputs: tuple[bytes, bytes] = (b"", b"")


def replay(times: list[float], workers: int) -> float:
    """The makespan of ``times`` scanned in order, each by the first free worker."""
    free = [0.0] * workers
    end = 0.0
    for t in times:
        start = heapq.heappop(free)
        heapq.heappush(free, start + t)
        end = max(end, start + t)
    return end


def _outputs(out: Path) -> tuple[bytes, bytes]:
    inventory = CREATED.sub(b'"created": ""', (out / "inventory.json").read_bytes())
    return inventory, (out / "findings.jsonl").read_bytes()


def run(csv: Path, workers: int, options: ScanOptions, work: Path, repeat: int = 1) -> Run:
    """The scan of ``csv`` on a LocalCluster of ``workers`` workers: the fastest of
    ``repeat`` scans on the warmed-up cluster (the others differ from it only by what else
    the machine ran meanwhile)."""
    with dask_client(workers=workers) as client:
        # warm-up: every worker imports baomi and builds a scan context on small files (one
        # whole-file task each: two per worker, so that every worker gets some)
        warm = work / f"warm-{workers}"
        warm.mkdir(parents=True, exist_ok=True)
        with csv.open(encoding="utf-8") as f:
            head = "".join(itertools.islice(f, 200))
        for i in range(2 * workers):
            (warm / f"head-{i}.csv").write_text(head, encoding="utf-8")
        small = ScanOptions(batch_rows=20, prose=options.prose)
        scan_on_dask([warm], client, options=small)
        best: Run | None = None
        first: tuple[bytes, bytes] | None = None  # the first scan's outputs
        same = True  # every scan's outputs are the first's
        for k in range(max(1, repeat)):
            out = work / f"out-{workers}-{k}"
            with get_task_stream(client) as stream:  # type: ignore[no-untyped-call]
                t0 = time.perf_counter()
                scan_on_dask([csv], client, out_dir=out, options=options)
                seconds = time.perf_counter() - t0
            counts, scans = (
                _compute(stream.data, "range_rows"),
                _compute(stream.data, "scan_range_on_worker", "scan_file_on_worker"),
            )
            parts = [c + s for c, s in zip(counts, scans, strict=False)] + scans[len(counts) :]
            layout = sum(_compute(stream.data, "layout_on_worker"))
            outputs = _outputs(out)
            shutil.rmtree(out)
            same = same and (first is None or outputs == first)
            first = first or outputs
            if best is None or seconds < best.seconds:
                best = Run(workers, seconds, parts, layout, first)
    assert best is not None
    if not same:  # reported as not byte-identical
        best.outputs = (b"differ", str(workers).encode())
    return best


def _compute(stream: list[dict[str, Any]], *names: str) -> list[float]:
    """Compute seconds of the tasks of functions ``names``, in the order they started."""
    tasks = sorted(
        (t for t in stream if str(t["key"]).startswith(names)),
        key=lambda t: min(s["start"] for s in t["startstops"]),
    )
    return [
        sum(s["stop"] - s["start"] for s in t["startstops"] if s["action"] == "compute")
        for t in tasks
    ]


def read_seconds(csv: Path, options: ScanOptions, workers: int) -> tuple[float, list[int]]:
    """The coordinator's planning alone: the file cut (the cut points found in one pass over
    the bytes) as for ``workers`` one-thread workers; and the ranges' sizes (bytes)."""
    t0 = time.perf_counter()
    cut = cut_for_workers(csv, options.batch_rows, workers)
    seconds = time.perf_counter() - t0
    sizes = [] if cut is None else [t.end - t.start for t in cut.tasks if isinstance(t, CsvRange)]
    return seconds, sizes


def projected(one: Run, sizes: list[int], total: int) -> list[float]:
    """Task seconds of ranges of ``sizes`` bytes at the 1-worker run's seconds per byte."""
    rate = sum(one.partitions) / total
    return [rate * size for size in sizes]


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def render(
    csv: Path,
    options: ScanOptions,
    runs: list[Run],
    plan8: tuple[float, list[int]],
    cmd: str,
    load: float,
    repeat: int = 1,
) -> str:
    mb = csv.stat().st_size / 1e6
    one, two = runs[0], runs[-1]
    read, sizes8 = plan8
    overhead = max(0.0, one.seconds - sum(one.partitions) - one.layout)
    tasks8 = projected(one, sizes8, csv.stat().st_size) if sizes8 else one.partitions
    eight = max(read, one.layout + replay(tasks8, 8) + overhead)
    contention = sum(two.partitions) / sum(one.partitions)
    lines = [
        f"`{cmd}` at {_commit()}: {csv.name}, {mb:.1f} MB, "
        f"{len(two.partitions)} range tasks at 2 workers (read by the workers, scanned in "
        f"partitions of at most {options.batch_rows:,} rows), "
        f"{'with' if options.prose else 'without'} the prose model. LocalCluster of one-thread "
        "worker processes; cluster start-up and worker warm-up not counted"
        + (f"; each wall time the fastest of {repeat} scans" if repeat > 1 else "")
        + ". **The machine has "
        "2 cores shared with other sessions, and the coordinator (planning, merging, writing "
        "findings) runs on the same 2 cores as the workers**: rerun on a quiet machine for "
        f"the figure that counts (1-minute load average at the start: {load:.1f}).",
        "",
        "| workers | wall s | MB/s | speed-up | task s: median / max / sum |",
        "|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.workers} | {r.seconds:.1f} | {mb / r.seconds:.1f} | "
            f"{one.seconds / r.seconds:.2f}× | "
            f"{statistics.median(r.partitions):.2f} / {max(r.partitions):.2f} / "
            f"{sum(r.partitions):.1f} |"
        )
    lines += [
        f"| 8 (projected) | {eight:.1f} | {mb / eight:.1f} | {one.seconds / eight:.2f}× | "
        "the 1-worker run's seconds per byte, replayed |",
        "",
        f"Contention: the tasks took {contention:.2f}× the compute time with 2 "
        "workers as with 1 (1.00× on two free cores).",
        "",
        f"Projection for 8 workers: the columns classified on a worker ({one.layout:.2f} s, "
        "the scans wait for it) plus the "
        f"{len(tasks8)} ranges the file is cut into for 8 workers, each timed at the 1-worker "
        "run's seconds per byte and replayed on 8 workers in order "
        f"({replay(tasks8, 8):.1f} s) plus the coordinator's part that did not "
        f"overlap them at 1 worker ({overhead:.1f} s: merging, appending the findings, the "
        f"individuals count at the end); never below the coordinator cutting the file alone "
        f"({read:.2f} s: the cut points found in one pass over the bytes), a lower bound of "
        "the coordinator's share, which bounds the engine whatever the number of workers.",
        "",
        f"Target (issue 17): 2 workers ≥ 1.7× one — measured {one.seconds / two.seconds:.2f}× "
        + (
            "(met)."
            if one.seconds / two.seconds >= TARGET
            else "(**not met here**: with the coordinator and two workers on two busy shared "
            "cores the workers wait for cores, see the contention line; the projection "
            "assumes one free core per worker, as separate machines give)."
        ),
        "",
        *(
            [
                PROSE_NOTE,
                "",
            ]
            if options.prose
            else []
        ),
        "Outputs: inventory.json and findings.jsonl byte-identical across the runs: "
        + ("yes." if all(r.outputs == one.outputs for r in runs) else "**no**."),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--csv", type=Path, default=HERE / "out" / "customers.csv")
    ap.add_argument("--batch-rows", type=int, default=16_384, help="rows per partition")
    ap.add_argument("--prose", action="store_true", help="with the prose model (slower)")
    ap.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    ap.add_argument("--results", type=Path, help="write the section into this RESULTS.md")
    ap.add_argument("--section", help="its heading (default: by --prose)")
    ap.add_argument(
        "--repeat", type=int, default=3, help="scans per worker count (the fastest counts)"
    )
    args = ap.parse_args(argv)
    options = ScanOptions(batch_rows=args.batch_rows, prose=args.prose)
    counts = [int(n) for n in args.workers.split(",")]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for n in counts:
            r = run(args.csv, n, options, Path(tmp), args.repeat)
            print(f"{n} worker(s): {r.seconds:.1f} s, {len(r.partitions)} partitions", flush=True)
            runs.append(r)
    plan8 = read_seconds(args.csv, options, 8)
    cmd = "make -C bench dask"
    body = render(args.csv, options, runs, plan8, cmd, load, args.repeat)
    print(body)
    if args.results:
        write_section(
            args.results, args.section or (PROSE_SECTION if args.prose else SECTION), body
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
