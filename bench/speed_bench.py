"""Scan speed on data nobody tuned for (issue 17): one table, with a ceiling from the same run.

    make -C bench speed        # generates out/unique/ and out/docs/ (gen_unique.py) if missing

For each corpus (the unique-text CRM CSV and the long contracts of ``gen_unique.py``, and the
issue-2 ``customers.csv`` when it is there), interleaved, ``--repeat`` times:

1. ``baomi scan PATH --out DIR --no-prose`` as a child process (wall time from start to exit,
   peak RSS via ``os.wait4``);
2. ``baomi scan PATH --out DIR`` (the default scan, with the prose model);
3. the **ceiling**: a child Python that imports Polars, reads the same file (a CSV with
   ``pl.read_csv``, all columns as text; a ``.txt`` as lines; a ``.docx``'s ``word/document.xml``
   with its tags stripped) and finds every match of four identifier patterns (resident ID,
   mobile, e-mail, bank card) in every column with ``str.extract_all`` — Polars alone, no
   validation, no output. Whole process, like baomi's figure.

The best of the repeats is reported (the machine is shared by other sessions: the best run is
the one least disturbed), with the ratio baomi / ceiling from the same round, and the table is
written into ``RESULTS.md`` under ``## Scan speed on data nobody tuned for (issue 17)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from scan_bench import _git_commit, child_env, write_section

HERE = Path(__file__).resolve().parent
SECTION = "## Scan speed on data nobody tuned for (issue 17)"

#: The ceiling's child: Polars reads the input and matches four identifier patterns.
CEILING = r"""
import re, sys, zipfile
from pathlib import Path
import polars as pl
PATTERNS = [r"\d{17}[\dXx]", r"1[3-9]\d{9}", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
            r"\d{16,19}"]
