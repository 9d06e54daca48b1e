"""Backups: byte-identical round trip, corruption and truncation refused, and a deal destroyed
after a backup stays unreadable when that older backup is restored."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine import crypto
from baomi.errors import CryptoError, InputError, IntegrityError
from baomi.services import audit, backup, deals, destruction, parties
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from tests.services.fakes import add_files
from tests.vault_support import admin, operator, resident_id


def _restore_settings(settings: Settings, tmp_path: Path, database_url: str | None) -> Settings:
    """An empty home (and database) that shares only the key store (kept apart from backups)."""
    return settings.model_copy(
        update={
            "home": tmp_path / "restored",
            "keystore": settings.keystore_path,
            "database_url": database_url,
        }
    )


def _populate(vault: Vault, src: Path) -> None:
    src.mkdir()
    (src / "客户.csv").write_text(f"身份证号\n{resident_id(9)}\n", encoding="utf-8")
    (src / "blob.bin").write_bytes(bytes(range(256)) * 50)
    deals.create(vault, actor=operator("ops"), name="keep")
    add_files(vault, "keep", [src])
    deals.create(vault, actor=operator("ops"), name="shred")
    add_files(vault, "shred", [src / "blob.bin"])
    parties.add(vault, actor=operator("ops"), role="seller", name="测试", id_number=resident_id(8))


def test_round_trip_restores_byte_identical_content(
    vault: Vault, settings: Settings, tmp_path: Path, second_database_url: str | None
) -> None:
    _populate(vault, tmp_path / "src")
    bk = tmp_path / "b.bak"
    report = backup.create(vault, actor=operator("ops"), out=bk)
    assert report.files == 3 and report.rows["deals"] == 2
    assert backup.verify(vault, bk, actor=operator()).backup_id == report.backup_id
    assert resident_id(9).encode() not in bk.read_bytes()
    with pytest.raises(InputError):
        backup.restore(vault, actor=admin("ops"), path=bk)  # not an empty home
    target = _restore_settings(settings, tmp_path, second_database_url)
    with open_vault(target) as restored:
        backup.verify(restored, bk, actor=operator())  # in the empty target: records nothing
        backup.restore(restored, actor=admin("ops"), path=bk)
        deals.export(restored, actor=operator("ops"), deal_ref="keep", out_dir=tmp_path / "out")
        assert (
            parties.find(
                restored, actor=operator("ops"), field_name="id_number", value=resident_id(8)
            )[0].name
            == "测试"
        )
        assert audit.verify(restored, actor=operator()).ok
    for name in ("客户.csv", "blob.bin"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "src" / name).read_bytes()
    for f in (vault.blobs.root).rglob("*.bin"):
        assert (
            target.home / "blobs" / f.relative_to(vault.blobs.root)
        ).read_bytes() == f.read_bytes()


@pytest.mark.parametrize("damage", ["flip", "truncate", "cut-chunk", "header", "empty"])
def test_corrupted_or_truncated_backup_is_refused(
    vault: Vault, tmp_path: Path, damage: str
) -> None:
    _populate(vault, tmp_path / "src")
    bk = tmp_path / "b.bak"
    backup.create(vault, actor=operator("ops"), out=bk)
    data = bytearray(bk.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) - 100]
    elif damage == "cut-chunk":
        data = data[: len(data) // 3]
    elif damage == "header":
        data[20] ^= 0x01
    else:
        data = bytearray()
    bk.write_bytes(bytes(data))
    with pytest.raises(IntegrityError):
        backup.verify(vault, bk, actor=operator())
    with pytest.raises(IntegrityError):
        backup.restore(vault, actor=admin("ops"), path=bk)


def test_destroyed_deal_stays_unreadable_from_an_older_backup(
    vault: Vault, settings: Settings, tmp_path: Path, second_database_url: str | None
) -> None:
    _populate(vault, tmp_path / "src")
    shred_id = deals.show(vault, "shred", actor=operator("ops")).deal.id
    old = tmp_path / "old.bak"
    backup.create(vault, actor=operator("ops"), out=old)
    destruction.destroy(vault, actor=operator("officer"), deal_ref="shred")
    # The older backup still holds the deal's sealed blob, but no key of any kind opens it:
    # its data key existed only in the key store, which no backup contains.
    _, members = backup._open(vault, old)
    [name] = [n for n in members if n.startswith(f"blobs/{shred_id}/")]
    object_id = name.rsplit("/", 1)[1].removesuffix(".bin")
    store = vault.load_keystore()
    assert shred_id not in store["deals"] and shred_id in store["destroyed"]
    assert b"wrapped" not in members["db.jsonl"]
    candidates = [vault.platform_key(n) for n in ("fields", "index", "backup")]
    candidates += [vault.deal_key(d) for d in store["deals"]]
    aad = crypto.object_aad(deal_id=shred_id, object_id=object_id, key_version=1, part="content")
    for key in candidates:
        with pytest.raises(CryptoError):
            crypto.open_sealed(key, members[name], aad)
    with pytest.raises(CryptoError):
        vault.deal_key(shred_id)
    # Restoring the older backup re-applies the destruction recorded in the key store.
    target = _restore_settings(settings, tmp_path, second_database_url)
    with open_vault(target) as restored:
        backup.restore(restored, actor=admin("ops"), path=old)
        detail = deals.show(restored, "shred", actor=operator("ops"))
        assert detail.deal.status == "destroyed" and all(o.name is None for o in detail.objects)
        assert not (restored.blobs.root / shred_id).exists()
        with pytest.raises(CryptoError):
            deals.export(restored, actor=operator("ops"), deal_ref="shred", out_dir=tmp_path / "x")
        deals.export(restored, actor=operator("ops"), deal_ref="keep", out_dir=tmp_path / "kept")
        assert audit.verify(restored, actor=operator()).ok


def test_snapshot_is_consistent_while_a_writer_is_mid_transaction(
    vault: Vault, tmp_path: Path
) -> None:
    from sqlalchemy import insert

    from baomi.storage.models import Deal

    _populate(vault, tmp_path / "src")
    with vault.engine.connect() as writer:
        tx = writer.begin()
        writer.execute(
            insert(Deal).values(
                id="f" * 32,
                name="uncommitted",
                status="active",
                key_version=1,
                created_at="t",
                created_by="w",
            )
        )
        rows = backup._snapshot_rows(vault)  # does not wait for the writer, does not see its row
        tx.rollback()
    names = [r["row"]["name"] for r in rows if r["table"] == "deals"]
    assert sorted(names) == ["keep", "shred"]


def test_backups_taken_before_a_rotation_still_verify(
    vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    from baomi.services import keys

    _populate(vault, tmp_path / "src")
    bk = tmp_path / "b.bak"
    backup.create(vault, actor=operator("ops"), out=bk)
    keys.rotate(settings, actor=admin("ops"), new_key_file=tmp_path / "next.key")
    with open_vault(settings.model_copy(update={"master_key_file": tmp_path / "next.key"})) as v:
        assert backup.verify(v, bk, actor=operator()).files == 3
