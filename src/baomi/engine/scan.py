"""The scan: find and classify personal information in files.

The scan is a function over partitions (:func:`scan_partition`, one Polars frame of a table or a
run of text units) plus a merge of partial inventories (:class:`InventoryMerger`), so partitions
can be scanned in worker processes — or later on a distributed engine — unchanged.

Per table column, :mod:`baomi.engine.columns` decides the mode. Entity columns take a
vectorised fast path (anchored Rust regex + vectorised validation in Polars) and send only the
irregular cells through the Python analyzer; text columns are prefiltered per recognizer with
Polars and only candidate cells are analyzed.

Output (``DESIGN.md``, a contract): ``inventory.json`` and ``findings.jsonl``. Neither holds a raw
PI value; values are kept only as keyed 64-bit hashes in memory, with a random per-scan key.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import secrets
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from baomi.engine.analyzer import DEFAULT_THRESHOLD, TextAnalyzer
from baomi.engine.batch import _from_findings, _resolve, analyze_column
from baomi.engine.categories import category_for_header
from baomi.engine.columns import ColumnPlan, classify_column
from baomi.engine.contracts import codec
from baomi.engine.contracts.finding import EXPLAIN_KEYS, FINDING_KEYS
from baomi.engine.contracts.inventory import (
    Inventory,
    InventoryColumn,
    InventoryFile,
    InventorySummary,
    SkippedFile,
)
from baomi.engine.entities import ENTITIES
from baomi.engine.inventory import InventoryMerger, PartialInventory
from baomi.engine.normalize import normalize
from baomi.engine.paths import display_path
from baomi.engine.readers import TableBatch, open_source
from baomi.engine.recognizers.base import (
    CONFIRMED_SCORE,
    CONTEXT_BOOST,
    PatternRecognizer,
    Recognizer,
)
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Finding
from baomi.errors import UnreadableFileError

log = logging.getLogger(__name__)

TEXT_COLUMN = "\x00text"  # the one column of a text file's partitions
ROW_COLUMN = "\x00row"
AGE_HEADERS = ("年龄", "age")
MINOR_AGE = 14  # PIPL-28, PIPL-31: minors under fourteen
_SENSITIVE = sorted(e for e, info in ENTITIES.items() if info.sensitive)
_IDENTIFIERS = sorted(e for e, info in ENTITIES.items() if info.identifier)
MIN_IDENTIFIER_DIGITS = 7
#: Entities masked where they appear in a column name, JSON path or sheet name (:class:`_Names`).
_MASKED_IN_NAMES = frozenset(_IDENTIFIERS) | {"CN_LANDLINE"}
#: Threads scanning partitions in a one-process scan (the 2-core machine's cores).
SCAN_THREADS = 2
#: Findings serialised to NDJSON at a time (about 6 MB of text).
WRITE_SLICE_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class ScanOptions:
    threshold: float = DEFAULT_THRESHOLD
    explain: bool = False
    batch_rows: int = 49152
    sample_rows: int = 500
    #: Run model-based prose recognizers (names, addresses, organisations in free text).
    prose: bool = True


@dataclass(frozen=True, slots=True)
class Partition:
    """One unit of scan work: a frame of a table (or of text lines) and how to treat it."""

    file: str
    file_index: int
    sheet: str | None
    sheet_index: int
    offset: int
    frame: pl.DataFrame
    plans: tuple[ColumnPlan, ...]
    categories: tuple[tuple[str, str], ...] = ()  # (column, sensitive category)

    def row_key_base(self) -> int:
        return (self.file_index << 44) | (self.sheet_index << 36)


@dataclass
class ScanResult:
    inventory: Inventory
    findings_path: Path | None = None
    findings: int = 0


ProgressFn = Callable[[str, int, int], None]  # (file, bytes done, bytes total)


class _Context:
    """Per-process scan state: registry, analyzer, options and the hash key."""

    def __init__(self, registry: Registry, options: ScanOptions, seed: int) -> None:
        self.registry = registry if options.prose else registry.without_models()
        self.options = options
        self.seed = seed
        self.analyzer = TextAnalyzer(self.registry, options.threshold)
        self.by_entity: dict[str, Recognizer] = {}
        for r in self.registry:
            self.by_entity.setdefault(r.entity, r)
        self.name_recognizers = [
            r
            for r in self.registry
            if r.entity in _MASKED_IN_NAMES and not r.model_based and not r.column_only
        ]


_WORKER: _Context | None = None


def _init_worker(registry: Registry, options: ScanOptions, seed: int) -> None:
    global _WORKER
    _WORKER = _Context(registry, options, seed)


def _run_partition(part: Partition) -> tuple[pl.DataFrame, PartialInventory]:
    assert _WORKER is not None
    return scan_partition(part, _WORKER)


class _Collector:
    """Accumulates findings of one partition as columns, then writes NDJSON in one go."""

    def __init__(self, part: Partition, ctx: _Context) -> None:
        self.part = part
        self.ctx = ctx
        self.frames: list[pl.DataFrame] = []
        self.inv = PartialInventory(rows=part.frame.height)
        self.hash_frames: list[pl.DataFrame] = []  # (idx, e, h, identifier, row_bound)
        self.sensitive_idx: list[pl.Series] = []

    def add_frame(self, column: str | None, df: pl.DataFrame) -> None:
        """``df`` has idx, start, end, entity, score (+ explanation columns)."""
        if df.height:
            self.frames.append(df.with_columns(pl.lit(column, dtype=pl.String).alias("column")))

    def add_batch(self, column: str | None, found: pl.DataFrame, *, row_bound: bool) -> None:
        """Findings from :func:`analyze_column` (idx already a partition row index)."""
        if found.height == 0:
            return
        keys = ["idx", "start", "end", "entity", "score"]
        if self.ctx.options.explain:
            keys += ["recognizer", "pattern", "validation", "context"]
        self.add_frame(column, found.select(keys))
        self.add_values(
            found.get_column("idx"),
            found.get_column("entity").to_list(),
            found.get_column("value"),
            row_bound=row_bound,
        )
        if row_bound:
            sens = found.filter(pl.col("entity").is_in(_SENSITIVE)).get_column("idx")
            if sens.len():
                self.sensitive_idx.append(sens)

    def add_values(
        self,
        rows: list[int] | pl.Series,
        entities: list[str] | str,
        values: pl.Series,
        *,
        row_bound: bool,
    ) -> None:
        n = len(values)
        if n == 0:
            return
        ent = (
            pl.Series("e", entities, dtype=pl.String)
            if isinstance(entities, list)
            else pl.repeat(entities, n, eager=True, dtype=pl.String).alias("e")
        )
        self.hash_frames.append(
            pl.DataFrame(
                {
                    "idx": pl.Series(rows, dtype=pl.Int64),
                    "e": ent,
                    "h": values.hash(self.ctx.seed),
                    "bound": pl.repeat(row_bound, n, eager=True, dtype=pl.Boolean),
                }
            )
        )

    def finish(self) -> tuple[pl.DataFrame, PartialInventory]:
        part, inv = self.part, self.inv
        base = part.row_key_base()
        if part.frame.width and ROW_COLUMN in part.frame.columns:
            row_of = part.frame.get_column(ROW_COLUMN).cast(pl.Int64)
        else:
            row_of = pl.int_range(
                part.offset, part.offset + part.frame.height, eager=True, dtype=pl.Int64
            )
        hashes = pl.concat(self.hash_frames) if self.hash_frames else None
        if hashes is not None:
            hashes = hashes.with_columns(
                key=(row_of.gather(pl.Series(hashes.get_column("idx"))) + base).cast(pl.UInt64)
            )
            for (entity,), grp in hashes.group_by("e"):
                inv.hashes[str(entity)] = grp.get_column("h").unique()
            strong = hashes.filter(pl.col("e").is_in(_IDENTIFIERS))
            bound = strong.filter(pl.col("bound"))
            loose = strong.filter(~pl.col("bound"))
            links = [
                bound.select(r=pl.col("key"), h=pl.col("h")),
                loose.select(r=pl.col("h"), h=pl.col("h")),
            ]
            names = hashes.filter((pl.col("e") == "PERSON_NAME") & pl.col("bound"))
            if names.height:
                weak = names.join(bound.select("idx"), on="idx", how="anti")
                links.append(
                    weak.select(
                        r=pl.col("key"),
                        h=(pl.col("h") ^ pl.lit(part.file_index + 1, dtype=pl.UInt64)).hash(
                            self.ctx.seed
                        ),
                    )
                )
            inv.links = pl.concat(links).unique()
        if self.sensitive_idx:
            idx = pl.concat(self.sensitive_idx).unique()
            inv.sensitive_rows = (row_of.gather(idx) + base).cast(pl.UInt64)
        if not self.frames:
            return pl.DataFrame(), inv
        df = pl.concat(self.frames, how="diagonal_relaxed")
        df = df.with_columns(
            row=row_of.gather(df.get_column("idx")),
            file=pl.lit(part.file, dtype=pl.String),
            sheet=pl.lit(part.sheet, dtype=pl.String),
            column=pl.when(pl.col("column") == TEXT_COLUMN).then(None).otherwise(pl.col("column")),
            score=pl.col("score").round(2),
        )
        keys = list(FINDING_KEYS) + (
            [k for k in EXPLAIN_KEYS if k in df.columns] if self.ctx.options.explain else []
        )
        return df.select(keys), inv


def _entity_column(col: _Collector, name: str, s: pl.Series, plan: ColumnPlan) -> None:
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
        if r.entity in _SENSITIVE:
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


def _write_ndjson(found: pl.DataFrame, sink: io.BufferedWriter) -> None:
    """Append findings as NDJSON in slices: Polars builds each slice's text in memory, and a
    whole partition's (about 50 MB) would be held at once."""
    for piece in found.iter_slices(WRITE_SLICE_ROWS):
        piece.write_ndjson(sink)


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


