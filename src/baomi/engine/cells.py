"""Which entities the cells of a table column hold: the one decision that ``baomi scan``
reports and ``baomi protect`` treats (issue 16), so that the inventory counts exactly what a
package de-identifies.

A column's class (:func:`baomi.engine.columns.classify_column`) says how its cells are read,
never which entities they may hold: every cell is checked for every entity.

* **entity** column — a cell that is the column's entity whole, in its plain shape (the
  recognizer's anchored ``fast_cell_regex``), is that entity, validated in Polars: confirmed,
  "cannot tell" at the column score, and a failed check (an ID with a typo, one that Excel cut
  to 15 significant digits) still the entity at no less than :data:`SHAPED_SCORE` — the column
  says what it is, and protect masks it (a name or address the column-context recognizer
  cannot confirm is not: they have no check character). Every other non-empty cell (a landline in a
  ``联系电话`` column, ``+86 138-1234-5678``, two numbers, a note, a value of the name's shape
  that is no name) goes through the analyzer: the column's recognizer first; cells it does
  not match whole get every text recognizer.
* **text** column — every cell with every text recognizer.
* **skip** and **decoy** columns — every cell with the pattern recognizers (short values, not
  prose), a decoy's look-alike identifiers excepted.

In every mode the column's header is context for the recognizers it names
(:func:`baomi.engine.batch.analyze_column`): a landline alone in a ``联系电话`` cell scores as
one after ``电话：``. Cells are prefiltered per recognizer in Polars, so checking every cell for
every entity costs a regex test per recognizer on the cells that are not the column's entity.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from baomi.engine import regex_thread
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.batch import (
    _FW_ANY,
    _SCHEMA,
    COLUMNS,
    _from_findings,
    _resolve,
    analyze_column,
    validation_of,
)
from baomi.engine.columns import ColumnPlan, value_recognizers
from baomi.engine.nfkc import not_nfkc
from baomi.engine.normalize import normalize
from baomi.engine.recognizers.base import (
    CONFIRMED_SCORE,
    CONTEXT_BOOST,
    SOFT_ENTITIES,
    PatternRecognizer,
    Recognizer,
)
from baomi.engine.recognizers.cn.cell import CellRecognizer
from baomi.engine.types import Finding, Validation

#: Least score of a cell of an entity column that has the entity's shape but fails its check.
SHAPED_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class CellRecognizers:
    """The recognizers a column's cells are checked with, and the threshold."""

    text: tuple[Recognizer, ...]
    #: The recognizer of an entity column's entity (the registry's first for it).
    by_entity: Mapping[str, Recognizer]
    threshold: float

    @classmethod
    def of(cls, analyzer: TextAnalyzer) -> CellRecognizers:
        by_entity: dict[str, Recognizer] = {}
        for r in analyzer.registry:
            by_entity.setdefault(r.entity, r)
        return cls(analyzer.text_recognizers, by_entity, analyzer.threshold)


#: Cells first looked at to tell whether a column repeats its values (a title, a level, a
#: bank's name), and the share of distinct values (in them, then in the whole column) above
#: which it is scanned cell by cell: copying findings costs a join, and where half the
#: values are distinct (names, e-mail addresses) it costs what it saves.
DISTINCT_SAMPLE = 2048
DISTINCT_SHARE = 0.5


def column_findings(plan: ColumnPlan, cells: pl.Series, rec: CellRecognizers) -> pl.DataFrame:
    """The findings in ``cells`` (one column's cells, String, nulls allowed) of a column
    classified as ``plan``: the columns of :func:`~baomi.engine.batch.analyze_column`,
    ``idx`` the cell's index. The scan reports them; protect treats them.

    A cell's findings depend on its text alone (protect decides a column's distinct values
    so): a column that repeats its values is scanned once per distinct value and the findings
    copied to every cell holding it, a cell's in their order. Not with a model-based
    recognizer (its tagging is batched over the texts it is given)."""
    n = len(cells)
    if n > DISTINCT_SAMPLE and not _model_based(rec):
        sample = cells.head(DISTINCT_SAMPLE).n_unique()
        if sample <= DISTINCT_SHARE * DISTINCT_SAMPLE:
            distinct = cells.unique(maintain_order=True)
            if len(distinct) <= DISTINCT_SHARE * n:
                return _copied(_findings(plan, distinct, rec), cells, distinct)
    return _findings(plan, cells, rec)


#: Most cells of columns found together by :func:`stacked_findings` (a partition's rows).
STACK_CELLS = 32_768


