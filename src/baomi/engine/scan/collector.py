"""Findings of one partition gathered as columns, and the partial inventory they make (keyed
value hashes, the links between rows that count individuals, rows with sensitive PI)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import polars as pl

from baomi.engine.contracts.finding import EXPLAIN_KEYS, FINDING_KEYS
from baomi.engine.inventory import DOCUMENTS, DOUBTED_BIT, KIND_BITS, PartialInventory
from baomi.engine.scan import persons
from baomi.engine.scan.model import (
    IDENTIFIERS,
    ROW_COLUMN,
    SENSITIVE,
    TEXT_COLUMN,
    Partition,
    ScanContext,
)
from baomi.engine.types import Validation

#: The column of a partition's value hashes marking ID numbers that fail their check.
DOUBTED = "_doubted"
#: Findings serialised to NDJSON at a time (about 6 MB of text).
WRITE_SLICE_ROWS = 50_000


class Collector:
    """Accumulates findings of one partition as columns, then writes NDJSON in one go."""

    def __init__(self, part: Partition, ctx: ScanContext) -> None:
        self.part = part
        self.ctx = ctx
        self.frames: list[tuple[int, pl.DataFrame]] = []  # (column's place, findings)
        self.inv = PartialInventory(rows=0 if part.extra else part.frame.height)
        self.hash_frames: list[pl.DataFrame] = []  # (idx, e, h, bound[, c: the column])
        self.sensitive_idx: list[pl.Series] = []
        self.sensitive_at: list[pl.DataFrame] = []  # nested records: (idx, c)
        self.roles = persons.roles(part)  # columns of another person of the record (监护人)

    def add_frame(self, column: str | None, df: pl.DataFrame, order: int | None = None) -> None:
        """``df`` has idx, start, end, entity, score (+ explanation columns); ``order``: the
        column's place in the partition (columns may come in another order), else after
        the columns added so far."""
        if df.height:
            at = len(self.frames) if order is None else order
            self.frames.append(
                (at, df.with_columns(pl.lit(column, dtype=pl.String).alias("column")))
            )

    def add_batch(
        self,
        column: str | None,
        found: pl.DataFrame,
        *,
        row_bound: bool,
        order: int | None = None,
        free_text: bool = False,
        reported: pl.DataFrame | None = None,
    ) -> None:
        """Findings from :func:`analyze_column` (idx already a partition row index);
        ``free_text``: the column is a record's free text (a remark), where a person other
        than the record's may be named (:func:`persons.mentioned_keys`); ``reported``: those
        of ``found`` that ``findings.jsonl`` lists, when not all (a link's text restating the
        identifier of its cell, counted there: :class:`~baomi.engine.scan.model.LinkedCells`)
        — the values of all of them still make the record's links and distinct values, so
        who is who does not depend on where a value is counted."""
        if found.height == 0:
            return
        keys = ["idx", "start", "end", "entity", "score"]
        if self.ctx.options.explain:
            keys += ["recognizer", "pattern", "validation", "context"]
        self.add_frame(column, (found if reported is None else reported).select(keys), order)
        # an ID number that fails its check names no one for certain (a typo: the same
        # customer's other row has it right): it does not tell two people apart; and the
        # rows with sensitive PI (one query: a query is a wide table's cost a column)
        marks = found.select(
            doubted=(
                pl.col("entity").is_in(DOCUMENTS)
                & (pl.col("validation") == Validation.REJECTED.value)
                if "validation" in found.columns
                else pl.lit(False)
            ),
            sensitive=pl.col("entity").is_in(SENSITIVE),
        )
        doubted = marks.get_column("doubted")
        self.add_values(
            found.get_column("idx"),
            found.get_column("entity"),
            found.get_column("value"),
            row_bound=row_bound,
            column=column,
            spans=found.select("start", "end") if free_text else None,
            doubted=doubted if doubted.any() else None,
        )
        sensitive = marks.get_column("sensitive")
        if row_bound and sensitive.any():
            self.flag_sensitive(found.get_column("idx").filter(sensitive), column)

    def flag_sensitive(self, idx: pl.Series, column: str | None) -> None:
        """The rows ``idx`` (partition row indexes) hold sensitive PI, in ``column``."""
        if self.part.nested:
            self.sensitive_at.append(
                pl.DataFrame({"idx": idx.cast(pl.Int64), "c": pl.Series([column] * len(idx))})
            )
        else:
            self.sensitive_idx.append(idx)

    def add_values(
        self,
        rows: list[int] | pl.Series,
        entities: pl.Series | list[str] | str,
        values: pl.Series,
        *,
        row_bound: bool,
        column: str | None = None,
        spans: pl.DataFrame | None = None,
        doubted: pl.Series | None = None,
    ) -> None:
        """``spans``: the values' (start, end) in the cells of a free-text ``column``;
        ``doubted``: the values that are ID numbers failing their check."""
        n = len(values)
        if n == 0:
            return
        extra = (
            {"c": pl.Series("c", [column], dtype=pl.String).new_from_index(0, n)}
            if self.part.nested
            else {}
        )
        if column in self.roles:
            extra[persons.ROLE] = pl.Series([self.roles[column]], dtype=pl.String).new_from_index(
                0, n
            )
        if doubted is not None:
            extra[DOUBTED] = doubted
        if spans is not None:
            extra[persons.TEXT] = pl.Series([column], dtype=pl.String).new_from_index(0, n)
            extra[persons.START] = spans.get_column("start")
            extra[persons.END] = spans.get_column("end")
        ent = (
            pl.Series("e", entities, dtype=pl.String)
            if isinstance(entities, list | pl.Series)
            else pl.repeat(entities, n, eager=True, dtype=pl.String).alias("e")
        )
        self.hash_frames.append(
            pl.DataFrame(
                {
                    "idx": pl.Series(rows, dtype=pl.Int64),
                    "e": ent,
                    "h": self.ctx.hash_values(values, ent),
                    "bound": pl.repeat(row_bound, n, eager=True, dtype=pl.Boolean),
                    **extra,
                }
            )
        )

    def _line_chars(self, column: str) -> np.ndarray[Any, Any]:
        """The length in characters of each of the partition's cells of ``column`` (0: none)."""
        cells = self.part.frame.get_column(column)
        return cells.str.len_chars().fill_null(0).to_numpy()

    def finish(self) -> tuple[pl.DataFrame, PartialInventory]:
        part, inv = self.part, self.inv
        base = part.row_key_base()
        if part.frame.width and ROW_COLUMN in part.frame.columns:
            row_of = part.frame.get_column(ROW_COLUMN).cast(pl.Int64)
        else:
            row_of = pl.int_range(
                part.offset, part.offset + part.frame.height, eager=True, dtype=pl.Int64
            )
        hashes = pl.concat(self.hash_frames, how="diagonal") if self.hash_frames else None
        people: persons.People | None = None  # nested records: who is who in each
        mentioned = pl.Series(dtype=pl.UInt64)  # keys of sensitive PI of people in remarks
        if hashes is not None:
            hashes = hashes.with_columns(
                key=(row_of.gather(pl.Series(hashes.get_column("idx"))) + base).cast(pl.UInt64)
            )
            if part.nested:  # the record's other people: their own keys
                people = persons.people_of(hashes, part)
                hashes = hashes.with_columns(people.keys(hashes, self.ctx.seed))
            if persons.TEXT in hashes.columns:  # people named in a remark: their own keys
                hashes = persons.mentioned_keys(
                    hashes,
                    self.ctx.seed,
                    file_index=part.file_index,
                    line_chars=self._line_chars,
                )
            if persons.ROLE in hashes.columns:  # a guardian's columns: their own key
                if persons.MENTIONED not in hashes.columns:
                    hashes = hashes.with_columns(pl.lit(False).alias(persons.MENTIONED))
                hashes = persons.role_keys(hashes, self.ctx.seed)
            if persons.MENTIONED in hashes.columns:
                mentioned = hashes.filter(
                    pl.col(persons.MENTIONED) & pl.col("e").is_in(SENSITIVE)
                ).get_column("key")
            # the two columns only: a group of the whole frame carries the remarks' texts too
            by_entity = hashes.select("e", "h").partition_by("e", as_dict=True)
            for (entity,), grp in by_entity.items():
                inv.hashes[str(entity)] = grp.get_column("h").unique()
            strong = hashes.filter(pl.col("e").is_in(IDENTIFIERS))
            bound = strong.filter(pl.col("bound"))
            loose = strong.filter(~pl.col("bound"))
            kind = pl.col("e").replace_strict(KIND_BITS, return_dtype=pl.UInt32)
            if DOUBTED in hashes.columns:
                kind = pl.when(pl.col(DOUBTED)).then(pl.lit(DOUBTED_BIT, pl.UInt32)).otherwise(kind)
            links = [
                bound.select(r=pl.col("key"), h=pl.col("h"), k=kind),
                loose.select(r=pl.col("h"), h=pl.col("h"), k=kind),
            ]
            names = hashes.filter((pl.col("e") == "PERSON_NAME") & pl.col("bound")).select(
                "key",
                *([persons.MENTIONED] if persons.MENTIONED in hashes.columns else []),
                # the name's node in this file: records of one name without an identifier are
                # one person (a link), and records of one name are joined where nothing tells
                # them apart (inv.named: InventoryMerger, joined_by_name)
                n=(pl.col("h") ^ pl.lit(part.file_index + 1, dtype=pl.UInt64)).hash(self.ctx.seed),
            )
            if names.height:
                weak = names.join(bound.select("key"), on="key", how="anti")
                links.append(weak.select(r=pl.col("key"), h=pl.col("n"), k=pl.lit(0, pl.UInt32)))
                # a guardian's, a receiver's name (their rows all marked): not joined by name
                own = (
                    names.filter(~pl.col(persons.MENTIONED))
                    if persons.MENTIONED in names.columns
                    else names
                )
                inv.named = own.select(r="key", n="n")
            inv.links = pl.concat(links).unique()
        if self.sensitive_idx:
            idx = pl.concat(self.sensitive_idx).unique()
            inv.sensitive_rows = (row_of.gather(idx) + base).cast(pl.UInt64)
        elif self.sensitive_at:
            at = pl.concat(self.sensitive_at)
            at = at.with_columns(
                key=(row_of.gather(pl.Series(at.get_column("idx"))) + base).cast(pl.UInt64)
            )
            keyed = at.get_column("key") if people is None else people.keys(at, self.ctx.seed)
            inv.sensitive_rows = keyed.unique()
        if mentioned.len():
            inv.sensitive_rows = pl.concat([inv.sensitive_rows, mentioned]).unique()
        if not self.frames:
            return pl.DataFrame(), inv
        self.frames.sort(key=lambda item: item[0])
        df = pl.concat([frame for _, frame in self.frames], how="diagonal_relaxed")
        df = df.with_columns(
            row=row_of.gather(df.get_column("idx")),
            file=pl.lit(part.file, dtype=pl.String),
            sheet=pl.lit(part.sheet, dtype=pl.String),
            column=pl.when(pl.col("column") == TEXT_COLUMN).then(None).otherwise(pl.col("column")),
            score=pl.col("score").round(2),
        )
        # row by row (a row's findings in column order): the findings file does not depend on
        # where the partitions are cut (byte ranges on Dask, :mod:`baomi.engine.scan.ranges`)
        df = df.sort("row", maintain_order=True)
        keys = list(FINDING_KEYS) + (
            [k for k in EXPLAIN_KEYS if k in df.columns] if self.ctx.options.explain else []
        )
        return df.select(keys), inv


def write_ndjson(found: pl.DataFrame, sink: io.BufferedWriter) -> None:
    """Append findings as NDJSON in slices: Polars builds each slice's text in memory, and a
    whole partition's (about 50 MB) would be held at once."""
    for piece in found.iter_slices(WRITE_SLICE_ROWS):
        piece.write_ndjson(sink)
