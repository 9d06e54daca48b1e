"""Where a one-process scan's wall time goes, and how fast its design could be on this machine
(issue 17: the identifier scan's 30 MB/s target).

    python bench/scan_budget.py [--csv bench/out/unique/crm_unique.csv] [--results bench/RESULTS.md]

Two kinds of child process, each a fresh interpreter as a user's ``baomi scan`` is:

* **timeline** (``--repeat`` times, the fastest kept): ``baomi scan CSV --no-prose`` with the
  scan's stages timed from the process's start — the *head* until the first partition's scan
  starts (imports, reading the first partition, classifying its columns), the *middle* until
  the last partition's scan ends (the partitions scanned on both cores, the next ones read and
  the findings written meanwhile), the *tail* until the process exits (the inventory, the
  individuals count, the last findings written).
* **columns**: one partition (``--partition``, 0-based) with one thread and one Polars thread
  (``POLARS_MAX_THREADS=1``): the CPU seconds of each column's findings, of the whole
  partition's scan (its columns, the collector), of the same scan on the partition's first
  1,024 rows (a partition's fixed cost) and of writing its findings as NDJSON, and of reading
  the whole file into partitions — what each part costs, whatever the threads.

The *bound* is what this design could reach if the middle kept both cores busy with no loss:
the head and the tail as measured (one core each: Python work under one lock) plus, on two
cores, the whole file's partitions at the measured partition's CPU per row, its findings
written at the measured rate and the file read. It tells how much of each stage the target
leaves (bench/RESULTS.md "Scan speed: where the time goes")."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_section import write_section  # noqa: E402

SECTION = "Scan: where a one-process scan's time goes (issue 17)"
TARGET_MBS = 30.0  # issue 17: `--no-prose` on the unique-notes CSV
CORES = 2
FIXED_ROWS = 1024  # a partition's fixed cost: its scan on this many rows


def _git_commit() -> str:
    # scan_bench is imported only here and in _child_env: it imports Polars (through
    # baomi.demo), which a timed child must import after baomi.cli.main has set the
    # allocator's options, as the command does
    from scan_bench import _git_commit as commit

    return commit()


def _child_env() -> dict[str, str]:
    from scan_bench import child_env

    return child_env()


def _timeline(csv: Path, out: Path) -> dict[str, Any]:
    """In the child: the CLI's scan with its stages timed (seconds since this process began)."""
    origin = time.perf_counter() - _since_start()
    events: list[tuple[str, float, float, float, float]] = []

    import functools

    import baomi.cli.main as cli
    import baomi.engine.scan.run as run  # what the command imports before it scans

    imported = time.perf_counter() - origin

    def timed(name: str) -> None:
        inner = getattr(run, name)

        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter() - origin, time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                now = time.perf_counter() - origin
                events.append((name, began, now, cpu, time.process_time()))

        setattr(run, name, wrapper)

    for name in ("scan_partition", "_write_findings", "_inventory"):
        timed(name)
    sys.argv = ["baomi", "scan", str(csv), "--no-prose", "-f", "json", "-o", str(out)]
    try:
        cli.main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    return {
        "imported": imported,
        "end": time.perf_counter() - origin,
        "cpu": time.process_time(),
        "events": events,
    }


def _since_start() -> float:
    """Seconds since this process started (its start time in /proc, in clock ticks)."""
    with open("/proc/self/stat", encoding="ascii") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as f:
        uptime = float(f.read().split()[0])
    return uptime - ticks / os.sysconf("SC_CLK_TCK")


