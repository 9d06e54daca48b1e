"""``inventory.json`` (DESIGN.md "Scan output", docs/scan.md): what a scan found, file by file.

No raw PI value: counts, column names (an identifier in a name is masked) and categories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from baomi.engine.contracts.layout import OMIT_DEFAULT, OMIT_NONE

#: The inventory's schema version (its ``version`` key); readers refuse a later one.
INVENTORY_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryColumn:
    """One column of a table: how it was classified and what was found in it."""

    name: str
    sheet: str | None
    #: ``entity``, ``decoy``, ``text`` or ``skip`` (docs/scan.md "How columns are classified").
    mode: str
    entity: str | None
    entities: Mapping[str, int]
    category: str | None
    sensitive: bool
    matches: int
    non_empty: int
    confidence: float
    note: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryNote:
    """One of ``notes`` said in no language: its ``code`` and what it names (the other keys,
    each left out when the code does not use it). :mod:`baomi.engine.contracts.notes` lists
    the codes and words them in the reader's language. Tables, columns and schemas are named,
    never a value."""

    code: str
    #: the column left out (``binary_column``, ``unknown_type``, ``binary_values``)
    column: str | None = field(default=None, metadata=OMIT_NONE)
    #: the rows read before ``--sample`` stopped (``sample``)
    rows: int | None = field(default=None, metadata=OMIT_NONE)
    #: the schemas not read, each with its tables and views, ten at most (``other_schemas``)
    schemas: Mapping[str, int] | None = field(default=None, metadata=OMIT_NONE)
    #: how many more schemas were not read than ``schemas`` names (``other_schemas``)
    more: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Words:
    """A message in both languages: a file's error, a skipped file's reason
    (:func:`baomi.engine.contracts.notes.errors_shown`). A message no one worded in both
    (an earlier version's) has the same text in each."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryFile:
    """One file that was read (whole, or in part: ``errors``, ``skipped_rows``). ``notes``:
    how a database table was read in full (no primary key, a binary column left out,
    ``--sample``) — information, not a read failure — as the scan worded them, in the language
    it ran in; ``note_codes``: the same notes one for one in no language, which readers word
    in their own (:func:`baomi.engine.contracts.notes.shown`). Both keys are left out when
    empty (``note_codes`` also in an inventory written before they were). ``errors`` are
    worded alike: in the scan's language, and one for one in both (``error_words``, left out
    when empty and in an inventory written before they were)."""

    path: str
    kind: str  # "table" or "text"
    encoding: str | None
    rows: int
    sheets: tuple[str, ...]
    skipped_rows: int
    undecodable_rows: int
    errors: tuple[str, ...]
    columns: tuple[InventoryColumn, ...]
    entities: Mapping[str, int]
    notes: tuple[str, ...] = field(default=(), metadata=OMIT_DEFAULT)
    note_codes: tuple[InventoryNote, ...] = field(default=(), metadata=OMIT_DEFAULT)
    error_words: tuple[Words, ...] = field(default=(), metadata=OMIT_DEFAULT)

    @property
    def read_in_part(self) -> bool:
        """Whether part of the file could not be read (or decoded)."""
        return bool(self.errors or self.skipped_rows or self.undecodable_rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedFile:
    """A file of which nothing could be read, and why (no PI in the reason): in the scan's
    language, and in both (``reason_words``; left out in an inventory written before)."""

    path: str
    reason: str
    reason_words: Words | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class InventorySummary:
    files_scanned: int
    files_skipped: int
    files_with_errors: int
    rows: int
    skipped_rows: int
    undecodable_rows: int
    findings: int
    entities: Mapping[str, int]
    distinct: Mapping[str, int]
    #: Entities whose ``distinct`` count is a HyperLogLog estimate (±0.8 %).
    distinct_estimated: tuple[str, ...]
    sensitive_entities: tuple[str, ...]
    sensitive_categories: Mapping[str, int]
    minors: int
    estimated_individuals: int
    individuals_with_sensitive: int
    individuals_method: str

    @property
    def exact_individuals(self) -> bool:
        """Whether the individuals were counted by linking records (not estimated)."""
        return self.individuals_method.startswith("exact")


@dataclass(frozen=True, slots=True, kw_only=True)
class Inventory:
    version: int = INVENTORY_VERSION
    created: str
    threshold: float
    files: tuple[InventoryFile, ...]
    skipped: tuple[SkippedFile, ...]
    summary: InventorySummary
    #: About the run as a whole (a database's schemas not read); left out when empty. Worded
    #: and coded as a file's ``notes`` and ``note_codes``.
    notes: tuple[str, ...] = field(default=(), metadata=OMIT_DEFAULT)
    note_codes: tuple[InventoryNote, ...] = field(default=(), metadata=OMIT_DEFAULT)
