"""Database scans against real servers: PostgreSQL (``BAOMI_TEST_PG_URL``) and MySQL/MariaDB
(``BAOMI_TEST_MYSQL_URL``), each skipped when its URL is unset (``.ci/run`` sets both). The
demo CRM schema scans as on SQLite; a locked table, a dropped connection, exotic column types
and a wrong password each give a message naming the table, and the scan goes on."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from baomi.databases.scan import DatabaseSelection, scan_database
from baomi.databases.source import (
    DatabaseError,
    DatabaseTable,
    TableRef,
    connect,
    resolve_url,
)
from baomi.demo.database import create_demo_database
from baomi.engine.scan import ScanOptions
from baomi.i18n import set_language
from tests.databases.support import scan_two, skipped_and_rows

pytestmark = pytest.mark.db

ENV = {"postgresql": "BAOMI_TEST_PG_URL", "mysql": "BAOMI_TEST_MYSQL_URL"}
SERVERS = {name: os.environ.get(var) for name, var in ENV.items()}
FAST = ScanOptions(prose=False, sample_rows=50)
ROWS = 150


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request: pytest.FixtureRequest) -> str:
    url = SERVERS[request.param]
    if not url:
        pytest.skip(f"{request.param}: {ENV[request.param]} is not set")
    create_demo_database(url, rows=ROWS, replace=True)
    return url


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(resolve_url(url))


def _spans(out: Path) -> list[tuple[Any, ...]]:
    rows = []
    for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines():
        f = json.loads(line)
        table = f["file"].rsplit(".", 1)[-1]
        rows.append((table, f["row"], f["column"], f["start"], f["end"], f["entity"]))
    return sorted(rows)


def _package(tmp_path: Path, documents: Any) -> Any:
    """The tables ``documents`` protected with the default policy and a new key."""
    from baomi.engine.protect.keys import KeyProvider, generate_secret
    from baomi.engine.protect.options import ProtectOptions
    from baomi.engine.protect.package import protect_paths
    from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy

    (tmp_path / "p.yaml").write_text(DEFAULT_POLICY, encoding="utf-8")
    (tmp_path / "k").write_text(generate_secret(), encoding="utf-8")
    return protect_paths(
        [],
        load_policy(tmp_path / "p.yaml"),
        tmp_path / "pkg",
        keys=KeyProvider.resolve(tmp_path / "k"),
        options=ProtectOptions(),
        documents=documents,
    )


def test_the_demo_schema_scans_as_on_sqlite(server: str, tmp_path: Path) -> None:
    lite = tmp_path / "crm.db"
    create_demo_database(f"sqlite:///{lite}", rows=ROWS)
    demo = DatabaseSelection(exclude=("odd", "qa_*"))
    a = scan_database(server, out_dir=tmp_path / "server", options=FAST, selection=demo)
    b = scan_database(f"sqlite:///{lite}", out_dir=tmp_path / "lite", options=FAST)
    assert _spans(tmp_path / "server") == _spans(tmp_path / "lite")
    assert a.inventory.summary.estimated_individuals == b.inventory.summary.estimated_individuals
    first = json.loads(
        next(
            line
            for line in (tmp_path / "server" / "findings.jsonl").read_text().splitlines()
            if ".customers" in line
        )
    )
    assert first["file"].startswith("db://127.0.0.1/") and "id" in first["key"]
    assert "@" not in first["file"]


def test_a_locked_table_is_named_and_the_others_are_scanned(server: str, tmp_path: Path) -> None:
    engine = _engine(server)
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with engine.connect() as conn, conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
            else:
                conn.exec_driver_sql("LOCK TABLES customers WRITE")
            locked.set()
            release.wait(60)
            if engine.dialect.name != "postgresql":
                conn.exec_driver_sql("UNLOCK TABLES")

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        skipped, rows = skipped_and_rows(scan_two(server, tmp_path, lock_timeout=1))
    finally:
        release.set()
        holder.join()
        engine.dispose()
    assert list(skipped) == ["customers"]
    assert "locked by another session" in skipped["customers"]
    assert rows["orders"] == 2 * ROWS


def test_a_connection_killed_mid_table_keeps_what_was_read(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed = DatabaseTable._keyed
    admin = _engine(server)

    def killed(self: DatabaseTable, conn: Any, cols: Any) -> Iterator[list[Any]]:
        chunks = keyed(self, conn, cols)
        yield next(chunks)
        if self.ref.name == "customers":  # another session ends this one's connection
            pg = admin.dialect.name == "postgresql"
            me = conn.exec_driver_sql(
                "SELECT pg_backend_pid()" if pg else "SELECT CONNECTION_ID()"
            ).scalar()
            with admin.connect() as other:
                other.exec_driver_sql(
                    f"SELECT pg_terminate_backend({int(me)})" if pg else f"KILL {int(me)}"
                )
        yield from chunks

    monkeypatch.setattr(DatabaseTable, "_keyed", killed)
    try:
        result = scan_two(server, tmp_path)
    finally:
        admin.dispose()
    files = {f.path.rsplit(".", 1)[-1]: f for f in result.inventory.files}
    assert files["customers"].rows == 50
    assert any("connection" in e and "after 50 rows" in e for e in files["customers"].errors)
    assert files["orders"].rows == 2 * ROWS


def test_exotic_column_types_are_each_named(server: str, tmp_path: Path) -> None:
    engine = _engine(server)
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS odd")
        if pg:
            conn.exec_driver_sql(
                "CREATE TABLE odd (id int PRIMARY KEY, phones text[], extra jsonb, "
                "photo bytea, spot point)"
            )
            conn.exec_driver_sql(
                "INSERT INTO odd VALUES (1, ARRAY['13912340001'], '{\"tel\": \"13912340002\"}', "
                "'\\x00ff', point(1, 2))"
            )
        else:
            conn.exec_driver_sql(
                "CREATE TABLE odd (id int PRIMARY KEY, phones json, extra json, photo blob, "
                "spot geometry)"
            )
            conn.exec_driver_sql(
                'INSERT INTO odd VALUES (1, \'["13912340001"]\', \'{"tel": "13912340002"}\', '
                "x'00ff', ST_GeomFromText('POINT(1 2)'))"
            )
    engine.dispose()
    result = scan_database(
        server, out_dir=tmp_path, options=FAST, selection=DatabaseSelection(tables=("odd",))
    )
    (odd,) = result.inventory.files
    assert any(e.startswith("photo:") and "binary" in e for e in odd.notes)
    assert any(e.startswith("spot:") for e in odd.notes)
    assert odd.entities.get("CN_MOBILE") == 2  # the array and the JSON are read as JSON text


def test_a_wrong_password_is_a_clear_error_without_it(server: str) -> None:
    url = resolve_url(server)
    if not url.password:
        pytest.skip("this server's URL has no password, so none is checked")
    with pytest.raises(DatabaseError) as err:
        connect(url.set(password="not-the-password-7"))
    message = str(err.value)
    assert "wrong user or password" in message
    assert "not-the-password-7" not in message and f"{url.username}@" not in message


def test_a_protected_copy_loads_into_sqlite(server: str, tmp_path: Path) -> None:
    from baomi.databases.protect import load_into, table_sources

    db = connect(server)
    try:
        refs = db.tables(include=("customers", "orders"))
        documents, copies = table_sources(db, refs)
        result = _package(tmp_path, documents)
    finally:
        db.close()
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    assert load_into(result.out_dir, result.manifest, target, copies) == ["customers", "orders"]
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM orders").scalar() == 2 * ROWS
    engine.dispose()


def _other(server: str) -> str:
    """The other server's URL (a copy's target), or skip."""
    other = next((u for u in SERVERS.values() if u and u != server), None)
    if other is None:
        pytest.skip("a copy across servers needs both BAOMI_TEST_PG_URL and BAOMI_TEST_MYSQL_URL")
    return other


def test_a_copy_to_the_other_server_keeps_keys_and_values(server: str, tmp_path: Path) -> None:
    # MySQL made the first integer key AUTO_INCREMENT (a copied 0 became a new id) and refused
    # a TEXT primary key; a failed load left the tables it had made
    from baomi.databases.protect import load_into, table_sources

    target = _other(server)
    engine = _engine(server)
    with engine.begin() as conn:
        for t in ("qa_pairs", "qa_codes"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t}")
        conn.exec_driver_sql(
            "CREATE TABLE qa_pairs (cid int, seq int, phone varchar(20), PRIMARY KEY (cid, seq))"
        )
        conn.exec_driver_sql("CREATE TABLE qa_codes (code varchar(40) PRIMARY KEY, n int)")
        conn.exec_driver_sql(
            "INSERT INTO qa_pairs VALUES (0, 0, '13912340001'), (0, 1, '13912340002'), "
            "(1, 0, '13912340003')"
        )
        conn.exec_driver_sql("INSERT INTO qa_codes VALUES ('K-0001', 0), ('K-0002', 5)")
    engine.dispose()
    db = connect(server)
    try:
        documents, copies = table_sources(db, db.tables(include=("qa_pairs", "qa_codes")))
        result = _package(tmp_path, documents)
    finally:
        db.close()
    assert load_into(result.out_dir, result.manifest, target, copies, replace=True) == [
        "qa_codes",
        "qa_pairs",
    ]
    copy = _engine(target)
    inspector = sa.inspect(copy)
    assert inspector.get_pk_constraint("qa_pairs")["constrained_columns"] == ["cid", "seq"]
    assert inspector.get_pk_constraint("qa_codes")["constrained_columns"] == ["code"]
    with copy.connect() as conn:
        pairs = conn.exec_driver_sql("SELECT cid, seq FROM qa_pairs ORDER BY cid, seq").all()
        codes = conn.exec_driver_sql("SELECT code, n FROM qa_codes ORDER BY code").all()
    copy.dispose()
    assert [tuple(r) for r in pairs] == [(0, 0), (0, 1), (1, 0)]
    assert [tuple(r) for r in codes] == [("K-0001", 0), ("K-0002", 5)]


def test_a_failed_copy_leaves_no_new_table(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.databases import protect as protect_module

    target = _other(server)
    copy = _engine(target)
    with copy.begin() as conn:
        for t in ("qa_first", "qa_second"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t}")
    lite = tmp_path / "src.db"
    with sa.create_engine(f"sqlite:///{lite}").begin() as conn:
        conn.exec_driver_sql("CREATE TABLE qa_first (id INTEGER PRIMARY KEY, a TEXT)")
        conn.exec_driver_sql("CREATE TABLE qa_second (id INTEGER PRIMARY KEY, a TEXT)")
        conn.exec_driver_sql("INSERT INTO qa_first VALUES (1, 'x')")
        conn.exec_driver_sql("INSERT INTO qa_second VALUES (1, 'y')")
    db = connect(f"sqlite:///{lite}")
    documents, copies = protect_module.table_sources(db, db.tables())
    result = _package(tmp_path, documents)
    db.close()
    real = pl.read_parquet
    calls = []

    def second_fails(source: Any, *args: Any, **kwargs: Any) -> pl.DataFrame:
        calls.append(source)
        if len(calls) == 2:
            raise sa.exc.OperationalError("INSERT", {}, Exception("gone"))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(protect_module.pl, "read_parquet", second_fails)
    with pytest.raises(DatabaseError) as err:
        protect_module.load_into(result.out_dir, result.manifest, target, copies)
    assert "write failed" in str(err.value) and "qa_second" in str(err.value)
    assert not {"qa_first", "qa_second"} & set(sa.inspect(copy).get_table_names())
    copy.dispose()


def _run(server: str, *statements: str) -> None:
    """Run ``statements`` on ``server`` in one transaction (a test's tables)."""
    engine = _engine(server)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def _only(server: str, backend: str) -> None:
    if not server.startswith(backend):
        pytest.skip(f"a {backend} feature")


def test_partitions_are_read_through_their_table_and_mat_views_are_scanned(
    server: str, tmp_path: Path
) -> None:
    # the partitions were scanned beside their table (every row counted twice) and a
    # materialized view, which holds rows, was not listed
    _only(server, "postgresql")
    _run(
        server,
        "DROP MATERIALIZED VIEW IF EXISTS qa_mv",
        "DROP TABLE IF EXISTS qa_parted",
        "CREATE TABLE qa_parted (id int, region text, phone text, PRIMARY KEY (id, region)) "
        "PARTITION BY LIST (region)",
        "CREATE TABLE qa_parted_n PARTITION OF qa_parted FOR VALUES IN ('n')",
        "CREATE TABLE qa_parted_s PARTITION OF qa_parted FOR VALUES IN ('s')",
        "INSERT INTO qa_parted VALUES (1, 'n', '13912340001'), (2, 's', '13912340002')",
        "CREATE MATERIALIZED VIEW qa_mv AS SELECT phone FROM qa_parted",
    )
    result = scan_database(
        server,
        out_dir=tmp_path,
        options=FAST,
        selection=DatabaseSelection(tables=("qa_parted*", "qa_mv")),
    )
    _, rows = skipped_and_rows(result)
    assert rows == {"qa_parted": 2, "qa_mv": 2}
    alone = scan_database(
        server, options=FAST, selection=DatabaseSelection(tables=("qa_parted_n",))
    )
    assert skipped_and_rows(alone)[1] == {"qa_parted_n": 1}  # named alone, it is read


def test_system_schemas_are_not_matched_by_patterns(server: str) -> None:
    db = connect(server)
    try:
        schemas = {r.schema for r in db.tables(("*",), views=False)}
    finally:
        db.close()
    assert db.default_schema in schemas
    assert not schemas & {"information_schema", "pg_catalog", "mysql", "performance_schema", "sys"}


def test_an_unsigned_bigint_key_is_written(server: str, tmp_path: Path) -> None:
    _only(server, "mysql")
    _run(
        server,
        "DROP TABLE IF EXISTS qa_big",
        "CREATE TABLE qa_big (id bigint unsigned PRIMARY KEY, phone text)",
        "INSERT INTO qa_big VALUES (18446744073709551615, '13912340001'), (7, '13912340002')",
    )
    scan_database(
        server, out_dir=tmp_path, options=FAST, selection=DatabaseSelection(tables=("qa_big",))
    )
    lines = (tmp_path / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["key"] for line in lines] == [
        {"id": 7},
        {"id": 18446744073709551615},
    ]


def test_a_missing_password_and_a_wrong_database_are_said(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = resolve_url(server)
    monkeypatch.delenv("BAOMI_DB_PASSWORD", raising=False)
    with pytest.raises(DatabaseError) as err:
        connect(url.set(database="baomi_no_such_db"))
    assert "no such database" in str(err.value)
    if not url.password:
        return
    with pytest.raises(DatabaseError) as err:
        connect(
            sa.engine.URL.create(
                url.drivername, url.username, None, url.host, url.port, url.database
            )
        )
    assert "asks for a password" in str(err.value) and "--password-file" in str(err.value)


#: A table of flags: the same statements on both servers (``B'0101'`` is a bit literal in each).
BITS = (
    "DROP TABLE IF EXISTS qa_bits",
    "CREATE TABLE qa_bits (id int PRIMARY KEY, flag bit(1), mask bit(4), phone varchar(20))",
    "INSERT INTO qa_bits VALUES (1, B'1', B'0101', '13912340001'), "
    "(2, B'0', NULL, '13912340002'), (3, B'1', B'1000', NULL)",
)


def _bit_strings(url: str, table: str = "qa_bits") -> pl.DataFrame:
    """The table's flag and mask columns as a scan reads them."""
    db = connect(url)
    try:
        frame = next(db.open_table(TableRef(None, table)).batches()).frame
    finally:
        db.close()
    return frame.select("flag", "mask")


def test_bit_columns_are_read_as_bit_strings_and_scanned(server: str, tmp_path: Path) -> None:
    # MySQL's BIT came as bytes and was left out ("holds binary values, which were not
    # scanned") where PostgreSQL's bit was read as '0101'
    _run(server, *BITS)
    frame = _bit_strings(server)
    assert frame["flag"].to_list() == ["1", "0", "1"]
    assert frame["mask"].to_list() == ["0101", None, "1000"]
    result = scan_database(
        server, out_dir=tmp_path, options=FAST, selection=DatabaseSelection(tables=("qa_bits",))
    )
    (bits,) = result.inventory.files
    assert bits.notes == () and bits.errors == ()
    non_empty = {c.name: c.non_empty for c in bits.columns}
    assert non_empty["flag"] == 3 and non_empty["mask"] == 2
    assert bits.entities == {"CN_MOBILE": 2}  # a bit string is no identifier


def test_bit_columns_are_copied_as_bits(server: str, tmp_path: Path) -> None:
    from baomi.databases.protect import load_into, table_sources

    _run(server, *BITS)
    db = connect(server)
    try:
        documents, copies = table_sources(db, db.tables(include=("qa_bits",)))
        result = _package(tmp_path, documents)
    finally:
        db.close()
    (parquet,) = result.out_dir.glob("*.qa_bits.parquet")
    package = pl.read_parquet(parquet)
    assert package["mask"].to_list() == ["0101", None, "1000"]  # the package holds the text
    lite = f"sqlite:///{tmp_path / 'copy.db'}"
    assert load_into(result.out_dir, result.manifest, lite, copies) == ["qa_bits"]
    engine = sa.create_engine(lite)
    with engine.connect() as conn:  # SQLite has no bit type: the text
        rows = conn.exec_driver_sql("SELECT flag, mask FROM qa_bits ORDER BY id").all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("1", "0101"), ("0", None), ("1", "1000")]
    target = _other(server)
    assert load_into(result.out_dir, result.manifest, target, copies, replace=True) == ["qa_bits"]
    copy = _engine(target)
    types = {c["name"]: c["type"] for c in sa.inspect(copy).get_columns("qa_bits")}
    copy.dispose()
    assert type(types["mask"]).__name__ == "BIT" and types["mask"].length == 4
    assert type(types["flag"]).__name__ == "BIT" and types["flag"].length in (1, None)
    assert _bit_strings(target).equals(_bit_strings(server))