def frames(p):
    if p.is_dir():
        for q in sorted(p.iterdir()):
            yield from frames(q)
    elif p.suffix == ".csv":
        yield pl.read_csv(p, infer_schema=False)
    elif p.suffix == ".docx":
        xml = zipfile.ZipFile(p).read("word/document.xml").decode()
        yield pl.DataFrame({"t": re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n")).split("\n")})
    else:
        yield pl.DataFrame({"t": p.read_text(encoding="utf-8").split("\n")})
n = 0
for df in frames(Path(sys.argv[1])):
    out = df.select(pl.col(c).str.extract_all(rx).list.len().sum().alias(f"{c}{k}")
                    for c in df.columns for k, rx in enumerate(PATTERNS))
    n += sum(out.row(0))
print(n)
"""


@dataclass(frozen=True, slots=True)
class Corpus:
    name: str
    path: Path
    what: str

    @property
    def bytes(self) -> int:
        if self.path.is_dir():
            return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
        return self.path.stat().st_size


@dataclass(slots=True)
class Best:
    wall: float = float("inf")
    cpu: float = float("inf")
    rss: int = 0
    runs: int = 0

    def add(self, wall: float, cpu: float, rss: int) -> None:
        self.runs += 1
        self.wall = min(self.wall, wall)
        self.cpu = min(self.cpu, cpu)
        self.rss = max(self.rss, rss)


def run_child(cmd: list[str], stdout: Path, stderr: Path) -> tuple[float, float, int, int]:
    """Run ``cmd``: wall seconds, CPU seconds (user + system), peak RSS bytes, exit code."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def corpora(out: Path) -> list[Corpus]:
    found = [
        Corpus(
            "unique notes CSV",
            out / "unique" / "crm_unique.csv",
            "`gen_unique.py`: 200,000 rows × 15 columns, Faker zh_CN, every 跟进记录 unique",
        ),
        Corpus(
            "wide CSV (95 columns)",
            out / "unique" / "crm_wide.csv",
            "`gen_unique.py --wide-only`: 50,000 rows × 95 columns (8 contacts, 3 addresses, "
            "12 months, tags, flags, remarks), most cells short",
        ),
        Corpus(
            "long documents",
            out / "docs",
            "`gen_unique.py`: 120 contracts, 40–120 KB each (100 .txt, 20 .docx)",
        ),
        Corpus(
            "issue-2 CSV (repeated notes)",
            out / "customers.csv",
            "`gen_customers.py`: 200,000 rows × 9 columns, 71,000 distinct 备注",
        ),
    ]
    return [c for c in found if c.path.exists()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baomi", default=str(Path(sys.executable).parent / "baomi"))
    ap.add_argument("--only", action="append", help="corpus names to run (default: all)")
    ap.add_argument("--no-default", action="store_true", help="skip the default (prose) scan")
    ap.add_argument("--default-repeat", type=int, help="rounds with the default scan (all)")
    ap.add_argument("--before", help="another baomi (an earlier commit): its --no-prose too")
    ap.add_argument("--results", type=Path, help="write the section into this RESULTS.md")
    ap.add_argument("--version-note", help="what baomi code ran (default: git commit)")
    args = ap.parse_args(argv)
    work = args.out / "speed-run"
    work.mkdir(parents=True, exist_ok=True)
    chosen = [c for c in corpora(args.out) if not args.only or c.name in args.only]
    kinds = ["no-prose", "ceiling"] + ([] if args.no_default else ["default"])
    kinds += ["before"] if args.before else []
    best: dict[tuple[str, str], Best] = {(c.name, k): Best() for c in chosen for k in kinds}
    started = dt.datetime.now(dt.UTC)
    for round_ in range(args.repeat):
        for c in chosen:
            for kind in kinds:
                if kind == "default" and round_ >= (args.default_repeat or args.repeat):
                    continue
                scan_out = work / "scan"
                shutil.rmtree(scan_out, ignore_errors=True)
                if kind == "ceiling":
                    cmd = [sys.executable, "-c", CEILING, str(c.path)]
                else:
                    exe = args.before if kind == "before" else args.baomi
                    cmd = [exe, "scan", str(c.path), "--out", str(scan_out), "-f", "json"]
                    cmd += [] if kind == "default" else ["--no-prose"]
                wall, cpu, rss, code = run_child(
                    cmd, work / f"{kind}.stdout", work / f"{kind}.stderr"
                )
                if code != 0:
                    sys.stderr.write((work / f"{kind}.stderr").read_text(errors="replace"))
                    raise SystemExit(f"{kind} on {c.name} failed ({code})")
                best[c.name, kind].add(wall, cpu, rss)
                print(
                    f"round {round_ + 1} {c.name:30s} {kind:9s} {wall:6.2f} s cpu {cpu:6.2f} s "
                    f"{c.bytes / 1e6 / wall:7.1f} MB/s rss {rss / 2**20:5.0f} MB",
                    file=sys.stderr,
                    flush=True,
                )
    body = render(chosen, best, args, started)
    print(body)
    if args.results:
        write_section(args.results, body, SECTION)
    return 0


def render(
    chosen: list[Corpus],
    best: dict[tuple[str, str], Best],
    args: argparse.Namespace,
    started: dt.datetime,
) -> str:
    lines = [
        f"Run: {started:%Y-%m-%d %H:%M} UTC on `{platform.machine()}, {os.cpu_count()} CPUs` "
        f"(shared by other sessions; load average at the end "
        f"{os.getloadavg()[0]:.1f}); baomi {args.version_note or _git_commit()}; best of "
        f"{args.repeat} interleaved rounds"
        + (f" ({args.default_repeat} for the default scan)" if args.default_repeat else "")
        + ".",
        "",
        "Command: `make -C bench speed` (`bench/gen_unique.py`, then `bench/speed_bench.py`).",
        "",
        "| corpus | MB | baomi `--no-prose` MB/s | default scan MB/s | Polars ceiling MB/s "
        "| ratio `--no-prose` / ceiling | ratio default / ceiling | peak RSS `--no-prose` / default |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cpu_lines = [
        "CPU seconds (user + system, best run) — what the machine's load does not change:",
        "",
        "| corpus | baomi `--no-prose` | default scan | Polars ceiling | ratio `--no-prose` / ceiling |"
        + (" before: `--no-prose` wall MB/s / CPU s |" if args.before else ""),
        "|---|---:|---:|---:|---:|" + ("---:|" if args.before else ""),
    ]
    for c in chosen:
        mb = c.bytes / 1e6
        fast, ceil = best[c.name, "no-prose"], best[c.name, "ceiling"]
        dflt = best.get((c.name, "default"))
        before = best.get((c.name, "before"))

        def rate(b: Best, mb: float = mb) -> float:
            return mb / b.wall

        d_rate = f"{rate(dflt):.1f}" if dflt else "—"
        d_ratio = f"{rate(dflt) / rate(ceil):.2f}" if dflt else "—"
        d_rss = f"{dflt.rss / 2**20:,.0f}" if dflt else "—"
        lines.append(
            f"| {c.name} | {mb:.1f} | **{rate(fast):.1f}** | **{d_rate}** | {rate(ceil):.1f} "
            f"| {rate(fast) / rate(ceil):.2f} | {d_ratio} | {fast.rss / 2**20:,.0f} / {d_rss} MB |"
        )
        row = (
            f"| {c.name} | {fast.cpu:.2f} | {dflt.cpu if dflt else float('nan'):.2f} "
            f"| {ceil.cpu:.2f} | {ceil.cpu / fast.cpu:.2f} |"
        )
        if before:
            row += f" {rate(before):.1f} / {before.cpu:.2f} |"
        cpu_lines.append(row)
    lines += ["", *cpu_lines, "", "Corpora:", ""]
    lines += [
        f"- {c.name} (`{c.path.relative_to(HERE) if c.path.is_relative_to(HERE) else c.path}`):"
        f" {c.what}."
        for c in chosen
    ]
    lines += [
        "",
        "Times are whole processes (interpreter start to exit, output written); the ceiling "
        "reads the same input with Polars and runs four identifier regexes over every column "
        "(`str.extract_all`), with no validation, context, overlap resolution or output — "
        "a bound on what any scan of the file could reach here, not an equivalent workload.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    raise SystemExit(code)
