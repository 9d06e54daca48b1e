"""Where a person's identifiers occur: an index of (file, sheet, row, column, entity, keyed
hash) built by reading and classifying the files exactly as the scan does (same readers,
column plans, cell decisions and canonical values — :class:`FilePartitions`,
:func:`baomi.engine.cells.column_findings`), and the lookup of one identifier in it.

Identifier entities (resident ID, mobile, e-mail, bank card, passport, permit) and person
names are indexed, each value as HMAC-SHA256 under the caller's key truncated to 8 bytes
(:func:`baomi.engine.scan.linkage.identifier_hash`) — a name as its canonical spelling
(:func:`name_canonical`: NFKC, blanks removed): the index holds no value. A name alone finds
nobody; it narrows an identifier's rows (:func:`in_rows_with`). A query is
canonicalised by the entity's recognizers (full-width digits, spaces, dashes and ``+86`` give
the same canonical value the scan computes) and hashed the same way.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from baomi.engine.cells import column_findings
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.linkage import identifier_hash
from baomi.engine.scan.model import (
    IDENTIFIERS,
    ROW_COLUMN,
    TEXT_COLUMN,
    Partition,
    ScanContext,
    ScanOptions,
)
from baomi.engine.scan.partitions import read_partitions
from baomi.errors import InputError

#: the entity of person names (indexed beside the identifiers, to narrow a search by name)
NAME = "PERSON_NAME"
_INDEXED = (*IDENTIFIERS, NAME)


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One identifier in one cell (``column`` None: free text; ``row`` as in findings)."""

    file: str
    sheet: str | None
    row: int
    column: str | None
    entity: str
    hash: int


def index_files(
    paths: Sequence[Path],
    key: bytes,
    *,
    registry: Registry | None = None,
    options: ScanOptions | None = None,
) -> list[Occurrence]:
    """Every identifier occurrence in ``paths`` (files or folders), keyed-hashed. Unreadable
    files add nothing; a file read in part adds what was read."""
    ctx = ScanContext(
        registry or Registry.default(), options or ScanOptions(prose=False), secrets.randbits(63)
    )
    out: list[Occurrence] = []
    for part in read_partitions(paths, ctx):
        out.extend(_partition(part, ctx, key))
    return sorted(set(out), key=_order)


def _order(o: Occurrence) -> tuple[str, bool, str, int, bool, str, str, int]:
    """Occurrences in file, sheet, row, column order; a workbook's document properties (no
    sheet) before its sheets, text (no column) before columns."""
    return (
        o.file,
        o.sheet is not None,
        o.sheet or "",
        o.row,
        o.column is not None,
        o.column or "",
        o.entity,
        o.hash,
    )


def _row_numbers(part: Partition) -> pl.Series:
    """The row number (as findings give it) of each of the partition's frame rows."""
    frame = part.frame
    if frame.width and ROW_COLUMN in frame.columns:
        return frame.get_column(ROW_COLUMN).cast(pl.Int64)
    return pl.int_range(part.offset, part.offset + frame.height, eager=True, dtype=pl.Int64)


def _partition(part: Partition, ctx: ScanContext, key: bytes) -> Iterator[Occurrence]:
    frame = part.frame
    row_of = _row_numbers(part)
    for plan in part.plans:
        cells = frame.get_column(plan.name)
        if plan.mode == "entity" and plan.entity == NAME:
            # a name column: every cell is a name, also one the recognizer does not take
            # (``张 三``, a rare surname)
            for row, cell in zip(row_of.to_list(), cells.to_list(), strict=True):
                if cell and (canon := name_canonical(str(cell))):
                    yield Occurrence(
                        part.file,
                        part.sheet,
                        int(row),
                        plan.name,
                        NAME,
                        identifier_hash(key, canon),
                    )
        found = column_findings(plan, cells, ctx.cells)
        if found.height == 0:
            continue
        found = found.filter(pl.col("entity").is_in(_INDEXED))
        column = None if plan.name == TEXT_COLUMN else plan.name
        rows = row_of.gather(found.get_column("idx")).to_list()
        for row, entity, value in zip(
            rows,
            found.get_column("entity").to_list(),
            found.get_column("value").to_list(),
            strict=True,
        ):
            if entity == NAME:
                value = name_canonical(value)
            if value:
                yield Occurrence(
                    part.file, part.sheet, int(row), column, entity, identifier_hash(key, value)
                )


