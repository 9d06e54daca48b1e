"""Deals: create, add, list, show, export; blobs bound to their object; PI never in clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.errors import CryptoError, InputError
from baomi.services import deals
from baomi.services.vault import Vault
from tests.vault_support import mobile, resident_id


def _seller_files(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "客户名单.csv").write_text(
        f"姓名,身份证号,电话\n测试甲,{resident_id(7)},{mobile(7)}\n", encoding="utf-8"
    )
    (root / "sub").mkdir()
    (root / "sub" / "orders.txt").write_bytes(b"\x00\x01binary\xff" * 100)
    return root


def test_create_add_list_show_export_round_trip(vault: Vault, tmp_path: Path) -> None:
    info = deals.create(vault, actor="alice", name="ACME收购")
    assert info.status == "active" and info.objects == 0
    src = _seller_files(tmp_path / "seller")
    added = deals.add(vault, actor="alice", deal_ref="ACME收购", paths=[src])
    assert sorted(o.name for o in added) == ["sub/orders.txt", "客户名单.csv"]
    assert [d.objects for d in deals.list_deals(vault)] == [2]
    detail = deals.show(vault, info.id, actor="ops")
    assert {o.name for o in detail.objects} == {"sub/orders.txt", "客户名单.csv"}
    assert all(
        o.inventory and o.inventory["summary"]["entities"] == {"CN_RESIDENT_ID": 1}
        for o in detail.objects
    )
    out = tmp_path / "out"
    written = deals.export(vault, actor="alice", deal_ref="ACME收购", out_dir=out)
    assert len(written) == 2
    for name in ("客户名单.csv", "sub/orders.txt"):
        assert (out / name).read_bytes() == (src / name).read_bytes()


def test_duplicate_and_unknown_deal_are_input_errors(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor="a", name="d1")
    with pytest.raises(InputError):
        deals.create(vault, actor="a", name="d1")
    with pytest.raises(InputError):
        deals.show(vault, "nope", actor="ops")
    with pytest.raises(InputError):
        deals.add(vault, actor="a", deal_ref="d1", paths=[tmp_path / "missing.csv"])


def test_swapped_blobs_do_not_decrypt(vault: Vault, tmp_path: Path) -> None:
    info = deals.create(vault, actor="a", name="d1")
    (tmp_path / "a.txt").write_bytes(b"A" * 10)
    (tmp_path / "b.txt").write_bytes(b"B" * 10)
    a, b = deals.add(
        vault, actor="a", deal_ref="d1", paths=[tmp_path / "a.txt", tmp_path / "b.txt"]
    )
    pa, pb = vault.blobs.path(info.id, a.id), vault.blobs.path(info.id, b.id)
    blob_a, blob_b = pa.read_bytes(), pb.read_bytes()
    pa.write_bytes(blob_b)
    pb.write_bytes(blob_a)
    with pytest.raises(CryptoError):
        deals.export(vault, actor="a", deal_ref="d1", out_dir=tmp_path / "out")


def test_real_scanner_inventory_is_attached_and_sealed(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import sys

    monkeypatch.delitem(sys.modules, "baomi.engine.scan")  # drop the stand-in
    pytest.importorskip("baomi.engine.scan")
    src = _seller_files(tmp_path / "seller")
    deals.create(vault, actor="alice", name="real")
    deals.add(vault, actor="alice", deal_ref="real", paths=[src / "客户名单.csv"])
    [obj] = deals.show(vault, "real", actor="ops").objects
    assert obj.inventory is not None
    text = json.dumps(obj.inventory, ensure_ascii=False)
    assert "CN_RESIDENT_ID" in text and resident_id(7) not in text and mobile(7) not in text
