"""Fixtures and generated PI shared by the vault's storage, service and CLI tests.

The database is SQLite in ``tmp_path`` unless ``BAOMI_TEST_DATABASE_URL`` names a PostgreSQL
database; then every test gets a fresh schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import create_engine, make_url, select, text

from baomi.engine.checksums import luhn_check_digit, resident_id_check_char
from baomi.engine.contracts.inventory import Inventory, InventoryFile, InventorySummary
from baomi.services.keys import generate_key_file
from baomi.services.permissions import Actor, Role
from baomi.settings import Settings
from baomi.storage.models import AuditEventRow

TEST_DB_ENV = "BAOMI_TEST_DATABASE_URL"


def operator(name: str = "ops") -> Actor:
    """The seller's operator at the local command line (what the CLI acts as)."""
    return Actor(name, Role.OPERATOR)


def denials(vault: Any) -> list[AuditEventRow]:
    """The ``access.denied`` events recorded so far, oldest first."""
    with vault.reading() as s:
        rows = s.execute(
            select(AuditEventRow)
            .where(AuditEventRow.action == "access.denied")
            .order_by(AuditEventRow.seq)
        )
        return list(rows.scalars())


def admin(name: str = "admin") -> Actor:
    """The installation's administrator (key init and rotation, restores)."""
    return Actor(name, Role.ADMIN)


def resident_id(seq: int = 1) -> str:
    """A generated resident ID (Beijing 110101, 1990-01-01) with a valid check character."""
    first17 = f"11010119900101{seq:03d}"
    return first17 + resident_id_check_char(first17)


def bank_card(seq: int = 1) -> str:
    payload = f"622202{seq:012d}"
    return payload + luhn_check_digit(payload)


def mobile(seq: int = 1) -> str:
    return f"139{seq:08d}"


def later_code(secret: str) -> str:
    """The authenticator's code for the next 30-second step: accepted (clocks drift by one
    step) and later than a code of this step already used, e.g. to turn TOTP on."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@contextmanager
def fresh_database_url() -> Iterator[str | None]:
    """``None`` (SQLite under the home) or a PostgreSQL URL bound to a fresh schema."""
    base = os.environ.get(TEST_DB_ENV)
    if not base:
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url() -> Iterator[str | None]:
    with fresh_database_url() as url:
        yield url


@pytest.fixture
def second_database_url() -> Iterator[str | None]:
    """Another fresh database (a restore target)."""
    with fresh_database_url() as url:
        yield url


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets" / "master.key"
    generate_key_file(path)
    return path


@pytest.fixture
def settings(tmp_path: Path, key_file: Path, database_url: str | None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        home=tmp_path / "home",
        database_url=database_url,
        master_key_file=key_file,
        env="test",
    )


@pytest.fixture
def vault(settings: Settings) -> Iterator[object]:
    from baomi.services import keys
    from baomi.services.vault import open_vault

    keys.init(settings, actor=admin("tester"))
    with open_vault(settings) as v:
        yield v


def fake_inventory(names: list[str]) -> Inventory:
    """A scan inventory for service tests' stand-in scanner: one resident ID in each file."""
    found = {"CN_RESIDENT_ID": 1}
    files = tuple(
        InventoryFile(
            path=name, kind="text", encoding="utf-8", rows=1, sheets=(), skipped_rows=0,
            undecodable_rows=0, errors=(), columns=(), entities=found,
        )
        for name in names
    )  # fmt: skip
    summary = InventorySummary(
        files_scanned=len(files), files_skipped=0, files_with_errors=0, rows=len(files),
        skipped_rows=0, undecodable_rows=0, findings=len(files), entities=found, distinct=found,
        distinct_estimated=(), sensitive_entities=("CN_RESIDENT_ID",), sensitive_categories={},
        minors=0, estimated_individuals=1, individuals_with_sensitive=1,
        individuals_method="exact: records linked by shared identifiers",
    )  # fmt: skip
    return Inventory(created="", threshold=0.5, files=files, skipped=(), summary=summary)
