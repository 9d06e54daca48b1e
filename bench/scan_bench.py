"""Scan benchmark (issue 2): baomi scan against Presidio on the same generated customer CSV.

    make -C bench scan        # generates out/customers.csv if missing, installs .venv-peers

1. ``baomi scan FILE --out OUT`` as a child process: wall time and the child's peak RSS
   (``os.wait4``), then ``OUT/findings.jsonl`` is read.
2. Presidio (``presidio_runner.py`` in ``.venv-peers``): per-cell ``AnalyzerEngine.analyze`` on the
   first ``--slice`` data rows; throughput is measured on that slice and extrapolated.
3. Both are scored against the truth, per entity. Matching rule: **exact span** — a finding is a
   true positive when (row, column, start, end, entity) equals a truth span; anything else it
   reports for the seven entities is a false positive. A lenient **overlap** score (same row,
   column and entity, spans overlapping) is shown as well, to tell boundary disagreements from
   misses. Presidio is scored on its slice; baomi on all rows and on the same slice.

The tables are printed and written into ``RESULTS.md`` under ``## Scan (issue 2)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from baomi.demo import ENTITIES

HERE = Path(__file__).resolve().parent
PRESIDIO_ENTITIES = frozenset({"CN_RESIDENT_ID", "CN_MOBILE", "EMAIL", "BANK_CARD"})
SECTION = "## Scan (issue 2)"

#: (row, column, start, end, entity) of one span in the benchmark file.
Key = tuple[int, str, int, int, str]


@dataclass(frozen=True, slots=True)
class ChildRun:
    wall_s: float
    max_rss_bytes: int
    exit_code: int


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass(slots=True)
class Score:
    exact: dict[str, Counts] = field(default_factory=lambda: {e: Counts() for e in ENTITIES})
    overlap: dict[str, Counts] = field(default_factory=lambda: {e: Counts() for e in ENTITIES})
    other_entities: dict[str, int] = field(default_factory=dict)


def child_env() -> dict[str, str]:
    """This process's environment for a measured child, less ``_RJEM_MALLOC_CONF``: importing
    Polars here set it (Polars does so on import unless it is set), and a child inheriting it
    would skip the allocator settings baomi's CLI makes for itself — the bench would measure
    another allocator than a user gets (peak RSS 608 vs 453 MB, `--no-prose` on the 64 MB
    unique-notes CSV)."""
    env = dict(os.environ)
    env.pop("_RJEM_MALLOC_CONF", None)
    return env


def run_child(cmd: list[str], stdout: Path, stderr: Path) -> ChildRun:
    """Run ``cmd``; wall time, exit code and peak RSS of that child alone (``wait4``)."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped; keep Popen from waiting again
    return ChildRun(wall, usage.ru_maxrss * 1024, code)


