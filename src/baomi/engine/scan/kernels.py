"""The scan of one partition, column by column: entity columns on the vectorised fast path
(anchored regex + vectorised validation, irregular cells through the analyzer), text columns
prefiltered and analyzed, sensitive-category and age columns counted."""

from __future__ import annotations

from typing import Any

import polars as pl

from baomi.engine.batch import _from_findings, _resolve, analyze_column
from baomi.engine.columns import ColumnPlan, value_recognizers
from baomi.engine.inventory import PartialInventory
from baomi.engine.normalize import normalize
from baomi.engine.recognizers.base import (
    CONFIRMED_SCORE,
    CONTEXT_BOOST,
    PatternRecognizer,
    Recognizer,
)
from baomi.engine.scan.collector import Collector
from baomi.engine.scan.model import SENSITIVE, TEXT_COLUMN, Partition, ScanContext
from baomi.engine.types import Finding

AGE_HEADERS = ("年龄", "age")

MINOR_AGE = 14  # PIPL-28, PIPL-31: minors under fourteen


def _entity_column(col: Collector, name: str, s: pl.Series, plan: ColumnPlan) -> None:
    ctx = col.ctx
    r = ctx.by_entity[plan.entity or ""]
    stats = col.inv.column(col.part.file, col.part.sheet, name)
    stripped = s.str.strip_chars()
    nonempty = (stripped.str.len_bytes() > 0).fill_null(False)
    stats.non_empty += int(nonempty.sum())
    idx_all = pl.int_range(0, s.len(), eager=True, dtype=pl.Int64)
    if isinstance(r, PatternRecognizer) and r.fast_cell_regex:
        fast = stripped.str.contains(r.fast_cell_regex).fill_null(False)
        if type(r).excluded is not PatternRecognizer.excluded and fast.any():
            # e.g. an 18-digit cell that is a valid resident ID in a card column: per cell
            excluded = r.excluded_series(r.canonical_series(stripped.filter(fast)))
            fast = fast.scatter(fast.arg_true().filter(excluded), False)
    else:
        fast = pl.repeat(False, s.len(), eager=True)
    if isinstance(r, PatternRecognizer) and fast.any():
        vals = r.canonical_series(stripped.filter(fast))
        ok = r.validate_series(vals)
        if r.column_only:
            ok = ok.fill_null(False)
        rejected_score = r.rejected_score + CONTEXT_BOOST
        drop_rejected = r.reject_on_invalid
        lead = _leading_blanks(s.filter(fast))
        length = stripped.filter(fast).str.len_chars()
        df = pl.DataFrame(
            {
                "idx": idx_all.filter(fast),
                "start": lead.cast(pl.Int64),
                "end": (lead + length).cast(pl.Int64),
                "ok": ok,
                "v": vals,
            }
        )
        df = df.with_columns(
            score=pl.when(pl.col("ok"))
            .then(CONFIRMED_SCORE)
            .when(pl.col("ok").is_null())
            .then(r.column_score)
            .otherwise(None if drop_rejected else rejected_score)
        ).filter(pl.col("score").is_not_null() & (pl.col("score") >= ctx.options.threshold))
        df = df.with_columns(entity=pl.lit(r.entity))
        if ctx.options.explain:
            df = df.with_columns(
                recognizer=pl.lit(r.name),
                pattern=pl.lit("column:" + name),
                validation=pl.when(pl.col("ok"))
                .then(pl.lit("confirmed"))
                .when(pl.col("ok").is_null())
                .then(pl.lit("unknown"))
                .otherwise(pl.lit("rejected")),
                context=pl.lit("header:" + name),
            )
        stats.matches += df.height
        if df.height:
            stats.entities[r.entity] = stats.entities.get(r.entity, 0) + df.height
        col.add_frame(name, df.drop("ok", "v"))
        col.add_values(df.get_column("idx"), r.entity, df.get_column("v"), row_bound=True)
        if r.entity in SENSITIVE:
            col.sensitive_idx.append(df.get_column("idx"))
    slow = nonempty & ~fast
    if slow.any():
        idx = idx_all.filter(slow)
        found = _slow_cells(s.filter(slow), r, ctx)
        found = found.with_columns(idx=idx.gather(found.get_column("idx")))
        if r.column_only:
            extra = _per_cell(r, idx.to_list(), s.filter(slow).to_list(), ctx.options.threshold)
            found = _merge_column_only(found, extra)
        _count(stats, found)
        col.add_batch(name, found, row_bound=True)