def stack_key(plan: ColumnPlan, rec: CellRecognizers) -> Hashable:
    """Columns whose plans have the same key have the same findings in the same cell text,
    but for their header's name in ``pattern`` (``column:…``) and ``context`` (``header:…``):
    a header matters only through which recognizers it names (context for their matches,
    their wider prefilters: :func:`~baomi.engine.batch.header_context`)."""
    header = None if plan.name.startswith("\x00") else plan.name
    named: tuple[bool, ...] = ()
    if header:
        named = tuple(r.named_by(header) for r in (*rec.text, *rec.by_entity.values()))
    return (plan.mode, plan.entity, plan.excluded, header is None, named)


def stacked_findings(
    plans: Sequence[ColumnPlan], columns: Sequence[pl.Series], rec: CellRecognizers
) -> list[pl.DataFrame]:
    """:func:`column_findings` of each column of ``columns`` under its plan of ``plans``, all
    of one :func:`stack_key`, found in one call over their cells joined: a column's findings
    depend on its cells' texts alone but for its header's name, so the columns of a wide
    table pay a column's fixed cost (some thirty Polars queries) once together."""
    if len(plans) == 1 or any(c.dtype != pl.String for c in columns):
        return [column_findings(p, c, rec) for p, c in zip(plans, columns, strict=True)]
    first = plans[0]
    joined = pl.concat([c.rename(first.name) for c in columns], rechunk=True)
    found = column_findings(first, joined, rec)
    heights = np.array([len(c) for c in columns])
    ends = np.cumsum(heights)
    which = np.searchsorted(ends, found.get_column("idx").to_numpy(), side="right")
    member = pl.Series(which, dtype=pl.Int64)
    shift = pl.Series((ends - heights)[which], dtype=pl.Int64)
    patterns = pl.Series(["column:" + p.name for p in plans]).gather(member)
    contexts = pl.Series(["header:" + p.name for p in plans]).gather(member)
    tagged = found.with_columns(
        pl.col("idx") - shift,
        pattern=pl.when(pl.col("pattern") == "column:" + first.name)
        .then(patterns)
        .otherwise(pl.col("pattern")),
        context=pl.when(pl.col("context") == "header:" + first.name)
        .then(contexts)
        .otherwise(pl.col("context")),
        _member=member,
    )
    by_member = tagged.partition_by("_member", as_dict=True, include_key=False)
    empty = found.clear()
    return [by_member.get((k,), empty) for k in range(len(plans))]


def _identifier_recognizers(rec: CellRecognizers) -> tuple[Recognizer, ...]:
    """The text recognizers of identifiers (patterns, not a name, an address or an
    organisation): what a cell an entity column's recognizer claims whole is searched with
    (an address in Latin letters is found by a pattern too, but it is not an identifier
    within an address)."""
    return tuple(t for t in rec.text if not t.model_based and t.entity not in SOFT_ENTITIES)


def _model_based(rec: CellRecognizers) -> bool:
    return any(r.model_based for r in (*rec.text, *rec.by_entity.values()))


def _copied(found: pl.DataFrame, cells: pl.Series, distinct: pl.Series) -> pl.DataFrame:
    """``found`` (findings in ``distinct``, ``idx`` its index) for every cell of ``cells``:
    by cell, and a cell's findings in the order of its value's."""
    if found.height == 0:
        return found
    codes = (
        cells.to_frame("v")
        .with_row_index("cell")
        .join(distinct.to_frame("v").with_row_index("u"), on="v", how="inner", nulls_equal=True)
        .select(pl.col("cell").cast(pl.Int64), pl.col("u").cast(pl.Int64))
    )
    return (
        found.with_row_index("_pos")
        .join(codes, left_on="idx", right_on="u", how="inner")
        .sort("cell", "_pos")
        .with_columns(idx=pl.col("cell"))
        .select(found.columns)
    )


def _findings(plan: ColumnPlan, cells: pl.Series, rec: CellRecognizers) -> pl.DataFrame:
    if plan.mode == "entity" and plan.entity in rec.by_entity:
        return _entity_cells(plan, cells, rec)
    recognizers = rec.text
    if plan.mode != "text":
        recognizers = value_recognizers(recognizers, plan.excluded)
    # the lines of a text file (the scan's internal "\x00text" column) have no header
    header = None if plan.name.startswith("\x00") else plan.name
    return analyze_column(cells, recognizers, rec.threshold, header=header)


