"""Database sources: PostgreSQL, MySQL/MariaDB and SQLite tables and views read as table sources.

``connect(url)`` opens a :class:`Database` through SQLAlchemy with the established drivers
(psycopg, PyMySQL, the standard library's sqlite3); ``Database.tables(...)`` finds the tables and
views by reflection, filtered by ``--schema`` / ``--table`` / ``--exclude`` patterns; and
``Database.open_table(ref, ...)`` returns a :class:`DatabaseTable`, a ``TableSource`` whose
batches are the table's rows with every cell as text, as a CSV export of the table would hold it
(:func:`cell_text`; a bit column as its bits, ``'0101'``, on every server: :func:`bit_text`), so
that a table goes through the same column decision as a CSV file.

Each pass over a table runs in one read-only, repeatable-read transaction. A table with a
primary key is read in key order, in key ranges (``WHERE key > last ORDER BY key LIMIT n``: no
cursor is held open between batches, memory is bounded by one batch); a table or view without
one through a server-side cursor, its rows named by their position. The first batch is the
sample (``sample_rows``) the columns are classified on; ``limit`` stops after that many rows.

Credentials come from the URL, ``BAOMI_DB_PASSWORD`` or a password file; they never appear in
what this module returns, raises or logs: sources are named ``db://HOST/DB/SCHEMA.TABLE`` and
errors are classified into short messages (the driver's text, which may quote a statement or its
parameters, is not passed on).
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import json
import os
import uuid
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import URL, Connection, Engine, make_url

from baomi.databases.urls import SCHEMES as SCHEMES  # re-exported
from baomi.databases.urls import is_database_url as is_database_url
from baomi.engine.contracts import notes
from baomi.engine.contracts.inventory import InventoryNote
from baomi.engine.readers.base import TableBatch, TableSource
from baomi.errors import UnreadableFileError
from baomi.i18n import worded

#: The driver used when a URL names none: the ones in the lock.
DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
PASSWORD_ENV = "BAOMI_DB_PASSWORD"
#: Seconds a read waits for a lock another session holds before the table is reported.
LOCK_TIMEOUT = 10


class DatabaseError(UnreadableFileError):
    """A database or one of its tables could not be read; the message names the source and the
    kind of failure, never a credential, a statement or a value. A table that fails part-way
    raises it after the rows it gave (the scan scans them, as for a file read in part)."""

    @property
    def source(self) -> str:
        return self.path


def resolve_url(text: str, password_file: Path | None = None) -> URL:
    """The URL with its driver filled in and its password from the URL, else the password file,
    else ``BAOMI_DB_PASSWORD``."""
    try:
        url = make_url(text)
    except sa_exc.ArgumentError:
        raise DatabaseError("db", worded("数据库地址格式不对", "malformed database URL")) from None
    backend = url.drivername.split("+", 1)[0].lower()
    if "+" not in url.drivername and backend in DRIVERS:
        url = url.set(drivername=DRIVERS[backend])
    if url.password is None and backend != "sqlite":
        secret: str | None = None
        if password_file is not None:
            try:
                secret = password_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise DatabaseError(
                    "db",
                    worded(
                        f"无法读取密码文件（{exc.strerror}）",
                        f"cannot read the password file ({exc.strerror})",
                    ),
                ) from None
        secret = secret or os.environ.get(PASSWORD_ENV) or None
        if secret:
            url = url.set(password=secret)
    return url


def display_name(url: URL) -> str:
    """``db://HOST/DB``: the database as outputs name it (no user, password or port)."""
    if url.get_backend_name() == "sqlite":
        return f"db://localhost/{Path(url.database or 'memory').stem}"
    return f"db://{url.host or 'localhost'}/{url.database or ''}"


def cell_text(value: Any) -> str | None:
    """A cell as text, as a CSV export holds it: JSON and arrays as JSON, dates ISO."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat(sep=" ") if isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


@dataclass(frozen=True, slots=True)
class Bits:
    """A bit column's shape: ``width`` bits (MySQL/MariaDB ``BIT(n)``, PostgreSQL ``bit(n)``),
    or up to ``width`` when ``varying`` (PostgreSQL ``bit varying(n)``; 0: no limit)."""

    width: int
    varying: bool = False


def bits_of(column: sa.Column[Any]) -> Bits | None:
    """The column's :class:`Bits` when it is a bit column (flags, not free bytes), else ``None``."""
    kind = column.type
    if isinstance(kind, mysql.BIT):
        return Bits(kind.length or 1)
    if isinstance(kind, postgresql.BIT):
        return Bits(kind.length or 0, varying=True) if kind.varying else Bits(kind.length or 1)
    return None


