"""Protect a text document (lines, paragraphs, pages): the findings in each unit replaced by
the policy's operators, a .docx paragraph's runs kept."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

import polars as pl

from baomi.engine.batch import analyze_column
from baomi.engine.protect import fingerprint as fp
from baomi.engine.protect import renderings
from baomi.engine.protect.state import ProtectRun, carries_marks, model_only_finding
from baomi.engine.protect.writers import Document, replace_in_runs
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.types import Explanation, Finding, Validation


def _protect_text(
    run: ProtectRun,
    text: str,
    recognizers: Sequence[Recognizer] | None = None,
    in_table: bool = False,
    findings: list[Finding] | None = None,
) -> tuple[str, list[tuple[int, int, str]], bool]:
    """Protected text, the edits made, and whether the record must be dropped. ``in_table``:
    the text is a table cell (a .docx table's): no zero-width marks unless the policy asks
    for them in cells. ``findings``: the text's, found already (:func:`unit_findings`)."""
    edits: list[tuple[int, int, str, bool]] = []
    kept: list[str] = []  # what format-keeping operators wrote, for --verify
    drop = False
    if findings is None:
        findings = run.analyzer.analyze(text, recognizers)
    for f in findings:
        rule = run.policy.rule_for_entity(f.entity)
        if rule is None or not run.operators.declares(rule.operator, "removes"):
            continue
        raw = text[f.start : f.end]
        op = run.operators.get(rule.operator)
        new = op.apply(raw, f.entity, rule.params, run.ctx)
        run.note(f.entity, rule.operator)
        if run.collect_originals and new != raw:
            weak = model_only_finding(f, run.analyzer.text_recognizers)
            (run.model_only if weak else run.originals).add(raw.strip())
        if op.drops_record(rule.params):
            drop = True
        if op.recipient_specific(rule.params) and fp.traceable(f.entity, op.keeps_format):
            run.digests.append(fp.digest(new))
        edits.append((f.start, f.end, new, carries_marks(run, rule)))
        if op.keeps_format:
            kept.append(new)
    if run.policy.marks:
        edits = renderings.render_edits(text, edits, run.marks_key)
    zero_width = run.policy.invisible == "cells" or (
        run.policy.invisible == "text" and not in_table
    )
    edits = [(a, b, new, marked and zero_width) for a, b, new, marked in edits]
    protected, made = fp.splice(text, edits, run.fingerprint)
    if kept:
        run.wrote(protected, kept)
    return protected, made, drop


def unit_findings(
    run: ProtectRun, units: Sequence[str], header: str | None = None
) -> dict[int, list[Finding]]:
    """The findings of each of ``units`` (by index; none where there are none): those of
    :meth:`TextAnalyzer.analyze` text by text, found for all the units at once as the scan
    finds a document's (:func:`~baomi.engine.batch.analyze_column`: vectorised patterns, the
    prose model over the batch) — a line analysed alone costs ~20× more. ``header``: the
    column the scan reads them under, context as a column's header is."""
    analyzer = run.analyzer
    found = analyze_column(
        pl.Series(units, dtype=pl.String), analyzer.text_recognizers, analyzer.threshold, header
    ).sort("idx", "start", "end", maintain_order=True)
    by_unit: dict[int, list[Finding]] = {}
    columns = ("idx", "start", "end", "entity", "score", "recognizer", "pattern")
    rest = ("validation", "context", "value")
    for i, a, b, entity, score, rec, pattern, validation, context, value in found.select(
        *columns, *rest
    ).iter_rows():
        why = Explanation(rec, pattern, Validation(validation), context)
        by_unit.setdefault(i, []).append(Finding(entity, a, b, score, why, value or ""))
    return by_unit


def labelled_findings(
    run: ProtectRun, texts: Sequence[str], label: str
) -> dict[int, list[Finding]]:
    """:func:`unit_findings` of ``texts`` under ``label`` and, where the label names a person
    (``自定义XML：客户姓名``: :func:`~baomi.engine.recognizers.cn.person_name.labelled_name`),
    each whole value that is a name as that name — as the scan reads such data (a name by its
    place, ``Extra.person``)."""
    from baomi.engine.recognizers.cn.person_name import labelled_name

    found = unit_findings(run, texts, label)
    for i, text in enumerate(texts):
        if names := labelled_name(label, text):
            found[i] = names
    return found


def documents_findings(run: ProtectRun, docs: Sequence[Document]) -> list[dict[int, list[Finding]]]:
    """:func:`unit_findings` of each of ``docs`` (text documents), found in one call: a call
    has a fixed part (~20 ms of queries) that a document of a few hundred lines would pay
    alone."""
    found = unit_findings(run, [u for d in docs for u in d.units])
    ends = list(itertools.accumulate(len(d.units) for d in docs))
    out: list[dict[int, list[Finding]]] = [{} for _ in docs]
    for i, f in found.items():
        k = bisect.bisect_right(ends, i)
        out[k][i - (ends[k - 1] if k else 0)] = f
    return out


def protect_units(
    run: ProtectRun, doc: Document, by_unit: dict[int, list[Finding]] | None = None
) -> dict[str, Any]:
    """Protect a text document's units; ``by_unit``: their findings, found already
    (:func:`documents_findings`)."""
    found: Counter[str] = Counter()
    paragraphs = doc.state[1] if doc.format == "docx" else None
    if by_unit is None:
        by_unit = unit_findings(run, doc.units)
    for i, unit in enumerate(doc.units):
        if i not in by_unit:
            continue
        in_table = paragraphs is not None and _in_table(paragraphs[i])
        new, edits, _ = _protect_text(run, unit, in_table=in_table, findings=by_unit[i])
        if not edits:
            continue
        found.update("edits" for _ in edits)
        doc.units[i] = new
        if paragraphs is not None:
            replace_in_runs(paragraphs[i], edits)
    return {"units": len(doc.units), "replaced_spans": found["edits"]}


def _in_table(paragraph: Any) -> bool:
    """Whether a .docx paragraph is in a table cell (its parent, or an ancestor, is a cell)."""
    from docx.table import _Cell

    parent = getattr(paragraph, "_parent", None)
    while parent is not None:
        if isinstance(parent, _Cell):
            return True
        parent = getattr(parent, "_parent", None)
    return False
