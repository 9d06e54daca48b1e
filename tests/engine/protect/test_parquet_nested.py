"""A Parquet file's nested columns (structs, lists) are read by the scan as JSON text, but
protect left them as they were: ``--verify`` failed every package of such a file. Each text
leaf is now protected under its path (``联系.手机``, ``历史号码[]``), the column keeping its
type; a number leaf that holds an identifier becomes null."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from .conftest import make_mobile, protect_verified


def test_nested_parquet_columns_are_protected_leaf_by_leaf(tmp_path: Path) -> None:
    rng = random.Random(53)
    m = [make_mobile(rng) for _ in range(6)]
    frame = pl.DataFrame(
        {
            "编号": ["C1", "C2"],
            "联系": [
                {"手机": m[0], "邮箱": "zhang.wei@example.com", "座机号": int(m[4]), "级别": 3},
                {"手机": m[1], "邮箱": "li.na@example.com", "座机号": None, "级别": 1},
            ],
            "历史号码": [[m[2]], [m[3], None]],
            "订单": [
                [{"收货人": "张伟", "电话": m[5]}, {"收货人": "John Smith", "电话": None}],
                [{"收货人": "Grace", "电话": None}],  # one word: a name under this field
            ],
        }
    )
    src = tmp_path / "in"
    src.mkdir()
    frame.write_parquet(src / "客户.parquet")
    result = protect_verified(src, tmp_path / "out")  # --verify: nothing left
    out = pl.read_parquet(tmp_path / "out" / "客户.parquet")
    assert out.schema == frame.schema
    text = str(out.to_dicts())
    assert not [v for v in [*m, "zhang.wei", "li.na"] if v in text]
    rows = out.to_dicts()
    assert rows[0]["联系"]["手机"].endswith(m[0][-4:])  # masked in place
    assert rows[0]["联系"]["座机号"] is None  # a number cannot hold the mask
    assert [r["联系"]["级别"] for r in rows] == [3, 1]  # no identifier: kept
    assert rows[1]["历史号码"][1] is None and len(rows[1]["历史号码"]) == 2
    assert rows[0]["订单"][0]["电话"].endswith(m[5][-4:])
    assert out["编号"].to_list() == ["C1", "C2"]
    # a name under a field that names a person, Chinese or in Latin letters
    consignees = [o["收货人"] for r in rows for o in r["订单"]]
    assert not {"张伟", "John Smith", "Grace"} & set(consignees), consignees
    # two mobiles, two e-mails, the number, two old mobiles, the orders' three consignees and
    # one phone
    assert result.manifest.files[0].extras_changed == 11
