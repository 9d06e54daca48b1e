"""Shared for every test: the interface language is per test (no test leaks its choice);
passwords are hashed with argon2id at its cheapest (argon2-cffi's test profile); and a new
SQLite vault gets its schema as a copy of one migrated once per test process.

- The real argon2 parameters (argon2-cffi's defaults, 64 MiB and three passes, ~0.2 s a hash)
  made each signed-in test user cost half a second; ``tests/web/test_accounts.py`` checks the
  real hasher's parameters, and every test still stores and verifies real argon2id hashes.
- Running the eighteen migrations took ~0.1 s of each of the ~2,500 tests that open a vault.
  The copy is SQLite's backup of a database the real migrations made, page for page, so a test
  sees the same schema and rows; a database that already has tables (an older revision, a
  second open) is migrated for real, and ``tests/storage`` checks the migrations themselves.
  PostgreSQL (``BAOMI_TEST_DATABASE_URL``) is always migrated for real.
"""

from __future__ import annotations

import os

# the Polars engine the command line chooses (baomi/cli/main.py), before Polars is imported
os.environ.setdefault("POLARS_ENGINE_AFFINITY", "in-memory")

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import Engine, inspect

from baomi.i18n import set_language
from baomi.services import accounts, vault
from baomi.storage import db

PRODUCTION_HASHER = accounts._hasher


@pytest.fixture(autouse=True)
def _language_per_test() -> Iterator[None]:
    yield
    set_language(None)  # BAOMI_LANG (or Chinese) decides again


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", lambda: cheap)
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def _migrated_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    template = tmp_path_factory.mktemp("schema") / "migrated.sqlite3"
    made = db.make_engine(f"sqlite:///{template}")
    db.migrate(made)
    made.dispose()
    real = vault.migrate

    def migrate(engine: Engine, attributes: Mapping[str, Any] | None = None) -> None:
        if engine.dialect.name != "sqlite" or inspect(engine).get_table_names():
            real(engine, attributes)
            return
        with engine.connect() as conn:
            target = conn.connection.driver_connection
            assert isinstance(target, sqlite3.Connection)
            with closing(sqlite3.connect(Path(template))) as source:
                source.backup(target)

    patch = pytest.MonkeyPatch()
    patch.setattr(vault, "migrate", migrate)
    yield
    patch.undo()