def _slow_cells(cells: pl.Series, r: Recognizer, ctx: _Context) -> pl.DataFrame:
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
    col: _Collector, name: str, s: pl.Series, plan: ColumnPlan | None = None, *, count: bool = True
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
        recognizers = tuple(
            r for r in recognizers if not r.model_based and r.entity not in plan.excluded
        )
    if count:
        stats.non_empty += int((cells.str.len_chars() > 0).fill_null(False).sum())
    found = analyze_column(s, recognizers, ctx.options.threshold)
    _count(stats, found)
    col.add_batch(name, found, row_bound=name != TEXT_COLUMN)


def _category_column(col: _Collector, name: str, s: pl.Series) -> None:
    stats = col.inv.column(col.part.file, col.part.sheet, name)
    nonempty = (s.str.strip_chars().str.len_chars() > 0).fill_null(False)
    stats.non_empty += int(nonempty.sum())
    idx = pl.int_range(0, s.len(), eager=True, dtype=pl.Int64).filter(nonempty)
    col.sensitive_idx.append(idx)


def _age_column(col: _Collector, name: str, s: pl.Series) -> None:
    age = s.str.extract(r"^\s*(\d{1,3})\s*(?:岁|周岁)?\s*$", 1).cast(pl.Int64, strict=False)
    minor = (age < MINOR_AGE).fill_null(False)
    n = int(minor.sum())
    if n:
        col.inv.minors += n
        col.sensitive_idx.append(pl.int_range(0, s.len(), eager=True, dtype=pl.Int64).filter(minor))


