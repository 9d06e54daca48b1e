"""``baomi protect URL --to DIR|URL``: a de-identified copy of a database's tables.

Each table is read whole, in key order, in one read-only transaction, every cell as the scan
reads it (:func:`baomi.databases.source.cell_text`, what a CSV export holds), and given
to the protect pipeline as a Parquet document named ``SCHEMA.TABLE.parquet``: the same column
plans, operators, k-anonymity and manifest as for files, so the copy is the one protecting the
table's CSV export gives. Integer, float and boolean columns the policy leaves alone keep their
type; a bit column is its bits as text (``'0101'``), a bit column again in a target database
that has the type; binary columns and types not understood are left out of the copy (a photo or
a shape is not de-identified by text operators), and the manifest lists only the columns
written.

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
from sqlalchemy.dialects import mysql, postgresql

from baomi.databases.source import (
    Bits,
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


class _BitColumn(sa.types.TypeDecorator[str]):
    """A bit column of the copy: the package's ``'0101'`` text written as the target's
    ``BIT(n)`` (MySQL/MariaDB, which takes the bits as a number) or ``bit(n)`` / ``bit
    varying(n)`` (PostgreSQL); a target without a bit type (SQLite) keeps the text."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, bits: Bits) -> None:
        super().__init__()
        self.bits = bits

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            varying = self.bits.varying
            return postgresql.BIT(self.bits.width or None, varying=varying)
        if dialect.name in ("mysql", "mariadb"):
            return mysql.BIT(self.bits.width)
        return sa.Text()

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> Any:
        if value is not None and dialect.name in ("mysql", "mariadb"):
            return int(value, 2)
        return value


#: The widest ``BIT(n)`` MySQL/MariaDB has.
MYSQL_BITS = 64


def _bit_type(bits: Bits | None, column: pl.Series, backend: str) -> _BitColumn | None:
    """The copy's type for a source bit column whose values are still its bits (the policy left
    them alone), else ``None`` (the column is text)."""
    if bits is None or column.dtype != pl.String:
        return None
    values = column.drop_nulls()
    if not values.str.contains("^[01]+$").all():
        return None
    lengths = values.str.len_chars()
    longest = _longest(values)
    if not bits.varying and (lengths != bits.width).any():
        return None
    if bits.varying and bits.width and longest > bits.width:
        return None
    if backend in ("mysql", "mariadb"):  # a fixed width; past 64 bits, the text
        width = bits.width or longest or 1
        return _BitColumn(Bits(width)) if width <= MYSQL_BITS else None
    return _BitColumn(bits)


def _sa_type(dtype: pl.DataType, column: pl.Series, key: bool) -> sa.types.TypeEngine[Any]:
    if dtype == pl.Boolean:
        return sa.Boolean()
    if dtype.is_integer():
        return sa.BigInteger()
    if dtype.is_float():
        return sa.Float()
    if key:  # MySQL indexes no TEXT column: a text key is a VARCHAR as long as its values
        return sa.String(max(1, _longest(column)))
    return sa.Text()


def _longest(column: pl.Series) -> int:
    """The most characters a value of the text ``column`` has (0: none)."""
    longest = column.str.len_chars().max()
    return int(longest) if isinstance(longest, int) else 0


#: The longest text key the copy keeps as its primary key (MySQL's 3072 index bytes, utf8mb4).
KEY_CHARS = 768


def _table_name(rel: str, copy: TableCopy | None) -> str:
    """The copy's table name: the source table's, or the package's protected one when the
    table's name held PI (``main.客户138****5678.parquet``)."""
    stem = Path(rel).name.removesuffix(".parquet")
    if copy is None:
        return stem
    ref = copy.table.ref
    schema = ref.schema or copy.table.db.default_schema or "main"
    if stem == f"{schema}.{ref.name}":
        return ref.name
    return stem.split(".", 1)[1] if "." in stem else stem


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
    written. ``copies`` are in the manifest's order (a table whose name held PI has its
    protected name in the package, and in the target). On a failure the tables this run
    created anew are dropped again (MySQL commits each ``CREATE TABLE`` at once; a table
    ``replace`` dropped there stays dropped)."""
    url = resolve_url(target)
    name = display_name(url)
    engine = sa.create_engine(url)
    ordered: list[TableCopy | None] = list(copies.values())
    if len(ordered) != len(manifest.files) or any(
        c is not None and c.digest != e.source_sha256
        for c, e in zip(ordered, manifest.files, strict=False)
    ):
        ordered = [copies.get(e.path) for e in manifest.files]
    plans = [
        (entry.path, _table_name(entry.path, copy), copy)
        for entry, copy in zip(manifest.files, ordered, strict=True)
    ]
    created: list[str] = []
    current = ""
    try:
        with engine.begin() as conn:
            existing = set(sa.inspect(conn).get_table_names())
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
                current = table
                with (package / rel).open("rb") as fh:  # a protected name may hold `*`
                    frame = pl.read_parquet(fh)
                keys = [k for k in (copy.table.key_columns if copy else []) if k in frame.columns]
                unique = bool(keys) and frame.select(keys).is_unique().all()
                text_keys = [k for k in keys if frame.schema[k] == pl.String]
                if sum(_longest(frame[k]) for k in text_keys) > KEY_CHARS:
                    unique = False  # too long to index (MySQL): the copy has no key
                bits = copy.table.bits if copy else {}
                target_table = sa.Table(
                    table,
                    md,
                    *(
                        sa.Column(
                            c,
                            _bit_type(bits.get(c), frame[c], url.get_backend_name())
                            or _sa_type(t, frame[c], unique and c in keys),
                            primary_key=unique and c in keys,
                            autoincrement=False,  # a copied 0 stays 0 (MySQL AUTO_INCREMENT)
                        )
                        for c, t in frame.schema.items()
                    ),
                )
                if table in existing:
                    target_table.drop(conn)
                else:
                    created.append(table)  # new here: dropped again if the load fails
                target_table.create(conn)
                for piece in frame.iter_slices(INSERT_ROWS):
                    if piece.height:
                        conn.execute(target_table.insert(), piece.to_dicts())
                written.append(table)
            current = MANIFEST_TABLE
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
        _drop(engine, created)
        raise DatabaseError(f"{name}/{current}" if current else name, _write_failure(exc)) from None
    finally:
        engine.dispose()
    return written


def _drop(engine: sa.Engine, tables: Sequence[str]) -> None:
    """Drop ``tables`` if they are there (what a failed load created; best effort)."""
    if not tables:
        return
    try:
        with engine.begin() as conn:
            there = set(sa.inspect(conn).get_table_names())
            for table in tables:
                if table in there:
                    sa.Table(table, sa.MetaData()).drop(conn)
    except sa_exc.SQLAlchemyError:
        pass


def _write_failure(exc: BaseException) -> str:
    """Why writing to the target failed (:func:`_classify`'s reasons, said as a write)."""
    reason = _classify(exc)
    read = tr("读取失败", "read failed")
    return (
        tr("写入失败", "write failed") + reason[len(read) :] if reason.startswith(read) else reason
    )
