"""Database scans on SQLite (always run): the demo CRM schema, the same column decision as a CSV
export, keys in findings, --sample, table patterns, credentials, and bad input table by table."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc

from baomi.databases.scan import DatabaseSelection, scan_database
from baomi.databases.source import (
    PASSWORD_ENV,
    Database,
    DatabaseError,
    DatabaseTable,
    TableRef,
    _classify,
    connect,
    display_name,
    is_database_url,
    resolve_url,
)
from baomi.demo.database import create_demo_database
from baomi.engine.contracts import codec, notes
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.i18n import set_language
from tests.databases.support import export_csv, scan_two, skipped_and_rows

FAST = ScanOptions(prose=False)


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("crm") / "crm.db"
    create_demo_database(f"sqlite:///{path}", rows=120)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def scanned(crm: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("scan")
    set_language("en")  # module-scoped: before the per-test language fixture
    try:
        result = scan_database(crm, out_dir=out, options=FAST)
    finally:
        set_language(None)
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert (out / "inventory.json").is_file()
    return result.inventory, [json.loads(x) for x in lines]


def _file(inv: Any, table: str) -> Any:
    return next(f for f in inv.files if f.path.endswith(f".{table}"))


def test_database_urls_are_told_from_paths() -> None:
    assert is_database_url("postgresql://u@h/db")
    assert is_database_url("mysql+pymysql://u@h/db")
    assert is_database_url("mariadb://u@h/db")
    assert is_database_url("sqlite:///x.db")
    assert not is_database_url("data/客户.csv")
    assert not is_database_url("http://example.com/x")


def test_every_table_and_view_is_scanned_and_named_db_host_db_schema_table(
    scanned: tuple[Any, list[dict[str, Any]]],
) -> None:
    inv, findings = scanned
    names = {f.path for f in inv.files}
    assert names == {
        f"db://localhost/crm/main.{t}"
        for t in (
            "customers",
            "orders",
            "follow_ups",
            "call_log",
            "attachments",
            "customer_contacts",
        )
    }
    customers = _file(inv, "customers")
    assert customers.rows == 120 and customers.kind == "table"
    entity = {c.name: c.entity for c in customers.columns if c.mode == "entity"}
    assert entity["resident_id"] == "CN_RESIDENT_ID"
    assert entity["mobile"] == "CN_MOBILE"
    assert entity["email"] == "EMAIL"
    profile = next(c for c in customers.columns if c.name == "profile")
    assert profile.entities.get("CN_MOBILE") == 120  # JSON read as JSON text and scanned
    assert {f["file"] for f in findings} <= names


def test_findings_carry_the_primary_key_and_no_value(
    scanned: tuple[Any, list[dict[str, Any]]], crm: str
) -> None:
    _, findings = scanned
    ids = [f for f in findings if f["file"].endswith(".customers") and f["column"] == "mobile"]
    assert len(ids) == 120
    assert sorted(f["key"]["id"] for f in ids) == list(range(1, 121))
    assert all(f["key"]["id"] == f["row"] + 1 for f in ids)  # row: position in key order
    follow = [f for f in findings if f["file"].endswith(".follow_ups")]
    assert follow and set(follow[0]["key"]) == {"customer_id", "seq"}
    calls = [f for f in findings if f["file"].endswith(".call_log")]
    assert calls and all("key" not in f for f in calls)  # no primary key: positions only
    path = Path(crm.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        rid = conn.execute("SELECT resident_id FROM customers WHERE id = 7").fetchone()[0]
    text = json.dumps(findings, ensure_ascii=False)
    assert rid not in text


def test_binary_columns_and_missing_keys_are_said_in_the_inventory(
    scanned: tuple[Any, list[dict[str, Any]]],
) -> None:
    inv, _ = scanned
    attachments = _file(inv, "attachments")
    assert any("content" in e and "binary" in e for e in attachments.notes)
    assert "content" not in {c.name for c in attachments.columns}
    assert any("no primary key" in e for e in _file(inv, "call_log").notes)
    assert not _file(inv, "customers").notes
    # information, not a read failure: these tables were read in full
    assert not any(f.errors or f.read_in_part for f in inv.files)
    assert inv.summary.files_with_errors == 0


def test_a_table_is_classified_and_scanned_as_its_csv_export(crm: str, tmp_path: Path) -> None:
    options = ScanOptions(prose=False, batch_rows=50)
    db = scan_database(
        crm,
        out_dir=tmp_path / "db",
        options=options,
        selection=DatabaseSelection(tables=("customers", "orders")),
    )
    exported = [export_csv(crm, t, tmp_path / "csv") for t in ("customers", "orders")]
    files = scan_paths(exported, out_dir=tmp_path / "file", options=options)
    for table in ("customers", "orders"):
        a = _file(db.inventory, table)
        b = next(f for f in files.inventory.files if f.path == f"{table}.csv")
        assert a.rows == b.rows
        left = [(c.name, c.mode, c.entity, c.matches, c.non_empty) for c in a.columns]
        right = [(c.name, c.mode, c.entity, c.matches, c.non_empty) for c in b.columns]
        assert left == right

    def spans(path: Path, suffix: str) -> list[tuple[Any, ...]]:
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            f = json.loads(line)
            table = f["file"].rsplit(".", 1)[-1] if f["file"].startswith("db://") else None
            name = table or f["file"].removesuffix(".csv")
            out.append((name, f["row"], f["column"], f["start"], f["end"], f["entity"]))
        return sorted(out)

    assert spans(tmp_path / "db" / "findings.jsonl", "") == spans(
        tmp_path / "file" / "findings.jsonl", ""
    )
    assert (
        db.inventory.summary.estimated_individuals == files.inventory.summary.estimated_individuals
    )


def test_sample_stops_each_table_and_says_so(crm: str, tmp_path: Path) -> None:
    result = scan_database(
        crm, out_dir=tmp_path, options=FAST, selection=DatabaseSelection(sample=30)
    )
    customers = _file(result.inventory, "customers")
    assert customers.rows == 30
    assert any("--sample" in e for e in customers.notes) and not customers.errors
    attachments = _file(result.inventory, "attachments")  # 10 rows: read whole
    assert attachments.rows == 10
    assert not any("--sample" in e for e in attachments.notes)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (DatabaseSelection(tables=("cust*",)), {"customers", "customer_contacts"}),
        (DatabaseSelection(tables=("main.orders",)), {"orders"}),
        (
            DatabaseSelection(exclude=("cust*", "*_log")),
            {"orders", "follow_ups", "attachments"},
        ),
        (DatabaseSelection(schemas=("nope",)), set()),
    ],
)
def test_tables_are_chosen_by_patterns(
    crm: str, tmp_path: Path, selection: DatabaseSelection, expected: set[str]
) -> None:
    result = scan_database(crm, out_dir=tmp_path, options=FAST, selection=selection)
    assert {f.path.rsplit(".", 1)[-1] for f in result.inventory.files} == expected


def test_credentials_come_from_the_url_a_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    url = resolve_url("postgresql://scanner:from-url@db.example/crm")
    assert url.drivername == "postgresql+psycopg" and url.password == "from-url"
    secret = tmp_path / "pw"
    secret.write_text("from-file\n", encoding="utf-8")
    assert resolve_url("mysql://scanner@db.example/crm", secret).password == "from-file"
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    url = resolve_url("mariadb://scanner@db.example/crm")
    assert url.password == "from-env" and url.drivername == "mariadb+pymysql"
    assert display_name(url) == "db://db.example/crm"


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(DatabaseError) as err:
        connect("postgresql://scanner:hunter2@127.0.0.1:1/crm")
    assert "hunter2" not in str(err.value) and "scanner" not in str(err.value)
    assert "db://127.0.0.1/crm" in str(err.value)


@pytest.mark.parametrize(
    ("orig", "expected"),
    [
        (Exception('password authentication failed for user "x"'), "wrong user or password"),
        (Exception("(1045, \"Access denied for user 'x'@'h'\")"), "wrong user or password"),
        (Exception("canceling statement due to lock timeout"), "locked"),
        (Exception("server closed the connection unexpectedly"), "connection"),
        (Exception("(2013, 'Lost connection to MySQL server during query')"), "connection"),
        (Exception("value 13812345678 out of range"), "read failed (Exception)"),
    ],
)
def test_driver_errors_become_short_messages_without_values(orig: Exception, expected: str) -> None:
    message = _classify(sa_exc.OperationalError("SELECT 1", {}, orig))
    assert expected in message and "13812345678" not in message


def test_a_locked_table_is_named_and_the_scan_goes_on(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(crm.removeprefix("sqlite:///"))
    holder = sqlite3.connect(path, isolation_level=None)
    open_table = Database.open_table

    def locking(self: Database, ref: TableRef, **kw: Any) -> DatabaseTable:
        # another session locks while customers is read, and lets go before orders
        holder.execute("BEGIN EXCLUSIVE" if ref.name == "customers" else "ROLLBACK")
        return open_table(self, ref, **kw)

    monkeypatch.setattr(Database, "open_table", locking)
    try:
        skipped, rows = skipped_and_rows(scan_two(crm, tmp_path, lock_timeout=0))
    finally:
        holder.close()
    assert list(skipped) == ["customers"]
    assert "locked by another session" in skipped["customers"]
    assert rows["orders"] == 240


def test_a_locked_database_is_a_clear_error(crm: str, tmp_path: Path) -> None:
    holder = sqlite3.connect(Path(crm.removeprefix("sqlite:///")), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError, match="locked"):
            scan_database(crm, selection=DatabaseSelection(lock_timeout=0))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_connection_dropped_mid_table_keeps_what_was_read_and_goes_on(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed = DatabaseTable._keyed

    def dropping(self: DatabaseTable, conn: Any, cols: Any) -> Iterator[list[Any]]:
        chunks = keyed(self, conn, cols)
        yield next(chunks)
        if self.ref.name == "customers":
            raise sa_exc.OperationalError(
                "SELECT", {}, Exception("server closed the connection unexpectedly")
            )
        yield from chunks

    monkeypatch.setattr(DatabaseTable, "_keyed", dropping)
    result = scan_database(
        crm,
        out_dir=tmp_path,
        options=ScanOptions(prose=False, sample_rows=40),
        selection=DatabaseSelection(tables=("customers", "orders")),
    )
    customers = _file(result.inventory, "customers")
    assert customers.rows == 40
    assert any("connection" in e and "40" in e for e in customers.errors)
    assert _file(result.inventory, "orders").rows == 240


def test_exotic_columns_and_unreadable_views_each_get_a_message(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE places (id INTEGER PRIMARY KEY, shape GEOMETRY, photo BLOB, "
            "extra JSON, phone TEXT)"
        )
        conn.executemany(
            "INSERT INTO places VALUES (?, ?, ?, ?, ?)",
            [
                (i, b"\x01\x02", b"\x00\xff", json.dumps({"tel": f"1391234{i:04d}"}), None)
                for i in range(5)
            ],
        )
        conn.execute("CREATE TABLE blobs (data BLOB)")
        conn.execute("INSERT INTO blobs VALUES (x'00ff')")
        conn.execute("CREATE TABLE gone (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE VIEW broken AS SELECT id FROM gone")
        conn.execute("DROP TABLE gone")
    result = scan_database(f"sqlite:///{path}", out_dir=tmp_path / "o", options=FAST)
    places = _file(result.inventory, "places")
    # SQLite gives GEOMETRY numeric affinity and stores the bytes: left out value by value
    assert any(e.startswith("shape:") and "binary values" in e for e in places.notes)
    assert any(e.startswith("photo:") and "binary" in e for e in places.notes)
    assert places.rows == 5
    skipped = {s.path: s.reason for s in result.inventory.skipped}
    assert list(skipped) == ["db://localhost/odd/main.broken"]
    blobs = _file(result.inventory, "blobs")  # nothing but binary: read as empty, said so
    assert blobs.rows == 0 and any("binary column" in e for e in blobs.notes)


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no such database file") as err:
        scan_database(f"sqlite:///{tmp_path / 'nope.db'}", out_dir=tmp_path / "o")
    assert str(tmp_path / "nope.db") in str(err.value)  # the path it looked for
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "o").exists()


def test_other_schemas_are_named_with_how_to_read_them(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --schema only the default schema is read: the others that hold tables (here an
    attached SQLite database) are named in the inventory's notes, with the option to read them."""
    import sqlalchemy as sa

    import baomi.databases.scan as scan_module

    other = tmp_path / "sales.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE leads (id INTEGER PRIMARY KEY, mobile TEXT)")
    real = scan_module.connect

    def attached(url: str, **kw: Any) -> Database:
        db = real(url, **kw)
        db.engine.dispose()
        sa.event.listen(
            db.engine,
            "connect",
            lambda dbapi, _: dbapi.execute(f"ATTACH DATABASE '{other}' AS sales"),
        )
        return db

    monkeypatch.setattr(scan_module, "connect", attached)
    result = scan_database(crm, out_dir=tmp_path / "o", options=FAST)
    assert not any(".leads" in f.path for f in result.inventory.files)
    (note,) = result.inventory.notes
    assert "sales (1 table" in note and "--schema sales" in note and "--schema '*'" in note
    saved = json.loads((tmp_path / "o" / "inventory.json").read_text(encoding="utf-8"))
    assert saved["notes"] == [note]
    # beside the words, the note in no language, which a Chinese reader gets in Chinese
    assert saved["note_codes"] == [{"code": "other_schemas", "schemas": {"sales": 1}}]
    set_language("zh")
    assert notes.shown(codec.load_inventory(tmp_path / "o" / "inventory.json")) == (
        "其他模式未读取：sales（1 个表或视图）。按名称读取加 --schema sales，全部读取加 --schema '*'",
    )
    set_language("en")
    chosen = DatabaseSelection(schemas=("sales",))
    again = scan_database(crm, out_dir=tmp_path / "p", options=FAST, selection=chosen)
    assert [f.path.rsplit("/", 1)[-1] for f in again.inventory.files] == ["sales.leads"]
    assert not again.inventory.notes  # schemas were chosen


def test_one_schema_has_no_note(scanned: tuple[Any, list[dict[str, Any]]]) -> None:
    inv, _ = scanned
    assert not inv.notes
