"""Shared by the database tests: a table's CSV export, as a user's export tool writes it."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from baomi.databases.source import cell_text


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
