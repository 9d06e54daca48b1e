"""Known PI written through every storage path is found nowhere under BAOMI_HOME, nor in logs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from baomi.engine.contracts import codec
from baomi.services import audit, backup, deals, destruction, parties
from baomi.services.comply import profile
from baomi.services.vault import Vault
from tests.vault_support import bank_card, fake_inventory, mobile, operator, resident_id

PI = (resident_id(42), mobile(42), bank_card(42), "测试张三丰", "zhangsanfeng@example.com")


def _encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("gb18030")]


def _leaks(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {v[:3]}…" for v in PI for enc in _encodings(v) if enc in data]
    return found


def test_no_pi_anywhere_in_the_home(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    # A scanner that (wrongly) put raw values in its inventory: the vault seals it anyway.
    def scanner(_: Path) -> dict[str, Any]:
        return codec.to_dict(fake_inventory(list(PI)))

    src = tmp_path / "seller"
    src.mkdir()
    rows = "\n".join(f"{PI[3]},{PI[0]},{PI[1]},{PI[2]},{PI[4]}" for _ in range(3))
    (src / f"{PI[3]}_{PI[1]}.csv").write_text(
        f"姓名,身份证号,手机,银行卡,邮箱\n{rows}\n", encoding="utf-8"
    )
    (src / "gbk.txt").write_bytes(f"{PI[3]} {PI[0]}".encode("gb18030"))
    deals.create(vault, actor=operator("ops"), name="keep")
    deals.create(vault, actor=operator("ops"), name="gone")
    for name in ("keep", "gone"):
        deals.add(vault, actor=operator("ops"), deal_ref=name, paths=[src], scanner=scanner)
    pid = parties.add(
        vault,
        actor=operator("ops"),
        role="seller",
        name=PI[3],
        id_number=PI[0],
        phone=PI[1],
        bank_account=PI[2],
    )
    assert (
        parties.find(vault, actor=operator("ops"), field_name="id_number", value=PI[0])[0].id == pid
    )
    deals.show(vault, "keep", actor=operator("ops"))
    # a person's mobile typed as the recipient's contact (meant for a company's)
    profile.set_profile(
        vault,
        actor=operator("ops"),
        deal_ref="keep",
        transfer_type=profile.TransferType.MERGER,
        recipient_contact=PI[1],
    )
    assert profile.profile(vault, actor=operator("ops"), deal_ref="keep").recipient_contact == PI[1]
    deals.export(vault, actor=operator("ops"), deal_ref="keep", out_dir=tmp_path / "exported")
    backup.create(vault, actor=operator("ops"), out=vault.settings.home / "backups" / "b.bak")
    destruction.destroy(vault, actor=operator("ops"), deal_ref="gone")
    audit.export(vault, vault.settings.home / "audit.json", fmt="json", actor=operator("ops"))
    audit.export(vault, vault.settings.home / "audit.csv", fmt="csv", actor=operator("ops"))
    # While open (WAL and shared memory files present) and after closing.
    assert _leaks(vault.settings.home) == []
    vault.close()
    assert _leaks(vault.settings.home) == []
    assert not any(v in caplog.text for v in PI)
    # The test would notice a leak: the decrypted export outside the home holds the values.
    assert _leaks(tmp_path / "exported")


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """baomi.db (with the hashes, sealed fields and the audit chain) was created 0644, readable
    by every account on the machine, while the key files are 0600."""
    from sqlalchemy import text

    from baomi.storage.db import make_engine

    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