def _best(fn: Any, repeat: int = 5) -> float:
    """The least CPU seconds of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        fn()
        best = min(best, time.process_time() - began)
    return best


def _columns(csv: Path, k: int) -> dict[str, Any]:
    """In the child (one Polars thread): each column's findings, the partition's whole scan,
    writing its findings and reading the file, in CPU seconds."""
    import baomi.cli.main  # noqa: F401 - the environment `baomi` sets before Polars
    from baomi.engine.cells import column_findings
    from baomi.engine.readers import open_source
    from baomi.engine.recognizers.registry import Registry
    from baomi.engine.scan import ScanOptions
    from baomi.engine.scan.kernels import scan_partition
    from baomi.engine.scan.model import ScanContext
    from baomi.engine.scan.partitions import FilePartitions, coalesce

    options = ScanOptions(prose=False)
    ctx = ScanContext(Registry.default(), options, 1)
    parts = list(FilePartitions(open_source(csv, batch_rows=options.batch_rows), "x", 0, ctx))
    part = parts[min(k, len(parts) - 1)]
    columns = []
    for plan in part.plans:
        cells = part.frame.get_column(plan.name)
        columns.append(
            {
                "name": plan.name,
                "plan": plan.mode + (f" {plan.entity}" if plan.entity else ""),
                "mb": float(cells.str.len_bytes().sum() or 0) / 1e6,
                "cpu": _best(lambda p=plan, c=cells: column_findings(p, c, ctx.cells)),
                "findings": column_findings(plan, cells, ctx.cells).height,
            }
        )
    found, _ = scan_partition(part, ctx)
    # a partition's fixed cost: its scan on a few rows (~600 Polars queries, the regexes
    # compiled again, Python), what a partition costs however small it is
    small = dataclasses.replace(part, frame=part.frame.head(FIXED_ROWS))
    scan_partition(small, ctx)
    with tempfile.TemporaryDirectory() as tmp:
        sink = Path(tmp, "findings.jsonl")
        write = _best(lambda: found.write_ndjson(sink))

    def read() -> None:
        src = open_source(csv, batch_rows=options.batch_rows)
        for _ in coalesce(src.batches(), options.batch_rows):
            pass

    return {
        "rows": part.frame.height,
        "all_rows": sum(p.frame.height for p in parts),
        "partitions": len(parts),
        "columns": columns,
        "partition_cpu": _best(lambda: scan_partition(part, ctx)),
        "fixed_cpu": _best(lambda: scan_partition(small, ctx)),
        "findings": found.height,
        "write_cpu": write,
        "read_cpu": _best(read, 3),
    }


def _child(mode: str, csv: Path, extra: list[str], env: dict[str, str]) -> tuple[Any, float]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--csv", str(csv), *extra],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - began
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


@dataclass
class Budget:
    """One process's stages (wall and CPU seconds) and what the design could reach."""

    head: float  # start → the first partition's scan
    middle: float  # → the last partition's scan's end
    tail: float  # → exit
    head_cpu: float
    middle_cpu: float
    tail_cpu: float  # until the scan returned (not the interpreter's exit)
    inventory: float
    scan_all: float  # the file's partitions, one thread, CPU s
    write_all: float  # their findings written, CPU s
    parallel: float  # the middle's parts: partitions, findings written, the file read
    bound: float  # head + parallel / CORES + tail
    need: float  # the target's wall time
    room: float  # what the target leaves the middle


def budget(tl: dict[str, Any], wall: float, cols: dict[str, Any], mb: float) -> Budget:
    """The stages of the timeline ``tl`` (a process of ``wall`` seconds) and the bound from
    one partition's costs ``cols``, for a file of ``mb`` MB."""
    scans = [(b, e, cb, ce) for n, b, e, cb, ce in tl["events"] if n == "scan_partition"]
    inventory = [(b, e) for n, b, e, _, _ in tl["events"] if n == "_inventory"]
    first, last = min(s[0] for s in scans), max(s[1] for s in scans)
    # the process's CPU seconds when the first scan began and when the last one ended
    cpu_first, cpu_last = min(s[2] for s in scans), max(s[3] for s in scans)
    head, tail = first, wall - last
    scale = cols["all_rows"] / cols["rows"]  # the partition's costs per row, for the file
    scan_all, write_all = cols["partition_cpu"] * scale, cols["write_cpu"] * scale
    parallel = scan_all + write_all + cols["read_cpu"]
    need = mb / TARGET_MBS
    return Budget(
        head=head,
        middle=last - first,
        tail=tail,
        head_cpu=cpu_first,
        middle_cpu=cpu_last - cpu_first,
        tail_cpu=tl["cpu"] - cpu_last,
        inventory=sum(e - b for b, e in inventory),
        scan_all=scan_all,
        write_all=write_all,
        parallel=parallel,
        bound=head + parallel / CORES + tail,
        need=need,
        room=need - head - tail,
    )


