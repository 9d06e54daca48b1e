"""Run inside bench/.venv-kanon (anjana, pycanon, presidio-anonymizer; see requirements-kanon.txt).

    python kanon_peer.py anjana --data DIR --k 5 --supp 5 --out OUT.csv
    python kanon_peer.py pycanon --csv FILE --qi age,sex,...
    python kanon_peer.py presidio --csv FILE --rows 20000

Each prints one JSON object on stdout. Called by ``kanon_bench.py`` and ``protect_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def run_anjana(args: argparse.Namespace) -> dict[str, object]:
    import pandas as pd
    from anjana.anonymity import k_anonymity

    data = pd.read_csv(f"{args.data}/adult.csv", sep=";", dtype=str)
    qi = args.qi.split(",")
    hierarchies = {
        q: dict(
            pd.read_csv(f"{args.data}/adult_hierarchy_{q}.csv", sep=";", header=None, dtype=str)
        )
        for q in qi
    }
    started = time.perf_counter()
    out = k_anonymity(data, [], qi, args.k, args.supp, hierarchies)
    seconds = time.perf_counter() - started
    out.to_csv(args.out, sep=";", index=False)
    return {"seconds": seconds, "rows_in": len(data), "rows_out": len(out)}


def run_pycanon(args: argparse.Namespace) -> dict[str, object]:
    import pandas as pd
    from pycanon import anonymity

    data = pd.read_csv(args.csv, sep=";", dtype=str)
    qi = args.qi.split(",")
    return {"k": int(anonymity.k_anonymity(data, qi)), "rows": len(data)}


def run_presidio(args: argparse.Namespace) -> dict[str, object]:
    """Presidio AnonymizerEngine, mask operator, on every cell of the identifier columns
    (spans given: the whole cell, as a column-classified scan would give them)."""
    import csv

    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    with open(args.csv, encoding="utf-8", newline="") as fh:
        rows = [r for _, r in zip(range(args.rows), csv.DictReader(fh), strict=False)]
    columns = args.columns.split(",")
    engine = AnonymizerEngine()
    ops = {
        "DEFAULT": OperatorConfig(
            "mask", {"masking_char": "*", "chars_to_mask": 4, "from_end": False}
        )
    }
    cells = 0
    started = time.perf_counter()
    for row in rows:
        for c in columns:
            value = row[c]
            if not value:
                continue
            engine.anonymize(value, [RecognizerResult("PII", 0, len(value), 1.0)], ops)
            cells += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cells": cells, "rows": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("anjana")
    a.add_argument("--data", required=True)
    a.add_argument("--k", type=int, required=True)
    a.add_argument("--supp", type=float, default=5.0)
    a.add_argument("--out", required=True)
    a.add_argument("--qi", required=True, help="quasi-identifiers, from kanon_bench.QI")
    p = sub.add_parser("pycanon")
    p.add_argument("--csv", required=True)
    p.add_argument("--qi", required=True)
    s = sub.add_parser("presidio")
    s.add_argument("--csv", required=True)
    s.add_argument("--rows", type=int, default=20000)
    s.add_argument("--columns", required=True)
    args = parser.parse_args()
    fn = {"anjana": run_anjana, "pycanon": run_pycanon, "presidio": run_presidio}[args.cmd]
    json.dump(fn(args), sys.stdout)


if __name__ == "__main__":
    main()