def name_canonical(name: str) -> str:
    """A name as the index keys it: NFKC (full-width letters are letters), blanks removed
    (``张 三`` is ``张三``), Latin letters in lower case."""
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def canonical(entity: str, query: str, registry: Registry | None = None) -> str:
    """The canonical value of ``query`` as the scan computes it for ``entity``: the entity's
    recognizers run over the query (NFKC, so full-width digits are digits; their patterns take
    spaces, dashes and ``+86``); without a match, the first recognizer's ``canonical`` of the
    query without blanks. Raises :class:`InputError` for an empty query."""
    text = query.strip()
    if not text:
        raise InputError("empty identifier")
    recognizers = (registry or Registry.default()).for_entity(entity)
    if not recognizers:
        raise InputError(f"no recognizer for {entity}")
    for rec in recognizers:
        for finding in rec.analyze(text):
            if finding.entity == entity and finding.value:
                return str(finding.value)
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    return recognizers[0].canonical(compact)


def find(
    index: Sequence[Occurrence], entity: str, query: str, key: bytes, name: str | None = None
) -> list[Occurrence]:
    """The occurrences of ``query`` (an identifier of ``entity``) in ``index``; with ``name``,
    only in the rows where that name occurs too, and the name's cells in those rows."""
    wanted = identifier_hash(key, canonical(entity, query))
    found = [o for o in index if o.entity == entity and o.hash == wanted]
    if name is None:
        return found
    return in_rows_with(index, found, name_hash(key, name))


def name_hash(key: bytes, name: str) -> int:
    """The keyed hash of ``name`` as the index holds it; :class:`InputError` if blank."""
    canon = name_canonical(name)
    if not canon:
        raise InputError("empty name")
    return identifier_hash(key, canon)


def in_rows_with(
    index: Sequence[Occurrence], found: Sequence[Occurrence], name: int
) -> list[Occurrence]:
    """``found`` kept where the row (file, sheet, row) also holds the name hashed ``name``,
    with the name's occurrences in those rows."""
    named = {(o.file, o.sheet, o.row) for o in index if o.entity == NAME and o.hash == name}
    rows = {(o.file, o.sheet, o.row) for o in found} & named
    kept = [o for o in found if (o.file, o.sheet, o.row) in rows]
    kept += [
        o for o in index if o.entity == NAME and o.hash == name and (o.file, o.sheet, o.row) in rows
    ]
    return sorted(set(kept), key=_order)


def records_at(
    paths: Sequence[Path],
    wanted: set[tuple[str, str | None, int]],
    *,
    registry: Registry | None = None,
) -> list[tuple[str, str | None, int, dict[str, str]]]:
    """The records at (file, sheet, row) in ``wanted`` (the positions :func:`index_files`
    reports), read as the scan reads them: (file, sheet, row, {column: value}); a text unit
    has the one column ``text``. A row's cell comments are in its record, under their
    columns (``批注：手机``)."""
    ctx = ScanContext(
        registry or Registry.default(), ScanOptions(prose=False), secrets.randbits(63)
    )
    found: dict[tuple[str, str | None, int], dict[str, str]] = {}
    for part in read_partitions(paths, ctx):
        frame = part.frame
        for i, row in enumerate(_row_numbers(part).to_list()):
            if (part.file, part.sheet, int(row)) not in wanted:
                continue
            values = found.setdefault((part.file, part.sheet, int(row)), {})
            for name, v in frame.row(i, named=True).items():
                key = "text" if name == TEXT_COLUMN else name
                if name != ROW_COLUMN and (v is not None or key not in values):
                    values[key] = "" if v is None else str(v)
    out = [(file, sheet, row, values) for (file, sheet, row), values in found.items()]
    return sorted(out, key=lambda r: (r[0], r[1] or "", r[2]))
