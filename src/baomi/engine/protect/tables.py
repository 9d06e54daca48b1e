"""Protect a table: its column plans, k-anonymity on the quasi-identifiers, identifier columns
by their operators (vectorised, once per distinct value), free-text and unclassified columns
analysed and their spans replaced, records a policy drops removed."""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl

from baomi.engine.cells import (
    STACK_CELLS,
    CellRecognizers,
    column_findings,
    stack_key,
    stacked_findings,
    whole_cells,
)
from baomi.engine.columns import ColumnPlan as CellPlan
from baomi.engine.contracts import codec
from baomi.engine.contracts.manifest import KAnonymityCriteria, KAnonymityReport, LocalRound
from baomi.engine.protect import canaries, renderings
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.hierarchy import Hierarchy, build_hierarchy
from baomi.engine.protect.kanon import Criteria, anonymize
from baomi.engine.protect.plan import ColumnPlan, plan_table
from baomi.engine.protect.policy import Rule
from baomi.engine.protect.state import ProtectRun, carries_marks, invisible_marks, model_only
from baomi.engine.protect.writers import Table


def _apply_rule(run: ProtectRun, rule: Rule, entity: str | None, values: pl.Series) -> pl.Series:
    op = run.operators.get(rule.operator)
    out = op.apply_series(values, entity, rule.params, run.ctx)
    run.note(entity, rule.operator)
    if op.removes and run.collect_originals:
        # a value the operator leaves as it is (an address that is only a division) is not
        # removed, and must not count as a leftover
        run.originals.update(
            a.strip()
            for a, b in zip(values.to_list(), out.to_list(), strict=True)
            if a and a.strip() and a != b
        )
        if op.keeps_format:
            run.produced.update(b.strip() for b in out.drop_nulls().to_list())
    if op.recipient_specific(rule.params) and fp.traceable(entity, op.keeps_format):
        run.digests.extend(fp.digest(v) for v in out.drop_nulls().unique().to_list() if v)
    if carries_marks(run, rule):
        out = renderings.render_series(out, run.marks_key)
    if invisible_marks(run, rule, "cells"):
        out = fp.mark_series(out, run.fingerprint)
    return out


def _distinct(values: pl.Series) -> pl.Series:
    """The column's distinct non-blank values (what is decided and protected, once each)."""
    distinct = values.drop_nulls().unique()
    return distinct.filter(distinct.str.strip_chars() != "")


def _text_distinct(
    run: ProtectRun, values: pl.Series, plan: ColumnPlan, rec: CellRecognizers
) -> pl.Series:
    """The distinct texts of a column analysed cell by cell that may hold anything."""
    assert plan.cells is not None
    distinct = _distinct(values)
    # the text recognizers' prefilters joined, unless the header widens one (a phone's
    # header: its cells need no word naming a phone), as the scan's analysis does
    header = plan.cells.name
    widened = any(r.prefilter_for(header) != r.prefilter for r in rec.text)
    if run.prefilter is not None and plan.cells.mode != "entity" and not widened:
        distinct = distinct.filter(distinct.str.contains(run.prefilter))
    return distinct


Decided = tuple[pl.Series, pl.DataFrame]


def _decided_together(
    run: ProtectRun, frame: pl.DataFrame, plans: Sequence[ColumnPlan], rec: CellRecognizers
) -> dict[str, Decided]:
    """The distinct texts and their findings of the analysed columns (entity columns and
    those analysed cell by cell) with few distinct texts, those whose plans have one stack
    key found together (:func:`~baomi.engine.cells.stacked_findings`: a wide table's short
    columns pay a column's fixed cost once); the others are found column by column. A table
    of more rows than half :data:`~baomi.engine.cells.STACK_CELLS` has none (a column's fixed
    cost is small beside its rows, and its distinct texts are not found twice)."""
    units: dict[Hashable, list[tuple[str, CellPlan, pl.Series]]] = {}
    if 2 * frame.height > STACK_CELLS:
        return {}
    for plan in plans:
        if plan.cells is None:
            continue
        if plan.mode == "entity" and plan.rule is not None:
            distinct = _distinct(frame[plan.name])
        elif plan.mode in ("text", "skip"):
            distinct = _text_distinct(run, frame[plan.name], plan, rec)
        else:
            continue
        if 0 < 2 * distinct.len() <= STACK_CELLS:
            units.setdefault(stack_key(plan.cells, rec), []).append(
                (plan.name, plan.cells, distinct)
            )
    out: dict[str, Decided] = {}
    for members in units.values():
        at = 0
        while len(members) - at > 1:  # a group of two or more: fewer than half the cap each
            unit: list[tuple[str, CellPlan, pl.Series]] = []
            cells = 0
            while at < len(members) and (not unit or cells + members[at][2].len() <= STACK_CELLS):
                cells += members[at][2].len()
                unit.append(members[at])
                at += 1
            found = stacked_findings([u[1] for u in unit], [u[2] for u in unit], rec)
            out.update((name, (d, f)) for (name, _, d), f in zip(unit, found, strict=True))
    return out


