"""``protect`` of database tables (SQLite): the copy equals protecting the table's CSV export
with the same key; Parquet per table or a target database; binary columns left out."""

from __future__ import annotations

import sqlite3
import types
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

import baomi.engine.protect.package as package
from baomi.databases.protect import MANIFEST_TABLE, load_into, table_sources
from baomi.databases.source import DatabaseError, connect
from baomi.demo.database import create_demo_database
from baomi.engine.protect.keys import KeyProvider, generate_secret
from baomi.engine.protect.options import ProtectOptions
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy
from baomi.i18n import set_language
from tests.databases.support import export_csv


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, object, KeyProvider]:
    # the package's random parts (fingerprint, renderings' key, id) fixed: runs comparable
    monkeypatch.setattr(
        package,
        "secrets",
        types.SimpleNamespace(
            randbits=lambda n: 12345, token_bytes=lambda n: b"k" * n, token_hex=lambda n: "ab" * n
        ),
    )
    db = tmp_path / "crm.db"
    create_demo_database(f"sqlite:///{db}", rows=80)
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(DEFAULT_POLICY, encoding="utf-8")
    key = tmp_path / "key"
    key.write_text(generate_secret() + "\n", encoding="utf-8")
    return f"sqlite:///{db}", load_policy(policy_file), KeyProvider.resolve(key)


def test_the_copy_equals_protecting_the_csv_export(setup: tuple, tmp_path: Path) -> None:
    url, policy, keys = setup
    for table in ("customers", "orders"):
        export_csv(url, table, tmp_path / f"csv-{table}")
        from_csv = package.protect_paths(
            [tmp_path / f"csv-{table}"],
            policy,
            tmp_path / f"out-csv-{table}",
            keys=keys,
            options=ProtectOptions(),
        )
        db = connect(url)
        refs = [r for r in db.tables() if r.name == table]
        documents, _ = table_sources(db, refs)
        from_db = package.protect_paths(
            [],
            policy,
            tmp_path / f"out-db-{table}",
            keys=keys,
            options=ProtectOptions(),
            documents=documents,
        )
        db.close()
        copy = pl.read_parquet(from_db.out_dir / f"main.{table}.parquet")
        assert copy.schema["id"] == pl.Int64  # a column left alone keeps its type
        as_text = copy.select(pl.all().cast(pl.String).fill_null(""))
        exported = pl.read_csv(
            from_csv.out_dir / f"{table}.csv", infer_schema=False, empty_string_is_null=False
        ).fill_null("")
        assert as_text.equals(exported)
        (entry,) = from_db.manifest.files
        assert entry.path == f"main.{table}.parquet" and len(entry.source_sha256) == 64
        k_db = [(k.risk.k, k.suppressed_records) for k in from_db.manifest.k_anonymity]
        k_csv = [(k.risk.k, k.suppressed_records) for k in from_csv.manifest.k_anonymity]
        assert k_db == k_csv


def test_binary_columns_are_left_out_of_the_copy(setup: tuple, tmp_path: Path) -> None:
    url, policy, keys = setup
    db = connect(url)
    documents, _ = table_sources(db, [r for r in db.tables() if r.name == "attachments"])
    result = package.protect_paths(
        [], policy, tmp_path / "out", keys=keys, options=ProtectOptions(), documents=documents
    )
    db.close()
    copy = pl.read_parquet(result.out_dir / "main.attachments.parquet")
    assert copy.columns == ["id", "file_name"] and copy.height == 10


def test_the_copy_loads_into_a_target_database(setup: tuple, tmp_path: Path) -> None:
    url, policy, keys = setup
    db = connect(url)
    refs = [r for r in db.tables() if r.name in ("customers", "follow_ups")]
    documents, copies = table_sources(db, refs)
    result = package.protect_paths(
        [], policy, tmp_path / "pkg", keys=keys, options=ProtectOptions(), documents=documents
    )
    db.close()
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    assert load_into(result.out_dir, result.manifest, target, copies) == [
        "customers",
        "follow_ups",
    ]
    source = Path(url.removeprefix("sqlite:///"))
    with sqlite3.connect(source) as conn:
        ids = {r[0] for r in conn.execute("SELECT resident_id FROM customers")}
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        copied = {r[0] for r in conn.execute("SELECT resident_id FROM customers")}
        assert len(copied) > 1 and not (ids & copied)
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 80
        (manifest,) = conn.execute(f"SELECT package_id FROM {MANIFEST_TABLE}").fetchall()
        assert manifest[0] == result.manifest.package_id
    inspector = sa.inspect(sa.create_engine(target))
    assert inspector.get_pk_constraint("follow_ups")["constrained_columns"] == [
        "customer_id",
        "seq",
    ]
    with pytest.raises(DatabaseError, match="--force"):
        load_into(result.out_dir, result.manifest, target, copies)
    load_into(result.out_dir, result.manifest, target, copies, replace=True)


def test_table_names_are_labels_and_a_protected_name_loads(setup: tuple, tmp_path: Path) -> None:
    # `Customer` is a table, not a person (the prose model alone reads any capitalised word
    # as a name); a phone number in a table's name is protected, in the package and the copy
    _, policy, keys = setup
    source = tmp_path / "names.db"
    with sqlite3.connect(source) as conn:
        conn.execute('CREATE TABLE "Customer" (id INTEGER PRIMARY KEY, phone TEXT)')
        conn.execute('CREATE TABLE "客户13812345678" (id INTEGER PRIMARY KEY, note TEXT)')
        conn.execute("INSERT INTO \"Customer\" VALUES (0, '13912340001'), (1, '13912340002')")
        conn.execute("INSERT INTO \"客户13812345678\" VALUES (0, 'x'), (1, 'y')")
    db = connect(f"sqlite:///{source}")
    documents, copies = table_sources(db, db.tables())
    result = package.protect_paths(
        [], policy, tmp_path / "pkg", keys=keys, options=ProtectOptions(), documents=documents
    )
    db.close()
    paths = [f.path for f in result.manifest.files]
    assert paths[0] == "main.Customer.parquet"
    assert "13812345678" not in paths[1] and paths[1].startswith("main.客户")
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    protected = paths[1].removeprefix("main.").removesuffix(".parquet")
    assert load_into(result.out_dir, result.manifest, target, copies) == ["Customer", protected]
    inspector = sa.inspect(sa.create_engine(target))
    assert inspector.get_pk_constraint(protected)["constrained_columns"] == ["id"]
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute('SELECT id FROM "Customer" ORDER BY id').fetchall() == [(0,), (1,)]