def read_spans(path: Path, file_name: str) -> Iterator[Key]:
    """Spans of ``file_name`` from a findings or truth JSONL file (other files skipped)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            if Path(str(d["file"])).name != file_name:
                continue
            yield (int(d["row"]), str(d["column"]), int(d["start"]), int(d["end"]), d["entity"])


def score(truth: Iterable[Key], found: Iterable[Key], rows: int | None = None) -> Score:
    """Per-entity exact and overlap counts, on data rows ``< rows`` when given."""
    t = {k for k in truth if rows is None or k[0] < rows}
    s = Score()
    f: set[Key] = set()
    for k in found:
        if rows is not None and k[0] >= rows:
            continue
        if k[4] in s.exact:
            f.add(k)
        else:
            s.other_entities[k[4]] = s.other_entities.get(k[4], 0) + 1
    for k in f:
        s.exact[k[4]].tp += k in t
        s.exact[k[4]].fp += k not in t
    for k in t - f:
        s.exact[k[4]].fn += 1
    # Overlap: same row, column and entity, [start, end) intersecting.
    by_cell: dict[tuple[int, str, str], list[tuple[int, int]]] = defaultdict(list)
    for row, col, start, end, ent in t:
        by_cell[(row, col, ent)].append((start, end))
    found_cell: dict[tuple[int, str, str], list[tuple[int, int]]] = defaultdict(list)
    for row, col, start, end, ent in f:
        found_cell[(row, col, ent)].append((start, end))
        hit = any(a < end and start < b for a, b in by_cell.get((row, col, ent), ()))
        s.overlap[ent].tp += hit
        s.overlap[ent].fp += not hit
    for (row, col, ent), spans in by_cell.items():
        others = found_cell.get((row, col, ent), ())
        for a, b in spans:
            if not any(x < b and a < y for x, y in others):
                s.overlap[ent].fn += 1
    return s


def slice_bytes(path: Path, rows: int) -> int:
    """Bytes of the header line plus the first ``rows`` data lines (no quoted newlines here)."""
    total = 0
    with path.open("rb") as f:
        for i, line in enumerate(f):
            if i > rows:
                break
            total += len(line)
    return total


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _pr(c: Counts) -> str:
    return f"{_fmt(c.precision)} / {_fmt(c.recall)}"


def _better(a: Counts, b: Counts) -> bool:
    """``a`` has higher precision and higher recall than ``b`` (a missing figure counts as 0;
    a perfect 1.000 cannot be beaten, so it counts as higher)."""
    pa, pb = a.precision or 0.0, b.precision or 0.0
    ra, rb = a.recall or 0.0, b.recall or 0.0
    return (pa > pb or pa == 1.0) and (ra > rb or ra == 1.0)


def render(result: dict[str, object], scores: dict[str, Score], truth_slice: Score) -> str:
    """The markdown section (without its heading)."""
    r = result
    file_mb = float(str(r["file_bytes"])) / 1e6
    lines = [
        f"Run: {r['date']} on `{r['machine']}` (2 cores, 24 GiB; figures on this shared kind of "
        "machine vary about ±30 % run to run, so compare ratios from one run).",
        "",
        "Command: `make -C bench scan` (`bench/gen_customers.py` then `bench/scan_bench.py`)"
        f"; baomi {r['baomi_version']}; `baomi scan FILE --out DIR {r.get('baomi_args', '')}`.",
        "",
        f"Input: `bench/out/customers.csv`, {r['rows']:,} rows, {file_mb:.1f} MB, "
        f"UTF-8, generated by `gen_customers.py` (seed {r['seed']}); truth: every PI span.",
        "",
        "### Speed and memory",
        "",
        "| | baomi scan | Presidio 2.2.366 (per-cell analyze) |",
        "|---|---:|---:|",
    ]
    b_mbs = r.get("baomi_mb_s")
    p_mbs = r.get("presidio_mb_s")
    if isinstance(b_mbs, float) and isinstance(p_mbs, float):
        ratio = f"**{b_mbs / p_mbs:,.0f}×**"
    else:
        ratio = "—"
    lines += [
        f"| rows processed | {r.get('baomi_rows', '—')} (all) | {r.get('presidio_rows', '—')} "
        "(slice; full file extrapolated) |",
        f"| bytes processed | {r.get('baomi_bytes_mb', '—')} MB | {r.get('presidio_bytes_mb', '—')}"
        " MB |",
        f"| time | {r.get('baomi_wall_s', '—')} s wall (process start to exit, incl. writing "
        f"output) | {r.get('presidio_analyze_s', '—')} s in `analyze` (+ "
        f"{r.get('presidio_setup_s', '—')} s setup, not counted) |",
        f"| throughput | **{_fmtn(b_mbs)} MB/s** | **{_fmtn(p_mbs, 3)} MB/s** "
        f"({_fmtn(r.get('presidio_cells_per_s'), 0)} cells/s) |",
        f"| of which start-up (`baomi scan` of a 1-row file) | {r.get('baomi_startup_s', '—')} s"
        " | |",
        f"| full file ({r['rows']:,} rows) | {r.get('baomi_wall_s', '—')} s | "
        f"{r.get('presidio_full_s_extrapolated', '—')} s (extrapolated) |",
        f"| baomi / Presidio throughput | {ratio} | |",
        f"| peak RSS (child process, `wait4`) | {r.get('baomi_rss_mb', '—')} MB | "
        f"{r.get('presidio_rss_mb', '—')} MB |",
        "",
        "### Accuracy per entity (precision / recall, exact span match)",
        "",
        "Matching rule: a finding counts only if (row, column, start, end, entity) equals a truth "
        "span (offsets in the original cell, end exclusive; a mobile span includes a written "
        "`+86-`/`(+86)` prefix, a card span the spaces of a grouped number; see "
        "`src/baomi/demo/truth.py`). Presidio and `baomi (slice)` are scored on the first "
        f"{r.get('slice', '—')} rows; `baomi (all)` on every row. Presidio has no Chinese "
        "name, address or organisation recognizer offline (blank spaCy model), so it has no "
        "figure there.",
        "",
        "| entity | truth spans (slice) | baomi (all) | baomi (slice) | Presidio (slice) |",
        "|---|---:|---:|---:|---:|",
    ]
    wins: list[str] = []
    losses: list[str] = []
    ties: list[str] = []
    for e in ENTITIES:
        n = truth_slice.exact[e].fn
        cells = [_pr(scores[k].exact[e]) if k in scores else "—" for k in ("all", "slice")]
        if "presidio" in scores and e in PRESIDIO_ENTITIES:
            pcell = _pr(scores["presidio"].exact[e])
        else:
            pcell = "—"
        lines.append(f"| {e} | {n:,} | {cells[0]} | {cells[1]} | {pcell} |")
        if "slice" in scores and "presidio" in scores:
            b, p = scores["slice"].exact[e], scores["presidio"].exact[e]
            (wins if _better(b, p) else losses).append(e)
            if (b.precision, b.recall) == (p.precision, p.recall):
                ties.append(e)
    lines += [
        "",
        "Lenient overlap match (same row, column and entity; spans overlap), same layout:",
        "",
        "| entity | baomi (all) | baomi (slice) | Presidio (slice) |",
        "|---|---:|---:|---:|",
    ]
    for e in ENTITIES:
        cells = [_pr(scores[k].overlap[e]) if k in scores else "—" for k in ("all", "slice")]
        pcell = (
            _pr(scores["presidio"].overlap[e])
            if "presidio" in scores and e in PRESIDIO_ENTITIES
            else "—"
        )
        lines.append(f"| {e} | {cells[0]} | {cells[1]} | {pcell} |")
    others = {k: v.other_entities for k, v in scores.items() if v.other_entities}
    if others:
        lines += ["", f"Findings of entities outside the truth's seven (not scored): {others}."]
    lines += ["", "### Targets (issue 2)", ""]
    if isinstance(b_mbs, float) and isinstance(p_mbs, float):
        lines.append(
            f"- baomi ≥ 300× Presidio throughput: {'met' if b_mbs / p_mbs >= 300 else 'NOT met'} "
            f"({b_mbs / p_mbs:,.0f}×)."
        )
    if isinstance(b_mbs, float):
        lines.append(f"- baomi ≥ 20 MB/s: {'met' if b_mbs >= 20 else 'NOT met'} ({b_mbs:.1f}).")
    if wins or losses:
        verdict = "met" if not losses else f"NOT met for {', '.join(losses)}"
        if ties:
            verdict += f" ({', '.join(ties)}: both perfect, a tie)"
        lines.append(
            f"- higher precision and recall than Presidio on every entity (slice): {verdict}."
        )
    return "\n".join(lines) + "\n"


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "(commit unknown)"
    return f"at commit {out.stdout.strip()}"


def _fmtn(x: object, digits: int = 1) -> str:
    return f"{x:,.{digits}f}" if isinstance(x, (int, float)) else "—"


def write_section(results_md: Path, body: str, section: str = SECTION) -> None:
    """Replace (or append) the ``section`` heading's section, leaving other sections alone."""
    header = "# baomi benchmarks\n\nSpeed and accuracy against peers; one section per issue.\n"
    text = results_md.read_text(encoding="utf-8") if results_md.exists() else header
    start = text.find(section + "\n")
    new = f"{section}\n\n{body}"
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + new
    else:
        nxt = text.find("\n## ", start + len(section))
        text = text[:start] + new + (text[nxt + 1 :] if nxt >= 0 else "")
    results_md.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="baomi scan vs Presidio (issue 2)")
    ap.add_argument("--csv", type=Path, default=HERE / "out" / "customers.csv")
    ap.add_argument("--truth", type=Path, default=HERE / "out" / "customers.truth.jsonl")
    ap.add_argument("--seed", default="20261130", help="seed the CSV was generated with (label)")
    ap.add_argument("--slice", type=int, default=20_000, help="rows Presidio analyses")
    ap.add_argument("--work", type=Path, default=HERE / "out" / "scan-run")
    ap.add_argument("--baomi", default=str(Path(sys.executable).parent / "baomi"))
    ap.add_argument("--peers-python", default=str(HERE / ".venv-peers" / "bin" / "python"))
    ap.add_argument(
        "--baomi-findings", type=Path, help="score this findings.jsonl instead of running baomi"
    )
    ap.add_argument("--skip-presidio", action="store_true")
    ap.add_argument(
        "--baomi-args", default="", help="extra arguments for baomi scan, e.g. '--no-prose -w 2'"
    )
    ap.add_argument("--section", default=SECTION, help="RESULTS.md heading to (re)write")
    ap.add_argument("--results", type=Path, help="write the section into this RESULTS.md")
    ap.add_argument(
        "--version-note", help="what baomi code ran (default: git commit of this checkout)"
    )
    args = ap.parse_args(argv)

    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    name = args.csv.name
    file_bytes = args.csv.stat().st_size
    result: dict[str, object] = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "file_bytes": file_bytes,
        "seed": args.seed,
        "slice": args.slice,
        "baomi_version": args.version_note or _git_commit(),
        "baomi_args": args.baomi_args,
    }

    # Both children run before the truth (1.5 M spans) is loaded: a child's peak RSS must not
    # include pages of a large parent (ru_maxrss survives fork and exec on Linux).
    findings_path: Path | None = args.baomi_findings
    if findings_path is None:
        out = work / "baomi"
        cmd = [args.baomi, "scan", str(args.csv), "--out", str(out), *args.baomi_args.split()]
        print("running:", " ".join(cmd), flush=True)
        run = run_child(cmd, work / "baomi.stdout", work / "baomi.stderr")
        if run.exit_code != 0:
            print(f"baomi scan failed ({run.exit_code}); see {work}/baomi.stderr", file=sys.stderr)
            return 1
        findings_path = out / "findings.jsonl"
        tiny = work / "one_row.csv"
        with args.csv.open(encoding="utf-8") as f:
            tiny.write_text(f.readline() + f.readline(), encoding="utf-8")
        cmd = [args.baomi, "scan", str(tiny), "--out", str(work / "baomi-one-row")]
        cmd += args.baomi_args.split()
        startup = run_child(cmd, work / "one_row.stdout", work / "one_row.stderr")
        result |= {
            "baomi_startup_s": round(startup.wall_s, 2),
            "baomi_wall_s": round(run.wall_s, 2),
            "baomi_mb_s": file_bytes / 1e6 / run.wall_s,
            "baomi_rss_mb": round(run.max_rss_bytes / 2**20),
        }
    result["baomi_bytes_mb"] = f"{file_bytes / 1e6:.1f}"

    if not args.skip_presidio:
        pout = work / "presidio" / "findings.jsonl"
        cmd = [
            args.peers_python,
            str(HERE / "presidio_runner.py"),
            "--csv",
            str(args.csv),
            "--rows",
            str(args.slice),
            "--out",
            str(pout),
            "--model-dir",
            str(HERE / "out" / "spacy-zh-blank"),
        ]
        print("running:", " ".join(cmd), flush=True)
        run = run_child(cmd, work / "presidio.stdout", work / "presidio.stderr")
        if run.exit_code != 0:
            print(f"Presidio failed ({run.exit_code}); see {work}/presidio.stderr", file=sys.stderr)
            return 1
        summary = json.loads((work / "presidio.stdout").read_text().strip().splitlines()[-1])
        p_bytes = int(summary["slice_bytes"])
        p_mbs = p_bytes / 1e6 / float(summary["analyze_s"])
        result |= {
            "presidio_rows": f"{int(summary['rows']):,}",
            "presidio_bytes_mb": f"{p_bytes / 1e6:.1f}",
            "presidio_analyze_s": round(float(summary["analyze_s"]), 1),
            "presidio_setup_s": round(float(summary["setup_s"]), 1),
            "presidio_cells_per_s": round(int(summary["cells"]) / float(summary["analyze_s"])),
            "presidio_mb_s": p_mbs,
            "presidio_full_s_extrapolated": f"{file_bytes / 1e6 / p_mbs:,.0f}",
            "presidio_rss_mb": round(run.max_rss_bytes / 2**20),
        }

    print("scoring against the truth …", flush=True)
    truth = list(read_spans(args.truth, name))
    result["rows"] = max(k[0] for k in truth) + 1
    result["baomi_rows"] = f"{result['rows']:,}"
    found = list(read_spans(findings_path, name))
    scores: dict[str, Score] = {
        "all": score(truth, found),
        "slice": score(truth, found, rows=args.slice),
    }
    if not args.skip_presidio:
        scores["presidio"] = score(truth, read_spans(pout, name), rows=args.slice)
    truth_slice = score(truth, (), rows=args.slice)
    body = render(result, scores, truth_slice)
    print()
    print(body)
    (work / "result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    if args.results:
        write_section(args.results, body, args.section)
        print(f"written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
