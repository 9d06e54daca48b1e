"""Column classification: which entity a table column holds, from its header and its cells.

A column is classified from header hints (Chinese and English) plus the share of sampled
values that validate. The sample is the column's distinct non-empty values, spread over the
whole partition (not its head), so that a run of placeholders (``未登记``, ``无``) does not
hide the identifiers after it. The rules, in order:

1. ``entity`` — one recognizer validates at least :data:`ENTITY_SHARE` of the sample, or at
   least :data:`HINTED_SHARE` when the header names the entity; a header that names an
   entity with a check character (``身份证号``) also makes the column that entity's when at
   least :data:`HINTED_SHARE` of the values have its shape, however many fail the check (the
   valid ones are findings; the plan's note gives the share that fails). Every cell is then
   checked with that recognizer (vectorised fast path first), other cells with the full
   analyzer.
2. ``decoy`` — most values have the shape of an identifier with a check character but pass it
   no more often than chance (:attr:`~baomi.engine.recognizers.base.Recognizer.chance_valid`:
   18-digit order numbers whose GB 11643 check characters pass one time in eleven; serial
   numbers of which one in ten passes Luhn). That identifier is not reported in the column;
   every cell is still scanned for the other identifiers, as in a skip column.
3. ``text`` — free text (notes, remarks) or a column where some values hold identifiers:
   every cell is scanned for every entity.
4. ``skip`` — no personal information in the sample (row numbers, amounts, codes). Its cells
   are still scanned, with the pattern recognizers (identifiers), so that PI beyond the sample
   is found; the prose model is kept for prose and for columns where it reads names or
   addresses (it reads short values such as ``银联卡`` as names of companies).

Names are diverse: a column of a few repeated words (支付方式: 银联卡…; 会员等级: 金卡, 银卡…) is
neither a name column nor made text by the prose model reading an isolated word (金卡) as a
name, unless its header names people (经办人: five account managers over every order).

Names, addresses and organisations (column-only recognizers) have no check that can fail:
"cannot tell" is no evidence against a column, so they never make it a decoy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from baomi.engine.batch import prefetch, release
from baomi.engine.normalize import NormalizedText, normalize
from baomi.engine.recognizers.base import PatternRecognizer, Recognizer
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Finding, Validation

ENTITY_SHARE = 0.6
HINTED_SHARE = 0.3
DECOY_SHAPE_SHARE = 0.5
#: A decoy's valid share of its shaped values is at most this (whatever the chance rate).
DECOY_VALID_RATIO = 0.5
#: Standard deviations of the binomial sampling error allowed over the chance rate.
DECOY_SIGMAS = 3.0
#: An entity column's note flags at least this share of shaped values failing the check.
INVALID_NOTE_SHARE = 0.25
SOME_PI_SHARE = 0.05
SAMPLE_ROWS = 500
#: Columns classified in one query of their samples' tests (:func:`classify_columns`): a table
#: of thousands of columns (one JSON object's fields) holds this many columns' masks at a time.
CLASSIFY_CHUNK = 256

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
#: A skip column's note: the sample held no PI, but every cell is still scanned (scan/kernels.py).
_SKIP_NOTE = "no personal information in sample; cells scanned for identifiers"
#: Entities that are not personal information by themselves (an organisation's name).
_NOT_PI_ALONE = frozenset({"ORGANIZATION"})
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
    #: Entities not reported in this column (a decoy's look-alike identifiers).
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Share:
    recognizer: Recognizer
    shape: float
    valid: float
    hinted: bool
    shaped: int  # values with the shape (the sample size of the valid rate)

    @property
    def checked(self) -> bool:
        """Validation is a check character that arbitrary values pass only by chance."""
        return self.recognizer.chance_valid is not None

    def invalid_rate(self) -> float:
        """Share of the shaped values that fail the check."""
        return 1 - self.valid / self.shape if self.shape else 0.0

    def at_chance(self) -> bool:
        """The shaped values pass the check no more often than arbitrary values would."""
        p = self.recognizer.chance_valid
        if p is None or not self.shaped:
            return False
        bound = p + DECOY_SIGMAS * math.sqrt(p * (1 - p) / self.shaped)
        return self.valid / self.shape <= min(bound, DECOY_VALID_RATIO)


def _header_matches(header: str, hints: Sequence[str]) -> bool:
    h = header.lower().strip()
    return any(hint in h for hint in hints)


@dataclass(frozen=True, slots=True)
class Masks:
    """Of a sample's cells, for one recognizer: those its prefilter lets through and those of
    its plain shape (``fast_cell_regex``), None where it has none; of the latter, how many
    there are and how many validate ("cannot tell" counts as valid but for names, addresses
    and organisations, which must confirm)."""

    prefiltered: np.ndarray[Any, Any] | None
    fast: np.ndarray[Any, Any] | None
    shaped: int = 0
    valid: int = 0


def _masks(
    recognizers: Sequence[Recognizer], samples: Sequence[tuple[pl.Series, str | None]]
) -> list[list[Masks]]:
    """Per sample (its normalised cells and its column's header), per recognizer, its
    :class:`Masks`: every test of every sample in one Polars query over the samples' cells
    together (a query per test cost ~1 ms each), and each recognizer's plain shapes of every
    sample checked in one call (a call per column and recognizer cost a wide table ~1 ms a
    column). Each distinct regex is one test: Polars keeps 32 compiled regexes per thread,
    and a column's ~46 tests in a query of their own compiled every one of them again for
    each column (~10 ms a column)."""
    tests: dict[str, str] = {}  # regex -> its column in the query
    wanted: list[list[tuple[str | None, str | None]]] = []
    for _, header in samples:
        row: list[tuple[str | None, str | None]] = []
        for r in recognizers:
            prefilter = r.prefilter_for(header)  # a header may widen it, as in the analysis
            fast_rx = getattr(r, "fast_cell_regex", None)
            keys = (prefilter, fast_rx if isinstance(r, PatternRecognizer) else None)
            for rx in keys:
                if rx:
                    tests.setdefault(rx, f"t{len(tests)}")
            row.append((tests[keys[0]] if keys[0] else None, tests[keys[1]] if keys[1] else None))
        wanted.append(row)
    if not tests:
        return [[Masks(None, None) for _ in row] for row in wanted]
    cells = pl.concat([normed.cast(pl.String) for normed, _ in samples])
    sample = pl.Series("_k", [k for k, (normed, _) in enumerate(samples) for _ in normed])
    tested = pl.DataFrame(
        {"v": cells, "_k": sample}, schema={"v": pl.String, "_k": pl.Int64}
    ).select(
        "v",
        "_k",
        *(pl.col("v").str.contains(rx).fill_null(False).alias(t) for rx, t in tests.items()),
    )
    none = np.zeros(len(samples), dtype=np.int64)
    counts: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
    for r in recognizers:
        fast_rx = getattr(r, "fast_cell_regex", None)
        if not isinstance(r, PatternRecognizer) or not fast_rx:
            counts.append((none, none))
            continue
        hits = tested.filter(pl.col(tests[fast_rx])).select("v", "_k")
        if hits.height == 0:
            counts.append((none, none))
            continue
        ok = r.validate_series(r.canonical_series(hits.get_column("v")))
        valid = ok.fill_null(not r.column_only).to_numpy().astype(np.int64)
        which = hits.get_column("_k").to_numpy()
        counts.append(
            (
                np.bincount(which, minlength=len(samples)),
                np.bincount(which, weights=valid, minlength=len(samples)).astype(np.int64),
            )
        )
    # one array a sample: a Series per test cost ~0.1 ms each
    parts = tested.drop("v").partition_by("_k", as_dict=True, include_key=False)
    place = {t: i for i, t in enumerate(tests.values())}
    out: list[list[Masks]] = []
    for k, row in enumerate(wanted):
        part = parts.get((k,))
        tests_of = np.zeros((0, len(tests)), dtype=bool) if part is None else part.to_numpy()

        def mask(t: str | None, of: np.ndarray[Any, Any] = tests_of) -> Any:
            return None if t is None else of[:, place[t]]

        out.append(
            [
                Masks(mask(p), mask(q), int(counts[j][0][k]), int(counts[j][1][k]))
                for j, (p, q) in enumerate(row)
            ]
        )
    return out


def _shares(
    recognizer: Recognizer,
    cells: list[str],
    norm: list[NormalizedText],
    header: str,
    masks: Masks,
) -> _Share:
    n = len(cells)
    shape = valid = 0
    # Cells the recognizer's prefilter rules out cannot give a finding (the prefilter is a
    # superset of its patterns, as in the batched analysis).
    slow = masks.prefiltered if masks.prefiltered is not None else np.ones(n, dtype=bool)
    if isinstance(recognizer, PatternRecognizer) and masks.fast is not None:
        # the cells of its plain shape, checked with the other columns' (_masks)
        shape += masks.shaped
        valid += masks.valid
        slow = slow & ~masks.fast
    hinted = recognizer.named_by(header)
    for i in np.flatnonzero(slow).tolist():
        cell = cells[i]
        found = recognizer.analyze_cell(cell, norm[i])
        covered = sum(f.end - f.start for f in found)
        if found and covered * 2 >= len(cell):
            shape += 1
            if any(_confirms(recognizer, f, hinted) for f in found):
                valid += 1
    return _Share(recognizer, shape / n, valid / n, hinted, shape)


def _confirms(recognizer: Recognizer, f: Finding, hinted: bool) -> bool:
    """Whether a finding of a sample cell counts as a valid value: not rejected by a check,
    nor a weak reading (:attr:`~.recognizers.base.Recognizer.weak_patterns`: a name of Latin
    letters on its shape alone or one word — ``Paris``) unless the header names the entity
    (``First Name``: one word a cell)."""
    if f.explanation.validation is Validation.REJECTED:
        return False
    return hinted or f.explanation.pattern not in recognizer.weak_patterns


def _sample(values: pl.Series, size: int) -> tuple[pl.Series, float]:
    """Up to ``size`` distinct non-empty values spread over the column, and the distinct share
    of a spread sample of its cells (a column of a few repeated words is no name column)."""
    cells = values.drop_nulls().str.strip_chars()
    cells = cells.filter(cells.str.len_chars() > 0)
    if cells.is_empty():
        return cells, 0.0
    spread = _spread(cells, size)
    distinct = spread.n_unique() / len(spread)
    return _spread(cells.unique(maintain_order=True), size), distinct


def _spread(s: pl.Series, size: int) -> pl.Series:
    """``size`` values evenly spaced over ``s`` (all of them when it is no longer)."""
    if len(s) <= size:
        return s
    step = len(s) / size
    return s.gather([int(i * step) for i in range(size)])


@dataclass(frozen=True, slots=True)
class _Sampled:
    """A column's sample (:func:`_sample`): its cells, as normalised, and their distinct share."""

    header: str
    cells: list[str]
    norm: list[NormalizedText]
    normed: pl.Series
    distinct: float


def _sampled(header: str, values: pl.Series, sample_rows: int) -> _Sampled:
    sample, distinct = _sample(values, sample_rows)
    cells = sample.to_list()
    norm = [normalize(c) for c in cells]
    normed = pl.Series([t.text for t in norm], dtype=pl.String)
    return _Sampled(header, cells, norm, normed, distinct)


def _chosen(s: _Sampled, recognizers: Sequence[Recognizer]) -> list[int]:
    """The recognizers (indexes) a column is tested for."""
    header = s.header
    # one value repeated (five orders paid with 银联卡) is no column of different people's names,
    # nor are a few repeated words (会员等级: 金卡, 银卡…), unless the header names the entity
    repeated = len(s.cells) == 1 and s.distinct < 1.0
    return [
        i
        for i, r in enumerate(recognizers)
        if (
            not r.min_distinct_share
            or r.named_by(header)
            or (s.distinct >= r.min_distinct_share and not repeated)
        )
        and (not r.header_required or r.named_by(header))
    ]


def classify_column(
    header: str,
    values: pl.Series,
    registry: Registry,
    sample_rows: int = SAMPLE_ROWS,
    entity_share: float = ENTITY_SHARE,
) -> ColumnPlan:
    """Classify one column from its header and a sample of its distinct non-empty values
    (``entity_share``: the share of valid values that makes an entity column without a
    header hint; ``protect`` passes its policy's ``column_share``)."""
    return classify_columns([(header, values)], registry, sample_rows, entity_share)[0]


def classify_columns(
    columns: Sequence[tuple[str, pl.Series]],
    registry: Registry,
    sample_rows: int = SAMPLE_ROWS,
    entity_share: float = ENTITY_SHARE,
    threads: int = 1,
) -> list[ColumnPlan]:
    """:func:`classify_column` of each of ``columns`` (header, values), the same plans: the
    samples' regex tests in one query (:func:`_masks`), each column's plan decided on its
    own, in ``threads`` threads side by side (Polars releases the GIL in its queries)."""
    if len(columns) > CLASSIFY_CHUNK:  # the masks of this many columns at a time
        return [
            plan
            for at in range(0, len(columns), CLASSIFY_CHUNK)
            for plan in classify_columns(
                columns[at : at + CLASSIFY_CHUNK], registry, sample_rows, entity_share, threads
            )
        ]
    recognizers = list(registry)
    pool = ThreadPoolExecutor(threads) if threads > 1 and len(columns) > 1 else None

    def sample(column: tuple[str, pl.Series]) -> _Sampled:
        return _sampled(column[0], column[1], sample_rows)

    try:
        sampled = list(pool.map(sample, columns)) if pool else [sample(c) for c in columns]
        chosen = [_chosen(s, recognizers) for s in sampled]
        tested = sorted({i for c in chosen for i in c})
        masks = _masks([recognizers[i] for i in tested], [(s.normed, s.header) for s in sampled])
        at = {i: k for k, i in enumerate(tested)}

        def plan(k: int) -> ColumnPlan:
            picked = [recognizers[i] for i in chosen[k]]
            return _classify(sampled[k], picked, [masks[k][at[i]] for i in chosen[k]], entity_share)

        ks = range(len(sampled))
        return list(pool.map(plan, ks)) if pool is not None else [plan(k) for k in ks]
    finally:
        if pool is not None:
            pool.shutdown()


def _classify(
    sampled: _Sampled, chosen: list[Recognizer], masks: list[Masks], entity_share: float
) -> ColumnPlan:
    header, cells, norm, normed = sampled.header, sampled.cells, sampled.norm, sampled.normed
    if not cells:
        return ColumnPlan(header, "skip", note="empty")
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
        shares = [_shares(r, cells, norm, header, m) for r, m in zip(chosen, masks, strict=True)]
    finally:
        release(prefetched)
    if not shares:
        return ColumnPlan(header, "skip", note=_SKIP_NOTE)
    best = max(shares, key=lambda s: (s.valid + (0.2 if s.hinted else 0.0), s.shape))
    if (
        best.valid >= entity_share
        or (best.hinted and best.valid >= HINTED_SHARE)
        or (best.hinted and best.checked and best.shape >= HINTED_SHARE)
    ):
        confidence = min(1.0, best.valid + (0.2 if best.hinted else 0.0))
        note = None
        if best.checked and best.invalid_rate() >= INVALID_NOTE_SHARE:
            entity = best.recognizer.entity
            note = f"{best.invalid_rate():.0%} of {entity}-shaped values fail its check"
        return ColumnPlan(
            header, "entity", best.recognizer.entity, round(confidence, 3), best.hinted, note
        )
    textish = _header_matches(header, TEXT_HEADER_HINTS) or (
        sum(len(c) for c in cells) / len(cells) >= 12
        and sum(1 for c in cells if _CJK_OR_SPACE.search(c)) * 2 >= len(cells)
    )
    decoys = [s for s in shares if s.shape >= DECOY_SHAPE_SHARE and s.at_chance()]
    if decoys and not textish:
        s = max(decoys, key=lambda d: d.shape)
        rate = s.valid / s.shape
        note = f"shape of {s.recognizer.entity} but {rate:.0%} pass its check (chance rate)"
        return ColumnPlan(
            header,
            "decoy",
            s.recognizer.entity,
            round(1 - s.valid, 3),
            note=note,
            excluded=tuple(d.recognizer.entity for d in decoys),
        )
    # Identifiers, or names and addresses the prose model reads, in some values make a text
    # column; a company the model reads in a short value (银联卡) does not: an organisation's
    # name is not PI by itself (PIPL-RULES USCC-A), and a skip column is still scanned for
    # identifiers.
    some_pi = max(
        (
            s.valid
            for s in shares
            if not s.recognizer.column_only
            and not (s.recognizer.model_based and s.recognizer.entity in _NOT_PI_ALONE)
        ),
        default=0.0,
    )
    if textish or some_pi >= SOME_PI_SHARE:
        return ColumnPlan(header, "text", None, round(max(some_pi, 0.5 if textish else 0.0), 3))
    return ColumnPlan(header, "skip", note=_SKIP_NOTE)


def value_recognizers(
    recognizers: Sequence[Recognizer], excluded: Sequence[str] = ()
) -> tuple[Recognizer, ...]:
    """The recognizers every cell of a skip or decoy column (short values, not prose) is still
    analysed with, by the scan and by protect alike: the pattern ones, a decoy's look-alike
    identifiers (``excluded``) excepted."""
    return tuple(r for r in recognizers if not r.model_based and r.entity not in excluded)
