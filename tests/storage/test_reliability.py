"""Reliability: SIGKILL mid-write, two concurrent writers, disk full and a read-only home.

Subprocesses synchronise through pipes (a READY line, then a GO line), not through sleeps.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from baomi.errors import StorageError
from baomi.services import audit, deals
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from baomi.storage.models import AuditEventRow, StoredObject
from tests.vault_support import operator

CHILD_PRELUDE = """
import sys
from pathlib import Path
from baomi.engine.contracts import codec
INVENTORY = codec.load_inventory(Path(@INVENTORY@))
def SCAN(path):  # the scanner the service is given: no sys.modules stand-in
    return codec.to_dict(INVENTORY)
from baomi.settings import Settings
from baomi.services.vault import open_vault
from baomi.services import deals, audit
from tests.vault_support import operator
import baomi.storage.blobs as blobs

def pause():
    print("READY", flush=True)
    sys.stdin.readline()  # blocks until the parent writes GO (or kills us)

vault = open_vault(Settings())
""".replace(
    "@INVENTORY@",
    repr(str(Path(__file__).parents[1] / "engine/contracts/fixtures/v1/inventory.json")),
)


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BAOMI_HOME=str(settings.home),
        BAOMI_MASTER_KEY_FILE=str(settings.master_key_file),
        BAOMI_ENV="test",
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    env.pop("BAOMI_MASTER_KEY", None)
    env.pop("BAOMI_PASSPHRASE", None)
    if settings.database_url:
        env["BAOMI_DATABASE_URL"] = settings.database_url
    else:
        env.pop("BAOMI_DATABASE_URL", None)
    return env


def _child(settings: Settings, body: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_PRELUDE + textwrap.dedent(body)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(settings),
    )


def _assert_consistent(settings: Settings) -> None:
    """Every recorded object has its blob with the recorded hash; the audit chain verifies."""
    from baomi.engine import crypto

    with open_vault(settings) as v:
        assert audit.verify(v, actor=operator()).ok
        with v.sessions() as s:
            for obj in s.execute(select(StoredObject)).scalars():
                assert crypto.sha256_hex(v.blobs.get(obj.deal_id, obj.id)) == obj.blob_sha256
        assert not list(v.blobs.root.rglob("*.tmp"))


KILL_POINTS = {
    # after the object rows and audit event are flushed, before COMMIT
    "in-transaction": """
        original = audit.record
        def record(*a, **k):
            out = original(*a, **k)
            pause()
            return out
        audit.record = record
    """,
    # after the sealed blob is written to its temporary name, before the rename
    "blob-temp-file": """
        real_replace = blobs.os.replace
        def replace(src, dst):
            pause()
            real_replace(src, dst)
        blobs.os.replace = replace
    """,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_mid_write_leaves_a_consistent_store(
    vault: Vault, settings: Settings, tmp_path: Path, point: str
) -> None:
    (tmp_path / "first.txt").write_bytes(b"stored before the crash")
    (tmp_path / "second.txt").write_bytes(b"being written when killed")
    deals.create(vault, actor=operator("ops"), name="d")
    deals.add(vault, actor=operator("ops"), deal_ref="d", paths=[tmp_path / "first.txt"])
    vault.close()
    body = (
        KILL_POINTS[point]
        + f"""
        deals.add(vault, actor=operator("ops"), deal_ref="d", paths=[Path({str(tmp_path / "second.txt")!r})], scanner=SCAN)
    """
    )
    with _child(settings, body) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
    _assert_consistent(settings)
    with open_vault(settings) as v:
        assert deals.show(v, "d", actor=operator("ops")).deal.objects == 1
        deals.export(v, actor=operator("ops"), deal_ref="d", out_dir=tmp_path / "out")
        # and the store keeps working after the crash
        deals.add(v, actor=operator("ops"), deal_ref="d", paths=[tmp_path / "second.txt"])
    assert (tmp_path / "out" / "first.txt").read_bytes() == b"stored before the crash"


def test_two_writers_at_once_lose_no_event(vault: Vault, settings: Settings) -> None:
    n = 6
    before = audit.verify(vault, actor=operator()).events
    vault.close()
    body = """
        who = sys.argv[1] if len(sys.argv) > 1 else "w"
        pause()
        for i in range({n}):
            deals.create(vault, actor=operator(WHO), name=f"{{WHO}}-{{i}}")
        print("DONE", flush=True)
    """
    procs = [_child(settings, body.replace("WHO", repr(w)).format(n=n)) for w in ("a", "b")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "READY"
    for p in procs:  # release both at once
        assert p.stdin is not None
        p.stdin.write("GO\n")
        p.stdin.flush()
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0 and "DONE" in out
    with open_vault(settings) as v:
        report = audit.verify(v, actor=operator())
        assert report.ok and report.events == before + 2 * n
        assert len(deals.list_deals(v, actor=operator())) == 2 * n
        assert len(v.load_keystore()["deals"]) == 2 * n  # no key lost to a concurrent writer
    _assert_consistent(settings)


def _events(vault: Vault) -> int:
    with vault.sessions() as s:
        return s.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
def test_disk_full_or_read_only_blob_store_is_a_clear_error(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    (tmp_path / "a.txt").write_bytes(b"kept")
    (tmp_path / "b.txt").write_bytes(b"refused")
    deals.create(vault, actor=operator("ops"), name="d")
    deals.add(vault, actor=operator("ops"), deal_ref="d", paths=[tmp_path / "a.txt"])
    events = _events(vault)
    import baomi.storage.blobs as blobs

    def failing_fsync(fd: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(blobs.os, "fsync", failing_fsync)
    with pytest.raises(StorageError) as exc:
        deals.add(vault, actor=operator("ops"), deal_ref="d", paths=[tmp_path / "b.txt"])
    assert "kept" not in str(exc.value) and ("磁盘" in str(exc.value) or "disk" in str(exc.value))
    monkeypatch.undo()
    assert (
        _events(vault) == events and deals.show(vault, "d", actor=operator("ops")).deal.objects == 1
    )
    assert not list(vault.blobs.root.rglob("*.tmp"))
    deals.export(vault, actor=operator("ops"), deal_ref="d", out_dir=tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"kept"


def test_read_only_database_is_a_clear_error(
    vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(b"kept")
    deals.create(vault, actor=operator("ops"), name="d")
    deals.add(vault, actor=operator("ops"), deal_ref="d", paths=[tmp_path / "a.txt"])
    vault.close()
    ro = open_vault(settings)

    @event.listens_for(ro.engine, "connect")
    def _read_only(dbapi_connection: object, _record: object) -> None:
        cur = dbapi_connection.cursor()  # type: ignore[attr-defined]
        if ro.engine.dialect.name == "sqlite":
            cur.execute("PRAGMA query_only=ON")
        else:  # outside a transaction, so that a rollback does not undo it
            dbapi_connection.autocommit = True  # type: ignore[attr-defined]
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.autocommit = False  # type: ignore[attr-defined]
        cur.close()

    ro.engine.dispose()  # drop pooled connections opened before the listener
    try:
        with pytest.raises(StorageError):
            deals.create(ro, actor=operator("ops"), name="e")
        with pytest.raises(StorageError):
            deals.add(ro, actor=operator("ops"), deal_ref="d", paths=[tmp_path / "a.txt"])
        # Reading still works on a read-only store.
        assert [d.name for d in deals.list_deals(ro, actor=operator())] == ["d"]
        assert audit.verify(ro, actor=operator()).ok
    finally:
        ro.close()
    _assert_consistent(settings)
    with open_vault(settings) as v:
        assert [d.name for d in deals.list_deals(v, actor=operator())] == ["d"]
        assert deals.show(v, "d", actor=operator("ops")).deal.objects == 1


def test_sweep_removes_only_temp_files_of_dead_writers(vault: Vault) -> None:
    folder = vault.blobs.root / "deal"
    folder.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (folder / f".x.bin.{dead.stdout.strip()}.tmp").write_bytes(b"partial")
    (folder / f".y.bin.{os.getppid()}.tmp").write_bytes(b"a live writer's")
    assert vault.blobs.sweep_temp() == 1
    assert [p.name for p in folder.iterdir()] == [f".y.bin.{os.getppid()}.tmp"]
