"""The scan of one partition, column by column: every cell of every column checked for every
entity by the decision protect treats by (:mod:`baomi.engine.cells`: entity columns on the
vectorised fast path, other cells prefiltered and analysed), sensitive-category and age
columns counted."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import as_completed

import numpy as np
import polars as pl

from baomi.engine.cells import STACK_CELLS, column_findings, stack_key, stacked_findings
from baomi.engine.columns import ColumnPlan
from baomi.engine.inventory import PartialInventory
from baomi.engine.scan.collector import Collector
from baomi.engine.scan.model import TEXT_COLUMN, Partition, ScanContext

AGE_HEADERS = ("年龄", "age")

MINOR_AGE = 14  # PIPL-28, PIPL-31: minors under fourteen


def _column(
    col: Collector,
    name: str,
    s: pl.Series,
    plan: ColumnPlan,
    *,
    count: bool = True,
    found: pl.DataFrame | None = None,
    order: int | None = None,
    own: pl.DataFrame | None = None,
    non_empty: int | None = None,
) -> None:
    """Every cell of the column checked for every entity, as protect treats it
    (:func:`baomi.engine.cells.column_findings`, the one decision both use). ``found``: those
    findings when they were computed already (in another thread); ``order``: the column's
    place among the partition's columns (its findings' order within a row); ``own``: for
    links' texts, the findings of the data cells they are on (:func:`_linked_findings`);
    ``non_empty``: the column's non-empty cells when counted already (:func:`_non_empty`)."""
    ctx = col.ctx
    key_name = None if name == TEXT_COLUMN else name
    stats = col.inv.column(col.part.file, col.part.sheet, key_name)
    if count:
        if non_empty is None:
            non_empty = _non_empty(s.to_frame(plan.name), [plan])[0]
        stats.non_empty += non_empty
    if found is None:
        found = column_findings(plan, s, ctx.cells)
    counted = found if own is None else not_restated(found, own)
    stats.matches += counted.height
    for entity, n in counted.get_column("entity").value_counts().iter_rows():
        stats.entities[entity] = stats.entities.get(entity, 0) + n
    col.add_batch(
        name,
        found,
        row_bound=name != TEXT_COLUMN and col.part.bound,
        order=order,
        free_text=plan.mode == "text",
        reported=None if own is None else counted,
    )


def _non_empty(frame: pl.DataFrame, plans: Sequence[ColumnPlan]) -> list[int]:
    """The non-empty cells of each of ``plans``' columns of ``frame``, in one query (a query a
    column is a wide table's fixed cost): a blank value is empty but in free text."""
    if not plans:
        return []
    exprs = []
    for k, plan in enumerate(plans):
        cells = pl.col(plan.name) if plan.mode == "text" else pl.col(plan.name).str.strip_chars()
        exprs.append((cells.str.len_bytes() > 0).sum().alias(str(k)))
    return [int(n or 0) for n in frame.select(exprs).row(0)]


def _linked_findings(part: Partition, ctx: ScanContext) -> dict[str, pl.DataFrame]:
    """Per column of links' texts, what the rows' scan finds in the data cells those links
    are on (:class:`~baomi.engine.scan.model.LinkedCells`: the cells' column's plan, so the
    same findings): ``idx`` (the partition's row), ``entity``, ``value`` (canonical)."""
    out: dict[str, pl.DataFrame] = {}
    for cells in part.linked:
        found = column_findings(cells.plan, cells.texts, ctx.cells)
        own = found.select("idx", "entity", "value").unique(maintain_order=True)
        out.update((link, own) for link in cells.links)
    return out


def not_restated(found: pl.DataFrame, own: pl.DataFrame) -> pl.DataFrame:
    """``found`` (a column of links' texts) without the findings of the same entity and
    canonical value as a finding of the data cell its link is on (``own``, by ``idx``): that
    is the cell's identifier restated (``拨打 138…`` on the phone's cell,
    ``mailto:<the cell's e-mail>?subject=…``), counted once, in the cell. Any other finding
    (another number, a copy to someone else's address) stays, in its order."""
    if found.height == 0 or own.height == 0:
        return found
    return found.join(
        own, on=["idx", "entity", "value"], how="anti", nulls_equal=False, maintain_order="left"
    )