def scan_partition(part: Partition, ctx: _Context) -> tuple[pl.DataFrame, PartialInventory]:
    """Scan one partition: its findings (the findings.jsonl columns) and partial inventory."""
    col = _Collector(part, ctx)
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


# --------------------------------------------------------------------------- orchestration


def _files_under(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            yield Path(dirpath) / fn


def _walk(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """(path, name relative to the arguments' common folder) for every file under ``paths``,
    directories walked sorted; a file named twice (or inside a named folder) comes once."""
    if not paths:
        return
    absolute = [Path(os.path.abspath(p)) for p in paths]
    # One folder: relative to it (DESIGN.md); one file: its name. Several arguments: relative
    # to the deepest folder holding them all, so shop_a/客户.csv and shop_b/客户.csv differ.
    base = os.path.commonpath([p if p.is_dir() else p.parent for p in absolute])
    seen: set[str] = set()
    for root in absolute:
        for p in _files_under(root):
            real = os.path.realpath(p)
            if real in seen:
                continue
            seen.add(real)
            yield p, p.relative_to(base).as_posix()


def iter_files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """(path, name in the outputs) for every file under ``paths``, directories walked sorted.

    Names are relative to the one folder given (a single file: its name), or to the common
    folder of several arguments. A name that is not UTF-8 is shown decoded
    (:func:`baomi.engine.paths.display_path`); one that would then equal another file's name
    keeps its bytes escaped instead.
    """
    used: set[str] = set()
    for p, rel in _walk(paths):
        name = display_path(rel)
        if name in used:
            name = display_path(rel, decode=False)
        copy = 1
        while name in used:  # only names escaped alike could still meet
            copy += 1
            name = f"{display_path(rel, decode=False)}~{copy}"
        used.add(name)
        yield p, name


def mask_identifiers(texts: Sequence[str], recognizers: Sequence[Recognizer]) -> list[str]:
    """``texts`` with every identifier found in them masked by the display convention of the
    ``mask`` operator (``138****5678``, ``110101********1233``, ``z***@example.com``)."""
    out = list(texts)
    # every identifier masked here holds 7 digits or more (a passport: a letter and 7 or 8;
    # full-width digits count) or an @: most names are left at once
    idx = [
        i
        for i, t in enumerate(out)
        if "@" in t or "＠" in t or sum(c.isdigit() for c in t) >= MIN_IDENTIFIER_DIGITS
    ]
    if not idx:
        return out
    found = analyze_column(
        pl.Series([out[i] for i in idx], dtype=pl.String), recognizers, DEFAULT_THRESHOLD
    )
    if found.height == 0:
        return out
    from baomi.engine.protect.operators.mask import mask_value
    from baomi.engine.protect.params import MaskParams

    params = MaskParams()
    found = found.with_columns(idx=pl.Series(idx, dtype=pl.Int64).gather(found.get_column("idx")))
    # right to left within a text, so that earlier offsets stay valid
    for i, start, end, entity in sorted(
        found.select("idx", "start", "end", "entity").iter_rows(), key=lambda f: (f[0], -f[1])
    ):
        text = out[i]
        out[i] = text[:start] + mask_value(text[start:end], entity, params) + text[end:]
    return out


class _Names:
    """The one place where names taken from a file's data — column headers, JSON paths, sheet
    names — become the names the outputs show (inventory.json, findings.jsonl with its
    ``--explain`` pattern and context, the console): an identifier in a name is masked
    (``13812345678.name`` → ``138****5678.name``), never written raw. Two names that mask
    alike stay apart (``name (2)``); each distinct name is analysed once per file."""

    def __init__(self, ctx: _Context) -> None:
        self.recognizers = ctx.name_recognizers
        self.sheets: dict[str | None, str | None] = {}
        self.columns: dict[str | None, dict[str, str]] = {}  # per output sheet: raw → shown
        self.used: dict[str | None, set[str]] = {}

    def _assign(self, table: dict[str, str], used: set[str], raw: list[str]) -> None:
        for name, shown in zip(raw, mask_identifiers(raw, self.recognizers), strict=True):
            base, copy = shown, 1
            while shown in used:
                copy += 1
                shown = f"{base} ({copy})"
            used.add(shown)
            table[name] = shown

    def sheet(self, sheet: str | None) -> str | None:
        if sheet is None:
            return None
        if sheet not in self.sheets:
            table: dict[str, str] = {}
            used = {s for s in self.sheets.values() if s is not None}
            self._assign(table, used, [sheet])
            self.sheets[sheet] = table[sheet]
        return self.sheets[sheet]

    def frame(self, sheet: str | None, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with its columns renamed as shown (``sheet``: the shown sheet name)."""
        table = self.columns.setdefault(sheet, {})
        new = [c for c in frame.columns if c not in table]
        if new:
            self._assign(table, self.used.setdefault(sheet, set()), new)
        if all(table[c] == c for c in frame.columns):
            return frame
        return frame.rename({c: table[c] for c in frame.columns})


class _Planner:
    """Column plans per (file, sheet), classified on the first batch that has data."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.plans: dict[str | None, dict[str, ColumnPlan]] = {}

    def plans_for(self, sheet: str | None, frame: pl.DataFrame) -> tuple[ColumnPlan, ...]:
        current = self.plans.setdefault(sheet, {})
        names = [n for n in frame.columns if n != ROW_COLUMN]
        for name in names:
            old = current.get(name)
            if old is None or (old.mode == "skip" and old.note == "empty"):
                current[name] = classify_column(
                    name, frame.get_column(name), self.ctx.registry, self.ctx.options.sample_rows
                )
        return tuple(current[n] for n in names)


def _coalesce(
    batches: Iterator[TableBatch], rows: int
) -> Iterator[tuple[str | None, int, pl.DataFrame]]:
    """Join a reader's small batches (one per parsed block) into partitions of about ``rows``.

    Per-partition costs (classification calls, Polars plans) then stay small against the
    per-row work; batches of one sheet come in order. The first partition is the first batch
    alone, so that scanning starts while the reader parses the next blocks. When the batches
    of a partition leave gaps (rows the reader skipped), the frame gets a ``ROW_COLUMN`` with
    each row's number, so findings keep the file's row numbers.

    A reader that fails part-way (``UnreadableFileError``) first has the rows it gave scanned:
    the partition being gathered is yielded, then the error is raised.
    """
    sheet: str | None = None
    offset = 0
    frames: list[pl.DataFrame] = []
    starts: list[int] = []
    size = 0
    first = True

    def joined() -> pl.DataFrame:
        frame = pl.concat(frames, how="diagonal_relaxed")
        if all(b - a == f.height for a, b, f in zip(starts, starts[1:], frames, strict=False)):
            return frame
        numbers = pl.concat(
            [
                pl.int_range(a, a + f.height, eager=True, dtype=pl.Int64)
                for a, f in zip(starts, frames, strict=True)
            ]
        )
        return frame.with_columns(numbers.alias(ROW_COLUMN))

    try:
        for b in batches:
            if frames and (b.sheet != sheet or size + b.frame.height > rows or first):
                first = False
                yield sheet, offset, joined()
                frames, starts, size = [], [], 0
            if not frames:
                sheet, offset = b.sheet, b.offset
            frames.append(b.frame)
            starts.append(b.offset)
            size += b.frame.height
    except UnreadableFileError:
        if frames:
            yield sheet, offset, joined()
        raise
    if frames:
        yield sheet, offset, joined()


def _text_partitions(src: Any, batch_rows: int) -> Iterator[pl.DataFrame]:
    rows: list[int] = []
    texts: list[str] = []
    for unit in src.units():
        rows.append(unit.row)
        texts.append(unit.text)
        if len(rows) >= batch_rows:
            yield pl.DataFrame(
                {ROW_COLUMN: rows, TEXT_COLUMN: texts},
                schema={ROW_COLUMN: pl.Int64, TEXT_COLUMN: pl.String},
            )
            rows, texts = [], []
    if rows:
        yield pl.DataFrame(
            {ROW_COLUMN: rows, TEXT_COLUMN: texts},
            schema={ROW_COLUMN: pl.Int64, TEXT_COLUMN: pl.String},
        )


_TEXT_PLAN = (ColumnPlan(TEXT_COLUMN, "text", None, 1.0),)


def scan_paths(
    paths: Sequence[Path],
    *,
    out_dir: Path | None = None,
    registry: Registry | None = None,
    workers: int = 1,
    options: ScanOptions | None = None,
    progress: ProgressFn | None = None,
) -> ScanResult:
    """Scan files and directories; write ``inventory.json`` and ``findings.jsonl`` to ``out_dir``.

    Both outputs are written to temporary names and renamed when complete.
    """
    options = options or ScanOptions()
    registry = registry or Registry.default()
    seed = secrets.randbits(63)
    ctx = _Context(registry, options, seed)
    files = list(iter_files(paths))
    total = sum(p.stat().st_size for p, _ in files if p.is_file())
    done = 0
    merger = InventoryMerger()
    records: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    findings = 0
    sink: io.BufferedWriter | None = None
    tmp_findings: Path | None = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp_findings = out_dir / ".findings.jsonl.partial"
        sink = open(tmp_findings, "wb")  # noqa: SIM115 - closed in finally
    pool = (
        ProcessPoolExecutor(
            workers,
            # Polars' thread pool does not survive fork(); spawn a clean interpreter.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(registry, options, seed),
        )
        if workers > 1
        else None
    )
    pending: deque[tuple[dict[str, Any], Future[tuple[pl.DataFrame, PartialInventory]]]] = deque()
    # In one process, two threads scan partitions while this one reads the next and writes
    # the findings (Polars releases the GIL, and most of a partition's work is in Polars).
    # Not with the prose model: its decoder already uses the cores for each partition's
    # texts, and a second scanning thread gained ~8 % for ~150 MB more memory.
    threads = (
        ThreadPoolExecutor(SCAN_THREADS)
        if pool is None and not any(r.model_based for r in ctx.registry)
        else None
    )

    # One writer thread appends findings in partition order, so that the last partitions'
    # findings are written while the inventory (the individuals count) is computed.
    writer = ThreadPoolExecutor(1) if sink is not None else None
    writes: deque[Future[None]] = deque()

    def consume(
        record: dict[str, Any], found: pl.DataFrame, inv: PartialInventory, backlog: int
    ) -> None:
        nonlocal findings
        merger.add(inv)
        record["rows"] += inv.rows
        if found.height:
            findings += found.height
            if sink is not None and writer is not None:
                # Straight into the file: an in-memory NDJSON buffer cost 3× its size.
                writes.append(writer.submit(_write_ndjson, found, sink))
                while len(writes) > backlog:  # bounded memory; a write error surfaces here
                    writes.popleft().result()

    def drain(limit: int, backlog: int = 1) -> None:
        while len(pending) > limit:
            rec, fut = pending.popleft()
            consume(rec, *fut.result(), backlog=backlog)

    try:
        for file_index, (path, rel) in enumerate(files):
            size = path.stat().st_size if path.is_file() else 0
            if progress:
                progress(rel, done, total)
            try:
                src = open_source(path, batch_rows=options.batch_rows)
            except UnreadableFileError as exc:
                skipped.append({"path": rel, "reason": exc.reason})
                done += size
                continue
            record: dict[str, Any] = {
                "path": rel,
                "kind": src.kind,
                "encoding": src.encoding,
                "rows": 0,
                "sheets": [],
            }
            planner = _Planner(ctx)
            names = _Names(ctx)
            sheets: dict[str | None, int] = {}
            errors: list[str] = []
            parts = 0
            try:
                if src.kind == "table":
                    batches: Iterator[tuple[str | None, int, pl.DataFrame]] = _coalesce(
                        src.batches(), options.batch_rows
                    )
                else:
                    batches = ((None, 0, f) for f in _text_partitions(src, options.batch_rows))
                seen = 0  # bytes of the partitions read so far: the bar moves within a file
                for sheet, offset, frame in batches:
                    parts += 1
                    if progress:
                        seen += int(frame.estimated_size())
                        progress(rel, done + min(seen, size), total)
                    if src.kind == "table":
                        sheet = names.sheet(sheet)
                        frame = names.frame(sheet, frame)
                    sheet_index = sheets.setdefault(sheet, len(sheets))
                    if src.kind == "table":
                        plans = planner.plans_for(sheet, frame)
                        cats = tuple(
                            (c, cat)
                            for c in frame.columns
                            if c != ROW_COLUMN and (cat := category_for_header(c))
                        )
                    else:
                        plans, cats = _TEXT_PLAN, ()
                    part = Partition(
                        rel, file_index, sheet, sheet_index, offset, frame, plans, cats
                    )
                    if pool is None and threads is not None:
                        pending.append((record, threads.submit(scan_partition, part, ctx)))
                        drain(SCAN_THREADS)
                    elif pool is None:
                        consume(record, *scan_partition(part, ctx), backlog=1)
                    else:
                        pending.append((record, pool.submit(_run_partition, part)))
                        drain(workers * 2)
                drain(0, backlog=SCAN_THREADS + 1)
            except UnreadableFileError as exc:
                drain(0, backlog=SCAN_THREADS + 1)
                if not parts:  # nothing could be read: the file is skipped, not scanned
                    skipped.append({"path": rel, "reason": exc.reason})
                    done += size
                    continue
                errors.append(exc.reason)  # read in part: what was read is scanned
            record["skipped_rows"] = src.skipped_rows
            record["undecodable_rows"] = src.undecodable_rows
            record["errors"] = [*src.errors, *errors]
            record["sheets"] = [s for s in sheets if s is not None]
            if src.kind == "table":
                record["plans"] = {s: planner.plans.get(s, {}) for s in sheets}
            records.append(record)
            done += size
        if progress:
            progress("", total, total)
        inventory = _inventory(records, skipped, merger, ctx, findings)
        while writes:
            writes.popleft().result()
    except BaseException:
        if writer is not None:
            writer.shutdown(cancel_futures=True)  # waits for a write in progress
        if sink is not None and tmp_findings is not None:
            sink.close()
            tmp_findings.unlink(missing_ok=True)  # no half-written findings are left behind
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if threads is not None:
            threads.shutdown(cancel_futures=True)
        if writer is not None:
            writer.shutdown(cancel_futures=True)
        if sink is not None:
            sink.close()
    findings_path = None
    try:
        if out_dir is not None and tmp_findings is not None:
            findings_path = out_dir / "findings.jsonl"
            os.replace(tmp_findings, findings_path)
            codec.dump(inventory, out_dir / "inventory.json")
    except BaseException:
        if out_dir is not None:  # no half-written output is left behind
            for name in (".findings.jsonl.partial", ".inventory.json.partial"):
                (out_dir / name).unlink(missing_ok=True)
        raise
    return ScanResult(inventory, findings_path, findings)


def _inventory(
    records: list[dict[str, Any]],
    skipped: list[dict[str, str]],
    merger: InventoryMerger,
    ctx: _Context,
    findings: int,
) -> Inventory:
    files_out: list[InventoryFile] = []
    entity_totals: dict[str, int] = {}
    categories: dict[str, int] = {}
    for rec in records:
        plans: dict[str | None, dict[str, ColumnPlan]] = rec.pop("plans", {})
        columns: list[InventoryColumn] = []
        file_entities: dict[str, int] = {}
        for (file, sheet, name), stats in merger.columns.items():
            if file != rec["path"]:
                continue
            for e, n in stats.entities.items():
                file_entities[e] = file_entities.get(e, 0) + n
                entity_totals[e] = entity_totals.get(e, 0) + n
            if rec["kind"] != "table" or name is None:
                continue
            plan = plans.get(sheet, {}).get(name) or ColumnPlan(name, "skip")
            category_sensitive = category_for_header(name)
            entity = (
                plan.entity
                if plan.mode == "entity"
                # ties go to the first name: the counts' order depends on the threads
                else (
                    max(sorted(stats.entities), key=stats.entities.__getitem__)
                    if stats.entities
                    else None
                )
            )
            info = ENTITIES.get(entity or "")
            if category_sensitive:
                categories[category_sensitive] = (
                    categories.get(category_sensitive, 0) + stats.non_empty
                )
            columns.append(
                InventoryColumn(
                    name=name,
                    sheet=sheet,
                    mode=plan.mode,
                    entity=entity,
                    entities=dict(sorted(stats.entities.items())),
                    category=category_sensitive or (info.category if info else None),
                    sensitive=bool(category_sensitive)
                    or any(ENTITIES[e].sensitive for e in stats.entities if e in ENTITIES),
                    matches=stats.matches,
                    non_empty=stats.non_empty,
                    confidence=plan.confidence
                    if plan.mode in ("entity", "decoy")
                    else (round(stats.matches / stats.non_empty, 3) if stats.non_empty else 0.0),
                    note=plan.note or None,
                )
            )
        files_out.append(
            InventoryFile(
                path=rec["path"],
                kind=rec["kind"],
                encoding=rec["encoding"],
                rows=rec["rows"],
                sheets=tuple(rec["sheets"]),
                skipped_rows=rec["skipped_rows"],
                undecodable_rows=rec["undecodable_rows"],
                errors=tuple(rec["errors"]),
                columns=tuple(columns),
                entities=dict(sorted(file_entities.items())),
            )
        )
    individuals, sensitive_individuals, method = merger.individuals()
    return Inventory(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        threshold=ctx.options.threshold,
        files=tuple(files_out),
        skipped=tuple(SkippedFile(path=s["path"], reason=s["reason"]) for s in skipped),
        summary=InventorySummary(
            files_scanned=len(files_out),
            files_skipped=len(skipped),
            # read in part: a corrupt sheet, a file broken after its first records (``errors``)
            files_with_errors=sum(1 for f in files_out if f.errors),
            rows=merger.rows,
            skipped_rows=sum(f.skipped_rows for f in files_out),
            undecodable_rows=sum(f.undecodable_rows for f in files_out),
            findings=findings,
            entities=dict(sorted(entity_totals.items())),
            distinct=merger.distinct(),
            # above EXACT_DISTINCT distinct values a count is a HyperLogLog estimate (±0.8 %)
            distinct_estimated=tuple(merger.estimated()),
            sensitive_entities=tuple(
                sorted(e for e in entity_totals if ENTITIES.get(e) and ENTITIES[e].sensitive)
            ),
            sensitive_categories=dict(sorted(categories.items())),
            minors=merger.minors,
            estimated_individuals=individuals,
            individuals_with_sensitive=sensitive_individuals,
            individuals_method=method,
        ),
    )


__all__ = [
    "Partition",
    "ScanOptions",
    "ScanResult",
    "iter_files",
    "scan_partition",
    "scan_paths",
]
