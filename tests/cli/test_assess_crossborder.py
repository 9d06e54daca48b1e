"""``baomi assess provisions | provision-add | provision-delete | crossborder`` and
``baomi protect --deal`` end to end (a vault under tmp_path)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from baomi.services import deals, keys
from baomi.services.dataroom import rooms
from baomi.services.permissions import Actor, Role
from baomi.services.vault import open_vault
from baomi.settings import Settings
from tests.engine.protect.test_package import customers, write_csv
from tests.services.comply.test_provisions import USCC_A
from tests.vault_support import admin

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # typer's click helpers
    import typer
    from typer.testing import CliRunner

    from baomi.cli import assess, protect

runner = CliRunner()
app = typer.Typer()


@app.callback()
def _root() -> None:
    """The assess and protect commands, mounted as ``baomi.cli.main`` mounts them."""


assess.register(app)
protect.register(app)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BAOMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BAOMI_LANG", "en")
    monkeypatch.setenv("COLUMNS", "240")  # the tables' words unwrapped
    monkeypatch.setenv("BAOMI_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    for var in ("MASTER_KEY", "PASSPHRASE", "KEYSTORE", "DATABASE_URL", "ENV", "PROTECT_KEY"):
        monkeypatch.delenv(f"BAOMI_{var}", raising=False)
    keys.generate_key_file(tmp_path / "master.key")
    keys.init(Settings(), actor=admin())
    with open_vault(Settings()) as vault:
        deals.create(vault, actor=Actor("ops", Role.OPERATOR), name="d1")
        rooms.open_room(
            vault,
            actor=admin(),
            deal_ref="d1",
            target_name="示例",
            target_uscc=USCC_A,
            recipient_region="HK",
        )
    return tmp_path


def _ok(*args: str) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_manual_provisions_and_the_route(env: Path) -> None:
    out = _ok(
        "assess", "provision-add", "d1", "--recipient", "海外顾问", "--region", "hong_kong",
        "--individuals", "99999", "--purpose", "估值", "--date", "2026-01-01", "--format", "json",
    )  # fmt: skip
    added = json.loads(out)
    assert added["source"] == "manual" and not added["deduplicated"] and added["abroad"]
    listed = json.loads(_ok("assess", "provisions", "d1", "--format", "json"))
    assert [p["id"] for p in listed] == [added["id"]]
    assert "not deduplicated" in _ok("assess", "provisions", "d1")
    args = ["assess", "crossborder", "d1", "--year", "2026", "--plan-individuals", "1"]
    cb = json.loads(_ok(*args, "--format", "json"))
    assert cb["individuals"] == 99_999 and cb["route"]["outcome"] == "exempt"
    assert cb["what_if"]["outcome"] == "standard_contract" and cb["not_deduplicated"] == 1
    table = _ok("assess", "crossborder", "d1", "--year", "2026", "--plan-individuals", "1")
    assert "standard contract" in table and "SCC-7" in table
    r = runner.invoke(app, ["assess", "provision-delete", "d1", added["id"]])
    assert r.exit_code == 1 and "3 years" in r.output
    r = runner.invoke(app, ["assess", "provision-add", "d1", "--recipient", "x", "--region",
                            "mars", "--individuals", "1"])  # fmt: skip
    assert r.exit_code == 2


def test_protect_for_a_deal_records_its_provision(env: Path) -> None:
    write_csv(env / "seller" / "客户.csv", customers(25))
    _ok("policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key"))
    base = ["protect", str(env / "seller"), "--policy", str(env / "p.yaml"),
            "--key-file", str(env / "k.key")]  # fmt: skip
    r = runner.invoke(app, [*base, "--out", str(env / "o1"), "--deal", "d1"])
    assert r.exit_code == 1 and "--recipient" in r.output  # refused before any work
    out = _ok(*base, "--out", str(env / "o2"), "--deal", "d1", "--recipient", "买方A")
    assert "recorded as a provision" in out
    (p,) = json.loads(_ok("assess", "provisions", "d1", "--format", "json"))
    assert p["source"] == "protect" and p["recipient"] == "买方A" and p["deduplicated"]
    assert p["individuals"] == 25 and p["region"] == "hong_kong" and p["package_id"]
    _ok(*base, "--out", str(env / "o3"), "--deal", "d1", "--recipient", "买方B")
    cb = json.loads(_ok("assess", "crossborder", "d1", "--format", "json"))
    assert cb["individuals"] == 25  # the same customers twice: counted once
    _ok(*base, "--out", str(env / "o4"))  # without --deal: no record, as before
    assert len(json.loads(_ok("assess", "provisions", "d1", "--format", "json"))) == 2


def test_protect_of_a_database_for_a_deal_records_its_people(env: Path) -> None:
    from baomi.databases.scan import DatabaseSelection, scan_database
    from baomi.demo.database import create_demo_database

    source = f"sqlite:///{env / 'crm.db'}"
    create_demo_database(source, rows=30)
    scanned = scan_database(source, selection=DatabaseSelection(tables=("customers",)))
    people = scanned.inventory.summary.estimated_individuals
    assert people > 0
    _ok("policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key"))
    base = ["protect", source, "--table", "customers", "--policy", str(env / "p.yaml"),
            "--key-file", str(env / "k.key"), "--deal", "d1"]  # fmt: skip
    out = _ok(*base, "--recipient", "买方A", "--to", str(env / "pkg-a"))
    assert "recorded as a provision" in out
    assert (env / "pkg-a" / "main.customers.parquet").is_file()
    (p,) = json.loads(_ok("assess", "provisions", "d1", "--format", "json"))
    assert p["source"] == "protect" and p["recipient"] == "买方A" and p["deduplicated"]
    assert p["individuals"] == people and p["package_id"]
    # the same customers to a second recipient, loaded into a target database: counted once
    _ok(*base, "--recipient", "买方B", "--to", f"sqlite:///{env / 'copy.db'}")
    assert len(json.loads(_ok("assess", "provisions", "d1", "--format", "json"))) == 2
    cb = json.loads(_ok("assess", "crossborder", "d1", "--format", "json"))
    assert cb["individuals"] == people
    # the same tables read again are the same people, kept once
    from baomi.storage.models import ProvisionPeople

    with open_vault(Settings()) as vault, vault.reading() as session:
        assert session.query(ProvisionPeople).count() == 1


def test_a_database_table_it_may_not_read_for_a_deal(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--deal reads the tables' people first: a table it may not read stops the run without
    "(after 0 rows)", with the hint --exclude TABLE."""
    from baomi.databases.source import DatabaseError, DatabaseTable
    from baomi.demo.database import create_demo_database

    def denied(self: DatabaseTable):  # type: ignore[no-untyped-def]
        raise DatabaseError(self.display, "no permission to read it")

    monkeypatch.setattr(DatabaseTable, "rows", denied)
    source = f"sqlite:///{env / 'crm.db'}"
    create_demo_database(source, rows=10)
    _ok("policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key"))
    r = runner.invoke(
        app,
        ["protect", source, "--table", "orders", "--policy", str(env / "p.yaml"),
         "--key-file", str(env / "k.key"), "--deal", "d1", "--recipient", "买方A",
         "--to", str(env / "pkg")],
    )  # fmt: skip
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "main.orders: no permission to read it" in text
    assert "after 0 rows" not in text and "--exclude main.orders" in text


def test_the_provision_line_names_the_deal_and_the_record(env: Path) -> None:
    write_csv(env / "seller" / "客户.csv", customers(5))
    _ok("policy", "init", str(env / "p.yaml"), "--key-file", str(env / "k.key"))
    out = _ok("protect", str(env / "seller"), "--policy", str(env / "p.yaml"),
              "--key-file", str(env / "k.key"), "--out", str(env / "o"), "--deal", "d1",
              "--recipient", "买方A")  # fmt: skip
    (p,) = json.loads(_ok("assess", "provisions", "d1", "--format", "json"))
    text = " ".join(out.split())
    assert f"recorded as a provision of the deal d1 (provision record {p['id']})" in text