def render(csv: Path, runs: list[tuple[dict[str, Any], float]], cols: dict[str, Any]) -> str:
    mb = csv.stat().st_size / 1e6
    tl, wall = min(runs, key=lambda r: r[1])
    b = budget(tl, wall, cols, mb)
    head, middle, tail, cpu_first = b.head, b.middle, b.tail, b.head_cpu
    middle_cpu, tail_cpu, inv = b.middle_cpu, b.tail_cpu, b.inventory
    scan_all, write_all, parallel = b.scan_all, b.write_all, b.parallel
    bound, need, room = b.bound, b.need, b.room
    lines = [
        f"Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on `{platform.machine()}, "
        f"{os.cpu_count()} CPUs` (shared by other sessions; load average at the end "
        f"{os.getloadavg()[0]:.1f}); baomi {_git_commit()}.",
        "",
        f"Command: `make -C bench budget` (`bench/scan_budget.py`): `{csv.name}` "
        f"({mb:.1f} MB), `baomi scan --no-prose`, the fastest of {len(runs)} processes "
        f"({', '.join(f'{w:.2f}' for _, w in runs)} s).",
        "",
        "| stage | seconds | share of the wall time | CPU s (cores busy) |",
        "|---|---:|---:|---:|",
        f"| head: start → the first partition's scan (imports {tl['imported']:.2f} s, the "
        f"first partition read, its columns classified) | {head:.2f} | {head / wall:.0%} | "
        f"{cpu_first:.2f} ({cpu_first / head:.2f}) |",
        f"| middle: the {cols['partitions']} partitions scanned on {CORES} cores (the next read, "
        f"findings written meanwhile) | {middle:.2f} | {middle / wall:.0%} | "
        f"{middle_cpu:.2f} ({middle_cpu / middle:.2f}) |",
        f"| tail: the last scan's end → exit (the inventory {inv:.2f} s, of which the "
        f"individuals count) | {tail:.2f} | {tail / wall:.0%} | "
        f"{tail_cpu:.2f} (until the scan returned) |",
        f"| **whole process** | **{wall:.2f}** ({mb / wall:.1f} MB/s) | | {tl['cpu']:.2f} |",
        "",
        f"One partition (no. {cols.get('index', '?')}, {cols['rows']:,} rows, "
        f"{cols['findings']:,} findings), one thread, one Polars thread, CPU ms (best of 5):",
        "",
        "| column | plan | MB | findings | CPU ms | MB/s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for c in sorted(cols["columns"], key=lambda c: -c["cpu"]):
        rate = c["mb"] / c["cpu"] if c["cpu"] else 0.0
        lines.append(
            f"| {c['name']} | {c['plan']} | {c['mb']:.2f} | {c['findings']:,} | "
            f"{c['cpu'] * 1e3:.1f} | {rate:.0f} |"
        )
    columns_cpu = sum(c["cpu"] for c in cols["columns"])
    rest = cols["partition_cpu"] - columns_cpu
    lines += [
        f"| *the columns* | | | | **{columns_cpu * 1e3:.0f}** | |",
        f"| *the rest (counts, values hashed, links, findings in row order)* | | | | "
        f"{rest * 1e3:.0f} | |",
        f"| *the partition's scan* | | | | **{cols['partition_cpu'] * 1e3:.0f}** | |",
        f"| *of which fixed: the same scan on its first {FIXED_ROWS:,} rows* | | | | "
        f"{cols['fixed_cpu'] * 1e3:.0f} ({cols['fixed_cpu'] / cols['partition_cpu']:.0%}) | |",
        f"| *its findings written (NDJSON)* | | | | {cols['write_cpu'] * 1e3:.0f} | |",
        "",
        f"The middle's parts, one thread each: the file's partitions {scan_all:.2f} s (the "
        f"partition above, per row) + their findings written {write_all:.2f} s + the file "
        f"read {cols['read_cpu']:.2f} s = **{parallel:.2f} s of CPU**; in the process the "
        f"middle took {middle_cpu:.2f} s of CPU ({middle_cpu / parallel - 1:+.0%}: threads "
        f"sharing the cores and Polars' pool) on {middle_cpu / middle:.2f} of the {CORES} "
        f"cores. The design's bound (the middle's parts on {CORES} cores with no loss, the "
        f"head and the tail as measured): {head:.2f} + {parallel / CORES:.2f} + {tail:.2f} = "
        f"**{bound:.2f} s ({mb / bound:.1f} MB/s)**, against {wall:.2f} s measured. "
        f"{TARGET_MBS:.0f} MB/s is {need:.2f} s: "
        + (
            f"with the head and the tail as they are, the middle has {room:.2f} s, so its "
            f"parts' CPU would have to fall from {parallel:.2f} to {room * CORES:.2f} s "
            f"({1 - room * CORES / parallel:.0%} less) and run with no loss."
            if room > 0
            else f"the head and the tail alone take {head + tail:.2f} s."
        ),
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--csv", type=Path, default=HERE / "out" / "unique" / "crm_unique.csv")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--partition", type=int, default=3)
    ap.add_argument("--results", type=Path, help="write the section into this RESULTS.md")
    ap.add_argument("--child", choices=("timeline", "columns"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "timeline":
        print(json.dumps(_timeline(args.csv, args.out)))
        return 0
    if args.child == "columns":
        print(json.dumps({**_columns(args.csv, args.partition), "index": args.partition}))
        return 0
    if not args.csv.exists():
        print(f"{args.csv} not found: make -C bench unique-data", file=sys.stderr)
        return 1
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            out = Path(tmp, f"out{i}")
            runs.append(_child("timeline", args.csv, ["--out", str(out)], _child_env()))
    one = {**_child_env(), "POLARS_MAX_THREADS": "1"}
    cols, _ = _child("columns", args.csv, ["--partition", str(args.partition)], one)
    body = render(args.csv, runs, cols)
    print(body)
    if args.results:
        write_section(args.results, SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
