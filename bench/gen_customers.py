"""Write the scan benchmark's customer CSV and the truth file listing every PI span.

    python bench/gen_customers.py --rows 200000 --seed 20261130 --out bench/out

Writes ``OUT/customers.csv`` (UTF-8, about 40 MB for 200,000 rows; columns 编号, 姓名, 身份证号,
手机号, 邮箱, 银行卡号, 地址, 公司, 备注) and ``OUT/customers.truth.jsonl`` (one object per span:
file, sheet, row, column, start, end, entity — the ``findings.jsonl`` keys). People come from
:mod:`baomi.demo` (Faker zh_CN names and companies, real administrative divisions, IDs and cards
with computed check digits, messy phone forms). About 40 % of the 备注 cells embed identifiers in
running text. No real person's data.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from baomi.demo import PersonFactory, TruthSpan

FILE_NAME = "customers.csv"
TRUTH_NAME = "customers.truth.jsonl"
HEADER = ("编号", "姓名", "身份证号", "手机号", "邮箱", "银行卡号", "地址", "公司", "备注")
NOTE_SHARE = 0.4


def generate(out_dir: Path, rows: int, seed: int) -> tuple[Path, Path, int]:
    """Write the CSV and its truth; return both paths and the number of spans."""
    out_dir.mkdir(parents=True, exist_ok=True)
    factory = PersonFactory(seed)
    rng = factory.rng
    csv_path, truth_path = out_dir / FILE_NAME, out_dir / TRUTH_NAME
    spans = 0
    with (
        csv_path.open("w", encoding="utf-8", newline="") as fc,
        truth_path.open("w", encoding="utf-8") as ft,
    ):
        writer = csv.writer(fc)
        writer.writerow(HEADER)

        def emit(row: int, column: str, start: int, end: int, entity: str) -> None:
            nonlocal spans
            span = TruthSpan(FILE_NAME, None, row, column, start, end, entity)
            ft.write(json.dumps(_as_dict(span), ensure_ascii=False) + "\n")
            spans += 1

        for r in range(rows):
            p = factory.person()
            cells = {
                "姓名": (p.name, "PERSON_NAME"),
                "身份证号": (factory.id_text(p), "CN_RESIDENT_ID"),
                "手机号": (factory.mobile_text(p), "CN_MOBILE"),
                "邮箱": (p.email if rng.random() < 0.9 else "", "EMAIL"),
                "银行卡号": (factory.card_text(p) if rng.random() < 0.8 else "", "BANK_CARD"),
                "地址": (p.address, "ADDRESS"),
                "公司": (p.company, "ORGANIZATION"),
            }
            for column, (value, entity) in cells.items():
                if value:
                    emit(r, column, 0, len(value), entity)
            if rng.random() < NOTE_SHARE:
                other = factory.person() if rng.random() < 0.15 else None
                note = factory.note(p, other)
                for start, end, entity in note.spans:
                    emit(r, "备注", start, end, entity)
                note_text = note.text
            else:
                note_text = factory.plain_note()
            writer.writerow([str(r + 1), *(v for v, _ in cells.values()), note_text])
    return csv_path, truth_path, spans


def _as_dict(span: TruthSpan) -> dict[str, object]:
    return {
        "file": span.file,
        "sheet": span.sheet,
        "row": span.row,
        "column": span.column,
        "start": span.start,
        "end": span.end,
        "entity": span.entity,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    csv_path, truth_path, spans = generate(args.out, args.rows, args.seed)
    size = csv_path.stat().st_size
    print(
        f"wrote {csv_path} ({args.rows:,} rows, {size / 1e6:.1f} MB) and {truth_path} "
        f"({spans:,} spans) in {time.perf_counter() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