def _text_column(
    run: ProtectRun,
    values: pl.Series,
    plan: ColumnPlan,
    rec: CellRecognizers,
    decided: Decided | None = None,
) -> tuple[pl.Series, set[str]]:
    """A column analysed cell by cell with the entities found in it protected: the column's
    distinct texts are decided together (:func:`column_findings`, the scan's decision, which
    gives the findings :class:`TextAnalyzer` gives text by text; ``decided``: found already,
    :func:`_decided_together`) and the findings of each entity are protected together by its
    operator."""
    assert plan.cells is not None
    if decided is not None:
        distinct, found = decided
    else:
        distinct = _text_distinct(run, values, plan, rec)
        if distinct.len() == 0:
            return values, set()
        found = column_findings(plan.cells, distinct, rec)
    mapping, dropped = _apply_findings(run, distinct, found)
    if not mapping:
        return values, dropped
    return values.replace_strict(mapping, default=values, return_dtype=pl.String), dropped


def _decide_entity_column(values: pl.Series, plan: ColumnPlan, rec: CellRecognizers) -> Decided:
    """An entity column's distinct values and their findings (the scan's decision)."""
    assert plan.cells is not None
    distinct = _distinct(values)
    return distinct, column_findings(plan.cells, distinct, rec)


def _entity_column(
    run: ProtectRun, plan: ColumnPlan, values: pl.Series, decided: tuple[pl.Series, pl.DataFrame]
) -> tuple[pl.Series, set[str]]:
    """An entity column: the cells that are its entity whole get the entity's rule, value by
    value; the other findings (a landline in a mobile column, a note typed into it) are
    replaced span by span by their own entity's rule; cells with nothing in them stay."""
    assert plan.rule is not None and plan.entity is not None
    distinct, found = decided
    whole_idx = whole_cells(found, distinct, plan.entity)
    mapping, dropped = _apply_findings(
        run, distinct, found.filter(~pl.col("idx").is_in(whole_idx.implode()))
    )
    out = values
    if mapping:
        out = values.replace_strict(mapping, default=values, return_dtype=pl.String)
    whole = values.is_in(distinct.gather(whole_idx).implode()).fill_null(False)
    if whole.any():
        ruled = _apply_rule(run, plan.rule, plan.entity, values.filter(whole))
        out = out.scatter(whole.arg_true(), ruled)
        if run.operators.get(plan.rule.operator).drops_record(plan.rule.params):
            dropped |= set(distinct.gather(whole_idx).to_list())
    return out.alias(values.name), dropped


