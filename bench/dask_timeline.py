"""Where a scan on Dask spends its wall time: the workers' idle time before the first task
(planning), after the last one (the coordinator's tail: the last merge, the individuals count,
the outputs) and in between, and the coordinator's own CPU seconds (issue 17).

    python bench/dask_timeline.py --csv bench/out/customers.csv --workers 2 [--reps 2] [--tag new]

Each repetition prints one ``SUMMARY`` line (wall, head = first task's start, tail = wall
less the last task's end, spread = how long before it the first worker ran out of tasks,
busy = the workers' compute seconds summed, idle = workers × wall less busy, the workers'
processes' CPU seconds (workercpu), the coordinator process's CPU seconds, the 1-minute load average). To compare with
an older commit, run the same script with that commit's ``src`` first on ``PYTHONPATH``
(``git archive COMMIT src | tar -x -C /tmp/old``; the workers inherit it).
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time
from pathlib import Path

from distributed import get_task_stream

import baomi.cli.main  # noqa: F401 - the environment `baomi` sets before Polars (engine, allocator)
from baomi.engine.scan import ScanOptions
from baomi.engine.scan.distributed import dask_client, scan_on_dask


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--csv", type=Path, default=Path(__file__).parent / "out" / "customers.csv")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--prose", action="store_true")
    ap.add_argument("--tag", default="")
    ap.add_argument("--tasks", action="store_true", help="also print every task's interval")
    args = ap.parse_args()
    options = ScanOptions(batch_rows=16_384, prose=args.prose)
    with tempfile.TemporaryDirectory() as tmp, dask_client(workers=args.workers) as client:
        work = Path(tmp)
        warm = work / "warm"  # every worker imports baomi and builds a context first
        warm.mkdir()
        with args.csv.open(encoding="utf-8") as f:
            head = "".join(itertools.islice(f, 200))
        for i in range(2 * args.workers):
            (warm / f"head-{i}.csv").write_text(head, encoding="utf-8")
        scan_on_dask([warm], client, options=ScanOptions(batch_rows=20, prose=args.prose))
        for rep in range(args.reps):
            w0 = client.run(time.process_time)  # type: ignore[no-untyped-call]
            with get_task_stream(client) as stream:  # type: ignore[no-untyped-call]
                t0, c0 = time.time(), time.process_time()
                scan_on_dask([args.csv], client, out_dir=work / f"out{rep}", options=options)
                wall, cpu = time.time() - t0, time.process_time() - c0
            w1 = client.run(time.process_time)  # type: ignore[no-untyped-call]
            workers_cpu = sum(w1[w] - w0[w] for w in w1)
            spans = sorted(
                (s["start"] - t0, s["stop"] - t0, str(t["worker"]), str(t["key"]))
                for t in stream.data
                for s in t["startstops"]
                if s["action"] == "compute"
            )
            busy = sum(b - a for a, b, _, _ in spans)
            first, last = min(s[0] for s in spans), max(s[1] for s in spans)
            ends: dict[str, float] = {}  # each worker's last task end
            for _a, b, worker, _k in spans:
                ends[worker] = max(ends.get(worker, 0.0), b)
            print(
                f"SUMMARY {args.tag} workers={args.workers} wall={wall:.2f} head={first:.2f} "
                f"tail={wall - last:.2f} spread={last - min(ends.values()):.2f} "
                f"busy={busy:.2f} idle={args.workers * wall - busy:.2f} "
                f"coordcpu={cpu:.2f} workercpu={workers_cpu:.2f} "
                f"load={os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if args.tasks:
                for a, b, worker, key in spans:
                    print(f"  {a:6.2f} {b:6.2f} {worker[-5:]} {key[:30]}")


if __name__ == "__main__":
    main()
