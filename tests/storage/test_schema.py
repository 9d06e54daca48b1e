"""The schema: migrations match the models, SQLite pragmas are on, migration is idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from baomi.services.vault import Vault
from baomi.storage.db import HEAD_REVISION, MIGRATIONS, is_migrated, migrate
from baomi.storage.models import Base


def test_migrations_match_the_models(vault: Vault) -> None:
    with vault.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_head_revision_constant_is_the_newest_migration() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def test_migrate_is_idempotent(vault: Vault) -> None:
    migrate(vault.engine)
    assert is_migrated(vault.engine)


def test_sqlite_pragmas(vault: Vault) -> None:
    if vault.engine.dialect.name != "sqlite":
        return
    with vault.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