def _category_column(col: Collector, name: str, s: pl.Series) -> None:
    stats = col.inv.column(col.part.file, col.part.sheet, name)
    nonempty = (s.str.strip_chars().str.len_chars() > 0).fill_null(False)
    stats.non_empty += int(nonempty.sum())
    idx = pl.int_range(0, s.len(), eager=True, dtype=pl.Int64).filter(nonempty)
    col.flag_sensitive(idx, name)


def _age_column(col: Collector, name: str, s: pl.Series) -> None:
    age = s.str.extract(r"^\s*(\d{1,3})\s*(?:岁|周岁)?\s*$", 1).cast(pl.Int64, strict=False)
    minor = (age < MINOR_AGE).fill_null(False)
    n = int(minor.sum())
    if n:
        col.inv.minors += n
        col.flag_sensitive(pl.int_range(0, s.len(), eager=True, dtype=pl.Int64).filter(minor), name)


def _beside(plan: ColumnPlan, ctx: ScanContext) -> bool:
    """Whether a column is found in :attr:`ScanContext.text_pool` when there is one: free text
    and the columns of a column-context entity (names, addresses, organisations), whose cells
    are read in Python — a partition's longest columns."""
    r = ctx.cells.by_entity.get(plan.entity or "") if plan.mode == "entity" else None
    return plan.mode == "text" or (r is not None and r.column_only)


def _cost_rank(plan: ColumnPlan, ctx: ScanContext) -> int:
    """Longest first: free text (0), then columns of an entity the prose model finds —
    names, addresses, companies (1) — then the others (2)."""
    if plan.mode == "text":
        return 0
    return 1 if plan.entity in ctx.model_entities else 2


def _units(plans: Sequence[ColumnPlan], rows: int, ctx: ScanContext) -> list[list[int]]:
    """The partition's columns (by index) in the groups whose findings are found together
    (:func:`~baomi.engine.cells.stacked_findings`): columns of one stack key in the file's
    order, up to :data:`~baomi.engine.cells.STACK_CELLS` cells a group — a wide table's
    short columns. Columns of more than half that many rows are found one by one."""
    if len(plans) < 2 or 2 * rows > STACK_CELLS:
        return [[i] for i in range(len(plans))]
    open_: dict[Hashable, list[int]] = {}
    units: list[list[int]] = []
    for i, plan in enumerate(plans):
        key = stack_key(plan, ctx.cells)
        unit = open_.get(key)
        if unit is not None and (len(unit) + 1) * rows <= STACK_CELLS:
            unit.append(i)
        else:
            open_[key] = [i]
            units.append(open_[key])
    return units