def whole_cells(found: pl.DataFrame, cells: pl.Series, entity: str) -> pl.Series:
    """The indices of the cells whose one finding is ``entity`` over the whole (stripped)
    cell: the cells protect gives the entity column's rule, value by value."""
    single = found.group_by("idx").agg(
        n=pl.len(),
        entity=pl.col("entity").first(),
        start=pl.col("start").first(),
        end=pl.col("end").first(),
    )
    single = single.filter((pl.col("n") == 1) & (pl.col("entity") == entity))
    texts = cells.gather(single.get_column("idx"))
    lead = texts.str.len_chars() - texts.str.strip_chars_start().str.len_chars()
    size = texts.str.strip_chars().str.len_chars()
    whole = (single.get_column("start") == lead) & (single.get_column("end") == lead + size)
    return single.get_column("idx").filter(whole).sort()


def _entity_cells(plan: ColumnPlan, s: pl.Series, rec: CellRecognizers) -> pl.DataFrame:
    r = rec.by_entity[plan.entity or ""]
    stripped = s.str.strip_chars()
    nonempty = (stripped.str.len_bytes() > 0).fill_null(False)
    idx_all = pl.int_range(0, s.len(), eager=True, dtype=pl.Int64)
    if isinstance(r, PatternRecognizer) and r.fast_cell_regex:
        fast = stripped.str.contains(r.fast_cell_regex).fill_null(False)
        if type(r).excluded is not PatternRecognizer.excluded and fast.any():
            # e.g. an 18-digit cell that is a valid resident ID in a card column: per cell
            excluded = r.excluded_series(r.canonical_series(stripped.filter(fast)))
            fast = fast.scatter(fast.arg_true().filter(excluded), False)
    else:
        fast = pl.repeat(False, s.len(), eager=True)
    if r.column_only and fast.any():
        # an address of the plain shape may end in a mobile (…1号（电话13812345678）): cells
        # where an identifier is go the slow way, the identifiers found first. A prefilter's
        # hit alone (台湾省…: the permit recognizer's words) is no identifier: such a cell
        # stays the column's entity like the others.
        patterns = _identifier_recognizers(rec)
        union = "|".join(f"(?:{t.prefilter})" for t in patterns if t.prefilter)
        if union:
            maybe = regex_thread.contains(stripped.filter(fast), union).fill_null(False)
            if maybe.any():
                where = fast.arg_true().filter(maybe)
                ids = analyze_column(s.gather(where), patterns, rec.threshold, plan.name)
                if ids.height:
                    fast = fast.scatter(where.gather(ids.get_column("idx").unique()), False)
    frames: list[pl.DataFrame] = []
    if isinstance(r, PatternRecognizer) and fast.any():
        shaped = _shaped_cells(plan, r, s, stripped, fast, idx_all, rec.threshold)
        frames.append(shaped)
        if shaped.height < int(fast.sum()):  # not the entity after all: checked like the rest
            fast = fast.scatter(fast.arg_true(), False).scatter(shaped.get_column("idx"), True)
    slow = nonempty & ~fast
    if slow.any():
        idx = idx_all.filter(slow)
        cells = s.filter(slow)
        if r.column_only:
            # The column's recognizer first. A cell it claims whole is that entity whole, but
            # for the identifiers in it (_identifiers_first): the prose model does not read it
            # (its spans would break up an address the column says is one); only the other
            # cells are analysed with every text recognizer, the prose model included.
            extra = _per_cell(r, idx, cells, rec.threshold)
            claimed = _claimed_whole(extra, idx, cells)
            open_cells = ~claimed
            found = _text_findings(cells.filter(open_cells), idx.filter(open_cells), r, rec, plan)
            patterns = _identifier_recognizers(rec)
            if claimed.any():
                ids = analyze_column(cells.filter(claimed), patterns, rec.threshold, plan.name)
                ids = ids.with_columns(idx=idx.filter(claimed).gather(ids.get_column("idx")))
                found = pl.concat([found, ids]).sort("idx", "start", maintain_order=True)
            extra = _identifiers_first(extra, found, idx, cells, r, rec.threshold, patterns)
            found = _merge_column_only(found, extra)
        else:
            found = _text_findings(cells, idx, r, rec, plan)
        frames.append(found.select(COLUMNS))
    if not frames:
        return analyze_column(s.head(0), [], rec.threshold)
    return pl.concat(frames)