def _apply_findings(
    run: ProtectRun, texts: pl.Series, found: pl.DataFrame
) -> tuple[dict[str, str], set[str]]:
    """Protect the findings (``idx`` into ``texts``, character offsets) entity by entity;
    returns the changed texts and the texts whose record the policy drops."""
    edits: dict[int, list[tuple[int, int, str, bool]]] = {}
    # what format-keeping operators (a name pseudonym) write into each text, for --verify
    kept: dict[int, list[str]] = {}
    drop_idx: set[int] = set()
    spans = (
        found.select(
            "idx", "start", "end", "entity", weak=model_only(run.analyzer.text_recognizers)
        )
        .with_columns(text=texts.gather(found["idx"]))
        .select(
            "idx",
            "start",
            "end",
            "entity",
            "weak",
            raw=pl.col("text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
        )
    )
    for (entity,), group in spans.group_by("entity", maintain_order=True):
        rule = run.policy.rule_for_entity(str(entity))
        if rule is None or not run.operators.declares(rule.operator, "removes"):
            continue
        op = run.operators.get(rule.operator)
        raw = group["raw"]
        new = op.apply_series(raw, str(entity), rule.params, run.ctx)
        run.note(str(entity), rule.operator)
        if run.collect_originals:
            for a, b, weak in zip(
                raw.to_list(), new.to_list(), group["weak"].to_list(), strict=True
            ):
                if a != b:
                    (run.model_only if weak else run.originals).add(a.strip())
        idx = group["idx"].to_list()
        if op.drops_record(rule.params):
            drop_idx.update(idx)
        if op.recipient_specific(rule.params) and fp.traceable(str(entity), op.keeps_format):
            run.digests.extend(fp.digest(v) for v in new.to_list() if v)
        # the renderings and zero-width marks are made when the text is spliced: they depend
        # on the text around the value
        marked = carries_marks(run, rule)
        for i, start, end, value in zip(
            idx, group["start"].to_list(), group["end"].to_list(), new.to_list(), strict=True
        ):
            edits.setdefault(i, []).append((start, end, value or "", marked))
            if op.keeps_format and value:
                kept.setdefault(i, []).append(value)
    values = texts.to_list()
    mapping: dict[str, str] = {}
    zero_width = run.policy.invisible == "cells"
    for i, changes in edits.items():
        if run.policy.marks:
            changes = renderings.render_edits(values[i], changes, run.marks_key)
        changes = [(a, b, new, marked and zero_width) for a, b, new, marked in changes]
        mapping[values[i]] = fp.splice(values[i], changes, run.fingerprint)[0]
        if i in kept:
            run.wrote(mapping[values[i]], kept[i])
    return mapping, {values[i] for i in drop_idx}


def _kanon(run: ProtectRun, table: Table, rel: str) -> pl.DataFrame:
    spec = run.policy.quasi_identifiers
    frame = table.frame
    if spec is None or not all(c in frame.columns for c in spec.columns):
        return frame
    qi, sensitive = spec.columns, [s for s in spec.sensitive if s in frame.columns]
    hierarchies: dict[str, Hierarchy] = {}
    for c in qi:
        path = spec.hierarchies.get(c)
        hierarchies[c] = (
            run.ctx.hierarchy(path) if path else build_hierarchy(c, frame[c].drop_nulls().to_list())
        )
    criteria = Criteria.for_release(
        spec.release,
        k=spec.k,
        l=spec.l,
        max_risk=spec.max_risk,
        average_risk=spec.average_risk,
        suppression_limit=spec.suppression_limit,
    )
    result = anonymize(
        frame.with_columns(pl.col(c).fill_null("") for c in qi),
        qi,
        hierarchies,
        criteria,
        sensitive=sensitive,
        tie_break=(run.ctx.recipient or "").encode(),
        recoding=spec.recoding,
    )
    run.note("QUASI_IDENTIFIER", "generalize")
    run.kanon.append(
        KAnonymityReport(
            file=rel,
            sheet=table.sheet,
            quasi_identifiers=tuple(qi),
            sensitive=tuple(sensitive),
            criteria=KAnonymityCriteria(
                k=criteria.k,
                l=criteria.l,
                average_risk=criteria.average_risk,
                suppression_limit=criteria.suppression_limit,
                release=spec.release,
            ),
            levels=result.levels,
            recoding=result.recoding,
            local_rounds=tuple(codec.from_dict(LocalRound, r) for r in result.rounds),
            suppressed_records=result.suppressed,
            information_loss=round(result.loss, 6),
            metric=result.metric,
            nodes_checked=result.nodes_checked,
            nodes_total=result.nodes_total,
            risk=result.report.rounded(),
        )
    )
    out = frame.with_columns(result.frame[c].replace("", None) for c in qi)
    if spec.suppress == "drop" and result.suppressed:
        suppressed = pl.all_horizontal(pl.col(c) == "*" for c in qi)
        keep = out.with_row_index("_i").filter(~suppressed)["_i"].to_list()
        base = table.keep_rows  # rows already mapped (canary records added)
        table.keep_rows = keep if base is None else [base[i] for i in keep]
        out = out[keep]
    return out


def protect_table(
    run: ProtectRun, table: Table, rel: str, canaries_ok: bool = False
) -> dict[str, Any]:
    """Protect one table; ``canaries_ok``: its writer can add rows (CSV/TSV, XLSX), so the
    policy's canary records go in."""
    rows_in = table.frame.height
    plans: list[ColumnPlan] = plan_table(table.frame, run.policy, run.registry, run.operators)
    added = canaries_ok and run.policy.canaries > 0 and canaries.eligible(plans)
    if added:
        seed = run.marks_key + f"{rel}\x00{table.sheet or ''}".encode()
        table.frame, _, table.keep_rows = canaries.add(
            table.frame, plans, run.policy.canaries, random.Random(seed)
        )
    frame = _kanon(run, table, rel)
    drop_mask = pl.Series("d", [False] * frame.height, dtype=pl.Boolean)
    columns: list[dict[str, Any]] = []
    rec = CellRecognizers.of(run.analyzer)
    # Identifier columns are protected in a thread beside the free-text analysis (Polars
    # releases the GIL); the token vault is written by one thread only. Which cells of an
    # entity column are its entity is decided here, in this thread (the prose model is not
    # shared between threads).
    ruled = [p for p in plans if p.mode in ("entity", "rule") and p.rule is not None]
    pool = ThreadPoolExecutor(1) if len(plans) > len(ruled) > 0 else None
    protected: dict[str, Protected] = {}
    together = _decided_together(run, frame, plans, rec)
    for plan in ruled:
        assert plan.rule is not None
        values = frame[plan.name]
        inline = pool is None or not _thread_safe(run, plan)
        if plan.mode == "entity" and plan.cells is not None:
            decided = together.get(plan.name) or _decide_entity_column(values, plan, rec)
            if inline:
                protected[plan.name] = _entity_column(run, plan, values, decided)
            else:
                assert pool is not None
                protected[plan.name] = pool.submit(_entity_column, run, plan, values, decided)
        elif inline:  # a column rule: the whole column
            protected[plan.name] = (_apply_rule(run, plan.rule, plan.entity, values), set())
        else:
            assert pool is not None
            protected[plan.name] = pool.submit(_whole_column, run, plan, values)
    try:
        for plan in plans:
            drop_mask = _protect_column(
                run, plan, frame, protected, drop_mask, columns, rec, together.get(plan.name)
            )
        done = {name: f.result() if isinstance(f, Future) else f for name, f in protected.items()}
        for name, (_, dropped) in done.items():
            if dropped:
                dropping = frame[name].is_in(pl.Series(sorted(dropped)).implode())
                drop_mask = drop_mask | dropping.fill_null(False)
        before = frame
        frame = frame.with_columns(new for new, _ in done.values())
        frame = _same_record(run, plans, before, frame)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if drop_mask.any():
        keep_idx = (~drop_mask).arg_true().to_list()
        base = table.keep_rows if table.keep_rows is not None else list(range(rows_in))
        table.keep_rows = [base[i] for i in keep_idx]
        frame = frame[keep_idx]
    table.frame = frame
    if added and table.keep_rows is not None:
        places = [i for i, src in enumerate(table.keep_rows) if src < 0]
        run.canaries.extend(canaries.record(frame, plans, places))
    entry = {"sheet": table.sheet, "rows_in": rows_in, "rows_out": frame.height, "columns": columns}
    if table.skipped_rows:  # rows the reader skipped are not in rows_in nor in the package
        entry["skipped_rows"] = table.skipped_rows
    if table.undecodable_rows:
        entry["undecodable_rows"] = table.undecodable_rows
    return entry


Protected = tuple[pl.Series, set[str]] | Future[tuple[pl.Series, set[str]]]


def _same_record(
    run: ProtectRun, plans: list[ColumnPlan], before: pl.DataFrame, after: pl.DataFrame
) -> pl.DataFrame:
    """A value removed from a record's identifier column is removed from the record's text
    cells as well, written as that column writes it: the customer's own name in their note
    (客户苏丹要求…, 商玉的手机号…) is where the prose model's miss would cost most, and the
    column says for sure what the name is. Only the record's own values, two characters or
    more, and only where the text still holds them in the clear (what the analysis found is
    protected already)."""
    texts = [p.name for p in plans if p.mode == "text" and p.cells is not None]
    sources = {
        p.name: run.operators.declares(p.rule.operator, "keeps_format")
        for p in plans
        if p.mode in ("entity", "rule")
        and p.rule is not None
        and run.operators.declares(p.rule.operator, "removes")
    }
    if not texts or not sources:
        return after
    fixed: dict[str, list[str | None]] = {}
    for text in texts:
        cells = after[text]
        for source, keeps_format in sources.items():
            if before[source].dtype != pl.String or cells.dtype != pl.String:
                continue
            probe = pl.DataFrame(
                {"t": cells, "v": before[source], "w": after[source]}, strict=False
            ).select(
                "t",
                v=pl.col("v").str.strip_chars(),
                w=pl.col("w").str.strip_chars().fill_null(""),
            )
            hit = probe.select(
                (
                    (pl.col("v").str.len_chars() >= 2)
                    & (pl.col("v") != pl.col("w"))
                    & pl.col("t").str.contains(pl.col("v"), literal=True)
                ).fill_null(False)
            ).to_series()
            value, written = probe["v"], probe["w"]
            if not hit.any():
                continue
            edited = fixed.setdefault(text, cells.to_list())
            for i in hit.arg_true().to_list():
                old, new = value[i], written[i]
                was = edited[i]
                assert was is not None and old is not None and new is not None
                edited[i] = now = was.replace(old, new)
                run.wrote(now, [new] if keeps_format else [], before=was)
                if run.collect_originals:
                    run.originals.add(old)
            cells = pl.Series(text, edited, dtype=pl.String)
    if not fixed:
        return after
    return after.with_columns(
        pl.Series(name, values, dtype=pl.String) for name, values in fixed.items()
    )


def _whole_column(
    run: ProtectRun, plan: ColumnPlan, values: pl.Series
) -> tuple[pl.Series, set[str]]:
    assert plan.rule is not None
    return _apply_rule(run, plan.rule, plan.entity, values), set()


def _thread_safe(run: ProtectRun, plan: ColumnPlan) -> bool:
    """Whether the column's operators may run in the pool: its rule's, and for an entity
    column every entity rule's (its cells may hold other entities)."""
    assert plan.rule is not None
    rules = [plan.rule]
    if plan.mode == "entity" and plan.cells is not None:
        rules += list(run.policy.entities.values())
    return all(run.operators.declares(r.operator, "thread_safe") for r in rules)


def _protect_column(
    run: ProtectRun,
    plan: ColumnPlan,
    frame: pl.DataFrame,
    protected: dict[str, Protected],
    drop_mask: pl.Series,
    columns: list[dict[str, Any]],
    rec: CellRecognizers,
    decided: Decided | None = None,
) -> pl.Series:
    """Protect one column of ``frame`` (identifier columns are already under way in
    ``protected``; ``decided``: its distinct texts' findings when found already); returns
    the drop mask with the records this column drops."""
    values = frame[plan.name]
    info: dict[str, Any] = {"name": plan.name, "mode": plan.mode, "entity": plan.entity}
    columns.append(info)
    if plan.mode in ("entity", "rule") and plan.rule is not None:
        op = run.operators.get(plan.rule.operator)
        if op.drops_record(plan.rule.params) and not (plan.mode == "entity" and plan.cells):
            drop_mask = drop_mask | values.is_not_null() & (values.str.strip_chars() != "")
        info["operator"] = plan.rule.operator
    elif plan.mode in ("text", "skip") and plan.cells is not None:
        # "skip" columns are analyzed too: the classification saw a sample only, and an
        # identifier further down must not pass unprotected — with the pattern recognizers
        # (short values, not prose), a decoy's look-alike excepted, as the scan does
        new, dropped = _text_column(run, values, plan, rec, decided)
        if dropped:
            drop_mask = drop_mask | values.is_in(pl.Series(sorted(dropped)).implode())
        if plan.mode == "text" or not new.equals(values):
            protected[plan.name] = (new.alias(plan.name), set())
            info["operator"] = "analyze"
    elif plan.mode == "qi":
        info["operator"] = "generalize"
    return drop_mask