def scan_partition(
    part: Partition, ctx: ScanContext, found: Mapping[int, pl.DataFrame] | None = None
) -> tuple[pl.DataFrame, PartialInventory]:
    """Scan one partition: its findings (the findings.jsonl columns) and partial inventory.

    With :attr:`ScanContext.column_pool` the columns' findings are computed side by side
    (longest first: :func:`_cost_rank`) and taken in as each one is done; with
    :attr:`ScanContext.text_pool` those of free text, names, addresses and organisations
    (:func:`_beside`) are computed there while this thread does the others. The result is
    the same as column by column. Short columns under equal plans are found together
    (:func:`_units`). ``found``: columns' findings computed already (by plan index;
    :func:`scan_text_batch`)."""
    col = Collector(part, ctx)
    categories = dict(part.categories)
    plans = list(part.plans)

    def counted(plan: ColumnPlan) -> bool:
        """Scanned and counted as a column (a category column is counted as its category)."""
        return plan.mode in ("entity", "text") or plan.name not in categories

    def take(i: int, found: pl.DataFrame | None = None) -> None:
        plan = plans[i]
        s = part.frame.get_column(plan.name)
        if counted(plan):
            # every cell of every column (skip and decoy columns for the pattern recognizers,
            # a decoy's look-alike identifier excepted), so that PI the classification
            # sample did not show is still found
            _column(
                col,
                plan.name,
                s,
                plan,
                found=found,
                order=i,
                own=own.get(plan.name),
                non_empty=non_empty.get(i),
            )
        else:
            _category_column(col, plan.name, s)
            _column(
                col, plan.name, s, plan, count=False, found=found, order=i, own=own.get(plan.name)
            )
        if plan.name.strip().lower() in AGE_HEADERS:
            _age_column(col, plan.name, s)

    for plan in plans:  # the inventory lists the columns in the file's order
        col.inv.column(part.file, part.sheet, None if plan.name == TEXT_COLUMN else plan.name)
    at = [i for i, plan in enumerate(plans) if counted(plan)]
    non_empty = dict(zip(at, _non_empty(part.frame, [plans[i] for i in at]), strict=True))
    own = _linked_findings(part, ctx) if part.linked else {}
    if found is not None:
        for i in range(len(plans)):
            take(i, found.get(i))
        return col.finish()
    units = _units(plans, part.frame.height, ctx)
    unit_of = {i: unit for unit in units for i in unit}

    def unit_findings(unit: Sequence[int]) -> dict[int, pl.DataFrame]:
        if len(unit) == 1:
            i = unit[0]
            return {i: column_findings(plans[i], part.frame.get_column(plans[i].name), ctx.cells)}
        columns = [part.frame.get_column(plans[i].name) for i in unit]
        return dict(
            zip(unit, stacked_findings([plans[i] for i in unit], columns, ctx.cells), strict=True)
        )

    done: dict[int, pl.DataFrame] = {}

    def findings_of(i: int) -> pl.DataFrame:
        if i not in done:
            done.update(unit_findings(unit_of[i]))
        return done.pop(i)

    pool = ctx.column_pool
    texts = ctx.text_pool if pool is None and len(plans) > 1 else None
    if texts is not None and any(_beside(plan, ctx) for plan in plans):
        # the longest columns found in other threads meanwhile
        pending = {
            i: future
            for unit in units
            if _beside(plans[unit[0]], ctx)
            for future in [texts.submit(unit_findings, unit)]
            for i in unit
        }
        try:
            for i in range(len(plans)):
                take(i, pending[i].result()[i] if i in pending else findings_of(i))
        finally:
            for future in pending.values():
                future.cancel()
        return col.finish()
    if pool is None or len(plans) < 2:
        for i in range(len(plans)):
            take(i, findings_of(i))
        return col.finish()
    first = sorted(units, key=lambda unit: _cost_rank(plans[unit[0]], ctx))
    futures = {pool.submit(unit_findings, unit): unit for unit in first}
    try:
        for future in as_completed(futures):
            result = future.result()
            for i in futures[future]:
                take(i, result[i])
    finally:
        for future in futures:
            future.cancel()
    return col.finish()


def scan_text_batch(
    parts: Sequence[Partition], ctx: ScanContext
) -> list[tuple[pl.DataFrame, PartialInventory]]:
    """:func:`scan_partition` of each of ``parts`` (a folder of documents: their lines, and
    what each holds beside them — a DOCX's properties), with the lines of the partitions of
    one text column under the same plan found in one call.

    A cell's findings depend on its text alone, so the findings of the lines joined are
    those of each partition's lines, shifted; one call saves each partition's fixed cost of
    a column's scan (its ~40 Polars queries, the regexes Polars compiles again), which for
    a document of a few hundred lines is most of its scan (bench/RESULTS.md)."""
    groups: dict[tuple[ColumnPlan, ...], list[int]] = {}
    for k, part in enumerate(parts):
        if len(part.plans) == 1 and part.plans[0].mode == "text":
            groups.setdefault(part.plans, []).append(k)
    found: dict[int, pl.DataFrame] = {}
    for plans, members in groups.items():
        if len(members) > 1:
            joined = [parts[k] for k in members]
            split = _split(_joined_findings(plans[0], joined, ctx), joined)
            found.update(zip(members, split, strict=True))
    return [
        scan_partition(part, ctx, {0: found[k]} if k in found else None)
        for k, part in enumerate(parts)
    ]


def _joined_findings(
    plan: ColumnPlan, parts: Sequence[Partition], ctx: ScanContext
) -> pl.DataFrame:
    lines = pl.concat([p.frame.get_column(plan.name) for p in parts], rechunk=True)
    return column_findings(plan, lines, ctx.cells)


def _split(found: pl.DataFrame, parts: Sequence[Partition]) -> list[pl.DataFrame]:
    """``found`` (findings in the lines of ``parts`` joined) for each of ``parts``: its own,
    ``idx`` its line's index in it."""
    heights = np.array([p.frame.height for p in parts])
    ends = np.cumsum(heights)
    which = np.searchsorted(ends, found.get_column("idx").to_numpy(), side="right")
    shift = pl.Series((ends - heights)[which], dtype=pl.Int64)
    tagged = found.with_columns(pl.col("idx") - shift, _part=pl.Series(which, dtype=pl.Int64))
    by_part = tagged.partition_by("_part", as_dict=True, include_key=False)
    empty = found.clear()
    return [by_part.get((k,), empty) for k in range(len(parts))]
