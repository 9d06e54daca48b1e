"""Column classification: which entity a table column holds, from its header and its cells.

A column is classified from header hints (Chinese and English) plus the share of sampled cells
that validate. The rules, in order:

1. ``entity`` — one recognizer validates at least :data:`ENTITY_SHARE` of the sample, or at
   least :data:`HINTED_SHARE` when the header names the entity. Every cell is then checked
   with that recognizer (vectorised fast path first), other cells with the full analyzer.
2. ``decoy`` — most cells have an identifier's *shape* but fail its check at the rate of
   chance (18-digit order numbers whose GB 11643 check characters fail; serial numbers of
   which about one in ten passes Luhn). Not scanned for that identifier.
3. ``text`` — free text (notes, remarks) or a column where some cells hold PI: every cell is
   scanned for every entity.
4. ``skip`` — nothing personal (row numbers, amounts, codes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from baomi.engine.batch import prefetch, release
from baomi.engine.normalize import NormalizedText, normalize
from baomi.engine.recognizers.base import PatternRecognizer, Recognizer
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Validation

ENTITY_SHARE = 0.6
HINTED_SHARE = 0.3
DECOY_SHAPE_SHARE = 0.5
DECOY_VALID_RATIO = 0.5
SOME_PI_SHARE = 0.05
SAMPLE_ROWS = 500

TEXT_HEADER_HINTS = (
    "备注",
    "说明",
    "描述",
    "内容",
    "留言",
    "评论",
    "记录",
    "意见",
    "摘要",
    "详情",
    "沟通",
    "note",
    "remark",
    "comment",
    "memo",
    "description",
    "message",
    "text",
    "content",
)
_CJK_OR_SPACE = re.compile(r"[\u4e00-\u9fff\s]")

Mode = Literal["entity", "decoy", "text", "skip"]


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """How the scan treats one column (picklable: recognizers are named by entity)."""

    name: str
    mode: Mode
    entity: str | None = None
    confidence: float = 0.0
    hinted: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class _Share:
    recognizer: Recognizer
    shape: float
    valid: float
    hinted: bool


def _header_matches(header: str, hints: Sequence[str]) -> bool:
    h = header.lower().strip()
    return any(hint in h for hint in hints)


def _shares(
    recognizer: Recognizer,
    cells: list[str],
    normed: pl.Series,
    norm: list[NormalizedText],
    header: str,
) -> _Share:
    n = len(cells)
    shape = valid = 0
    fast_rx = getattr(recognizer, "fast_cell_regex", None)
    # Cells the recognizer's prefilter rules out cannot give a finding (the prefilter is a
    # superset of its patterns, as in the batched analysis).
    slow = (
        normed.str.contains(recognizer.prefilter).fill_null(False)
        if recognizer.prefilter
        else pl.repeat(True, n, eager=True)
    )
    if isinstance(recognizer, PatternRecognizer) and fast_rx:
        fast = normed.str.contains(fast_rx).fill_null(False)
        hits = normed.filter(fast)
        if len(hits):
            ok = recognizer.validate_series(recognizer.canonical_series(hits))
            # Column-context recognizers (names, addresses) must confirm; identifiers without
            # a check digit (mobile, e-mail) count "cannot tell" as valid.
            shape += len(hits)
            valid += int(ok.fill_null(not recognizer.column_only).sum())
        slow = slow & ~fast
    for i in slow.arg_true().to_list():
        cell = cells[i]
        found = recognizer.analyze_cell(cell, norm[i])
        covered = sum(f.end - f.start for f in found)
        if found and covered * 2 >= len(cell):
            shape += 1
            if any(f.explanation.validation is not Validation.REJECTED for f in found):
                valid += 1
    hinted = _header_matches(header, recognizer.header_hints)
    return _Share(recognizer, shape / n, valid / n, hinted)


def classify_column(
    header: str, values: pl.Series, registry: Registry, sample_rows: int = SAMPLE_ROWS
) -> ColumnPlan:
    """Classify one column from its header and a sample of its non-empty cells."""
    sample = values.drop_nulls().str.strip_chars()
    sample = sample.filter(sample.str.len_chars() > 0).head(sample_rows)
    cells = sample.to_list()
    if not cells:
        return ColumnPlan(header, "skip", note="empty")
    norm = [normalize(c) for c in cells]
    normed = pl.Series([t.text for t in norm], dtype=pl.String)
    distinct = len(set(cells)) / len(cells)
    chosen = [
        r
        for r in registry
        if distinct >= r.min_distinct_share
        and (not r.header_required or _header_matches(header, r.header_hints))
    ]
    # the prose model tags the sample once, in one batch, for its three recognizers (the
    # cells their prefilter lets through, as in _shares)
    prefetched = prefetch(
        (r, norm[i])
        for r in chosen
        if r.model_based
        for i in (
            normed.str.contains(r.prefilter).fill_null(False).arg_true().to_list()
            if r.prefilter
            else range(len(norm))
        )
    )
    try:
        shares = [_shares(r, cells, normed, norm, header) for r in chosen]
    finally:
        release(prefetched)
    if not shares:
        return ColumnPlan(header, "skip", note="no personal information in sample")
    best = max(shares, key=lambda s: (s.valid + (0.2 if s.hinted else 0.0), s.shape))
    if best.valid >= ENTITY_SHARE or (best.hinted and best.valid >= HINTED_SHARE):
        confidence = min(1.0, best.valid + (0.2 if best.hinted else 0.0))
        return ColumnPlan(
            header, "entity", best.recognizer.entity, round(confidence, 3), best.hinted
        )
    textish = _header_matches(header, TEXT_HEADER_HINTS) or (
        sum(len(c) for c in cells) / len(cells) >= 12
        and sum(1 for c in cells if _CJK_OR_SPACE.search(c)) * 2 >= len(cells)
    )
    for s in shares:
        if s.shape >= DECOY_SHAPE_SHARE and s.valid < s.shape * DECOY_VALID_RATIO and not textish:
            note = f"shape of {s.recognizer.entity} but {s.valid:.0%} validate"
            return ColumnPlan(
                header, "decoy", s.recognizer.entity, round(1 - s.valid, 3), note=note
            )
    some_pi = max((s.valid for s in shares if not s.recognizer.column_only), default=0.0)
    if textish or some_pi >= SOME_PI_SHARE:
        return ColumnPlan(header, "text", None, round(max(some_pi, 0.5 if textish else 0.0), 3))
    return ColumnPlan(header, "skip", note="no personal information in sample")
