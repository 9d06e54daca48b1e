"""Shared by the database tests: a table's CSV export, as a user's export tool writes it."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from baomi.databases.scan import DatabaseSelection, scan_database
from baomi.databases.source import cell_text
from baomi.engine.scan import ScanOptions, ScanResult


def export_csv(url: str, table: str, folder: Path, key: str = "id") -> Path:
    """``folder/TABLE.csv``: the table in key order, every cell as the scan reads it."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        result = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {key}"))
        header = list(result.keys())
        rows = [[cell_text(v) or "" for v in row] for row in result]
    engine.dispose()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def scan_two(url: str, out: Path, lock_timeout: int = 10) -> ScanResult:
    """A fast scan (no prose model, 50-row sample) of the customers and orders tables only."""
    return scan_database(
        url,
        out_dir=out,
        options=ScanOptions(prose=False, sample_rows=50),
        selection=DatabaseSelection(tables=("customers", "orders"), lock_timeout=lock_timeout),
    )


def skipped_and_rows(result: ScanResult) -> tuple[dict[str, str], dict[str, int]]:
    """Why each skipped table was skipped, and the rows of each scanned one, by table name."""
    skipped = {s.path.rsplit(".", 1)[-1]: s.reason for s in result.inventory.skipped}
    rows = {f.path.rsplit(".", 1)[-1]: f.rows for f in result.inventory.files}
    return skipped, rows
