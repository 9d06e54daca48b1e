"""Deals: create, add, list, show, export; blobs bound to their object; PI never in clear."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from baomi.errors import CryptoError, InputError
from baomi.services import deals
from baomi.services.vault import Vault
from tests.services.fakes import add_files, contract_inventory
from tests.vault_support import mobile, operator, resident_id


def _seller_files(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "客户名单.csv").write_text(
        f"姓名,身份证号,电话\n测试甲,{resident_id(7)},{mobile(7)}\n", encoding="utf-8"
    )
    (root / "sub").mkdir()
    (root / "sub" / "orders.txt").write_bytes(b"\x00\x01binary\xff" * 100)
    return root


def test_create_add_list_show_export_round_trip(vault: Vault, tmp_path: Path) -> None:
    info = deals.create(vault, actor=operator("alice"), name="ACME收购")
    assert info.status == "active" and info.objects == 0
    src = _seller_files(tmp_path / "seller")
    added = add_files(vault, "ACME收购", [src], actor=operator("alice"))
    assert sorted(o.name for o in added) == ["sub/orders.txt", "客户名单.csv"]
    assert [d.objects for d in deals.list_deals(vault, actor=operator())] == [2]
    detail = deals.show(vault, info.id, actor=operator("ops"))
    assert {o.name for o in detail.objects} == {"sub/orders.txt", "客户名单.csv"}
    assert all(
        o.inventory and o.inventory["summary"]["entities"] == {"CN_RESIDENT_ID": 1}
        for o in detail.objects
    )
    out = tmp_path / "out"
    written = deals.export(vault, actor=operator("alice"), deal_ref="ACME收购", out_dir=out)
    assert len(written) == 2
    for name in ("客户名单.csv", "sub/orders.txt"):
        assert (out / name).read_bytes() == (src / name).read_bytes()


def test_duplicate_and_unknown_deal_are_input_errors(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor=operator("a"), name="d1")
    with pytest.raises(InputError):
        deals.create(vault, actor=operator("a"), name="d1")
    with pytest.raises(InputError):
        deals.show(vault, "nope", actor=operator("ops"))
    with pytest.raises(InputError):
        add_files(vault, "d1", [tmp_path / "missing.csv"], actor=operator("a"))


@pytest.mark.parametrize("name", ["QA#1", "a/b", "q?x", "50%", "tab\there", "x" * 101, ".", ".."])
def test_a_deal_name_fits_in_a_link(vault: Vault, name: str) -> None:
    """A deal's name is its room's address (/rooms/NAME): a name a link cannot carry
    (``#``, ``?``, ``/``, ``%``, control characters) or of over 100 characters is refused
    rather than accepted and then unreachable from the pages."""
    with pytest.raises(InputError):
        deals.create(vault, actor=operator("a"), name=name)
    deals.create(vault, actor=operator("a"), name="转让 2026-01（示例）")


def test_swapped_blobs_do_not_decrypt(vault: Vault, tmp_path: Path) -> None:
    info = deals.create(vault, actor=operator("a"), name="d1")
    (tmp_path / "a.txt").write_bytes(b"A" * 10)
    (tmp_path / "b.txt").write_bytes(b"B" * 10)
    a, b = add_files(vault, "d1", [tmp_path / "a.txt", tmp_path / "b.txt"], actor=operator("a"))
    pa, pb = vault.blobs.path(info.id, a.id), vault.blobs.path(info.id, b.id)
    blob_a, blob_b = pa.read_bytes(), pb.read_bytes()
    pa.write_bytes(blob_b)
    pb.write_bytes(blob_a)
    with pytest.raises(CryptoError):
        deals.export(vault, actor=operator("a"), deal_ref="d1", out_dir=tmp_path / "out")


def test_real_scanner_inventory_is_attached_and_sealed(vault: Vault, tmp_path: Path) -> None:
    """The default scanner is the engine's: its inventory is sealed with the document."""
    src = _seller_files(tmp_path / "seller")
    deals.create(vault, actor=operator("alice"), name="real")
    deals.add(vault, actor=operator("alice"), deal_ref="real", paths=[src / "客户名单.csv"])
    [obj] = deals.show(vault, "real", actor=operator("ops")).objects
    assert obj.inventory is not None
    assert obj.inventory["files"][0]["path"] == "客户名单.csv"
    text = json.dumps(obj.inventory, ensure_ascii=False)
    assert "CN_RESIDENT_ID" in text and resident_id(7) not in text and mobile(7) not in text


def test_the_fake_inventory_has_the_shape_of_the_real_scans(tmp_path: Path) -> None:
    """The services tests' stand-in must stay the scan's contract (DESIGN.md §Scan output)."""
    src = _seller_files(tmp_path / "seller")
    real, fake = (
        deals.scan_inventory(src / "客户名单.csv"),
        contract_inventory(src / "客户名单.csv"),
    )
    assert set(fake) == set(real) and set(fake["summary"]) == set(real["summary"])
    assert set(fake["files"][0]) == set(real["files"][0])
    assert set(fake["files"][0]["columns"][0]) <= set().union(*real["files"][0]["columns"])


def test_files_are_scanned_before_the_write_transaction_opens(vault: Vault, tmp_path: Path) -> None:
    """A scan can take minutes: it must not run while the store's write lock is held."""
    src = _seller_files(tmp_path / "seller")
    deals.create(vault, actor=operator(), name="d")
    opened: list[str] = []
    real_transaction = vault.transaction

    @contextmanager
    def transaction() -> Iterator[Session]:
        opened.append("transaction")
        with real_transaction() as session:
            yield session

    def scanner(path: Path) -> dict[str, Any]:
        opened.append("scan")
        return contract_inventory(path)

    vault.transaction = transaction  # type: ignore[method-assign]
    try:
        deals.add(vault, actor=operator(), deal_ref="d", paths=[src], scanner=scanner)
    finally:
        del vault.transaction
    assert opened == ["scan", "scan", "transaction"]


def test_a_failing_scan_stores_nothing(vault: Vault, tmp_path: Path) -> None:
    src = _seller_files(tmp_path / "seller")
    deals.create(vault, actor=operator(), name="d")

    def broken(path: Path) -> dict[str, Any]:
        raise InputError("unreadable")

    with pytest.raises(InputError):
        deals.add(vault, actor=operator(), deal_ref="d", paths=[src], scanner=broken)
    assert deals.list_deals(vault, actor=operator())[0].objects == 0
    assert vault.blobs.is_empty()
