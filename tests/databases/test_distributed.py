"""Database tables on Dask (``baomi scan DB-URL --engine dask``): key ranges read by the
workers over their own connections, outputs byte for byte those of the one-process scan."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client

from baomi.databases.distributed import plan_table, scan_database_dask
from baomi.databases.scan import DatabaseSelection, scan_database
from baomi.databases.source import connect
from baomi.demo.database import create_demo_database
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions
from baomi.engine.scan.distributed import dask_client
from baomi.engine.scan.model import ScanContext

CREATED = re.compile(rb'"created": "[^"]*"')
OPTIONS = ScanOptions(batch_rows=32, prose=False)
RANGE_ROWS = 40  # rows per key range: the demo tables are cut in several


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with dask_client(workers=2, processes=False) as c:
        yield c


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("crm") / "crm.db"
    url = f"sqlite:///{path}"
    create_demo_database(url, rows=150)
    with sqlite3.connect(path) as conn:  # a table without a primary key, and binary values
        conn.execute("CREATE TABLE loose (name TEXT, phone TEXT)")
        conn.executemany(
            "INSERT INTO loose VALUES (?, ?)", [(f"客户{i}", f"1380013{i:04d}") for i in range(90)]
        )
        conn.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, note TEXT, phone TEXT)")
        conn.executemany(
            "INSERT INTO blobs VALUES (?, ?, ?)",
            [(i, b"\x00\x01" if i == 70 else f"备注{i}", f"1390013{i:04d}") for i in range(120)],
        )
    return url


def _outputs(out: Path) -> tuple[bytes, bytes]:
    inventory = CREATED.sub(b'"created": ""', (out / "inventory.json").read_bytes())
    return inventory, (out / "findings.jsonl").read_bytes()


def test_tables_in_key_ranges_match_the_one_process_scan(
    crm: str, client: Client, tmp_path: Path
) -> None:
    local = scan_database(crm, out_dir=tmp_path / "local", options=OPTIONS)
    dask = scan_database_dask(
        crm, client, out_dir=tmp_path / "dask", options=OPTIONS, range_rows=RANGE_ROWS
    )
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert dask.findings == local.findings > 0
    assert b'"key":{"id":' in (tmp_path / "dask" / "findings.jsonl").read_bytes()
    # some tables were cut into several key ranges, the one without a key was not
    db = connect(crm)
    ctx = ScanContext(Registry.default().without_models(), OPTIONS, 1)
    cut = {
        ref.name: plan_table(db, crm, ref, 0, ctx, DatabaseSelection(), RANGE_ROWS)
        for ref in db.tables()
    }
    db.close()
    assert cut["loose"] is None
    assert cut["blobs"] is not None and len(cut["blobs"].tasks) == 3
    assert sum(p is not None and len(p.tasks) > 1 for p in cut.values()) >= 2


def test_a_sampled_scan_reads_each_table_whole(crm: str, client: Client, tmp_path: Path) -> None:
    selection = DatabaseSelection(sample=50)
    scan_database(crm, out_dir=tmp_path / "local", options=OPTIONS, selection=selection)
    scan_database_dask(
        crm,
        client,
        out_dir=tmp_path / "dask",
        options=OPTIONS,
        selection=selection,
        range_rows=RANGE_ROWS,
    )
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")


def test_the_cli_scans_a_database_on_dask(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from baomi.cli.main import app

    # a LocalCluster of threads (fast); the CLI's own cluster is of processes
    monkeypatch.setattr(dask_client, "__kwdefaults__", {"workers": 2, "processes": False})
    runner = CliRunner()
    local = runner.invoke(app, ["scan", crm, "-o", str(tmp_path / "local"), "--no-prose"])
    assert local.exit_code == 0, local.output
    dask = runner.invoke(
        app,
        ["scan", crm, "-o", str(tmp_path / "dask"), "--no-prose", "--engine", "dask", "-w", "2"],
    )
    assert dask.exit_code == 0, dask.output
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")


def test_the_notes_are_in_the_scans_language_on_dask(
    crm: str, client: Client, tmp_path: Path
) -> None:
    """A table scanned whole by a worker (``loose``: no primary key) had its notes worded in the
    worker's language (its environment's, Chinese by default), not the scan's: an English scan
    on Dask wrote other bytes than in one process."""
    from baomi.engine.contracts import codec
    from baomi.i18n import set_language

    set_language("en")
    try:
        scan_database(crm, out_dir=tmp_path / "local", options=OPTIONS)
        scan_database_dask(
            crm, client, out_dir=tmp_path / "dask", options=OPTIONS, range_rows=RANGE_ROWS
        )
    finally:
        set_language(None)
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    inventory = codec.load_inventory(tmp_path / "dask" / "inventory.json")
    loose = next(f for f in inventory.files if f.path.endswith(".loose"))
    assert loose.notes[0].startswith("no primary key")
