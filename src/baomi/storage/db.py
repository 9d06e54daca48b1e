"""Engine and session factory; SQLite pragmas; migrations run programmatically.

SQLite discipline (as in Datasette): WAL, foreign keys, a busy timeout, ``synchronous=FULL``,
and every transaction opened with ``BEGIN IMMEDIATE`` so that two writers queue instead of
failing or losing an event. PostgreSQL is used as given by ``BAOMI_DATABASE_URL``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from baomi.errors import StorageError
from baomi.i18n import tr

BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "baomi_read_only"
MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest revision in ``migrations/versions`` (a test keeps the two in step).
HEAD_REVISION = "0021_throttle"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets its pragmas and ``BEGIN IMMEDIATE``."""
    if url.startswith("sqlite"):
        _create_private(url)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Writers queue on the write lock up front; readers (see ``reader``) take none, so
            # they never block a writer and still work on a read-only home.
            read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _create_private(url: str) -> None:
    """Create a new SQLite database file readable by its owner only (0600; SQLite gives its
    WAL and shared-memory files the database's permissions): it holds keyed hashes, sealed
    fields and the audit chain."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def reader(engine: Engine) -> Engine:
    """The same engine for read-only transactions (a deferred ``BEGIN`` on SQLite)."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def alembic_config(connection: Connection, attributes: Mapping[str, Any] | None = None) -> Any:
    """An Alembic config running on ``connection``, with ``attributes`` for data migrations
    (``profile_contact``: what seals the deal profiles' contacts, see migration 0017)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes.update(attributes or {})
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, attributes: Mapping[str, Any] | None = None) -> None:
    """Bring the schema to the newest revision (idempotent; runs on ``keys init``/first use).
    ``attributes`` reach the data migrations (the vault passes what they may need of its keys)."""
    from alembic import command

    with translate_storage_errors(), engine.begin() as conn:
        command.upgrade(alembic_config(conn, attributes), "head")


def is_migrated(engine: Engine) -> bool:
    """Whether the schema is at :data:`HEAD_REVISION` (cheap; avoids loading Alembic)."""
    with translate_storage_errors():
        if "alembic_version" not in inspect(engine).get_table_names():
            return False
        with engine.connect() as conn:
            return (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == HEAD_REVISION
            )


_STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EIO}
_SQLITE_MARKERS = (
    "readonly",
    "read-only",
    "disk is full",
    "disk i/o",
    "unable to open",
    "no space left",
)


@contextmanager
def translate_storage_errors() -> Iterator[None]:
    """Turn disk-full, read-only and permission failures into :class:`StorageError`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _STORAGE_ERRNOS:
            raise StorageError(_message(exc.strerror or str(exc))) from None
        raise
    except (OperationalError, DBAPIError) as exc:
        text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        if any(marker in text for marker in _SQLITE_MARKERS):
            raise StorageError(_message(text.splitlines()[0])) from None
        raise


def _message(cause: str) -> str:
    return tr(
        f"无法写入存储（{cause}）：磁盘已满或主目录只读？已保存的数据未受影响。",
        f"cannot write the store ({cause}): disk full or read-only home? Nothing already stored was lost.",
    )