def bit_text(value: Any, width: int) -> str | None:
    """A bit cell as its bits, ``'0101'``, as PostgreSQL gives them: MySQL's driver gives a
    ``BIT(n)`` as big-endian bytes (or a number), written here as ``width`` bits."""
    if isinstance(value, bytes | bytearray | memoryview):
        value = int.from_bytes(value, "big")
    if isinstance(value, int) and not isinstance(value, bool):
        return format(value, f"0{width}b")
    return cell_text(value)


def _binary(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.LargeBinary | sa.types._Binary)


def _unknown(column: sa.Column[Any], backend: str) -> bool:
    """A type SQLAlchemy does not know (geometry and other extension types); in SQLite a column
    without a type holds anything, and is read (bytes are left out value by value)."""
    return isinstance(column.type, sa.types.NullType) and backend != "sqlite"


def _raw(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``column`` without SQLAlchemy's type processing: the driver's values as they come (a
    value the declared type does not fit — SQLite stores anything anywhere — is not an error)."""
    return sa.type_coerce(column, sa.types.NullType())


def _classify(exc: BaseException) -> str:
    """A short, value-free reason for a driver error (the driver's text may quote values)."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    code = str(getattr(orig, "sqlstate", "") or "")
    args = getattr(orig, "args", ())
    errno = args[0] if args and isinstance(args[0], int) else None
    if "no password supplied" in text or (errno == 1045 and "using password: no" in text):
        return worded(
            "服务器要求密码：请在地址中、用 --password-file 或 BAOMI_DB_PASSWORD 给出",
            "the server asks for a password: give it in the URL, with --password-file or "
            "BAOMI_DB_PASSWORD",
        )
    if (
        code == "3D000"
        or errno in (1044, 1049)
        or ("database" in text and "does not exist" in text)
    ):
        return worded(
            "没有此数据库，或无权访问它",
            "no such database, or no access to it",
        )
    if (
        code in ("28P01", "28000")
        or errno in (1045, 1698)
        or "password authentication failed" in text
        or "access denied" in text
    ):
        return worded("用户名或密码错误，或无权访问", "wrong user or password, or access denied")
    if (
        code in ("55P03", "57014")
        or errno in (1205, 1213)
        or "lock" in text
        or "database is locked" in text
    ):
        return worded(
            "表被其他会话锁定，等待超时",
            "the table is locked by another session (gave up waiting)",
        )
    if errno in (2003, 2005) or "could not connect" in text or "connection refused" in text:
        return worded("无法连接数据库服务器", "cannot reach the database server")
    if (
        code.startswith("08")
        or code in ("57P01", "57P02", "57P03")
        or errno in (2006, 2013, 2055)
        or "server closed the connection" in text
        or "terminating connection" in text
        or "lost connection" in text
        or ("connection" in text and "closed" in text)
    ):
        return worded("与数据库的连接中断", "the connection to the database was lost")
    if "unable to open database" in text or "no such table" in text:
        return worded("无法打开数据库或表", "cannot open the database or the table")
    if code == "42501" or errno == 1142 or "permission denied" in text:
        return worded("无权读取", "no permission to read it")
    kind = type(orig).__name__
    return worded(f"读取失败 ({kind})", f"read failed ({kind})")


@dataclass(frozen=True, slots=True)
class TableRef:
    """A table or view: ``schema`` (``None``: the connection's default) and ``name``."""

    schema: str | None
    name: str
    view: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


#: Schemas of the servers' own catalogues: matched by a ``--schema`` pattern only when named.
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)


def _schema_matches(schema: str, pattern: str) -> bool:
    if schema.lower() in SYSTEM_SCHEMAS or schema.startswith("pg_"):
        return schema == pattern
    return fnmatch.fnmatchcase(schema, pattern)


def _matches(ref: TableRef, patterns: Sequence[str]) -> bool:
    return any(
        fnmatch.fnmatchcase(ref.name, p) or fnmatch.fnmatchcase(ref.qualified, p) for p in patterns
    )


@dataclass
class Database:
    """An open database: its engine and how outputs name it."""

    url: URL
    engine: Engine
    name: str
    lock_timeout: int = LOCK_TIMEOUT
    default_schema: str | None = field(default=None)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def source(self, ref: TableRef) -> str:
        """``db://HOST/DB/SCHEMA.TABLE``."""
        return f"{self.name}/{ref.schema or self.default_schema or 'main'}.{ref.name}"

    def tables(
        self,
        schemas: Sequence[str] = (),
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        *,
        views: bool = True,
    ) -> list[TableRef]:
        """Tables (then views and materialized views) found by reflection, in name order: in
        ``schemas`` (patterns; the default schema when empty; a system schema only when named
        exactly), named by ``include`` patterns (all when empty), less ``exclude`` patterns. A
        pattern matches ``name`` or ``schema.name``. A PostgreSQL partition is read through its
        partitioned table, and listed only when that table is not."""
        try:
            inspector = sa.inspect(self.engine)
            names = inspector.get_schema_names()
            wanted: list[str | None] = (
                [s for s in names if any(_schema_matches(s, p) for p in schemas)]
                if schemas
                else [self.default_schema]
            )
            found: list[TableRef] = []
            for schema in wanted:
                found += [TableRef(schema, t) for t in sorted(inspector.get_table_names(schema))]
                if views:
                    found += [
                        TableRef(schema, v, view=True)
                        for v in sorted(
                            {
                                *inspector.get_view_names(schema),
                                *self._materialized_views(inspector, schema),
                            }
                        )
                    ]
            parents = self._partition_parents()
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(self.name, _classify(exc)) from None
        chosen = [
            r for r in found if (not include or _matches(r, include)) and not _matches(r, exclude)
        ]
        listed = {(r.schema or self.default_schema, r.name) for r in chosen}
        return [
            r
            for r in chosen
            if parents.get((r.schema or self.default_schema, r.name)) not in listed
        ]

    def other_schemas(self) -> dict[str, int]:
        """The schemas besides the default one (no system schema, no SQLite ``temp``) that
        hold tables or views, with how many: what a scan without ``--schema`` leaves out.
        Empty when the server will not list them."""
        try:
            inspector = sa.inspect(self.engine)
            out: dict[str, int] = {}
            for schema in inspector.get_schema_names():
                if schema in (self.default_schema, "temp") or not _schema_matches(schema, "*"):
                    continue
                n = len(inspector.get_table_names(schema)) + len(inspector.get_view_names(schema))
                if n:
                    out[schema] = n
        except sa_exc.SQLAlchemyError:
            return {}
        return out

    def _materialized_views(self, inspector: sa.Inspector, schema: str | None) -> list[str]:
        if self.backend != "postgresql":
            return []
        return list(inspector.get_materialized_view_names(schema))  # type: ignore[attr-defined]

    def _partition_parents(self) -> dict[tuple[str | None, str], tuple[str | None, str]]:
        """Each PostgreSQL partition's ``(schema, name)`` → its partitioned table's."""
        if self.backend != "postgresql":
            return {}
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT cn.nspname, c.relname, pn.nspname, p.relname FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = "
                "c.relnamespace JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn "
                "ON pn.oid = p.relnamespace WHERE c.relispartition"
            ).all()
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def open_table(
        self, ref: TableRef, *, batch_rows: int = 49152, sample_rows: int = 500, limit: int = 0
    ) -> DatabaseTable:
        """The table as a table source (reflected now: an unreadable table raises here)."""
        try:
            with self.engine.connect() as conn, warnings.catch_warnings():
                # a type SQLAlchemy does not know (geometry) is reported per column instead
                warnings.simplefilter("ignore", sa_exc.SAWarning)
                table = sa.Table(ref.name, sa.MetaData(), schema=ref.schema, autoload_with=conn)
        except sa_exc.NoSuchTableError:
            raise DatabaseError(
                self.source(ref), worded("没有此表", "no such table or view")
            ) from None
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(self.source(ref), _classify(exc)) from None
        return DatabaseTable(self, ref, table, batch_rows, sample_rows, limit)

    def read_only(self, conn: Connection) -> None:
        """Make ``conn``'s transaction read-only, one snapshot, bounded lock waits."""
        if self.backend == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{max(1, int(self.lock_timeout))}s'")
        elif self.backend in ("mysql", "mariadb"):
            conn.exec_driver_sql(
                f"SET SESSION lock_wait_timeout = {max(1, int(self.lock_timeout))}"
            )
            conn.exec_driver_sql(
                f"SET SESSION innodb_lock_wait_timeout = {max(1, int(self.lock_timeout))}"
            )
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        elif self.backend == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = 1")

    def close(self) -> None:
        self.engine.dispose()