def _shaped_cells(
    plan: ColumnPlan,
    r: PatternRecognizer,
    s: pl.Series,
    stripped: pl.Series,
    fast: pl.Series,
    idx_all: pl.Series,
    threshold: float,
) -> pl.DataFrame:
    """The cells that are ``r``'s entity in its plain shape, validated vectorised."""
    vals = r.canonical_series(stripped.filter(fast))
    ok = r.validate_series(vals)
    if r.column_only:
        ok = ok.fill_null(False)
    lead = _leading_blanks(s.filter(fast))
    length = stripped.filter(fast).str.len_chars()
    rejected: float | None = r.rejected_score + CONTEXT_BOOST
    if r.chance_valid is not None:  # a check character failed: the column says what it is
        rejected = max(r.rejected_score + CONTEXT_BOOST, SHAPED_SCORE)
    elif r.reject_on_invalid:
        rejected = None  # dropped
    df = pl.DataFrame(
        {
            "idx": idx_all.filter(fast),
            "start": lead.cast(pl.Int64),
            "end": (lead + length).cast(pl.Int64),
            "ok": ok,
            "value": vals,
        }
    )
    return (
        df.with_columns(
            score=pl.when(pl.col("ok"))
            .then(CONFIRMED_SCORE)
            .when(pl.col("ok").is_null())
            .then(r.column_score)
            .otherwise(rejected)
        )
        .filter(pl.col("score").is_not_null() & (pl.col("score") >= threshold))
        .with_columns(
            entity=pl.lit(r.entity),
            recognizer=pl.lit(r.name),
            pattern=pl.lit("column:" + plan.name),
            validation=validation_of(pl.col("ok")),
            context=pl.lit("header:" + plan.name),
        )
        .select(COLUMNS)
    )


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


def _text_findings(
    cells: pl.Series, idx: pl.Series, r: Recognizer, rec: CellRecognizers, plan: ColumnPlan
) -> pl.DataFrame:
    """:func:`_slow_cells` of ``cells``, ``idx`` their indices in the column."""
    found = _slow_cells(cells, r, rec, plan.name)
    return found.with_columns(idx=idx.gather(found.get_column("idx")))


def _claimed_whole(extra: pl.DataFrame, idx: pl.Series, cells: pl.Series) -> pl.Series:
    """Which of ``cells`` (``idx`` their indices) a finding of ``extra`` covers whole, from
    the first non-blank character to the last."""
    if extra.height == 0:
        return pl.repeat(False, cells.len(), eager=True)
    lead = cells.str.len_chars() - cells.str.strip_chars_start().str.len_chars()
    size = cells.str.strip_chars().str.len_chars()
    bounds = pl.DataFrame(
        {"idx": idx, "_s": lead.cast(pl.Int64), "_e": (lead + size).cast(pl.Int64)}
    )
    whole = (
        extra.select("idx", "start", "end")
        .join(bounds, on="idx")
        .filter((pl.col("start") == pl.col("_s")) & (pl.col("end") == pl.col("_e")))
        .get_column("idx")
    )
    return idx.is_in(whole.implode())


def _identifiers_first(
    extra: pl.DataFrame,
    found: pl.DataFrame,
    idx: pl.Series,
    cells: pl.Series,
    r: Recognizer,
    threshold: float,
    patterns: Sequence[Recognizer],
) -> pl.DataFrame:
    """The column findings ``extra`` of ``r`` (names, addresses, organisations), where one
    overlaps an identifier a pattern recognizer found in the cell (``found``): that cell's
    column findings are what ``r`` finds in the text between its identifiers.

    An address cell ending in a mobile (上海市…1号 13812345678) reports the mobile and the
    address; the column's span over both would otherwise win or lose whole on its score."""
    names = [t.name for t in patterns]
    ids = found.filter(pl.col("recognizer").is_in(names)).select("idx", "start", "end")
    if ids.height == 0 or extra.height == 0:
        return extra
    clash = (
        extra.select("idx", _s="start", _e="end")
        .join(ids, on="idx")
        .filter((pl.col("start") < pl.col("_e")) & (pl.col("_s") < pl.col("end")))
        .get_column("idx")
        .unique()
    )
    if clash.len() == 0:
        return extra
    text_of = dict(zip(idx.to_list(), cells.to_list(), strict=True))
    spans: dict[int, list[tuple[int, int]]] = {}
    for i, start, end in ids.filter(pl.col("idx").is_in(clash.implode())).iter_rows():
        spans.setdefault(i, []).append((start, end))
    out_rows: list[int] = []
    out: list[Finding] = []
    for i, taken in spans.items():
        cell, pos = text_of[i], 0
        for start, end in [*sorted(taken), (len(cell), len(cell))]:
            gap = cell[pos:start]
            for f in r.analyze_cell(gap, normalize(gap)) if gap.strip() else ():
                if f.score >= threshold:
                    out_rows.append(i)
                    out.append(replace(f, start=f.start + pos, end=f.end + pos))
            pos = max(pos, end)
    gaps = _from_findings(out_rows, out, [0] * len(out)).drop("rank")
    kept = extra.filter(~pl.col("idx").is_in(clash.implode()))
    return pl.concat([kept, gaps]).sort("idx", "start", maintain_order=True)