def _leading_blanks(s: pl.Series) -> pl.Series:
    """Characters before the first non-blank one (0 for most cells, counted only where not)."""
    lead = pl.zeros(s.len(), dtype=pl.UInt32, eager=True)
    padded = s.str.contains(r"^\s").fill_null(False)
    if padded.any():
        idx = padded.arg_true()
        some = s.gather(idx)
        lead = lead.scatter(
            idx, some.str.len_chars() - some.str.strip_chars_start().str.len_chars()
        )
    return lead


def _slow_cells(cells: pl.Series, r: Recognizer, ctx: ScanContext) -> pl.DataFrame:
    """Findings in irregular cells of a column classified as ``r``'s entity.

    Most are the entity written differently (``+86 138-1234-5678``): cells that ``r`` alone
    matches whole are done; the rest (two numbers, a note typed into the column) get every
    text recognizer.
    """
    threshold = ctx.options.threshold
    if r.column_only or r.model_based:
        return analyze_column(cells, ctx.analyzer.text_recognizers, threshold)
    first = analyze_column(cells, [r], threshold)
    lead = cells.str.len_chars() - cells.str.strip_chars_start().str.len_chars()
    size = cells.str.strip_chars().str.len_chars()
    whole = first.filter(
        (pl.col("start") == lead.gather(first.get_column("idx")))
        & (pl.col("end") == (lead + size).gather(first.get_column("idx")))
    )
    done = whole.get_column("idx").unique()
    if done.len() == cells.len():
        return whole
    rest_idx = pl.int_range(0, cells.len(), eager=True, dtype=pl.Int64).filter(
        ~pl.int_range(0, cells.len(), eager=True, dtype=pl.Int64).is_in(done.implode())
    )
    rest = analyze_column(cells.gather(rest_idx), ctx.analyzer.text_recognizers, threshold)
    rest = rest.with_columns(idx=rest_idx.gather(rest.get_column("idx")))
    return pl.concat([whole, rest]).sort("idx", "start")


def _per_cell(r: Recognizer, rows: list[int], cells: list[str], threshold: float) -> pl.DataFrame:
    out_rows: list[int] = []
    out: list[Finding] = []
    for i, cell in zip(rows, cells, strict=True):
        for f in r.analyze_cell(cell, normalize(cell)):
            if f.score >= threshold:
                out_rows.append(i)
                out.append(f)
    return _from_findings(out_rows, out, [0] * len(out)).drop("rank")


def _merge_column_only(found: pl.DataFrame, extra: pl.DataFrame) -> pl.DataFrame:
    """Column-context findings (names, addresses) win over text findings they overlap."""
    if extra.height == 0:
        return found
    both = pl.concat(
        [
            extra.with_columns(rank=pl.lit(0, dtype=pl.Int64)),
            found.with_columns(rank=pl.lit(1, dtype=pl.Int64)),
        ]
    )
    return _resolve(both.sort("idx", "start", "rank")).drop("rank")


def _count(stats: Any, found: pl.DataFrame) -> None:
    stats.matches += found.height
    for entity, n in found.get_column("entity").value_counts().iter_rows():
        stats.entities[entity] = stats.entities.get(entity, 0) + n


def _text_column(
    col: Collector, name: str, s: pl.Series, plan: ColumnPlan | None = None, *, count: bool = True
) -> None:
    """Every cell with the text recognizers: all of them in a text column; in a skip or decoy
    column (short values, not prose) the pattern ones, but a decoy's look-alike identifier."""
    ctx = col.ctx
    key_name = None if name == TEXT_COLUMN else name
    stats = col.inv.column(col.part.file, col.part.sheet, key_name)
    cells = s
    recognizers = ctx.analyzer.text_recognizers
    if plan is not None and plan.mode != "text":
        cells = s.str.strip_chars()  # blank cells of a value column are empty
        recognizers = value_recognizers(recognizers, plan.excluded)
    if count:
        stats.non_empty += int((cells.str.len_chars() > 0).fill_null(False).sum())
    found = analyze_column(s, recognizers, ctx.options.threshold)
    _count(stats, found)
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
        if plan.mode == "entity":
            _entity_column(col, plan.name, s, plan)
        elif plan.mode == "text" or plan.name not in categories:
            # text, decoy and skip columns: every cell (skip and decoy columns for the pattern
            # recognizers, a decoy's look-alike identifier excepted), so that PI the
            # classification sample did not show is still found
            _text_column(col, plan.name, s, plan)
        else:
            _category_column(col, plan.name, s)
            _text_column(col, plan.name, s, plan, count=False)
        if plan.name.strip().lower() in AGE_HEADERS:
            _age_column(col, plan.name, s)
    return col.finish()
