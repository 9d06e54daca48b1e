"""The scan of one partition, column by column: every cell of every column checked for every
entity by the decision protect treats by (:mod:`baomi.engine.cells`: entity columns on the
vectorised fast path, other cells prefiltered and analysed), sensitive-category and age
columns counted."""

from __future__ import annotations

import polars as pl

from baomi.engine.cells import column_findings
from baomi.engine.columns import ColumnPlan
from baomi.engine.inventory import PartialInventory
from baomi.engine.scan.collector import Collector
from baomi.engine.scan.model import TEXT_COLUMN, Partition, ScanContext

AGE_HEADERS = ("年龄", "age")

MINOR_AGE = 14  # PIPL-28, PIPL-31: minors under fourteen


def _column(
    col: Collector, name: str, s: pl.Series, plan: ColumnPlan, *, count: bool = True
) -> None:
    """Every cell of the column checked for every entity, as protect treats it
    (:func:`baomi.engine.cells.column_findings`, the one decision both use)."""
    ctx = col.ctx
    key_name = None if name == TEXT_COLUMN else name
    stats = col.inv.column(col.part.file, col.part.sheet, key_name)
    if count:
        cells = s if plan.mode == "text" else s.str.strip_chars()  # blank values are empty
        stats.non_empty += int((cells.str.len_bytes() > 0).fill_null(False).sum())
    found = column_findings(plan, s, ctx.cells)
    stats.matches += found.height
    for entity, n in found.get_column("entity").value_counts().iter_rows():
        stats.entities[entity] = stats.entities.get(entity, 0) + n
    col.add_batch(name, found, row_bound=name != TEXT_COLUMN)


def _category_column(col: Collector, name: str, s: pl.Series) -> None:
    stats = col.inv.column(col.part.file, col.part.sheet, name)
    nonempty = (s.str.strip_chars().str.len_chars() > 0).fill_null(False)
    stats.non_empty += int(nonempty.sum())
    idx = pl.int_range(0, s.len(), eager=True, dtype=pl.Int64).filter(nonempty)
    col.sensitive_idx.append(idx)


def _age_column(col: Collector, name: str, s: pl.Series) -> None:
    age = s.str.extract(r"^\s*(\d{1,3})\s*(?:岁|周岁)?\s*$", 1).cast(pl.Int64, strict=False)
    minor = (age < MINOR_AGE).fill_null(False)
    n = int(minor.sum())
    if n:
        col.inv.minors += n
        col.sensitive_idx.append(pl.int_range(0, s.len(), eager=True, dtype=pl.Int64).filter(minor))


def scan_partition(part: Partition, ctx: ScanContext) -> tuple[pl.DataFrame, PartialInventory]:
    """Scan one partition: its findings (the findings.jsonl columns) and partial inventory."""
    col = Collector(part, ctx)
    categories = dict(part.categories)
    for plan in part.plans:
        s = part.frame.get_column(plan.name)
        if plan.mode in ("entity", "text") or plan.name not in categories:
            # every cell of every column (skip and decoy columns for the pattern recognizers,
            # a decoy's look-alike identifier excepted), so that PI the classification
            # sample did not show is still found
            _column(col, plan.name, s, plan)
        else:
            _category_column(col, plan.name, s)
            _column(col, plan.name, s, plan, count=False)
        if plan.name.strip().lower() in AGE_HEADERS:
            _age_column(col, plan.name, s)
    return col.finish()
