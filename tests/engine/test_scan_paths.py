"""File paths in the scan outputs: readable when a name is not UTF-8, unique across roots."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from baomi.engine.contracts.codec import to_dict
from baomi.engine.paths import display_path
from baomi.engine.scan import iter_files, scan_paths

CSV = "姓名,手机号\n张三,13800000001\n"


def _write_bytes_name(folder: Path, name: bytes, text: str) -> None:
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write(text.encode("utf-8"))


def _outputs(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    inv = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return inv, [json.loads(line) for line in lines]


def test_display_path_decodes_gbk_and_escapes_what_no_codec_reads() -> None:
    gbk = os.fsdecode("客户名单.csv".encode("gbk"))
    assert display_path("a/" + gbk) == "a/客户名单.csv"
    assert display_path("名单/ok.csv") == "名单/ok.csv"  # valid UTF-8 is left alone
    bad = os.fsdecode(b"\xff\xfe-list.csv")  # 0xFF starts no GB18030 character
    assert display_path("名单/" + bad) == "名单/\\xff\\xfe-list.csv"
    display_path(gbk).encode("utf-8")  # no surrogate is left


def test_a_file_name_that_is_not_utf8_is_scanned_under_a_readable_path(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "ok.csv").write_text(CSV, encoding="utf-8")
    _write_bytes_name(root, "客户名单.csv".encode("gbk"), "姓名,手机号\n李四,13800000002\n")
    _write_bytes_name(root, b"\xff-x.csv", "姓名,手机号\n王五,13800000003\n")
    out = tmp_path / "out"
    scan_paths([root], out_dir=out)
    inv, findings = _outputs(out)
    assert sorted(f["path"] for f in inv["files"]) == ["\\xff-x.csv", "ok.csv", "客户名单.csv"]
    assert sorted({f["file"] for f in findings}) == ["\\xff-x.csv", "ok.csv", "客户名单.csv"]


def test_a_decoded_name_never_collides_with_a_real_one(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "客户名单.csv").write_text(CSV, encoding="utf-8")
    _write_bytes_name(root, "客户名单.csv".encode("gbk"), CSV)
    names = [rel for _, rel in iter_files([root])]
    assert len(set(names)) == 2 and "客户名单.csv" in names


def _table_bytes(suffix: str, tmp: Path) -> bytes:
    """A one-customer table in the format of ``suffix``."""
    import openpyxl
    import polars as pl

    rows = [["姓名", "手机号"], ["李四", "13800000002"]]
    if suffix == ".csv":
        return "\n".join(",".join(r) for r in rows).encode("utf-8")
    if suffix == ".json":
        return json.dumps([dict(zip(*rows, strict=True))], ensure_ascii=False).encode("utf-8")
    target = tmp / f"t{suffix}"
    if suffix == ".xlsx":
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)  # type: ignore[union-attr]
        wb.save(target)
    else:
        pl.DataFrame([dict(zip(*rows, strict=True))]).write_parquet(target)
    return target.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx", ".parquet"])
def test_every_reader_opens_a_file_whose_name_is_not_utf8(tmp_path: Path, suffix: str) -> None:
    root = tmp_path / "in"
    root.mkdir()
    name = ("客户名单" + suffix).encode("gbk")
    with open(os.path.join(os.fsencode(root), name), "wb") as fh:
        fh.write(_table_bytes(suffix, tmp_path))
    result = scan_paths([root])
    (record,) = to_dict(result.inventory)["files"]
    assert record["path"] == "客户名单" + suffix and "error" not in record
    assert record["entities"] == {"CN_MOBILE": 1, "PERSON_NAME": 1}


@pytest.fixture
def shops(tmp_path: Path) -> Path:
    for shop, phone in (("shop_a", "13800000001"), ("shop_b", "13900000002")):
        (tmp_path / shop / "sub").mkdir(parents=True)
        (tmp_path / shop / "客户.csv").write_text(f"姓名,手机号\n张三,{phone}\n", encoding="utf-8")
        (tmp_path / shop / "sub" / "b.csv").write_text(CSV, encoding="utf-8")
    return tmp_path


def test_several_roots_are_named_from_their_common_parent(shops: Path) -> None:
    out = shops / "out"
    scan_paths([shops / "shop_a", shops / "shop_b"], out_dir=out)
    inv, findings = _outputs(out)
    assert [f["path"] for f in inv["files"]] == [
        "shop_a/客户.csv",
        "shop_a/sub/b.csv",
        "shop_b/客户.csv",
        "shop_b/sub/b.csv",
    ]
    mobiles = {f["file"] for f in findings if f["entity"] == "CN_MOBILE"}
    assert mobiles == {"shop_a/客户.csv", "shop_a/sub/b.csv", "shop_b/客户.csv", "shop_b/sub/b.csv"}


def test_file_arguments_with_one_name_get_their_folders(shops: Path) -> None:
    names = [rel for _, rel in iter_files([shops / "shop_a/客户.csv", shops / "shop_b/客户.csv"])]
    assert names == ["shop_a/客户.csv", "shop_b/客户.csv"]
    # files of one folder keep their bare names
    assert [rel for _, rel in iter_files([shops / "shop_a/客户.csv", shops / "shop_a/sub"])] == [
        "客户.csv",
        "sub/b.csv",
    ]


def test_one_root_is_named_from_itself(shops: Path) -> None:
    assert [rel for _, rel in iter_files([shops / "shop_a"])] == ["客户.csv", "sub/b.csv"]
    assert [rel for _, rel in iter_files([shops / "shop_a" / "客户.csv"])] == ["客户.csv"]


def test_a_file_named_twice_or_inside_a_named_folder_is_scanned_once(shops: Path) -> None:
    a = shops / "shop_a" / "客户.csv"
    files = list(iter_files([a, shops / "shop_a", a, shops / "shop_a" / "sub"]))
    assert [rel for _, rel in files] == ["客户.csv", "sub/b.csv"]


def test_folders_are_walked_in_sorted_order(tmp_path: Path) -> None:
    for d in ("c", "a", "b"):
        (tmp_path / "r" / d).mkdir(parents=True)
        (tmp_path / "r" / d / "x.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "r" / "b.csv").write_text(CSV, encoding="utf-8")
    names = [rel for _, rel in iter_files([tmp_path / "r"])]
    assert names == ["b.csv", "a/x.csv", "b/x.csv", "c/x.csv"]


@pytest.mark.parametrize("by_name", [False, True])
def test_a_link_to_a_file_of_the_folder_does_not_take_its_name(
    tmp_path: Path, by_name: bool
) -> None:
    """A symbolic link beside the file it points to (``最新.csv`` → ``客户 2024.csv``) was
    listed instead of the file when its name sorted first, and the file itself was missing
    from the inventory and the package. The file comes under its own name; a link to a file
    outside the folders given still comes under the link's name, and a link given by name
    is scanned by it."""
    root = tmp_path / "r"
    root.mkdir()
    (root / "客户 2024.csv").write_text("姓名\n张三\n", encoding="utf-8")
    (root / "A最新.csv").symlink_to(root / "客户 2024.csv")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("姓名\n李四\n", encoding="utf-8")
    (root / "外部.csv").symlink_to(outside)
    names = [rel for _, rel in iter_files([root], by_name=by_name)]
    assert names == ["外部.csv", "客户 2024.csv"]
    assert [rel for _, rel in iter_files([root / "A最新.csv"])] == ["A最新.csv"]


def test_a_scan_leaves_its_own_output_folder_out_of_the_folder_it_reads(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "客户.csv").write_text(CSV, encoding="utf-8")
    first = scan_paths([root], out_dir=root / "out")
    again = scan_paths([root], out_dir=root / "out")  # a second `scan . --out out`
    assert [f.path for f in again.inventory.files] == ["客户.csv"]
    assert to_dict(again.inventory) | {"created": 0} == to_dict(first.inventory) | {"created": 0}
    # a file of that folder named as an argument is read: the user asked for it
    named = [
        name for _, name in iter_files([root / "out" / "inventory.json"], exclude=root / "out")
    ]
    assert named == ["inventory.json"]
