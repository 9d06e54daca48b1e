"""Protect speed: ``baomi protect`` with the default policy vs Presidio's AnonymizerEngine (issue 4).

    ../.venv/bin/python bench/protect_bench.py --peers-python bench/.venv-kanon/bin/python

Input: the 200,000-row customer CSV of issue 2 (``bench/out/customers.csv``, made by
``gen_customers.py`` when missing). baomi: the whole pipeline in-process (read, classify the
columns, mask/generalise every identifier column, analyze the free-text column span by span, add
the recipient marks, write CSV + manifest, rename). Presidio: ``AnonymizerEngine.anonymize`` with
the ``mask`` operator on every non-empty cell of the same identifier columns, the span given
(no detection at all: its most favourable case), on the first 20,000 rows. Cells/s side by side.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from baomi.engine.contracts.manifest import ManifestColumn
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.registry import OperatorRegistry

sys.path.insert(0, str(Path(__file__).parent))
from results_section import write_section

HERE = Path(__file__).parent


def presidio_analyzer(args: argparse.Namespace) -> dict[str, object] | None:
    """Presidio's per-cell analyze rate on the same CSV (issue 2's runner, its own venv)."""
    runner, model = HERE / "presidio_runner.py", HERE / "out" / "spacy-zh-blank"
    if not (Path(args.analyzer_python).exists() and runner.exists() and model.exists()):
        return None
    out = subprocess.run(
        [
            args.analyzer_python,
            str(runner),
            "--csv",
            str(args.csv),
            "--rows",
            str(args.analyzer_rows),
            "--out",
            str(HERE / "out" / "protect-run" / "presidio.jsonl"),
            "--model-dir",
            str(model),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def masking_stage(frame: pl.DataFrame, columns: Sequence[ManifestColumn]) -> tuple[int, float]:
    """Cells and seconds of the default policy's operators over the identifier columns protect
    classified (marks and reading/writing left out): the part comparable with Presidio's
    AnonymizerEngine, which is handed the spans."""
    policy = load_policy_text(DEFAULT_POLICY)
    operators = OperatorRegistry.default()
    ctx = OperatorContext(keys=KeyProvider(b"bench-key-0123456789abcdef012345"), recipient="bench")
    work = []
    for c in columns:
        if c.mode != "entity" or c.operator in (None, "keep"):
            continue
        rule = policy.rule_for_entity(str(c.entity))
        assert rule is not None
        work.append((frame[c.name], str(c.entity), rule))
    for values, entity, rule in work:  # warm up (regex compilation, lookup tables)
        operators.get(rule.operator).apply_series(values.head(100), entity, rule.params, ctx)
    started = time.perf_counter()
    for values, entity, rule in work:
        operators.get(rule.operator).apply_series(values, entity, rule.params, ctx)
    seconds = time.perf_counter() - started
    return int(sum(v.drop_nulls().len() for v, _, _ in work)), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=HERE / "out" / "customers.csv")
    parser.add_argument("--peers-python", default=str(HERE / ".venv-kanon" / "bin" / "python"))
    parser.add_argument("--presidio-rows", type=int, default=20000)
    parser.add_argument(
        "--analyzer-python",
        default=str(HERE / ".venv-peers" / "bin" / "python"),
        help="issue 2's venv with presidio-analyzer, for the detect + mask row",
    )
    parser.add_argument("--analyzer-rows", type=int, default=5000)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    if not args.csv.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen_customers.py"),
                "--rows",
                "200000",
                "--seed",
                "20261130",
                "--out",
                str(args.csv.parent),
            ],
            check=True,
        )
    work = HERE / "out" / "protect-run"
    shutil.rmtree(work, ignore_errors=True)
    (work / "in").mkdir(parents=True)
    shutil.copy(args.csv, work / "in" / args.csv.name)
    frame = pl.read_csv(args.csv, infer_schema=False)
    rows, cols = frame.height, frame.width
    started = time.perf_counter()
    result = protect_paths(
        [work / "in"],
        load_policy_text(DEFAULT_POLICY),
        work / "pkg",
        keys=KeyProvider(b"bench-key-0123456789abcdef012345"),
        options=ProtectOptions(recipient="bench"),
    )
    seconds = time.perf_counter() - started
    table = (result.manifest.files[0].tables or ())[0]
    entity_cols = [c.name for c in table.columns if c.mode == "entity" and c.operator != "keep"]
    text_cols = [c.name for c in table.columns if c.mode == "text"]
    protected_cells = int(sum(frame[c].drop_nulls().len() for c in entity_cols + text_cols))
    baomi_cps = protected_cells / seconds
    stage_cells, stage_s = masking_stage(frame, table.columns)
    stage_cps = stage_cells / stage_s
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cells": protected_cells,
                "entity": entity_cols,
                "text": text_cols,
            },
            ensure_ascii=False,
        )
    )
    presidio = None
    if Path(args.peers_python).exists():
        out = subprocess.run(
            [
                args.peers_python,
                str(HERE / "kanon_peer.py"),
                "presidio",
                "--csv",
                str(args.csv),
                "--rows",
                str(args.presidio_rows),
                "--columns",
                ",".join(entity_cols),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        presidio = json.loads(out.stdout)
        print(json.dumps(presidio))
    lines = [
        f"Input: `bench/out/customers.csv` ({rows:,} rows × {cols} columns, "
        f"{args.csv.stat().st_size / 1e6:.1f} MB), default policy (`baomi policy init`), "
        f"2-core shared machine, {time.strftime('%Y-%m-%d')}; `python bench/protect_bench.py`.",
        f"baomi classified {len(entity_cols)} identifier columns ({', '.join(entity_cols)}) and "
        f"{len(text_cols)} free-text column(s) ({', '.join(text_cols) or '-'}).",
        "",
        "| tool | what is timed | rows | cells | seconds | cells/s |",
        "|---|---|---|---|---|---|",
        f"| baomi protect | read + classify + mask/generalise + analyze free text + marks + write + manifest "
        f"| {rows:,} | {protected_cells:,} | {seconds:.2f} | {baomi_cps:,.0f} |",
    ]
    lines.append(
        f"| baomi operators alone | the policy's operators on the identifier columns, "
        f"columns already classified (the work Presidio's anonymizer is timed on) "
        f"| {rows:,} | {stage_cells:,} | {stage_s:.2f} | {stage_cps:,.0f} |"
    )
    if presidio is not None:
        p_cps = float(presidio["cells"]) / float(presidio["seconds"])
        lines.append(
            f"| Presidio AnonymizerEngine (mask) | anonymize() per cell, spans given, identifier columns only "
            f"| {presidio['rows']:,} | {presidio['cells']:,} | {presidio['seconds']:.2f} | {p_cps:,.0f} |"
        )
        ratio = (
            f"Ratio: baomi protect end to end {baomi_cps / p_cps:.1f}× Presidio's anonymizer "
            f"alone (spans given); baomi's operators alone {stage_cps / p_cps:.0f}× it"
        )
        analyzed = presidio_analyzer(args)
        if analyzed is not None:
            a_cps = float(analyzed["cells"]) / float(analyzed["analyze_s"])
            both = 1 / (1 / a_cps + 1 / p_cps)
            lines.append(
                f"| Presidio AnalyzerEngine + AnonymizerEngine (mask) | detect per cell (issue 2 set-up, "
                f"`presidio_runner.py`, {analyzed['rows']:,} rows, {a_cps:,.0f} cells/s) then mask: "
                f"1 / (1/analyze + 1/mask) | | | | {both:,.0f} |"
            )
            ratio += f"; {baomi_cps / both:.0f}× Presidio detect + mask (what protect does)"
        lines += ["", ratio + ". Target: 50×."]
    write_section(args.results, "Protect (issue 4)", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
