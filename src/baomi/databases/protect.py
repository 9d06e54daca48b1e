"""``baomi protect URL --to DIR|URL``: a de-identified copy of a database's tables.

Each table is read whole, in key order, in one read-only transaction, every cell as the scan
reads it (:func:`baomi.databases.source.cell_text`, what a CSV export holds), and given
to the protect pipeline as a Parquet document named ``SCHEMA.TABLE.parquet``: the same column
plans, operators, k-anonymity and manifest as for files, so the copy is the one protecting the
table's CSV export gives. Integer, float and boolean columns the policy leaves alone keep their
type; binary columns and types not understood are left out of the copy (a photo or a shape is
not de-identified by text operators), and the manifest lists only the columns written.

``--to DIR`` writes the package (Parquet per table, ``manifest.json``); ``--to URL`` writes it
to a temporary folder and then loads each table into the target database (created there, with
the source's primary key when its values are still unique; an existing table is replaced only
with ``--force``), the manifest in a ``baomi_manifest`` table. A table that cannot be read fails
the run, naming it: no half-copied database is left as if it were complete.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from baomi.databases.source import (
    Database,
    DatabaseError,
    DatabaseTable,
    TableRef,
    _classify,
    display_name,
    resolve_url,
)
from baomi.engine.contracts import codec
from baomi.engine.contracts.manifest import Manifest
from baomi.engine.protect.package import DocumentSource
from baomi.engine.protect.writers import Document, Table
from baomi.i18n import tr

MANIFEST_TABLE = "baomi_manifest"
#: Rows inserted into the target per statement.
INSERT_ROWS = 5000


def _typed(name: str, values: list[Any], text: pl.Series) -> pl.Series:
    """The column as the Parquet copy keeps it: integers, floats and booleans typed, the rest
    as the text the scan reads."""
    present = [v for v in values if v is not None]
    for kind, dtype in ((bool, pl.Boolean), (int, pl.Int64), (float, pl.Float64)):
        if present and all(type(v) is kind for v in present):
            try:
                return pl.Series(name, values, dtype=dtype, strict=True)
            except (OverflowError, TypeError, pl.exceptions.PolarsError):
                break
    return text


@dataclass
class TableCopy:
    """One table as a protect input: loads it (whole, key order) and hashes what was read."""

    table: DatabaseTable
    digest: str = ""
    columns: list[str] = field(default_factory=list)

    def load(self) -> Document:
        src = self.table
        chunks = list(src.rows())
        names = [c.name for c in src.columns]
        rows = [r for chunk in chunks for r in chunk]
        text = src._frame(rows) if rows else pl.DataFrame(schema=dict.fromkeys(names, pl.String))
        typed = pl.DataFrame(
            [_typed(n, [r[i] for r in rows], text.get_column(n)) for i, n in enumerate(names)]
        )
        self.digest = hashlib.sha256(text.write_csv().encode("utf-8")).hexdigest()
        self.columns = names
        return Document(
            Path(f"{src.ref.schema or src.db.default_schema or 'main'}.{src.ref.name}.parquet"),
            "parquet",
            None,
            [Table(None, text)],
            state=typed,
        )

    def sha256(self) -> str:
        return self.digest


def table_sources(
    db: Database, refs: Sequence[TableRef]
) -> tuple[list[DocumentSource], dict[str, TableCopy]]:
    """The tables as protect inputs, and the copies by their name in the package."""
    sources: list[DocumentSource] = []
    copies: dict[str, TableCopy] = {}
    for ref in refs:
        copy = TableCopy(db.open_table(ref, batch_rows=20000, sample_rows=20000))
        name = f"{ref.schema or db.default_schema or 'main'}.{ref.name}.parquet"
        copies[name] = copy
        sources.append(DocumentSource(name, copy.load, copy.sha256))
    return sources, copies


def _sa_type(dtype: pl.DataType) -> sa.types.TypeEngine[Any]:
    if dtype == pl.Boolean:
        return sa.Boolean()
    if dtype.is_integer():
        return sa.BigInteger()
    if dtype.is_float():
        return sa.Float()
    return sa.Text()


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name the same database (a copy must not overwrite its source)."""
    x, y = resolve_url(a), resolve_url(b)
    if x.get_backend_name() == "sqlite" and y.get_backend_name() == "sqlite":
        return Path(x.database or "").resolve() == Path(y.database or "").resolve()
    return (x.host, x.port, x.database) == (y.host, y.port, y.database)


def load_into(
    package: Path,
    manifest: Manifest,
    target: str,
    copies: dict[str, TableCopy],
    *,
    replace: bool = False,
) -> list[str]:
    """Load the package's Parquet tables into the database at ``target``; returns the tables
    written. Checked first: an existing table (without ``replace``) is refused before any is
    written."""
    url = resolve_url(target)
    name = display_name(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            existing = set(sa.inspect(conn).get_table_names())
            plans = []
            for entry in manifest.files:
                copy = copies.get(entry.path)
                table = copy.table.ref.name if copy is not None else Path(entry.path).stem
                plans.append((entry.path, table, copy))
            clash = sorted({t for _, t, _ in plans} & existing)
            if clash and not replace:
                raise DatabaseError(
                    name,
                    tr(
                        f"目标库已有表 {', '.join(clash)}（--force 替换）",
                        f"the target holds tables {', '.join(clash)} (--force replaces them)",
                    ),
                )
            md = sa.MetaData()
            written = []
            for rel, table, copy in plans:
                frame = pl.read_parquet(package / rel)
                keys = [k for k in (copy.table.key_columns if copy else []) if k in frame.columns]
                unique = bool(keys) and frame.select(keys).is_unique().all()
                target_table = sa.Table(
                    table,
                    md,
                    *(
                        sa.Column(c, _sa_type(t), primary_key=unique and c in keys)
                        for c, t in frame.schema.items()
                    ),
                )
                if table in existing:
                    target_table.drop(conn)
                target_table.create(conn)
                for piece in frame.iter_slices(INSERT_ROWS):
                    if piece.height:
                        conn.execute(target_table.insert(), piece.to_dicts())
                written.append(table)
            record = sa.Table(
                MANIFEST_TABLE,
                md,
                sa.Column("package_id", sa.String(64), primary_key=True),
                sa.Column("manifest", sa.Text),
            )
            record.create(conn, checkfirst=True)
            conn.execute(record.delete().where(record.c.package_id == manifest.package_id))
            conn.execute(
                record.insert(),
                {
                    "package_id": manifest.package_id,
                    "manifest": json.dumps(codec.to_dict(manifest), ensure_ascii=False),
                },
            )
    except sa_exc.SQLAlchemyError as exc:
        raise DatabaseError(name, _classify(exc)) from None
    finally:
        engine.dispose()
    return written