def _slow_cells(cells: pl.Series, r: Recognizer, rec: CellRecognizers, header: str) -> pl.DataFrame:
    """Findings in the irregular cells of a column classified as ``r``'s entity.

    Most are the entity written differently (``+86 138-1234-5678``): cells that ``r`` alone
    matches whole are done; the rest (a landline in a phone column, two numbers, a note typed
    into the column) get every text recognizer, with the header as context.
    """
    threshold = rec.threshold
    if r.column_only or r.model_based:
        return analyze_column(cells, rec.text, threshold, header=header)
    # the column's own recognizer first, scored as before the header was context (the
    # findings of the v1 contract fixtures keep their bytes)
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
    every = pl.int_range(0, cells.len(), eager=True, dtype=pl.Int64)
    rest_idx = every.filter(~every.is_in(done.implode()))
    rest = analyze_column(cells.gather(rest_idx), rec.text, threshold, header=header)
    rest = rest.with_columns(idx=rest_idx.gather(rest.get_column("idx")))
    return pl.concat([whole, rest]).sort("idx", "start")


def _per_cell(r: Recognizer, idx: pl.Series, cells: pl.Series, threshold: float) -> pl.DataFrame:
    """``r``'s findings cell by cell (``r.analyze_cell``); a column-only recognizer that
    classifies in Polars (:meth:`CellRecognizer.classify_series`) does so for the cells that
    normalisation and stripping leave as they are, the same findings without a Python call
    per cell."""
    frames: list[pl.DataFrame] = []
    rest = pl.repeat(True, cells.len(), eager=True)
    verdict = r.classify_series(cells) if isinstance(r, CellRecognizer) else None
    if verdict is not None:
        vec = _plain(cells) & ~verdict.get_column("python")
        rest = ~vec
        hit = vec & verdict.get_column("score").is_not_null()
        hit = hit & (verdict.get_column("score") >= threshold)
        if hit.any():
            texts = cells.filter(hit)
            frames.append(
                pl.DataFrame(
                    {
                        "idx": idx.filter(hit),
                        "start": pl.zeros(texts.len(), dtype=pl.Int64, eager=True),
                        "end": texts.str.len_chars().cast(pl.Int64),
                        "entity": r.entity,
                        "score": verdict.get_column("score").filter(hit),
                        "recognizer": r.name,
                        "pattern": verdict.get_column("pattern").filter(hit),
                        "validation": Validation.UNKNOWN.value,
                        "context": pl.Series([None] * texts.len(), dtype=pl.String),
                        "value": r.canonical_series(texts),
                    }
                ).cast({k: v for k, v in _SCHEMA.items() if k != "rank"})
            )
    out_rows: list[int] = []
    out: list[Finding] = []
    if rest.any():
        for i, cell in zip(idx.filter(rest).to_list(), cells.filter(rest).to_list(), strict=True):
            for f in r.analyze_cell(cell, normalize(cell)):
                if f.score >= threshold:
                    out_rows.append(i)
                    out.append(f)
    frames.append(_from_findings(out_rows, out, [0] * len(out)).drop("rank"))
    return pl.concat(frames).sort("idx", maintain_order=True) if len(frames) > 1 else frames[0]


#: Characters whose presence makes a cell change under normalisation or Python's ``strip``
#: differently from Polars' (full-width forms, U+001C–U+001F that ``str.isspace`` counts).
_UNPLAIN = _FW_ANY[:-1] + "\x1c-\x1f]"


def _plain(cells: pl.Series) -> pl.Series:
    """Cells that :func:`normalize` and ``str.strip`` leave as they are (no full-width form,
    already NFKC, no blank at either end)."""
    plain = ~cells.str.contains(_UNPLAIN) & ~cells.str.contains(r"^\s|\s$")
    return (plain & pl.Series(~not_nfkc(cells), dtype=pl.Boolean)).fill_null(False)


def _merge_column_only(found: pl.DataFrame, extra: pl.DataFrame) -> pl.DataFrame:
    """Column-context findings (names, addresses) and text findings, overlaps resolved as
    everywhere (the higher score wins). Cells the column claims whole have no text findings
    but their identifiers, and column findings only beside them (:func:`_identifiers_first`)."""
    if extra.height == 0:
        return found
    both = pl.concat(
        [
            extra.with_columns(rank=pl.lit(0, dtype=pl.Int64)),
            found.with_columns(rank=pl.lit(1, dtype=pl.Int64)),
        ]
    )
    return _resolve(both.sort("idx", "start", "rank")).drop("rank")
