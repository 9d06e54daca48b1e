"""The scan's vocabulary: options, a partition (one unit of work), the result, the per-process
context (registry, analyzer, options, hash key) and the names of the findings' columns."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from baomi.engine.analyzer import DEFAULT_THRESHOLD, TextAnalyzer
from baomi.engine.cells import CellRecognizers
from baomi.engine.columns import ColumnPlan
from baomi.engine.contracts.inventory import Inventory
from baomi.engine.documents.names import NAME_ENTITIES
from baomi.engine.entities import ENTITIES
from baomi.engine.recognizers.registry import Registry

TEXT_COLUMN = "\x00text"  # the one column of a text file's partitions
#: The note of a column of text beside the rows (:attr:`Partition.extra`): its header names a
#: place, not a category of the table's values.
EXTRA_NOTE = "beside the cells: comments, page headers and footers, or document properties"
ROW_COLUMN = "\x00row"
SENSITIVE = sorted(e for e, info in ENTITIES.items() if info.sensitive)
IDENTIFIERS = sorted(e for e, info in ENTITIES.items() if info.identifier)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    threshold: float = DEFAULT_THRESHOLD
    explain: bool = False
    #: Rows per partition: 49,152 peaked at 774 MB on a 1 GB CSV, 32,768 at 637 MB with the
    #: same CPU time (the findings of the partitions in flight are most of the working set).
    batch_rows: int = 32768
    sample_rows: int = 500
    #: Run model-based prose recognizers (names, addresses, organisations in free text).
    prose: bool = True


@dataclass(frozen=True, slots=True)
class LinkedCells:
    """The data cells of one column that links' texts in a partition are on (docs/readers.md
    "A link that only restates its cell"): ``texts`` the cells' texts by the partition's rows
    (null where none of ``links`` is), ``plan`` their column's plan, ``links`` the partition's
    columns of those links' texts. What the rows' scan finds in a cell is found again here; a
    link text's finding of the same entity and canonical value is the cell's identifier
    restated — counted once, in the cell."""

    plan: ColumnPlan
    texts: pl.Series
    links: tuple[str, ...]


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
    #: text beside the rows (comments, page headers and footers, document properties): its
    #: rows are not the table's records and are not counted as rows
    extra: bool = False
    #: what is found in a row belongs to that row's record (identifiers seen together are one
    #: person); not so for text apart from the rows (a page header, a document property)
    bound: bool = True
    #: the columns are paths into nested records (JSON): an object of a record that names a
    #: person of its own is that person (:mod:`baomi.engine.scan.persons`)
    nested: bool = False
    #: links' texts beside the rows: the data cells they are on, one per column of those cells
    linked: tuple[LinkedCells, ...] = ()

    def row_key_base(self) -> int:
        return (self.file_index << 44) | (self.sheet_index << 36)


@dataclass
class ScanResult:
    inventory: Inventory
    findings_path: Path | None = None
    findings: int = 0


ProgressFn = Callable[[str, int, int], None]  # (file, bytes done, bytes total)


class ScanContext:
    """Per-process scan state: registry, analyzer, options and the hash key."""

    def __init__(self, registry: Registry, options: ScanOptions, seed: int) -> None:
        self.registry = registry if options.prose else registry.without_models()
        self.options = options
        self.seed = seed
        self.analyzer = TextAnalyzer(self.registry, options.threshold)
        self.cells = CellRecognizers.of(self.analyzer)
        self.name_recognizers = [
            r
            for r in self.registry
            if r.entity in NAME_ENTITIES and not r.model_based and not r.column_only
        ]
        #: Entities the prose model finds (their columns are scanned first side by side).
        self.model_entities = frozenset(r.entity for r in self.registry if r.model_based)
        #: Threads that scan one partition's columns side by side
        #: (:func:`baomi.engine.scan.kernels.scan_partition`); set by the scan that runs one
        #: partition at a time with the prose model, whose notes column would otherwise
        #: leave a core idle between its decoder batches.
        self.column_pool: Executor | None = None
        #: Threads that find a partition's longest columns — free text, names, addresses,
        #: organisations — while the thread scanning the partition does its other columns
        #: (:func:`baomi.engine.scan.kernels.scan_partition`); set by the scan without the
        #: model, whose threads scan partitions side by side.
        self.text_pool: Executor | None = None

    def hash_values(self, values: pl.Series, entities: pl.Series) -> pl.Series:
        """64-bit hashes of canonical values (``entities`` names each one's entity): keyed
        with the per-scan seed, in memory only. A subclass may key them otherwise (the
        provision records' installation key, :mod:`baomi.engine.scan.linkage`)."""
        del entities
        return values.hash(self.seed)