def connect(
    url: str | URL, *, password_file: Path | None = None, lock_timeout: int = LOCK_TIMEOUT
) -> Database:
    """Open the database at ``url`` (checked by connecting once)."""
    resolved = url if isinstance(url, URL) else resolve_url(url, password_file)
    name = display_name(resolved)
    backend = resolved.get_backend_name()
    args: dict[str, Any] = {}
    if backend == "sqlite":
        database = resolved.database or ""
        if database and database != ":memory:" and not Path(database).is_file():
            # name the path it looked for: sqlite:///tmp/x.db is the relative tmp/x.db
            where = str(Path(database).resolve())
            raise DatabaseError(
                name, worded(f"数据库文件不存在：{where}", f"no such database file: {where}")
            )
        args["connect_args"] = {"timeout": lock_timeout}
    elif backend == "postgresql":  # reflection waits no longer than the reads
        wait = max(1, int(lock_timeout))
        args["connect_args"] = {"connect_timeout": 10, "options": f"-c lock_timeout={wait}s"}
    else:
        wait = max(1, int(lock_timeout))
        args["connect_args"] = {
            "connect_timeout": 10,
            "init_command": f"SET SESSION lock_wait_timeout = {wait}",
        }
    try:
        engine = sa.create_engine(resolved, pool_pre_ping=True, hide_parameters=True, **args)
        with engine.connect() as conn:
            default = sa.inspect(conn).default_schema_name
    except sa_exc.SQLAlchemyError as exc:
        raise DatabaseError(name, _classify(exc)) from None
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            name, worded(f"缺少数据库驱动 {exc.name}", f"database driver {exc.name} not installed")
        ) from None
    return Database(resolved, engine, name, lock_timeout, default)


