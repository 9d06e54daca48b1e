"""Protect a table: its column plans, k-anonymity on the quasi-identifiers, identifier columns
by their operators (vectorised, once per distinct value), free-text and unclassified columns
analysed and their spans replaced, records a policy drops removed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl

from baomi.engine.batch import analyze_column
from baomi.engine.columns import value_recognizers
from baomi.engine.contracts import codec
from baomi.engine.contracts.manifest import KAnonymityCriteria, KAnonymityReport, LocalRound
from baomi.engine.protect import canaries, renderings
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect.hierarchy import Hierarchy, build_hierarchy
from baomi.engine.protect.kanon import Criteria, anonymize
from baomi.engine.protect.plan import ColumnPlan, plan_table
from baomi.engine.protect.policy import Rule
from baomi.engine.protect.state import ProtectRun, carries_marks, invisible_marks
from baomi.engine.protect.writers import Table
from baomi.engine.recognizers.base import Recognizer


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


def _text_column(
    run: ProtectRun, values: pl.Series, recognizers: Sequence[Recognizer] | None = None
) -> tuple[pl.Series, set[str]]:
    """A free-text column with the entities found in it protected: the column's distinct
    texts are analysed together (the scan's vectorised :func:`analyze_column`, which gives
    the findings :class:`TextAnalyzer` gives text by text) and the findings of each entity
    are protected together by its operator."""
    distinct = values.drop_nulls().unique()
    if run.prefilter is not None:
        distinct = distinct.filter(distinct.str.contains(run.prefilter))
    distinct = distinct.filter(distinct != "")
    if distinct.len() == 0:
        return values, set()
    if recognizers is None:
        recognizers = run.analyzer.text_recognizers
    found = analyze_column(distinct, recognizers, run.analyzer.threshold)
    mapping, dropped = _apply_findings(run, distinct, found)
    if not mapping:
        return values, dropped
    return values.replace_strict(mapping, default=values, return_dtype=pl.String), dropped


def _apply_findings(
    run: ProtectRun, texts: pl.Series, found: pl.DataFrame
) -> tuple[dict[str, str], set[str]]:
    """Protect the findings (``idx`` into ``texts``, character offsets) entity by entity;
    returns the changed texts and the texts whose record the policy drops."""
    edits: dict[int, list[tuple[int, int, str, bool]]] = {}
    drop_idx: set[int] = set()
    spans = (
        found.select("idx", "start", "end", "entity")
        .with_columns(text=texts.gather(found["idx"]))
        .select(
            "idx",
            "start",
            "end",
            "entity",
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
            run.originals.update(
                a.strip() for a, b in zip(raw.to_list(), new.to_list(), strict=True) if a != b
            )
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
    values = texts.to_list()
    mapping: dict[str, str] = {}
    zero_width = run.policy.invisible == "cells"
    for i, changes in edits.items():
        if run.policy.marks:
            changes = renderings.render_edits(values[i], changes, run.marks_key)
        changes = [(a, b, new, marked and zero_width) for a, b, new, marked in changes]
        mapping[values[i]] = fp.splice(values[i], changes, run.fingerprint)[0]
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
    # Identifier columns are protected in a thread beside the free-text analysis (Polars
    # releases the GIL); the token vault is written by one thread only.
    ruled = [p for p in plans if p.mode in ("entity", "rule") and p.rule is not None]
    pool = ThreadPoolExecutor(1) if len(plans) > len(ruled) > 0 else None
    protected: dict[str, pl.Series | Future[pl.Series]] = {}
    for plan in ruled:
        assert plan.rule is not None
        args = (run, plan.rule, plan.entity, frame[plan.name])
        if pool is not None and run.operators.declares(plan.rule.operator, "thread_safe"):
            protected[plan.name] = pool.submit(_apply_rule, *args)
        else:
            protected[plan.name] = _apply_rule(*args)
    try:
        for plan in plans:
            drop_mask = _protect_column(run, plan, frame, protected, drop_mask, columns)
        frame = frame.with_columns(
            f.result() if isinstance(f, Future) else f for f in protected.values()
        )
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


def _protect_column(
    run: ProtectRun,
    plan: ColumnPlan,
    frame: pl.DataFrame,
    protected: dict[str, pl.Series | Future[pl.Series]],
    drop_mask: pl.Series,
    columns: list[dict[str, Any]],
) -> pl.Series:
    """Protect one column of ``frame`` (identifier columns are already under way in
    ``protected``); returns the drop mask with the records this column drops."""
    values = frame[plan.name]
    info: dict[str, Any] = {"name": plan.name, "mode": plan.mode, "entity": plan.entity}
    columns.append(info)
    if plan.mode in ("entity", "rule") and plan.rule is not None:
        if run.operators.get(plan.rule.operator).drops_record(plan.rule.params):
            drop_mask = drop_mask | values.is_not_null() & (values.str.strip_chars() != "")
        info["operator"] = plan.rule.operator
    elif plan.mode in ("text", "skip"):
        # "skip" columns are analyzed too: the classification saw a sample only, and an
        # identifier further down must not pass unprotected — with the pattern recognizers
        # (short values, not prose), a decoy's look-alike excepted, as the scan does
        recognizers = None
        if plan.mode == "skip":
            recognizers = value_recognizers(run.analyzer.text_recognizers, plan.excluded)
        new, dropped = _text_column(run, values, recognizers)
        if dropped:
            drop_mask = drop_mask | values.is_in(pl.Series(sorted(dropped)).implode())
        if plan.mode == "text" or not new.equals(values):
            protected[plan.name] = new.alias(plan.name)
            info["operator"] = "analyze"
    elif plan.mode == "qi":
        info["operator"] = "generalize"
    return drop_mask