class DatabaseTable(TableSource):
    """One table or view as a table source: every column text, rows in key order.

    ``key_columns`` are the primary key's columns (empty: no key, rows named by position);
    ``not_read`` the columns left out (binary, types not understood) with why, as a note's code
    (:data:`baomi.engine.contracts.notes.CODES`); ``bits`` the bit
    columns, read as ``'0101'`` on every server (:func:`bit_text`); ``limited`` whether
    ``limit`` stopped the last pass before the table's end.
    """

    def __init__(
        self,
        db: Database,
        ref: TableRef,
        table: sa.Table,
        batch_rows: int,
        sample_rows: int,
        limit: int,
    ) -> None:
        self.db, self.ref, self.table = db, ref, table
        self.display = db.source(ref)
        super().__init__(Path(self.display))
        self.batch_rows, self.sample_rows, self.limit = batch_rows, sample_rows, limit
        self.key_columns = [c.name for c in table.primary_key.columns]
        self.not_read: dict[str, str] = {}
        self.columns: list[sa.Column[Any]] = []
        for col in table.columns:
            if _binary(col):
                self.not_read[col.name] = "binary_column"
            elif _unknown(col, db.backend):
                self.not_read[col.name] = "unknown_type"
            else:
                self.columns.append(col)
        self.bits = {c.name: b for c in self.columns if (b := bits_of(c)) is not None}
        self.integer_keys = {
            c.name for c in table.primary_key.columns if isinstance(c.type, sa.Integer)
        }
        self.limited = False
        self.rows_read = 0
        #: a key range's start: rows after this key (a worker's range on Dask); ``None``: all
        self.after: tuple[Any, ...] | None = None

    def notes(self) -> list[InventoryNote]:
        """What the inventory says about how the table was read, as codes (no values; worded
        in the reader's language by :mod:`baomi.engine.contracts.notes`)."""
        out = [notes.column_left_out(why, name) for name, why in self.not_read.items()]
        if not self.key_columns:
            out.append(notes.no_primary_key())
        if self.limited:
            out.append(notes.sample(self.limit))
        return out

    def _frame(self, rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
        """The rows as text columns, column by column (most are text already); an empty
        string is null, as an empty cell of a CSV export is."""
        series = []
        for i, col in enumerate(self.columns):
            values = [r[i] for r in rows]
            if (bits := self.bits.get(col.name)) is not None:  # MySQL gives a BIT's bytes
                values = [bit_text(v, bits.width) for v in values]
            kinds = set(map(type, values)) - {str, type(None)}
            if kinds & {bytes, bytearray, memoryview}:  # SQLite holds bytes anywhere
                self.not_read.setdefault(col.name, "binary_values")
                values = [
                    None if isinstance(v, bytes | bytearray | memoryview) else cell_text(v)
                    for v in values
                ]
            elif kinds:
                values = [cell_text(v) for v in values]
            series.append(pl.Series(col.name, values, dtype=pl.String))
        frame = pl.DataFrame(series)
        return frame.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)) for n in frame.columns)

    def rows(self) -> Iterator[list[Sequence[Any]]]:
        """The table's rows as driver values in chunks (the first one the sample), in one
        read-only transaction; a failure raises :class:`DatabaseError` after what was read."""
        self.rows_read = 0
        self.limited = False
        cols = self.columns
        if not cols:  # every column binary or of a type not understood: nothing to read
            return
        try:
            with self.db.engine.connect() as conn, conn.begin():
                self.db.read_only(conn)
                chunks = self._keyed(conn, cols) if self.key_columns else self._cursor(conn, cols)
                for chunk in chunks:
                    if not chunk:
                        continue
                    self.rows_read += len(chunk)
                    yield chunk
        except sa_exc.SQLAlchemyError as exc:
            raise DatabaseError(self.display, _classify(exc)) from None

    def _budget(self, first: bool) -> int:
        size = min(self.sample_rows, self.batch_rows) if first else self.batch_rows
        if self.limit:
            left = self.limit - self.rows_read
            if left <= 0:
                return 0
            size = min(size, left)
        return max(size, 1)

    def _stop(self, got: int, asked: int) -> bool:
        if got < asked:
            return True
        if self.limit and self.rows_read + got >= self.limit:
            self.limited = True  # may be the exact end: said conservatively
            return True
        return False

    def _keyed(self, conn: Connection, cols: list[sa.Column[Any]]) -> Iterator[list[Any]]:
        keys = [self.table.c[k] for k in self.key_columns]
        names = [c.name for c in cols]
        key_pos = [names.index(k) if k in names else None for k in self.key_columns]
        extra = [k for k, p in zip(keys, key_pos, strict=True) if p is None]
        last: tuple[Any, ...] | None = self.after
        first = True
        while True:
            size = self._budget(first)
            if size == 0:
                self.limited = True
                return
            raw = [_raw(k) for k in keys]
            query = (
                sa.select(*(_raw(c).label(c.name) for c in [*cols, *extra]))
                .order_by(*keys)
                .limit(size)
            )
            if last is not None:
                query = query.where(
                    sa.tuple_(*raw) > sa.tuple_(*last) if len(keys) > 1 else raw[0] > last[0]
                )
            rows = conn.execute(query).all()
            first = False
            if not rows:
                return
            tail = rows[-1]
            extra_at = len(cols)
            last = tuple(
                tail[p] if p is not None else tail[extra_at + extra.index(k)]
                for k, p in zip(keys, key_pos, strict=True)
            )
            chunk = [r[: len(cols)] for r in rows] if extra else list(rows)
            stop = self._stop(len(rows), size)
            yield chunk
            if stop:
                return

    def _cursor(self, conn: Connection, cols: list[sa.Column[Any]]) -> Iterator[list[Any]]:
        query = sa.select(*(_raw(c).label(c.name) for c in cols))
        if self.limit:
            query = query.limit(self.limit + 1)
        result = conn.execution_options(stream_results=True).execute(query)
        try:
            first = True
            while True:
                size = self._budget(first)
                if size == 0:
                    self.limited = result.fetchone() is not None
                    return
                rows = result.fetchmany(size)
                first = False
                if not rows:
                    return
                yield list(rows)
                if len(rows) < size:
                    return
        finally:
            result.close()  # the server-side cursor, also when the reader stops early

    def batches(self) -> Iterator[TableBatch]:
        self.reset()
        offset = 0
        for chunk in self.rows():
            frame = self._frame(chunk)
            yield TableBatch(None, offset, frame)
            offset += frame.height
